"""Statements slower than ``SLOW_QUERY_MS`` are logged (issue 18 §6): the SQL text without its
parameters (they may hold names, passwords' hashes, answers), how long it took, and the request
id of the request that ran it."""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import Engine, event

from tracker.observability.metrics import SLOW_QUERIES

log = logging.getLogger("tracker.slow_query")
MAX_STATEMENT = 4000  # characters of SQL kept in the log line
_STARTED = "_zi_query_started"


def watch(engine: Engine, threshold_ms: int) -> None:
    """Log every statement on ``engine`` that takes ``threshold_ms`` or longer (0: none)."""
    if threshold_ms <= 0:
        return

    @event.listens_for(engine, "before_cursor_execute")
    def _started(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool):
        if context is not None:
            setattr(context, _STARTED, time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _finished(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool):
        started = getattr(context, _STARTED, None) if context is not None else None
        if started is None:
            return
        elapsed_ms = (time.perf_counter() - started) * 1000
        if elapsed_ms >= threshold_ms:
            SLOW_QUERIES.inc()
            log.warning(
                "slow query",
                extra={
                    "duration_ms": round(elapsed_ms, 1),
                    "statement": " ".join(statement.split())[:MAX_STATEMENT],
                    "executemany": many,
                },
            )
