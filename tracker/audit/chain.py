"""The hash chain of the audit trail. Pure: no Flask, no database.

Each record's hash covers its own content and the previous record's hash, so altering,
removing or reordering any stored record breaks every later link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


def canonical(data: Any) -> Any:
    """Data as it will read back from a JSON column: Decimals and dates become strings."""
    return json.loads(json.dumps(data, default=_json_default, ensure_ascii=False))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    if hasattr(value, "value"):  # enums
        return value.value
    raise TypeError(f"cannot record {type(value).__name__} in the audit trail")


def record_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    """SHA-256 over the canonical JSON of ``fields`` plus the previous hash."""
    payload = json.dumps(
        {"prev": prev_hash, **fields}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def first_break(records: Iterable[tuple[int, Mapping[str, Any], str, str]]) -> ChainBreak | None:
    """Walk ``(seq, fields, prev_hash, hash)`` in order; return the first broken link, if any."""
    expected_prev, expected_seq = GENESIS, 1
    for seq, fields, prev_hash, stored_hash in records:
        if seq != expected_seq:
            return ChainBreak(expected_seq, f"record {expected_seq} is missing (found {seq})")
        if prev_hash != expected_prev:
            return ChainBreak(seq, "previous-hash link does not match the record before it")
        if record_hash(fields, prev_hash) != stored_hash:
            return ChainBreak(seq, "content does not match its hash (altered)")
        expected_prev, expected_seq = stored_hash, seq + 1
    return None
