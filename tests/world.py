"""A small world for life-cycle tests: Polri with Polda -> Polres, every role, an open cycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests.factories import Factory
from tests.lke_answers import perfect_answers
from tracker import clock
from tracker.accreditation import assessments, clearance, cycles, reviews, transitions
from tracker.accreditation.clearance_rules import ClearanceResult
from tracker.accreditation.context import Actor, actor_for
from tracker.accreditation.enrolment import enrol
from tracker.accreditation.models import Cycle, Enrolment, Predicate
from tracker.accreditation.workflow import Action
from tracker.agencies.models import Agency, Unit
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.certificates.services import set_signatory
from tracker.lke.services import framework_of, sync_framework

YEAR = 2026
TODAY = date(YEAR, 3, 1)  # inside the self-assessment window of the default calendar


@dataclass
class World:
    session: Session
    cycle: Cycle
    agency: Agency
    polda: Unit
    polres: Unit
    sibling: Unit
    admin: User
    koordinator: User
    pokja: User
    penilai: User
    tpi: User
    pimpinan: User
    tpn: User

    def actor(self, user: User, unit: Unit | None = None) -> Actor:
        return actor_for(user, unit or self.polres)

    def enrol(self, unit: Unit | None = None, target: Predicate = Predicate.WBK) -> Enrolment:
        """Declare ZI: the Polres by its agency's leadership, any other unit by the
        administrator (issue 15 §5)."""
        unit = unit or self.polres
        declarer = self.pimpinan if unit.id == self.polres.id else self.admin
        enrolment = enrol(
            self.session,
            actor=actor_for(declarer, unit),
            cycle=self.cycle,
            unit=unit,
            target=target,
            declared_on=TODAY,
        )
        self.session.commit()
        return enrolment

    def building(self, unit: Unit | None = None) -> Enrolment:
        """An enrolment that declared and started building (its LKE open for answers)."""
        enrolment = self.enrol(unit)
        self.act(self.koordinator if unit is None else self.admin, enrolment, Action.START_BUILDING)
        return enrolment

    def submitted(self) -> Enrolment:
        """The Polres with a complete LKE, submitted to its preliminary assessor."""
        enrolment = self.building()
        self.fill(enrolment)
        self.act(self.koordinator, enrolment, Action.SUBMIT_PRELIMINARY)
        return enrolment

    def answer(
        self,
        actor: Actor,
        enrolment: Enrolment,
        code: str,
        raw,
        *,
        version: int,
        tier: str = "unit",
        note: str = "",
    ):
        """Save one answer through the service (which checks rights and the version)."""
        return assessments.save_answer(
            self.session,
            actor=actor,
            enrolment=enrolment,
            tier=tier,
            item_code=code,
            raw=raw,
            note=note,
            expected_version=version,
        )

    def decide(
        self, actor: Actor, enrolment: Enrolment, code: str, kind, *, seq: int, comment: str = ""
    ):
        """A reviewer's decision on one item through the service."""
        return reviews.decide(
            self.session,
            actor=actor,
            enrolment=enrolment,
            item_code=code,
            kind=kind,
            comment=comment,
            expected_seq=seq,
        )

    def fill(
        self,
        enrolment: Enrolment,
        tier: str = "unit",
        answers: dict | None = None,
        user: User | None = None,
    ) -> None:
        framework = assessments.framework_for(enrolment)
        actor = self.actor(user or self.koordinator, enrolment.unit)
        assessments.import_answers(
            self.session,
            actor=actor,
            enrolment=enrolment,
            tier=tier,
            raw_answers=answers or perfect_answers(framework),
            source="test",
        )
        self.session.commit()

    def tpn_surveys(
        self, enrolment: Enrolment, index: str = "4.00", respondents: str = "400"
    ) -> None:
        """D14: the TPN records the survey run for it behind each survey item (IPAK, IPKP),
        with a report link, as the TPN tier's LKE page does."""
        from tracker.accreditation import surveys

        framework = assessments.framework_for(enrolment)
        for item in surveys.survey_items(framework):
            row = surveys.states(self.session, enrolment)[item.code].answer
            surveys.record_survey(
                self.session,
                None,  # a report link: the blob store is not used
                None,
                actor=self.actor(self.tpn, enrolment.unit),
                enrolment=enrolment,
                item_code=item.code,
                given=surveys.SurveyInput(index, "BPS Provinsi", "September 2026", respondents),
                report=None,
                report_link=f"https://bps.example.go.id/survei/{item.code}.pdf",
                expected_version=row.version if row is not None else 0,
            )
        self.session.commit()

    def clear(self, enrolment: Enrolment, on: date) -> None:
        """The overseers' clearance round before a designation (issue 17 §1): each overseer
        of the cycle not asked yet is asked and answers "clear" on ``on``. A test of the
        round itself records its own requests (then none is added) or says ``cleared=False``."""
        tpn = self.actor(self.tpn, enrolment.unit)
        if clearance.requests_of(self.session, enrolment.id):
            return
        for overseer in clearance.overseers(enrolment.cycle):
            row = clearance.ask(
                self.session,
                actor=tpn,
                enrolment=enrolment,
                overseer=overseer,
                asked_on=on,
                note="",
                today=on,
            )
            given = clearance.AnswerInput(on, ClearanceResult.CLEAR)
            clearance.answer(
                self.session, None, None, actor=tpn, enrolment=enrolment, request=row,
                given=given, today=on,
            )  # fmt: skip
        self.session.commit()

    def act(
        self, user: User, enrolment: Enrolment, action: Action, on: date | None = None, **details
    ):
        """Take ``action`` as ``user``. The world's LKEs carry no evidence, so a hand-off is
        confirmed as the form would (D16) unless a test says ``evidence_confirmed=False``.
        A step citing a decree is taken, unless ``on`` says otherwise, on the decree's day:
        a decree is signed before it is recorded (issue 15 §3)."""
        details.setdefault("evidence_confirmed", True)
        if on is None:
            on = details.get("decree_date") or TODAY
        if action is Action.DESIGNATE and details.pop("cleared", True):
            self.clear(enrolment, on)
        result = transitions.advance(
            self.session,
            actor=self.actor(user, enrolment.unit),
            enrolment=enrolment,
            action=action,
            details=transitions.Details(**details),
            on=on,
        )
        self.session.commit()
        return result


