"""Demo step: Polri units proposed to TPN in the open cycle, so that a PortalRB pull with a
Polri token (issue 12) returns real units, with the answers of the unit and of the TPI.

Each unit goes the whole way through the same services as the UI: Polri's leadership records
its penetapan and pencanangan (issue 15 §5), its coordinator starts building, links a document
to every item and fills the whole LKE (strong answers, above the WBBM floors); Polda Metro
Jaya's preliminary assessor approves every item and signs off every area; the TPI of Polri
changes a few answers of its own, approves, signs off and finds that the unit meets the
criteria; the agency- and unit-level prerequisites (Tabel 5, D10) are recorded with their
evidence; Polri's pimpinan proposes the unit. Every hand-off is clean (nothing left without
evidence, D16), and no reviewer belongs to the unit reviewed (issue 13).

Polres Metro Tangerang Kota is proposed for Menuju WBK; Polres Metro Jakarta Selatan, Menuju WBK
since 2021 (``history.py``), for Menuju WBBM. Dates, links and figures are illustrative demo
data. Idempotent like every demo step: a unit already enrolled in the cycle is left as it is.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import clock
from tracker.accreditation import assessments, proposal, reviews, tiers, transitions
from tracker.accreditation.context import Actor, actor_for
from tracker.accreditation.enrolment import DECREE_KEY, PAKTA_KEY, decree_description, enrol
from tracker.accreditation.models import Cycle, Enrolment, Predicate
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.workflow import Action
from tracker.agencies import services as agencies
from tracker.agencies.models import Unit
from tracker.auth import services as auth
from tracker.auth.models import User
from tracker.evidence import services as evidence
from tracker.evidence.models import EvidenceFile, EvidencePurpose
from tracker.lke import AnswerType, Framework, parse_answer
from tracker.lke.framework import Document, Item
from tracker.lke.scoring import item_value

if TYPE_CHECKING:
    from tracker.demo.seed import SeedReport

AGENCY = "polri"
PRELIMINARY_ASSESSOR = "penilai.poldametro"  # at Polda Metro Jaya, the Polres' parent
TPI = "tpi.polri"  # Itwasum Polri, agency-wide
PIMPINAN = "pimpinan.polri"
TPI_NOTE = "Bukti belum menunjukkan penerapan di seluruh satuan fungsi; nilai disesuaikan."
LINKS = "https://dokumen-zi.example/polri"  # illustrative: the reserved .example domain


@dataclass(frozen=True)
class DemoProposal:
    unit: str  # unit code in Polri
    coordinator: str  # username of the unit's ZI coordinator
    target: Predicate
    declared_on: date
    step: int  # every ``step``-th choice item gets the second-best option (a plausible LKE)
    tpi_changes: int  # how many choice items the TPI scores one option lower, with a note


PROPOSALS = (
    DemoProposal(
        "polres-metro-tangerang-kota",
        "koordinator.tangerangkota",
        Predicate.WBK,
        date(2025, 9, 1),
        step=5,
        tpi_changes=3,
    ),
    DemoProposal(
        "polres-metro-jakarta-selatan",
        "koordinator.jaksel",
        Predicate.WBBM,
        date(2025, 7, 14),
        step=9,
        tpi_changes=2,
    ),
)

# The life cycle's dates, in days before the day of seeding: all of it already happened, before
# the open cycle's deadlines, which lie weeks ahead (``story.demo_calendar``, issue 15 §6). The
# units were declared more than 12 months before their proposal (Tabel 5).
START_BUILDING = 200
SUBMITTED = 75
PRELIMINARY_PASSED = 45
TPI_MET = 21
PROPOSED = 7

# Tabel 5 as the demo records it: agency-level once per cycle, unit-level per unit. The values
# meet the WBBM minimums, so both proposals rest on the same agency facts.
AGENCY_FACTS = {
    "agency.bpk_opinion": "WTP",
    "agency.sakip": "BB",
    "agency.rb_index": "BB",
    "agency.spip": "3",
}
UNIT_FACTS = {
    "unit.core_service": "Ya",
    "unit.public_impact": "Ya",
    "unit.tlhp": "100",
    "unit.lhkpn": "100",
    "unit.internal_sakip": "BB",
}


def seed_proposals(session: Session, report: SeedReport, cycle: Cycle) -> None:
    """Take each demo proposal not yet enrolled in ``cycle`` to PROPOSED."""
    agency = agencies.find_agency(session, AGENCY)
    if agency is None:
        return
    for spec in PROPOSALS:
        unit = agencies.find_unit(session, agency, spec.unit)
        if unit is None or _enrolled(session, cycle, unit):
            continue
        _propose(session, cycle, unit, spec)
        report.add(f"usulan {unit.name} menuju {spec.target.value} {cycle.year}")


def _enrolled(session: Session, cycle: Cycle, unit: Unit) -> bool:
    found = select(Enrolment.id).where(Enrolment.cycle_id == cycle.id, Enrolment.unit_id == unit.id)
    return session.scalar(found) is not None


def _propose(session: Session, cycle: Cycle, unit: Unit, spec: DemoProposal) -> None:
    enrolment, answers = _build(session, cycle, unit, spec)
    framework = assessments.framework_for(enrolment)
    if enrolment.needs_preliminary:
        assessor = actor_for(_account(session, PRELIMINARY_ASSESSOR), unit)
        _review_everything(session, assessor, enrolment, framework)
        _advance(
            session,
            assessor,
            enrolment,
            Action.PRELIMINARY_PASS,
            _day(cycle, PRELIMINARY_PASSED),
            note="Layak dievaluasi TPI.",
        )
    tpi = actor_for(_account(session, TPI), unit)
    corrections = tpi_corrections(framework, answers, spec.tpi_changes)
    assessments.import_answers(
        session,
        actor=tpi,
        enrolment=enrolment,
        tier=TierCode.TPI,
        raw_answers=corrections,
        notes=dict.fromkeys(corrections, TPI_NOTE),
        source="demo",
    )
    _review_everything(session, tpi, enrolment, framework)
    _advance(
        session,
        tpi,
        enrolment,
        Action.TPI_MEETS,
        _day(cycle, TPI_MET),
        note="LHE internal: memenuhi kriteria; direkomendasikan untuk diusulkan ke TPN.",
    )
    proposed_on = _day(cycle, PROPOSED)
    pimpinan = actor_for(_account(session, PIMPINAN), unit)
    coordinator = actor_for(_account(session, spec.coordinator), unit)
    months = (proposed_on.year - spec.declared_on.year) * 12 + (
        proposed_on.month - spec.declared_on.month
    )
    _record_prerequisites(session, pimpinan, enrolment, AGENCY_FACTS, only_missing=True)
    _record_prerequisites(
        session, coordinator, enrolment, UNIT_FACTS | {"unit.building_months": str(months)}
    )
    _advance(
        session,
        pimpinan,
        enrolment,
        Action.PROPOSE,
        proposed_on,
        note="Surat usulan Kapolri kepada Menteri PANRB, dengan SPTJM Kapolres.",
    )


def _build(
    session: Session, cycle: Cycle, unit: Unit, spec: DemoProposal
) -> tuple[Enrolment, dict[str, Any]]:
    """The coordinator's part: declaration with the Pakta, building, a document link on every
    item, the whole LKE, and the submission. Returns the enrolment and the unit's answers."""
    coordinator = actor_for(_account(session, spec.coordinator), unit)
    # Issue 15 §5: Polri's leadership records the penetapan unit kerja and the pencanangan,
    # with the signed decree and Pakta Integritas.
    leadership = actor_for(_account(session, PIMPINAN), unit)
    decree_date = spec.declared_on - timedelta(days=14)
    number = f"Kep/{unit.id}/ZI/{decree_date.year}"
    enrolment = enrol(
        session,
        actor=leadership,
        cycle=cycle,
        unit=unit,
        target=spec.target,
        declared_on=spec.declared_on,
        note="Apel pencanangan ZI dan penandatanganan Pakta Integritas seluruh personel.",
        decree_number=number,
        decree_date=decree_date,
    )
    decree = _link(session, leadership, enrolment, EvidencePurpose.PAKTA, None, DECREE_KEY)
    decree.description = decree_description(number, decree_date)
    _link(session, leadership, enrolment, EvidencePurpose.PAKTA, None, PAKTA_KEY)
    _advance(session, coordinator, enrolment, Action.START_BUILDING, _day(cycle, START_BUILDING))
    framework = assessments.framework_for(enrolment)
    for item in framework.items():
        _link_documents(session, coordinator, enrolment, item)
    answers = strong_answers(framework, spec.step, cycle.year)
    assessments.import_answers(
        session,
        actor=coordinator,
        enrolment=enrolment,
        tier=TierCode.UNIT,
        raw_answers=answers,
        source="demo",
        linked=list(answers),
    )
    submit = Action.SUBMIT_PRELIMINARY if enrolment.needs_preliminary else Action.SUBMIT_TPI
    _advance(session, coordinator, enrolment, submit, _day(cycle, SUBMITTED))
    return enrolment, answers


