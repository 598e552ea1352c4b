"""Structured logs: one JSON object a line, each carrying the request id of the request that
wrote it (issue 18 §6).

The request id comes from the client or the proxy in front (``X-Request-ID``) when it is
well-formed, so one id follows a request from nginx through the app; otherwise the app makes
one. Either way it is returned in the response's ``X-Request-ID`` header and written in every
log line of the request: someone reporting a failure can quote it, and the operator finds its
lines.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import g, has_request_context

HEADER = "X-Request-ID"
# Letters, digits and . _ : - only, 8 to 128 of them: a UUID, nginx's $request_id, a trace id.
# Anything else (spaces, quotes, line breaks, a megabyte) would let a client forge log lines.
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,128}")
# Attributes of a log record that are not the message's own fields (``extra=`` adds others).
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}
_MARK = "_zi_tracker_json"


def request_id_from(header: str | None) -> str:
    """The incoming id when it is well-formed, else a new one (32 hex digits)."""
    if header is not None and WELL_FORMED.fullmatch(header):
        return header
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record written during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...extra fields}`` a line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id := getattr(record, "request_id", None):
            entry["request_id"] = request_id
        entry |= {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def json_handler(stream: object = None) -> logging.Handler:
    """A handler writing JSON lines with request ids (to stderr unless ``stream``)."""
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]  # any text stream
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    setattr(handler, _MARK, True)
    return handler


def configure(log_format: str) -> None:
    """Send every log record of the process to stderr as JSON lines (``log_format`` "json"),
    once however many apps the process builds; "text" leaves logging as it is. The tracker's
    own loggers write from INFO (one line per request), libraries from WARNING."""
    if log_format != "json":
        return
    root = logging.getLogger()
    if not any(getattr(handler, _MARK, False) for handler in root.handlers):
        root.addHandler(json_handler())
    if root.level > logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(logging.WARNING)
    logging.getLogger("tracker").setLevel(logging.INFO)
