"""A gunicorn worker's garbage collector (tracker.serving, issue 18 §3)."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator

import pytest
from flask import Flask

from tracker.serving import settle_worker


@pytest.fixture
def thawed() -> Iterator[None]:
    """The test process's collector as it was: nothing here stays frozen after the test."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_worker_freezes_what_it_holds_when_ready_and_again_once_warm(
    app: Flask, thawed: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tracker.serving")
    settle_worker(app, after=3)
    when_ready = gc.get_freeze_count()
    assert when_ready > 10_000  # Flask, SQLAlchemy, the app: the worker's long-lived objects

    client = app.test_client()
    client.get("/healthz")
    client.get("/login")
    gc.unfreeze()  # so that the next freeze is seen alone
    assert gc.get_freeze_count() == 0
    client.get("/login")  # the third request: the worker is warm
    once_warm = gc.get_freeze_count()
    assert once_warm > 10_000

    client.get("/login")  # and only once
    client.get("/login")
    said = [r.getMessage().split(":")[0] for r in caplog.records if r.name == "tracker.serving"]
    assert said == [
        "worker settled",
        "worker warm",
    ]
