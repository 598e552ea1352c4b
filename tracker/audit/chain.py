"""The keyed hash chain of the audit trail and what its verification checks. Pure: no Flask, no
database.

Each record's hash is an HMAC-SHA256, under a key kept outside the database (``AUDIT_KEY``), of
its own content and the previous record's hash: altering, removing or reordering a record breaks
every later link, and someone who can write the tables but lacks the key cannot recompute the
links after an edit (a plain SHA-256 chain anyone could recompute).

What a chain alone cannot show is that records were cut off its end, so three things anchor it:

- the head row (``audit_head``) holds the last record's number and hash; its number must equal
  the number of records and the last record's, so removing records from the end, or all of
  them, is reported;
- the head is sealed with the same key, so rewinding it to an earlier record (after deleting
  the records past it) needs the key too;
- ``flask audit head`` prints the head to keep with each backup, away from the database;
  ``flask audit verify --expect-head SEQ:HASH`` checks that the trail still holds that record
  unchanged. Only this catches an attacker who kept a copy of an old head row and put it back.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tracker.i18n import N_, _

GENESIS = "0" * 64
_HEAD_TEXT = re.compile(r"^\s*(\d{1,18}):([0-9a-f]{64})\s*$")


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


def record_hash(fields: Mapping[str, Any], prev_hash: str, key: bytes) -> str:
    """HMAC-SHA256 under ``key`` of the canonical JSON of ``fields`` plus the previous hash."""
    payload = json.dumps(
        {"prev": prev_hash, **fields}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Head:
    """A point of the chain: a record's number and hash (``0`` and ``GENESIS`` before any)."""

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Head:
        """``SEQ:HASH`` as ``flask audit head`` prints it. Raises ValueError."""
        match = _HEAD_TEXT.match(text)
        if match is None:
            raise ValueError(text)
        return cls(int(match.group(1)), match.group(2))

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


START = Head(0, GENESIS)


def head_seal(head: Head, key: bytes) -> str:
    """The head row's seal. The ``head:`` prefix keeps it apart from record hashes, whose
    payload is a JSON object."""
    return hmac.new(key, f"head:{head}".encode("ascii"), hashlib.sha256).hexdigest()


class Problem(enum.Enum):
    MISSING = "missing"
    LINK = "link"
    ALTERED = "altered"
    NO_HEAD = "no_head"
    HEAD_AHEAD = "head_ahead"
    HEAD_BEHIND = "head_behind"
    HEAD_HASH = "head_hash"
    HEAD_SEAL = "head_seal"
    SHORTER_THAN_EXPORT = "shorter_than_export"
    CHANGED_SINCE_EXPORT = "changed_since_export"


MESSAGES: Mapping[Problem, str] = {
    Problem.MISSING: N_("catatan #%(seq)s hilang (berikutnya yang ada: #%(found)s)"),
    Problem.LINK: N_("tautan ke catatan sebelumnya tidak cocok (catatan disisipkan atau diganti)"),
    Problem.ALTERED: N_("isi tidak cocok dengan hash berkuncinya (catatan diubah)"),
    Problem.NO_HEAD: N_("baris kepala rantai (audit_head) hilang"),
    Problem.HEAD_AHEAD: N_(
        "kepala rantai mencatat %(head)s catatan, tetapi jejak berakhir di #%(last)s: "
        "catatan di ujung jejak dihapus"
    ),
    Problem.HEAD_BEHIND: N_(
        "kepala rantai di #%(head)s, tetapi jejak berlanjut sampai #%(last)s: "
        "kepala diputar mundur atau catatan ditambahkan di luar aplikasi"
    ),
    Problem.HEAD_HASH: N_("hash kepala rantai tidak sama dengan hash catatan terakhir"),
    Problem.HEAD_SEAL: N_(
        "segel kepala rantai tidak cocok dengan kuncinya: kepala diputar mundur atau diubah"
    ),
    Problem.SHORTER_THAN_EXPORT: N_(
        "kepala yang diekspor adalah #%(expected)s, tetapi jejak berakhir di #%(last)s: "
        "catatan dihapus sejak ekspor"
    ),
    Problem.CHANGED_SINCE_EXPORT: N_(
        "catatan #%(expected)s tidak sama dengan kepala yang diekspor: jejak ditulis ulang "
        "sejak ekspor"
    ),
}


@dataclass(frozen=True)
class ChainBreak:
    """The first thing found wrong: at which record, what, and the numbers the message names."""

    seq: int
    problem: Problem
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """The problem in the reader's language."""
        return _(MESSAGES[self.problem], seq=self.seq, **self.details)


@dataclass(frozen=True)
class Walk:
    """The outcome of walking the records: the first break, the last record that was reached
    intact, and the hash found at the record asked for (``watch``), if reached."""

    broken: ChainBreak | None
    end: Head
    watched: str | None = None


def walk(
    records: Iterable[tuple[int, Mapping[str, Any], str, str]], key: bytes, *, watch: int = 0
) -> Walk:
    """Walk ``(seq, fields, prev_hash, hash)`` in order; stop at the first broken link."""
    end, watched = START, GENESIS if watch == 0 else None
    for seq, fields, prev_hash, stored_hash in records:
        if seq != end.seq + 1:
            return Walk(ChainBreak(end.seq + 1, Problem.MISSING, {"found": seq}), end, watched)
        if prev_hash != end.hash:
            return Walk(ChainBreak(seq, Problem.LINK), end, watched)
        # compare_digest: the comparison time must not tell how much of a forged hash is right.
        if not hmac.compare_digest(record_hash(fields, prev_hash, key), stored_hash):
            return Walk(ChainBreak(seq, Problem.ALTERED), end, watched)
        end = Head(seq, stored_hash)
        if seq == watch:
            watched = stored_hash
    return Walk(None, end, watched)


def check_head(end: Head, head: Head | None, seal: str | None, key: bytes) -> ChainBreak | None:
    """Whether the head row agrees with an intact walk that ended at ``end``.

    A head still at the start with no seal is a trail that never had a record (the migration
    cannot seal it: it runs without the key when there is nothing to re-anchor).
    """
    if head is None:
        return ChainBreak(end.seq, Problem.NO_HEAD)
    numbers = {"head": head.seq, "last": end.seq}
    if head.seq > end.seq:
        return ChainBreak(end.seq + 1, Problem.HEAD_AHEAD, numbers)
    if head.seq < end.seq:
        return ChainBreak(head.seq + 1, Problem.HEAD_BEHIND, numbers)
    if head.hash != end.hash:
        return ChainBreak(end.seq, Problem.HEAD_HASH)
    if seal is None and head == START:
        return None
    if seal is None or not hmac.compare_digest(seal, head_seal(head, key)):
        return ChainBreak(end.seq, Problem.HEAD_SEAL)
    return None


def check_export(walked: Walk, exported: Head) -> ChainBreak | None:
    """Whether an intact trail still holds the head exported earlier (it may have grown since,
    never shrunk or changed)."""
    numbers = {"expected": exported.seq, "last": walked.end.seq}
    if exported.seq > walked.end.seq:
        return ChainBreak(walked.end.seq + 1, Problem.SHORTER_THAN_EXPORT, numbers)
    if walked.watched is None or not hmac.compare_digest(walked.watched, exported.hash):
        return ChainBreak(exported.seq, Problem.CHANGED_SINCE_EXPORT, numbers)
    return None
