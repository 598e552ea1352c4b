"""the public registry's search index (issue 18 §3)

``designations.search_text`` holds what a registry entry is searched by: the unit name, agency
name and number of its certificate in force, or, for a designation without one, the unit's and
agency's names and the decree number; one per line. It is indexed by a ``pg_trgm`` GIN index on
PostgreSQL and copied into an FTS5 trigram table (``designation_search``, rowid = designation id)
on SQLite; ``tracker.certificates.search`` keeps both from now on. The lists searched with
``ILIKE`` (signed-in users' certificates, agencies, units, users) get trigram indexes on
PostgreSQL too.

The backfill below is this revision's own copy of the document's definition, so that it keeps
meaning what it meant here whatever the app's code becomes.

Revision ID: 0020_registry_search_index
Revises: 0019_latest_decision
Create Date: 2026-12-01 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_registry_search_index"
down_revision: str | Sequence[str] | None = "0019_latest_decision"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_TABLE = "designation_search"
# (index, table, column): trigram indexes serve ILIKE '%word%' (PostgreSQL only).
TRIGRAM_INDEXES = (
    ("ix_designations_search_text_trgm", "designations", "search_text"),
    ("ix_certificates_unit_name_trgm", "certificates", "unit_name"),
    ("ix_certificates_agency_name_trgm", "certificates", "agency_name"),
    ("ix_certificates_number_trgm", "certificates", "number"),
    ("ix_units_name_trgm", "units", "name"),
    ("ix_agencies_name_trgm", "agencies", "name"),
    ("ix_agencies_short_name_trgm", "agencies", "short_name"),
    ("ix_users_username_trgm", "users", "username"),
    ("ix_users_full_name_trgm", "users", "full_name"),
)

BACKFILL = """
UPDATE designations SET search_text = COALESCE(
    (SELECT c.unit_name || char(10) || c.agency_name || char(10) || c.number
       FROM certificates c
      WHERE c.designation_id = designations.id
        AND NOT EXISTS (SELECT 1 FROM certificates r WHERE r.replaces_id = c.id)),
    COALESCE((SELECT u.name FROM units u WHERE u.id = designations.unit_id), '') || char(10)
    || COALESCE((SELECT a.name FROM agencies a WHERE a.id = designations.agency_id), '')
    || char(10) || designations.decree_number
)
"""


def backfill_sql(dialect: str) -> str:
    """The backfill in ``dialect``: char(10) is a newline in SQLite, PostgreSQL spells it
    chr(10)."""
    return BACKFILL if dialect == "sqlite" else BACKFILL.replace("char(10)", "chr(10)")


def upgrade() -> None:
    with op.batch_alter_table("designations") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    dialect = op.get_bind().dialect.name
    op.execute(backfill_sql(dialect))
    if dialect == "postgresql":
        # pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: a database owner
        # may create it without being a superuser.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in TRIGRAM_INDEXES:
            op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")
    elif dialect == "sqlite":
        op.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, tokenize='trigram')")
        op.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, search_text) SELECT id, search_text FROM designations"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for name, _table, _column in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    elif dialect == "sqlite":
        op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    with op.batch_alter_table("designations") as batch:
        batch.drop_column("search_text")
