"""``/metrics`` (Prometheus) and ``/readyz`` (can this server do its work now?)."""

from __future__ import annotations

import hmac
import logging
import tempfile
import time
from collections.abc import Callable

from flask import Blueprint, Response, abort, request
from sqlalchemy import text

from tracker.evidence.storage import LocalEvidenceStore, S3EvidenceStore
from tracker.extensions import evidence_store, job_queue, settings
from tracker.observability import metrics
from tracker.sessions import get_session

bp = Blueprint("observability", __name__)
log = logging.getLogger(__name__)
LOOPBACK = frozenset({"127.0.0.1", "::1"})


def metrics_allowed() -> bool:
    """With METRICS_TOKEN set: a request carrying it as a bearer token, from anywhere. Without:
    only a direct request from this machine, one no proxy forwarded (behind nginx every request
    comes from the loopback, so the address alone would open the page to the world)."""
    token = settings().metrics_token
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    forwarded = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    return request.remote_addr in LOOPBACK and not forwarded


@bp.get("/metrics")
def metrics_page():
    if not metrics_allowed():
        abort(404)  # as if there were no such page
    queue = job_queue()
    body = metrics.render(queue.pending_count, queue.scheduled_count)
    return Response(body, headers={"Content-Type": metrics.CONTENT_TYPE_LATEST})


@bp.get("/readyz")
def readyz():
    """200 with each check's result when the database, the evidence storage and the job queue
    all answer; 503 when one does not (a load balancer then sends no traffic here)."""
    checks = {
        "database": _check(lambda: get_session().execute(text("SELECT 1"))),
        "storage": _check(_storage_answers),
        "queue": _check(lambda: job_queue().pending_count()),
    }
    ok = all(check["ok"] for check in checks.values())
    return {"status": "ok" if ok else "failing", "checks": checks}, 200 if ok else 503


def _check(probe: Callable[[], object]) -> dict[str, object]:
    started = time.perf_counter()
    try:
        probe()
    except Exception as exc:  # any failure means "not ready"; logged in full
        log.warning("readiness check failed", exc_info=True)
        # The kind of error only: its message may name hosts, buckets or users.
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _storage_answers() -> None:
    """A local store must take a file (a temporary one, removed at once); a bucket must answer."""
    store = evidence_store()
    if isinstance(store, S3EvidenceStore):
        store.client.head_bucket(Bucket=store.bucket)
    elif isinstance(store, LocalEvidenceStore):
        store.temp_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=store.temp_dir, prefix="readyz-"):
            pass
    else:
        store.exists("00/" + "0" * 64)
