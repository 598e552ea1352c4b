"""Demo: the open evaluation cycle, with units at different points of the life cycle.

Each unit's declaration (pencanangan and penetapan unit kerja, with the decree's number and
date) is recorded by its agency's leadership (issue 15 §5). Polres Metro Bekasi is building (part
of its LKE filled); Polres Metro Depok is in its preliminary assessment by Polda Metro Jaya, whose
assessor has sent one item back with a comment, so ``koordinator.depok`` finds it first in
"Tugas saya"; KPPN Jakarta I is building, and Disdukcapil Kota Bekasi has just declared.

Work in flight (issue 15 §6): the cycle's windows are set around the day of seeding
(``demo_calendar``): the self-assessment ends in three weeks, the TPI evaluation in seven, the
proposals in ten, so every countdown shows; what already happened is dated before that day.

Two Polri units are proposed to TPN (``proposals.py``): Polres Metro Tangerang Kota for Menuju
WBK and Polres Metro Jakarta Selatan for Menuju WBBM, each with the answers of the unit and of
the TPI to every item, so that a PortalRB pull with a Polri token returns real units. Everything
goes through the same services as the UI, so the audit trail and snapshots are real.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import clock
from tracker.accreditation import assessments, cycles, reviews, transitions
from tracker.accreditation.context import actor_for
from tracker.accreditation.enrolment import enrol
from tracker.accreditation.models import Cycle, DecisionKind, Enrolment, Predicate
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.workflow import Action
from tracker.agencies import services as agencies
from tracker.agencies.models import Unit
from tracker.auth import services as auth
from tracker.auth.models import User
from tracker.demo.proposals import PRELIMINARY_ASSESSOR, seed_proposals
from tracker.lke import AnswerType, Framework
from tracker.lke.services import sync_framework

YEAR = 2027


def seed_cycle(session: Session, report) -> None:
    """The 2027 cycle (its windows still ahead), four enrolments and two proposals."""
    row, created = sync_framework(session)
    if created:
        report.add(f"kerangka {row.code} v{row.version}")
    cycle = session.scalars(select(Cycle).where(Cycle.year == YEAR)).first()
    if cycle is None:
        cycle = cycles.create_cycle(
            session,
            user=_account(session, "admin"),
            year=YEAR,
            name=f"Evaluasi ZI {YEAR}",
            framework=row,
            calendar=demo_calendar(clock.today()),
        )
        report.add(f"siklus {YEAR}")
    for agency, unit, user, fill, actions in _STORY:
        _enrolment(session, report, cycle, agency, unit, user, fill, actions)
    seed_proposals(session, report, cycle)


def demo_calendar(today: date) -> cycles.Calendar:
    """The open cycle's windows around ``today``: the self-assessment ends in three weeks,
    the TPI evaluation in seven, the proposals in ten (issue 15 §6), and TPN's dates follow
    at the default calendar's distances from the proposal deadline."""
    proposal = today + timedelta(weeks=10)
    return cycles.Calendar(
        self_assessment_start=today - timedelta(days=DAYS_SINCE_START),
        self_assessment_end=today + timedelta(weeks=3),
        tpi_evaluation_start=today + timedelta(weeks=3, days=1),
        tpi_evaluation_end=today + timedelta(weeks=7),
        proposal_deadline=proposal,
        appeal_deadline=proposal + timedelta(days=45),
        desk_evaluation_start=proposal + timedelta(days=50),
        field_evaluation_start=proposal + timedelta(days=93),
        designation_date=proposal + timedelta(days=193),
    )


def days_ago(days: int) -> date:
    """A day of the story already past: ``days`` before the day of seeding."""
    return clock.today() - timedelta(days=days)


DAYS_SINCE_START = 240  # the self-assessment window opened about eight months ago

# Issue 15 §6: what Polda Metro Jaya's preliminary assessor sent back to Polres Metro Depok. An
# item of area 3, clear of the items the review browser test uses (area 1).
DEPOK_SENT_BACK = "A.I.3.iii.b"
DEPOK_COMMENT = (
    "Rencana pengembangan kompetensi belum menunjukkan kaitan dengan hasil penilaian kinerja "
    "(SKP) personel; lampirkan notulen rapat penyusunannya dan analisis kesenjangan kompetensi."
)


# Who records each agency's declarations (its pimpinan account).
LEADERSHIP = {
    "polri": "pimpinan.polri",
    "kemenkeu": "pimpinan.kemenkeu",
    "pemkot-bekasi": "pimpinan.kotabekasi",
}
DEPOK = "polres-metro-depok"

