"""Observability (issue 18 §6): structured logs with request ids (``logs``), Prometheus metrics
(``metrics``, served at ``/metrics``), ``/readyz``, and slow statements (``slow_queries``)."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request
from huey.signals import SIGNAL_ERROR

from config import Settings
from tracker.extensions import job_queue
from tracker.observability import logs, metrics, slow_queries

request_log = logging.getLogger("tracker.request")
LOGIN_OUTCOMES = {429: "throttled", 401: "failed", 422: "invalid"}


def init_app(app: Flask, settings: Settings) -> None:
    """Logging, the request id and the request metrics for ``app``; call before anything else
    registers ``before_request`` functions, so that the id exists when they log."""
    if settings.env != "test":  # tests keep pytest's own log capture
        logs.configure(settings.log_format)
    slow_queries.watch(app.extensions["engine"], settings.slow_query_ms)
    app.before_request(_start)
    app.after_request(_finish)

    # The job worker builds the app too: a task that fails is counted in its process.
    @job_queue(app).signal(SIGNAL_ERROR)
    def _job_failed(signal: str, task: object, exc: BaseException | None = None) -> None:
        metrics.JOB_FAILURES.labels(task=getattr(task, "name", "unknown")).inc()


def _start() -> None:
    g.request_started = time.perf_counter()
    g.request_id = logs.request_id_from(request.headers.get(logs.HEADER))


def _finish(response: Response) -> Response:
    request_id = g.get("request_id") or logs.request_id_from(None)
    response.headers[logs.HEADER] = request_id
    started = g.get("request_started")
    if started is None:  # refused before our before_request ran
        return response
    elapsed = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    status = response.status_code
    metrics.REQUEST_SECONDS.labels(route=route, method=request.method, status=status).observe(
        elapsed
    )
    if request.endpoint == "auth.login" and request.method == "POST":
        outcome = "success" if 300 <= status < 400 else LOGIN_OUTCOMES.get(status, "other")
        metrics.LOGIN_ATTEMPTS.labels(outcome=outcome).inc()
    request_log.info(
        "request",
        extra={
            "method": request.method,
            "path": request.path,
            "route": route,
            "status": status,
            "duration_ms": round(elapsed * 1000, 1),
            "remote_addr": request.remote_addr,
        },
    )
    return response