def _day(cycle: Cycle, days_before: int) -> date:
    """A day of the story ``days_before`` the day of seeding (never before the cycle's start)."""
    return max(clock.today() - timedelta(days=days_before), cycle.self_assessment_start)


def _advance(
    session: Session, actor: Actor, enrolment: Enrolment, action: Action, day: date, note: str = ""
) -> None:
    """The action as its form takes it. No hand-off needs ``evidence_confirmed``: every answered
    item carries its documents, so a gap would refuse the hand-off (D16) and fail the seed."""
    transitions.advance(
        session,
        actor=actor,
        enrolment=enrolment,
        action=action,
        details=transitions.Details(note=note),
        on=day,
    )


def _link(
    session: Session,
    actor: Actor,
    enrolment: Enrolment,
    purpose: EvidencePurpose,
    item_code: str | None,
    document_key: str | None,
    title: str = "",
) -> EvidenceFile:
    path = "/".join(p for p in (enrolment.unit.code, item_code, document_key) if p)
    return evidence.add_link(
        session,
        user=actor.user,
        enrolment=enrolment,
        target=evidence.Target(purpose, item_code=item_code, document_key=document_key),
        url=f"{LINKS}/{enrolment.cycle.year}/{path}.pdf",
        title=title or (document_key or item_code or purpose.value),
    )