# (agency code, unit code, coordinator, share of the LKE to fill, actions after filling)
_STORY = [
    ("polri", "polres-metro-bekasi", "koordinator.metrobekasi", 0.6, ()),
    (
        "polri",
        DEPOK,
        "koordinator.depok",
        1.0,
        ((Action.SUBMIT_PRELIMINARY, "koordinator.depok"),),
    ),
    ("kemenkeu", "kppn-jakarta-1", "koordinator.kppnjakarta1", 0.3, ()),
    ("pemkot-bekasi", "disdukcapil", "koordinator.disdukcapil", 0.0, None),
]


def _enrolment(
    session: Session,
    report,
    cycle: Cycle,
    agency_code: str,
    unit_code: str,
    username: str,
    fill: float,
    actions,
) -> None:
    agency = agencies.find_agency(session, agency_code)
    unit = agencies.find_unit(session, agency, unit_code) if agency else None
    if unit is None or session.scalar(
        select(Enrolment.id).where(Enrolment.cycle_id == cycle.id, Enrolment.unit_id == unit.id)
    ):
        return
    # Issue 15 §5: the agency's leadership records the pencanangan and the penetapan.
    leadership = actor_for(_account(session, LEADERSHIP[agency_code]), unit)
    declared_on = days_ago(DAYS_SINCE_START - 30 if actions else 10)
    enrolment = enrol(
        session,
        actor=leadership,
        cycle=cycle,
        unit=unit,
        target=Predicate.WBK,
        declared_on=declared_on,
        note="Apel pencanangan ZI.",
        decree_number=f"KEP/{unit.id}/ZI/{declared_on.year}",
        decree_date=declared_on - timedelta(days=7),
    )
    report.add(f"pencanangan {unit.name}")
    if actions is None:
        return
    coordinator = actor_for(_account(session, username), unit)
    transitions.advance(
        session,
        actor=coordinator,
        enrolment=enrolment,
        action=Action.START_BUILDING,
        on=days_ago(DAYS_SINCE_START - 40),
    )
    if fill:
        framework = assessments.framework_for(enrolment)
        assessments.import_answers(
            session,
            actor=coordinator,
            enrolment=enrolment,
            tier=TierCode.UNIT,
            raw_answers=sample_answers(framework, fill),
            source="demo",
        )
    for action, actor_name in actions:
        transitions.advance(
            session,
            actor=actor_for(_account(session, actor_name), unit),
            enrolment=enrolment,
            action=action,
            # The demo's units have answers but no evidence yet: their coordinators hand
            # them on knowingly, as the form asks (D16), and the reviewers see "tanpa bukti".
            details=transitions.Details(evidence_confirmed=True),
            on=days_ago(14),
        )
    if unit_code == DEPOK:
        _send_back_one(session, enrolment, unit)


def _send_back_one(session: Session, enrolment: Enrolment, unit: Unit) -> None:
    """Polda Metro Jaya's preliminary assessor sends one item back with a comment, through
    the review service as the reviewer's page does (issue 15 §6)."""
    reviews.decide(
        session,
        actor=actor_for(_account(session, PRELIMINARY_ASSESSOR), unit),
        enrolment=enrolment,
        item_code=DEPOK_SENT_BACK,
        kind=DecisionKind.REVISION,
        comment=DEPOK_COMMENT,
        expected_seq=0,
    )


def sample_answers(framework: Framework, share: float) -> dict:
    """A plausible, mostly good LKE: the first ``share`` of items, varied answers."""
    items = list(framework.items())
    out: dict = {}
    for n, item in enumerate(items[: round(len(items) * share)]):
        if item.answer_type is AnswerType.PERCENT:
            out[item.code] = [4 + n % 3] * len(item.inputs)
        elif item.answer_type is AnswerType.SURVEY_INDEX:
            out[item.code] = {
                "index": "3.72" if n % 2 else "3.65",
                "source": "BPS",
                "period": f"Februari {YEAR}",
                "respondents": "120",
            }
        else:
            keys = item.choice_keys
            out[item.code] = keys[0] if n % 4 else keys[min(1, len(keys) - 1)]
    return out


def _account(session: Session, username: str) -> User:
    """A demo account the seed created a moment earlier (its absence is a seeding bug)."""
    user = auth.find_user(session, username)
    if user is None:
        raise RuntimeError(f"demo account {username!r} is missing: seed the accounts first")
    return user
