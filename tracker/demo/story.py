"""Demo: the open evaluation cycle, with units at different points of the life cycle.

Polres Metro Bekasi is building (part of its LKE filled), Polres Metro Depok waits for its
preliminary assessment by Polda Metro Jaya, KPPN Jakarta I is building, and Disdukcapil Kota
Bekasi has just declared. Two Polri units are proposed to TPN (``proposals.py``): Polres Metro
Tangerang Kota for Menuju WBK and Polres Metro Jakarta Selatan for Menuju WBBM, each with the
answers of the unit and of the TPI to every item, so that a PortalRB pull with a Polri token
returns real units. Everything goes through the same services as the UI, so the audit trail and
snapshots are real.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.accreditation import assessments, cycles, transitions
from tracker.accreditation.context import actor_for
from tracker.accreditation.enrolment import enrol
from tracker.accreditation.models import Cycle, Enrolment, Predicate
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.workflow import Action
from tracker.agencies import services as agencies
from tracker.auth import services as auth
from tracker.auth.models import User
from tracker.demo.proposals import seed_proposals
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
            calendar=cycles.Calendar.default(YEAR),
        )
        report.add(f"siklus {YEAR}")
    for agency, unit, user, fill, actions in _STORY:
        _enrolment(session, report, cycle, agency, unit, user, fill, actions)
    seed_proposals(session, report, cycle)


# (agency code, unit code, coordinator, share of the LKE to fill, actions after filling)
_STORY = [
    ("polri", "polres-metro-bekasi", "koordinator.metrobekasi", 0.6, ()),
    (
        "polri",
        "polres-metro-depok",
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
    user = _account(session, "admin")
    enrolment = enrol(
        session,
        actor=actor_for(user, unit),
        cycle=cycle,
        unit=unit,
        target=Predicate.WBK,
        declared_on=date(YEAR - 1, 11, 1),
        note="Apel pencanangan ZI.",
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
        on=date(YEAR, 1, 5),
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
            on=date(YEAR, 3, 20),
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