def _link_documents(session: Session, actor: Actor, enrolment: Enrolment, item: Item) -> None:
    """A link for each required document of ``item`` (one for the item when none is required)."""
    required: list[Document | None] = [d for d in item.documents if d.required]
    for document in required or [None]:
        key = document.key if document else None
        title = document.title if document else item.code
        _link(session, actor, enrolment, EvidencePurpose.ITEM, item.code, key, title)


def _review_everything(
    session: Session, actor: Actor, enrolment: Enrolment, framework: Framework
) -> None:
    """The reviewer's "approve all" on each area (every item has evidence, so none is
    skipped), then the area's sign-off."""
    for area in transitions.area_keys(enrolment):
        codes = [i.code for i in framework.items() if tiers.area_of(i.code) == area]
        approval = reviews.approve_pending(
            session, actor=actor, enrolment=enrolment, item_codes=codes
        )
        if approval.skipped_without_evidence:
            raise RuntimeError(f"demo items without evidence: {approval.skipped_without_evidence}")
        reviews.sign_off_area(
            session, actor=actor, enrolment=enrolment, area=area, item_codes=codes
        )


def _record_prerequisites(
    session: Session,
    actor: Actor,
    enrolment: Enrolment,
    facts: dict[str, str],
    *,
    only_missing: bool = False,
) -> None:
    """Record each prerequisite with a link to its document, as the proposal page does."""
    already = proposal.recorded(session, enrolment) if only_missing else {}
    for code, value in facts.items():
        if code in already:
            continue
        key = code.replace(".", "-")
        document = _link(session, actor, enrolment, EvidencePurpose.PREREQUISITE, None, key, code)
        proposal.record(
            session,
            actor=actor,
            enrolment=enrolment,
            code=code,
            value=value,
            note="",
            evidence=document,
        )


# --- answers ---------------------------------------------------------------------------------


def strong_answers(framework: Framework, step: int, year: int) -> dict[str, Any]:
    """A strong, plausible LKE, above the WBBM floors: the best option of most choice items and
    the second-best of every ``step``-th, % items from counts that reach 100 %, and survey
    indexes from the unit's own survey."""
    out: dict[str, Any] = {}
    for n, item in enumerate(framework.items()):
        if item.answer_type is AnswerType.PERCENT:
            out[item.code] = _full_counts(item, scale=10 + n % 7)
        elif item.answer_type is AnswerType.SURVEY_INDEX:
            out[item.code] = {
                "index": "3.82" if n % 2 else "3.76",
                "source": "Survei internal unit",
                "period": f"Januari–Februari {year}",
                "respondents": "212",
            }
        else:
            keys = item.choice_keys
            out[item.code] = keys[1] if n % step == step - 1 and len(keys) > 2 else keys[0]
    return out


def tpi_corrections(framework: Framework, answers: dict[str, Any], count: int) -> dict[str, str]:
    """``count`` items, spread over the LKE, that the TPI scores one option below the unit's
    best: choice items with at least three options (a yes/no item has no "one lower")."""
    best = [
        item
        for item in framework.items()
        if item.answer_type not in (AnswerType.PERCENT, AnswerType.SURVEY_INDEX)
        and len(item.choice_keys) > 2
        and answers.get(item.code) == item.choice_keys[0]
    ]
    spread = best[len(best) // (2 * count) :: max(1, len(best) // count)][:count]
    return {item.code: item.choice_keys[1] for item in spread}


def _full_counts(item: Item, *, scale: int) -> list[int]:
    """Counts that give the % item its full value, scaled to a plausible size. Never 0/0, even
    where it would score (D4): the demo's units have something to count everywhere."""

    def is_full(counts: Iterable[int]) -> bool:
        value, flags = item_value(item, parse_answer(item, list(counts)))
        return value == 1 and not flags

    for counts in itertools.product(range(4), repeat=len(item.inputs)):
        if is_full(counts):
            scaled = [count * scale for count in counts]
            return scaled if is_full(scaled) else list(counts)
    raise ValueError(f"no full counts for {item.code}")


def _account(session: Session, username: str) -> User:
    user = auth.find_user(session, username)
    if user is None:
        raise RuntimeError(f"demo account {username!r} is missing: seed the accounts first")
    return user
