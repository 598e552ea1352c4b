"""Observability (issue 18 §6): request ids in JSON log lines, /metrics (latency by route, the
job queue, login throttling), its protection, /readyz, and slow statements."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from prometheus_client import REGISTRY
from sqlalchemy import text

from config import Settings
from tests.factories import PASSWORD, Factory
from tests.helpers import csrf_token
from tests.servers import free_port
from tracker import create_app
from tracker.extensions import job_queue
from tracker.observability import logs


@pytest.fixture
def request_lines() -> Iterator[io.StringIO]:
    """What the tracker's request log writes, as JSON lines."""
    stream = io.StringIO()
    handler = logs.json_handler(stream)
    logger = logging.getLogger("tracker.request")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(level)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _other_app(settings: Settings, **changes: object) -> Flask:
    app = create_app(dataclasses.replace(settings, **changes))  # type: ignore[arg-type]
    app.config.update(TESTING=True)
    return app


def test_a_well_formed_request_id_is_kept_and_logged(client, request_lines) -> None:
    incoming = "abc123-DEF.456:7"
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] == incoming
    (line,) = _lines(request_lines)
    assert line["request_id"] == incoming and line["message"] == "request"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/healthz", 200)
    assert line["level"] == "INFO" and line["duration_ms"] >= 0


@pytest.mark.parametrize(
    "incoming",
    [None, "short", "x" * 129, "<script>alert(1)</script>", "id with spaces", '"quoted"'],
)
def test_a_missing_or_malformed_request_id_is_replaced(client, incoming) -> None:
    headers = {"X-Request-ID": incoming} if incoming is not None else {}
    first = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    second = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    assert first != incoming and len(first) == 32 and int(first, 16) >= 0
    assert first != second  # a new one per request


def test_log_lines_carry_extra_fields_and_exceptions_as_json() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("tracker.test_json")
    logger.addHandler(logs.json_handler(stream))
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            logger.error("it failed: %s", "badly", exc_info=True, extra={"unit_id": 7})
    finally:
        logger.handlers.clear()
    (line,) = _lines(stream)
    assert line["message"] == "it failed: badly" and line["unit_id"] == 7
    assert "ValueError: boom" in line["exception"] and "request_id" not in line


def _metrics(client, **kwargs) -> str:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.content_type.startswith("text/plain; version=")
    return response.get_data(as_text=True)


def test_metrics_give_latency_by_route_not_by_path(client) -> None:
    client.get("/healthz")
    client.get("/static/css/app.css").close()
    client.get("/no/such/page")
    text_ = _metrics(client)
    assert 'zi_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}' in (
        text_
    )
    assert 'route="/static/<path:filename>",status="200"' in text_
    assert 'route="<unmatched>",status="404"' in text_
    assert "/no/such/page" not in text_ and "app.css" not in text_
    assert "zi_job_queue_depth 0.0" in text_


def test_metrics_are_refused_through_a_proxy_or_from_elsewhere(client) -> None:
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=outside).status_code == 404


def test_with_a_token_metrics_need_it_from_anywhere(settings, session) -> None:
    app = _other_app(settings, metrics_token="s3cret-token")
    app.extensions["sessionmaker"] = lambda: session
    client = app.test_client()
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    try:
        assert client.get("/metrics").status_code == 404  # the loopback is not enough now
        wrong = {"Authorization": "Bearer nope"}
        assert client.get("/metrics", headers=wrong, environ_base=outside).status_code == 404
        right = {"Authorization": "Bearer s3cret-token", "X-Forwarded-For": "203.0.113.9"}
        assert "zi_job_queue_depth" in _metrics(client, headers=right, environ_base=outside)
    finally:
        app.extensions["engine"].dispose()


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_login_outcomes_and_throttling_are_counted(settings, session, factory: Factory) -> None:
    app = _other_app(settings, login_max_failures=2)
    app.extensions["sessionmaker"] = lambda: session
    client = app.test_client()
    user = factory.user()
    session.commit()
    names = ("success", "failed", "throttled")
    before = {o: _sample("zi_login_attempts_total", outcome=o) for o in names}
    try:
        token = csrf_token(client)
        statuses = [
            client.post(
                "/login", data={"csrf_token": token, "username": user.username, "password": "x"}
            ).status_code
            for _ in range(3)
        ]
        assert statuses == [401, 401, 429]
        other = factory.user()
        session.commit()
        data = {"csrf_token": token, "username": other.username, "password": PASSWORD}
        assert client.post("/login", data=data).status_code in (302, 303)
    finally:
        app.extensions["engine"].dispose()
    after = {o: _sample("zi_login_attempts_total", outcome=o) for o in names}
    assert {o: after[o] - before[o] for o in names} == {"success": 1, "failed": 2, "throttled": 1}


