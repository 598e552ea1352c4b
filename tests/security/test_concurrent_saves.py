"""Two saves of one answer at the same moment (issue 13 §8).

On PostgreSQL the loser of two simultaneous saves got 500: both requests read the answer at
version n and both passed the version check; the second UPDATE … WHERE version = n waited for
the first to commit, then matched no row (StaleDataError), and the conflict handler failed with
PendingRollbackError instead of answering. Now the loser gets 409 with the "changed by someone
else" message, the winner's answer is kept whole, and nothing of the loser's is written.

The race is forced, not hoped for: each request, once it has read the answer and its version,
waits at a barrier until the other has read it too. On SQLite a writing request begins with the
write lock, so the second cannot read before the first commits; the barrier then times out and
the second finds the new version by itself. Both databases must answer the loser the same way.
Each request runs against a database of its own (a fresh SQLite file, or a new database in the
PostgreSQL cluster of TEST_DATABASE_URL) with the app's real per-request sessions.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import Settings
from tests.factories import Factory
from tests.helpers import csrf_token, login_as
from tests.servers import fresh_database
from tests.world import TODAY
from tracker import clock, create_app, wiring
from tracker.accreditation import assessments, cycles
from tracker.accreditation.context import actor_for
from tracker.accreditation.enrolment import enrol
from tracker.accreditation.models import Answer, Predicate
from tracker.accreditation.transitions import advance
from tracker.accreditation.workflow import Action
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.core import migrations
from tracker.db import build_engine
from tracker.demo.story import demo_calendar
from tracker.lke.services import sync_framework

CODE = "A.I.1.i.a"  # a Ya/Tidak item
# Its self-assessment open on the live server's real day, started and not ended (issue 15 §3).
OPEN_YEAR = clock.today().year + 1


def _seed(database_url: str) -> tuple[int, list[int]]:
    """An enrolment building its LKE, with one answer saved (version 1) and two coordinators."""
    engine = build_engine(database_url)
    migrations.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        wiring.bind_session(session)
        factory = Factory(session)
        row, _created = sync_framework(session)
        admin = factory.user(Role.ADMIN)
        cycle = cycles.create_cycle(
            session, user=admin, year=OPEN_YEAR, name="", framework=row,
            calendar=demo_calendar(clock.today()),
        )  # fmt: skip
        agency = factory.agency("Kepolisian Uji")
        polres = factory.unit(agency, "Polres Uji", "Polres")
        first = factory.user((Role.KOORDINATOR, polres))
        second = factory.user((Role.KOORDINATOR, polres))
        actor = actor_for(first, polres)
        enrolment = enrol(  # declared by the administrator for the leadership (issue 15 §5)
            session, actor=actor_for(admin, polres), cycle=cycle, unit=polres,
            target=Predicate.WBK, declared_on=TODAY,
        )  # fmt: skip
        advance(session, actor=actor, enrolment=enrolment, action=Action.START_BUILDING, on=TODAY)
        assessments.save_answer(
            session, actor=actor, enrolment=enrolment, tier="unit", item_code=CODE, raw="Tidak",
            note="awal", expected_version=0,
        )  # fmt: skip
        session.commit()
        ids = (enrolment.id, [first.id, second.id])
    engine.dispose()
    return ids


@pytest.fixture
def race_app(tmp_path: Path) -> Iterator[tuple[Flask, int, list[int]]]:
    database_url = fresh_database(tmp_path, "race")
    enrolment_id, user_ids = _seed(database_url)
    app = create_app(
        Settings(
            database_url=database_url,
            secret_key="race-secret",
            env="test",
            instance_dir=tmp_path / "instance",
            evidence_dir=tmp_path / "evidence",
            jobs_immediate=True,
        )
    )
    app.config.update(TESTING=True)
    yield app, enrolment_id, user_ids
    app.extensions["engine"].dispose()


@pytest.fixture
def both_read_first(monkeypatch: pytest.MonkeyPatch) -> threading.Barrier:
    """Hold each save, once it has read the answer rows, until the other has read them too."""
    barrier = threading.Barrier(2, timeout=3)
    original = assessments.answer_rows

    def answer_rows(session, ids):
        rows = original(session, ids)
        if threading.current_thread().name.startswith("save-"):
            # SQLite: the other save waits for the write lock, not at this barrier.
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
        return rows

    monkeypatch.setattr(assessments, "answer_rows", answer_rows)
    return barrier


def _client(app: Flask, user_id: int):
    client = app.test_client()
    with app.app_context():
        engine = app.extensions["engine"]
        with Session(engine) as session:
            user = session.get(User, user_id)
            login_as(client, user)
    return client


def _race(app: Flask, enrolment_id: int, user_ids: list[int], values: list[str]) -> list:
    url = f"/enrolments/{enrolment_id}/lke/unit/{CODE}"
    clients = [_client(app, uid) for uid in user_ids]
    tokens = [csrf_token(c, f"/enrolments/{enrolment_id}/lke") for c in clients]
    responses: list = [None, None]

    def save(i: int) -> None:
        try:
            responses[i] = clients[i].post(
                url,
                data={
                    "csrf_token": tokens[i],
                    "value": values[i],
                    "version": 1,
                    "note": f"oleh {i}",
                },
                headers={"Accept": "application/json"},
            )
        except Exception as exc:
            responses[i] = exc

    threads = [threading.Thread(target=save, args=(i,), name=f"save-{i}") for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not [r for r in responses if not hasattr(r, "status_code")], responses
    return responses


def _stored(app: Flask) -> tuple[Answer, int]:
    with Session(app.extensions["engine"]) as session:
        answer = session.scalars(select(Answer).where(Answer.item_code == CODE)).one()
        saves = session.scalars(
            select(AuditEvent).where(AuditEvent.tag == "accreditation:answer:set")
        ).all()
        session.expunge_all()
        return answer, len(saves)


def test_the_loser_of_two_simultaneous_saves_gets_409_and_nothing_is_lost(
    race_app, both_read_first
) -> None:
    app, enrolment_id, user_ids = race_app
    responses = _race(app, enrolment_id, user_ids, ["Ya", "Ya"])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409], [r.get_data(as_text=True)[:500] for r in responses]
    winner = next(r for r in responses if r.status_code == 200)
    loser = next(r for r in responses if r.status_code == 409)
    assert "diubah oleh pengguna lain" in loser.get_json()["error"]
    answer, saves = _stored(app)
    assert answer.value == "Ya" and answer.version == winner.get_json()["version"] == 2
    assert answer.note == f"oleh {responses.index(winner)}"  # the winner's note, whole
    assert saves == 2  # the seed's save and the winner's: nothing of the loser's


def test_the_loser_can_save_again_after_reloading(race_app, both_read_first) -> None:
    app, enrolment_id, user_ids = race_app
    responses = _race(app, enrolment_id, user_ids, ["Ya", "Ya"])
    loser = next(i for i, r in enumerate(responses) if r.status_code == 409)
    client = _client(app, user_ids[loser])
    again = client.post(
        f"/enrolments/{enrolment_id}/lke/unit/{CODE}",
        data={
            "csrf_token": csrf_token(client, f"/enrolments/{enrolment_id}/lke"),
            "value": "Tidak",
            "version": 2,
            "note": "setelah muat ulang",
        },
        headers={"Accept": "application/json"},
    )
    assert again.status_code == 200, again.get_data(as_text=True)[:500]
    answer, _saves = _stored(app)
    assert (answer.value, answer.version, answer.note) == ("Tidak", 3, "setelah muat ulang")
