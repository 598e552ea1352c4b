"""Web plumbing for the tables people download (issue 16 §6): a ``tracker.exports.Table`` as an
attachment named after what it holds and today's date (Jakarta)."""

from __future__ import annotations

from flask import Response

from tracker import clock, exports


def send_table(table: exports.Table, stem: str, kind: exports.Format) -> Response:
    """``table`` written as ``kind`` (CSV or Excel), to be saved as ``<stem>-<date>.<kind>``.
    Private and not stored: it holds what this viewer may see."""
    return Response(
        exports.write(table, kind),
        mimetype=exports.CONTENT_TYPES[kind],
        headers={
            "Content-Disposition": exports.disposition(stem, clock.today(), kind),
            "Cache-Control": "private, no-store",
        },
    )
