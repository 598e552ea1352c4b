"""PortalRB fixtures: the life-cycle world with the Polres proposed for WBK, a token of its
agency, the day inside the proposal period, and the ``soal_id``s of PortalRB's master list (read
from ../shared by the tests only, to check the framework's own ids against)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.accreditation.test_services import record_prerequisites, to_tpi_recommended
from tests.factories import Factory
from tests.shared_state import ModuleDb, module_session, test_savepoint
from tests.world import TODAY, YEAR, World, build_world
from tracker import clock
from tracker.accreditation.models import Enrolment
from tracker.accreditation.workflow import Action, Stage
from tracker.portalrb import api, tokens, views
from tracker.portalrb.models import PortalrbToken

MASTER = (
    Path(__file__).resolve().parents[2].parent / "shared/data/portalrb-master-soal-lke-2026.json"
)
PROPOSAL_DAY = date(YEAR, 5, 20)
PULL_DAY = date(YEAR, 5, 25)  # after the proposal, before the 31 May deadline
AFTER_DEADLINE = date(YEAR, 6, 1)


def master_list() -> dict:
    if not MASTER.exists():
        pytest.skip(f"PortalRB's master list is not at {MASTER}")
    return json.loads(MASTER.read_text("utf-8"))


def master_soal_ids() -> set[int]:
    def walk(nodes):
        for node in nodes:
            yield from (int(s["id"]) for s in node.get("soals") or [])
            yield from walk(node.get("children") or [])

    return set(walk(master_list()["data"]))


class Today:
    """The day the API and the page believe it is; tests move it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.value = PULL_DAY
        for module in (api, views):
            monkeypatch.setattr(module.clock, "today", lambda: self.value)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> Today:
    return Today(monkeypatch)


@dataclass
class Pulling:
    world: World
    enrolment: Enrolment
    token: PortalrbToken
    secret: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


def propose(w: World, enrolment: Enrolment) -> Enrolment:
    to_tpi_recommended(w, enrolment)
    record_prerequisites(w, enrolment)
    w.act(w.pimpinan, enrolment, Action.PROPOSE, on=PROPOSAL_DAY)
    assert enrolment.stage is Stage.PROPOSED
    return enrolment


def new_token(session: Session, w: World, agency=None, **kwargs) -> tokens.IssuedToken:
    issued = tokens.create_token(
        session,
        user=w.admin,
        agency=agency or w.agency,
        name=kwargs.pop("name", "PortalRB"),
        expires_on=kwargs.pop("expires_on", None),
        today=kwargs.pop("today", TODAY),
    )
    session.commit()
    return issued


@pytest.fixture(scope="module")
def _module_db(engine: Engine) -> Iterator[ModuleDb]:
    with module_session(engine) as db:
        yield db


@pytest.fixture(scope="module")
def _built(_module_db: ModuleDb) -> Pulling:
    """The world with its Polres proposed and a token of its agency: built once per module."""
    with pytest.MonkeyPatch.context() as patch:  # the world's day: windows are enforced
        patch.setattr(clock, "today", lambda: TODAY)
        w = build_world(_module_db.session, Factory(_module_db.session))
        enrolment = propose(w, w.enrol())
        issued = new_token(w.session, w)
    return Pulling(w, enrolment, issued.row, issued.token)


@pytest.fixture
def session(_module_db: ModuleDb, _built: Pulling) -> Iterator[Session]:
    with test_savepoint(_module_db) as db:
        yield db


@pytest.fixture
def world(_built: Pulling, session: Session) -> World:
    return _built.world


@pytest.fixture
def pulling(app: Flask, _built: Pulling, session: Session, today: Today) -> Pulling:
    return _built