def test_queue_depth_is_read_from_the_queue(settings, session) -> None:
    app = _other_app(settings, jobs_immediate=False)  # the embedded SQLite queue
    app.extensions["sessionmaker"] = lambda: session
    huey = job_queue(app)

    @huey.task(name="observability_test_waits")
    def waits() -> None:  # never consumed here
        pass

    try:
        waits()
        waits()
        assert "zi_job_queue_depth 2.0" in _metrics(app.test_client())
    finally:
        app.extensions["engine"].dispose()


def test_a_failing_task_is_counted(app) -> None:
    @job_queue(app).task(name="observability_test_fails")
    def fails() -> None:
        raise RuntimeError("the task failed")

    before = _sample("zi_job_failures_total", task="observability_test_fails")
    with contextlib.suppress(RuntimeError):  # immediate mode may hand the error back
        fails()
    assert _sample("zi_job_failures_total", task="observability_test_fails") == before + 1
    assert 'zi_job_failures_total{task="observability_test_fails"}' in _metrics(app.test_client())


def test_readyz_reports_each_check(client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "storage": True,
        "queue": True,
    }


def test_readyz_is_503_when_storage_or_queue_fail(settings, session, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the evidence folder should be")
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    app = _other_app(settings, evidence_dir=blocked, redis_url=dead_redis, jobs_immediate=False)
    app.extensions["sessionmaker"] = lambda: session
    try:
        response = app.test_client().get("/readyz")
    finally:
        app.extensions["engine"].dispose()
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "failing"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["storage"] == {"ok": False, "error": "NotADirectoryError"}
    assert body["checks"]["queue"]["ok"] is False
    assert "127.0.0.1" not in json.dumps(body)  # the kind of error, never its details


def test_readyz_is_503_when_the_database_is_unreachable(settings, tmp_path: Path) -> None:
    app = _other_app(settings, database_url=f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}")
    try:
        response = app.test_client().get("/readyz")
    finally:
        app.extensions["engine"].dispose()
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["ok"] is False


def test_slow_statements_are_logged_without_their_parameters(
    settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = _other_app(settings, slow_query_ms=20)
    engine = app.extensions["engine"]
    slow = (
        "SELECT pg_sleep(0.05), :secret"
        if engine.dialect.name == "postgresql"
        else "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) "
        "SELECT count(*), :secret FROM n"
    )
    try:
        with (
            caplog.at_level(logging.WARNING, logger="tracker.slow_query"),
            engine.connect() as conn,
        ):
            conn.execute(text("SELECT 1"))  # quick: not logged
            conn.execute(text(slow), {"secret": "hunter2-password"})
    finally:
        engine.dispose()
    (record,) = [r for r in caplog.records if r.name == "tracker.slow_query"]
    assert record.getMessage() == "slow query" and record.duration_ms >= 20  # type: ignore[attr-defined]
    assert "count(*)" in record.statement or "pg_sleep" in record.statement  # type: ignore[attr-defined]
    assert "hunter2" not in json.dumps(vars(record), default=str)
