"""evidence files in series: an expected document holds several files, each with its versions

Until this revision every upload for an expected document became the next version of the
document, so a document held one current file (issue 14 §2). Now each file is a series of
versions (``series`` = the ``public_id`` of its first version); a new upload starts a series
and only an explicit replacement adds a version. The existing rows of one enrolment, purpose,
item and document keep chaining as one series ordered by version; a row not tied to a
document (or to an enrolment) is a series of its own. The unique constraint moves from the
document's versions to the series' versions.

Revision ID: 0010_evidence_series
Revises: 0009_certificate_url
Create Date: 2026-11-30 14:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_evidence_series"
down_revision: str | Sequence[str] | None = "0009_certificate_url"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Longer than PostgreSQL's 63 characters: created through the naming convention, which
# shortened it there with a hash; ``op.f`` gives the same name in both directions.
OLD_UNIQUE = "uq_evidence_files_enrolment_id_purpose_item_code_document_key_version"
NEW_UNIQUE = "uq_evidence_files_series_version"

files = sa.table(
    "evidence_files",
    sa.column("id", sa.Integer),
    sa.column("public_id", sa.String(32)),
    sa.column("series", sa.String(32)),
    sa.column("enrolment_id", sa.Integer),
    sa.column("purpose", sa.String(40)),
    sa.column("item_code", sa.String(40)),
    sa.column("document_key", sa.String(80)),
    sa.column("version", sa.Integer),
)


def _backfill(conn: sa.Connection) -> None:
    """Each row's series: the first version of its document's chain. A version number taken
    twice in a chain (possible where the old unique constraint saw a NULL item code) moves to
    the end of the chain, so the new constraint holds."""
    rows = conn.execute(
        sa.select(
            files.c.id,
            files.c.public_id,
            files.c.enrolment_id,
            files.c.purpose,
            files.c.item_code,
            files.c.document_key,
            files.c.version,
        ).order_by(files.c.version, files.c.id)
    ).all()
    first: dict[tuple, str] = {}
    taken: dict[str, set[int]] = {}
    updates = []
    for row in rows:
        chained = row.enrolment_id is not None and row.document_key is not None
        key = (row.enrolment_id, row.purpose, row.item_code, row.document_key)
        series = first.setdefault(key, row.public_id) if chained else row.public_id
        versions = taken.setdefault(series, set())
        version = row.version if row.version not in versions else max(versions) + 1
        versions.add(version)
        updates.append({"row_id": row.id, "s": series, "v": version})
    if updates:
        conn.execute(
            files.update()
            .where(files.c.id == sa.bindparam("row_id"))
            .values(series=sa.bindparam("s"), version=sa.bindparam("v")),
            updates,
        )


def upgrade() -> None:
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series", sa.String(length=32), nullable=True))
    _backfill(op.get_bind())
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.alter_column("series", existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_constraint(batch_op.f(OLD_UNIQUE), type_="unique")
        batch_op.create_unique_constraint(batch_op.f(NEW_UNIQUE), ["series", "version"])


def downgrade() -> None:
    """Back to one chain per document. Several files of one document cannot all keep their
    version numbers under the old constraint: every version is renumbered along its document's
    chain (by version, then upload order), and each file's versions stay in the database."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(
            files.c.id,
            files.c.enrolment_id,
            files.c.purpose,
            files.c.item_code,
            files.c.document_key,
        ).order_by(files.c.version, files.c.id)
    ).all()
    counters: dict[tuple, int] = {}
    updates = []
    for row in rows:
        key = (row.enrolment_id, row.purpose, row.item_code, row.document_key)
        if row.enrolment_id is None or row.document_key is None:
            continue
        counters[key] = counters.get(key, 0) + 1
        updates.append({"row_id": row.id, "v": counters[key]})
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(NEW_UNIQUE), type_="unique")
    if updates:
        conn.execute(
            files.update()
            .where(files.c.id == sa.bindparam("row_id"))
            .values(version=sa.bindparam("v")),
            updates,
        )
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f(OLD_UNIQUE),
            ["enrolment_id", "purpose", "item_code", "document_key", "version"],
        )
        batch_op.drop_column("series")
