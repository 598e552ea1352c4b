"""audit chain keyed and anchored, login checks counted before they run

The audit trail's hashes become HMAC-SHA256 under ``AUDIT_KEY`` and the head row gets a seal
(``tracker.audit.chain``). Records written before this revision carry plain SHA-256 hashes, which
anyone able to write the tables could recompute; this revision re-anchors them: it first checks
the plain chain as the code before it did (every link, every hash, the head), and only if it is
intact recomputes every hash under the key and seals the head. A trail that is already broken is
not re-anchored (that would bless the tampering under the key): the upgrade stops and says where
it is broken, for the operator to restore it from a backup first.

The key comes from the environment as for the app (``config.Settings``); it is read only when
there are records to re-anchor, so an empty database needs none. Print ``flask audit head``
afterwards: heads exported before the upgrade name plain hashes and no longer match.

``login_attempts.succeeded`` becomes nullable: a check is inserted, unfinished, before the password
is verified (``tracker.auth.attempts``).

Revision ID: 80372820f57a
Revises: 0005
Create Date: 2026-11-30 08:43:47.524495
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import tracker.db


revision: str = '80372820f57a'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
BATCH = 1000

# The hashing as of this revision, written out here so that later changes to tracker.audit.chain
# cannot change what this migration does.
Hasher = Callable[[dict[str, Any], str], str]


def _payload(fields: dict[str, Any], prev_hash: str) -> bytes:
    text = json.dumps(
        {"prev": prev_hash, **fields}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return text.encode("utf-8")


def _plain(fields: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(_payload(fields, prev_hash)).hexdigest()


def _keyed(key: bytes) -> Hasher:
    def digest(fields: dict[str, Any], prev_hash: str) -> str:
        return hmac.new(key, _payload(fields, prev_hash), hashlib.sha256).hexdigest()

    return digest


def _seal(key: bytes, seq: int, last_hash: str) -> str:
    return hmac.new(key, f"head:{seq}:{last_hash}".encode("ascii"), hashlib.sha256).hexdigest()


events = sa.table(
    'audit_events',
    sa.column('id', sa.Integer()),
    sa.column('seq', sa.Integer()),
    sa.column('at', tracker.db.UTCDateTime()),
    sa.column('actor_id', sa.Integer()),
    sa.column('actor_name', sa.String()),
    sa.column('tag', sa.String()),
    sa.column('subject_type', sa.String()),
    sa.column('subject_id', sa.String()),
    sa.column('agency_id', sa.Integer()),
    sa.column('unit_id', sa.Integer()),
    sa.column('data', sa.JSON()),
    sa.column('prev_hash', sa.String()),
    sa.column('hash', sa.String()),
)
head_table = sa.table(
    'audit_head',
    sa.column('id', sa.Integer()),
    sa.column('seq', sa.Integer()),
    sa.column('hash', sa.String()),
    sa.column('seal', sa.String()),
)


def _records(conn: sa.Connection) -> Iterator[Any]:
    """Every record by seq, a batch at a time (the loop updates rows as it goes)."""
    last = 0
    while True:
        rows = conn.execute(
            sa.select(events).where(events.c.seq > last).order_by(events.c.seq).limit(BATCH)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def _fields(row: Any) -> dict[str, Any]:
    """What the hash covers (AuditEvent.hashed_fields as of this revision)."""
    return {
        "seq": row.seq,
        "at": row.at.isoformat(timespec="microseconds"),
        "actor_id": row.actor_id,
        "actor_name": row.actor_name,
        "tag": row.tag,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "agency_id": row.agency_id,
        "unit_id": row.unit_id,
        "data": row.data,
    }


def _rechain(conn: sa.Connection, old: Hasher, new: Hasher) -> tuple[int, str] | None:
    """Check the whole chain under ``old`` and rewrite it under ``new``; the new last record
    (seq, hash), or None when there are no records. Raises RuntimeError, having changed nothing
    that the failed migration's rollback will not undo, when the chain is broken."""
    head = conn.execute(sa.select(head_table).where(head_table.c.id == 1)).first()
    if head is None:
        raise RuntimeError("audit trail: the head row (audit_head) is missing")
    if head.seq == 0:
        return None
    expected_prev, new_prev, seq = GENESIS, GENESIS, 0
    for row in _records(conn):
        seq += 1
        fields = _fields(row)
        if row.seq != seq:
            _broken(seq, "is missing")
        if row.prev_hash != expected_prev:
            _broken(row.seq, "does not link to the record before it")
        if old(fields, row.prev_hash) != row.hash:
            _broken(row.seq, "does not match its hash (altered)")
        rehashed = new(fields, new_prev)
        conn.execute(
            sa.update(events)
            .where(events.c.id == row.id)
            .values(prev_hash=new_prev, hash=rehashed)
        )
        expected_prev, new_prev = row.hash, rehashed
    if head.seq != seq:
        _broken(min(seq, head.seq) + 1, f"disagrees with the head: it says {head.seq} records")
    if head.hash != expected_prev:
        _broken(seq, "is not the head's last record (the head was edited)")
    return seq, new_prev


def _broken(seq: int, what: str) -> None:
    raise RuntimeError(
        f"audit trail: record #{seq} {what}. The trail is not re-anchored under AUDIT_KEY while "
        "it is broken: restore the database from a backup whose `flask audit verify` passed, "
        "then upgrade again."
    )


def _audit_key() -> bytes:
    from config import Settings

    return Settings.from_env().audit_key.encode("utf-8")


def upgrade() -> None:
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seal', sa.String(length=64), nullable=True))

    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.alter_column('succeeded',
               existing_type=sa.BOOLEAN(),
               nullable=True)

    conn = op.get_bind()
    if conn.execute(sa.select(head_table.c.seq).where(head_table.c.id == 1)).scalar() == 0:
        return  # nothing to re-anchor; the first record seals the head
    key = _audit_key()
    last = _rechain(conn, _plain, _keyed(key))
    if last is not None:
        seq, last_hash = last
        conn.execute(
            sa.update(head_table)
            .where(head_table.c.id == 1)
            .values(hash=last_hash, seal=_seal(key, seq, last_hash))
        )


def downgrade() -> None:
    # Back to plain SHA-256, which is what the code before this revision verifies.
    conn = op.get_bind()
    if conn.execute(sa.select(head_table.c.seq).where(head_table.c.id == 1)).scalar() != 0:
        last = _rechain(conn, _keyed(_audit_key()), _plain)
        if last is not None:
            conn.execute(
                sa.update(head_table).where(head_table.c.id == 1).values(hash=last[1])
            )
    # Unfinished checks (a process killed mid-login) were failures; the column says so again.
    conn.execute(sa.text("UPDATE login_attempts SET succeeded = false WHERE succeeded IS NULL"))

    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.alter_column('succeeded',
               existing_type=sa.BOOLEAN(),
               nullable=False)

    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('seal')