@pytest.fixture
def world(session: Session, factory: Factory, monkeypatch: pytest.MonkeyPatch) -> World:
    # The world's day is TODAY, inside its cycle's self-assessment window: the windows are
    # enforced on answers, evidence and reviews against the clock (issue 15 §3).
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return build_world(session, factory)


def build_world(session: Session, factory: Factory) -> World:
    """The world's agency, units, people and cycle, committed (a fixture or a module's set-up)."""
    row, _created = sync_framework(session)
    admin = factory.user(Role.ADMIN)
    set_signatory(session, user=admin, name="Menteri PANRB (uji)")
    cycle = cycles.create_cycle(
        session,
        user=admin,
        year=YEAR,
        name="",
        framework=row,
        calendar=cycles.Calendar.default(YEAR),
    )
    agency = factory.agency("Kepolisian Uji")
    polda = factory.unit(agency, "Polda Uji", "Polda")
    polres = factory.unit(agency, "Polres Uji", "Polres", parent=polda)
    sibling = factory.unit(agency, "Polres Tetangga", "Polres", parent=polda)
    session.commit()
    assert framework_of(row).code == "lke-2021"
    return World(
        session=session,
        cycle=cycle,
        agency=agency,
        polda=polda,
        polres=polres,
        sibling=sibling,
        admin=admin,
        koordinator=factory.user((Role.KOORDINATOR, polres)),
        pokja=factory.user((Role.ANGGOTA_POKJA, polres), areas=[5, 6]),
        penilai=factory.user((Role.PENILAI_PENDAHULUAN, polda)),
        tpi=factory.user((Role.TPI, agency)),
        pimpinan=factory.user((Role.PIMPINAN, agency)),
        tpn=factory.user(Role.TPN),
    )
