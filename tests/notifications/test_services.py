"""Recording notifications: who hears of which event (hooked into the real services), once per
event (the dedupe key), and the reminders the calendar sends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests.accreditation.test_services import record_prerequisites, to_tpi_recommended
from tests.world import TODAY, YEAR, World
from tracker.accreditation import reviews
from tracker.accreditation.models import DecisionKind, Designation, Predicate
from tracker.accreditation.workflow import Action, Stage
from tracker.auth.models import User
from tracker.notifications import reminders, services
from tracker.notifications.events import Channel, EventKind
from tracker.notifications.models import MailStatus, Notification, OutboxMessage
from tracker.portalrb import tokens

CODE = "A.I.1.i.a"  # area 1
AREA5 = "A.I.5.i.a"


def kinds_of(session: Session, user: User) -> list[EventKind]:
    rows = session.scalars(
        select(Notification.kind)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.id)
    )
    return list(rows)


def with_email(session: Session, *users: User) -> None:
    for user in users:
        user.email = f"{user.username}@example.go.id"
    session.commit()


def test_notify_records_one_per_recipient_and_never_twice_for_one_key(
    session: Session, world: World, public: str
) -> None:
    people = [world.koordinator, world.pokja, world.koordinator]
    first = services.notify(
        session,
        event=EventKind.DESIGNATED,
        recipients=people,
        subject_params={"unit": "Polres Uji", "predicate": "WBK", "decree": "1/2026"},
        link="/units/1",
        dedupe_key="designated:test",
    )
    again = services.notify(
        session,
        event=EventKind.DESIGNATED,
        recipients=people,
        subject_params={"unit": "Polres Uji"},
        link="/units/1",
        dedupe_key="designated:test",
    )
    assert len(first) == 2 and again == []
    assert services.unread_count(session, world.koordinator.id) == 1


def test_the_table_itself_refuses_a_second_row_for_one_recipient_and_key(
    session: Session, world: World
) -> None:
    def row() -> Notification:
        return Notification(
            recipient_id=world.koordinator.id,
            kind=EventKind.REVOKED,
            params={},
            link="/",
            dedupe_key="same",
            channel=Channel.IN_APP,
        )

    session.add(row())
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(row())
        session.flush()


def test_an_item_sent_back_reaches_the_coordinator_and_the_pokja_of_its_area(
    session: Session, world: World
) -> None:
    with_email(session, world.koordinator, world.pokja)
    e = world.submitted()
    penilai = world.actor(world.penilai)
    world.decide(penilai, e, CODE, DecisionKind.REVISION, seq=0, comment="SK belum ditandatangani")
    world.decide(penilai, e, AREA5, DecisionKind.REVISION, seq=0, comment="Foto kegiatan kurang")
    session.commit()
    assert kinds_of(session, world.koordinator).count(EventKind.ITEM_SENT_BACK) == 2
    # The working group holds areas 5-6: it hears of the area-5 item only.
    assert kinds_of(session, world.pokja).count(EventKind.ITEM_SENT_BACK) == 1
    assert EventKind.ITEM_SENT_BACK not in kinds_of(session, world.penilai)  # who acted
    note = session.scalars(
        select(Notification)
        .where(
            Notification.recipient_id == world.koordinator.id,
            Notification.kind == EventKind.ITEM_SENT_BACK,
        )
        .order_by(Notification.id)
    ).first()
    assert note is not None
    assert note.params["comment"] == "SK belum ditandatangani"
    assert note.link == f"/enrolments/{e.id}/lke?tier=preliminary&area=1#item-{CODE}"
    # E-mail at once is the default for send-backs: one queued message each.
    queued = session.scalar(
        select(func.count(OutboxMessage.id))
        .join(Notification, Notification.id == OutboxMessage.notification_id)
        .where(
            OutboxMessage.status == MailStatus.QUEUED,
            Notification.kind == EventKind.ITEM_SENT_BACK,
        )
    )
    assert queued == 3


def test_a_resubmission_reaches_the_reviewers_of_the_deciding_tier(
    session: Session, world: World
) -> None:
    e = world.submitted()
    world.decide(world.actor(world.penilai), e, CODE, DecisionKind.REVISION, seq=0, comment="x")
    reviews.mark_revised(
        session,
        actor=world.actor(world.koordinator),
        enrolment=e,
        item_code=CODE,
        comment="Sudah diperbaiki",
        expected_seq=1,
    )
    session.commit()
    assert EventKind.ITEM_RESUBMITTED in kinds_of(session, world.penilai)
    assert EventKind.ITEM_RESUBMITTED not in kinds_of(session, world.tpi)  # not its tier
    assert EventKind.ITEM_RESUBMITTED not in kinds_of(session, world.koordinator)


def test_a_stage_change_reaches_the_unit_its_leadership_and_its_next_reviewers(
    session: Session, world: World
) -> None:
    world.submitted()  # building -> preliminary
    for user in (world.pimpinan, world.penilai):
        assert EventKind.STAGE_CHANGED in kinds_of(session, user)
    assert EventKind.STAGE_CHANGED not in kinds_of(session, world.koordinator)  # who acted
    assert kinds_of(session, world.tpn) == []  # not a reviewer of this stage


def test_a_failing_notification_never_refuses_the_review(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    e = world.submitted()

    def broken(*_args, **_kwargs):
        raise RuntimeError("notifications are down")

    monkeypatch.setattr(services, "notify", broken)
    row = world.decide(
        world.actor(world.penilai), e, CODE, DecisionKind.REVISION, seq=0, comment="x"
    )
    session.commit()
    assert row.id is not None and reviews.is_sent_back(session, e, CODE)


def test_the_periodic_reminder_finds_a_deadline_seven_days_ahead_exactly_once(
    session: Session, world: World
) -> None:
    e = world.building()
    end = world.cycle.self_assessment_end
    day = end - timedelta(days=7)
    first = reminders.remind_deadlines(session, today=day)
    again = reminders.remind_deadlines(session, today=day)
    next_day = reminders.remind_deadlines(session, today=day + timedelta(days=1))
    assert again == [] and next_day == []
    told = {n.recipient_id for n in first}
    assert told == {world.koordinator.id, world.pokja.id}
    note = first[0]
    assert note.kind is EventKind.DEADLINE_REMINDER and note.params["days"] == "7"
    assert note.params["date"] == end.isoformat() and note.link == f"/enrolments/{e.id}"
    assert reminders.remind_deadlines(session, today=end - timedelta(days=3))  # the next offset
    assert reminders.remind_deadlines(session, today=end - timedelta(days=20)) == []


def test_a_deadline_reminder_follows_the_unit_into_review(session: Session, world: World) -> None:
    e = world.submitted()
    assert e.stage is Stage.PRELIMINARY
    day = world.cycle.tpi_evaluation_end - timedelta(days=14)
    told = {n.recipient_id for n in reminders.remind_deadlines(session, today=day)}
    assert world.penilai.id in told and world.tpi.id not in told


def test_tokens_about_to_expire_are_told_to_the_agency_leadership_once(
    session: Session, world: World
) -> None:
    token = tokens.create_token(
        session,
        user=world.admin,
        agency=world.agency,
        name="PortalRB produksi",
        expires_on=TODAY + timedelta(days=5),
        today=TODAY,
    )
    session.commit()
    first = reminders.remind_tokens(session, today=TODAY)
    assert {n.recipient_id for n in first} == {world.pimpinan.id, world.admin.id}
    assert reminders.remind_tokens(session, today=TODAY) == []
    assert first[0].link == f"/agencies/{world.agency.id}/portalrb"
    assert token.row.name in first[0].params["token"]
    assert reminders.remind_tokens(session, today=TODAY - timedelta(days=10)) == []


def test_proposal_decision_designation_and_revocation_are_told(
    session: Session, world: World
) -> None:
    e = world.enrol()
    to_tpi_recommended(world, e)
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=date(YEAR, 5, 20))
    world.act(world.tpn, e, Action.ADMIN_PASS)
    assert EventKind.PROPOSAL_DECIDED in kinds_of(session, world.pimpinan)
    world.act(world.tpn, e, Action.DESK_CONTINUE)
    world.tpn_surveys(e)
    world.act(
        world.tpn, e, Action.DESIGNATE, decree_number="123/2026", decree_date=date(YEAR, 12, 10)
    )
    designated = [n for n in _rows(session, world.koordinator) if n.kind is EventKind.DESIGNATED]
    assert len(designated) == 1 and designated[0].params["decree"] == "123/2026"
    world.act(
        world.tpn,
        e,
        Action.REVOKE,
        note="OTT",
        decree_number="3/2027",
        decree_date=date(YEAR + 1, 1, 15),
    )
    for user in (world.koordinator, world.pimpinan):
        assert kinds_of(session, user).count(EventKind.REVOKED) == 1


def _rows(session: Session, user: User) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.recipient_id == user.id)))


def test_the_two_yearly_monitoring_report_is_reminded_once_per_offset(
    session: Session, world: World
) -> None:
    designation = Designation(
        unit_id=world.polres.id,
        agency_id=world.agency.id,
        predicate=Predicate.WBK,
        year=2024,
        decree_number="7/2024",
        decree_date=date(2024, 12, 10),
        snapshot_sha256="0" * 64,
    )
    session.add(designation)
    session.commit()
    due = date(2026, 12, 10)
    first = reminders.remind_monitoring(session, today=due - timedelta(days=7))
    assert {n.recipient_id for n in first} == {world.tpi.id, world.koordinator.id}
    assert first[0].params["deadline"] == "Laporan pemantauan 2 tahunan"
    assert reminders.remind_monitoring(session, today=due - timedelta(days=6)) == []
    assert reminders.remind_monitoring(session, today=due - timedelta(days=30)) == []
