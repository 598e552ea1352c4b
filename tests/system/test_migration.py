"""Migration 0009: certificates issued before it get the environment's public address, the one
they have been printed with so far."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tracker.core import migrations
from tracker.db import build_engine

BEFORE = "80372820f57a"


def _filler(column: sa.Column, n: int) -> Any:
    """A value of the column's type, unique per row ``n`` (enough for NOT NULL and UNIQUE)."""
    python_type = column.type.python_type
    if python_type is int:
        return n
    if python_type is bool:
        return False
    if python_type is datetime:
        return datetime(2020, 1, 1)
    if python_type is date:
        return date(2020, 1, 1)
    enums = getattr(column.type, "enums", None)
    return enums[0] if enums else f"x{n}"


def _insert(conn: sa.Connection, table: sa.Table, **given: Any) -> None:
    """A row with ``given`` values and a placeholder in every other required column."""
    row = dict(given)
    for column in table.columns:
        needed = not column.nullable and column.server_default is None
        if column.name not in row and needed and not column.primary_key:
            row[column.name] = _filler(column, 1)
    conn.execute(table.insert().values(row))


def test_existing_certificates_get_the_environments_address(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        migrations.upgrade(engine, BEFORE)
        tables = sa.MetaData()
        tables.reflect(engine)
        with engine.begin() as conn:
            for name in ("agencies", "units", "designations"):
                _insert(conn, tables.tables[name], id=1)
            _insert(conn, tables.tables["certificates"], id=1, designation_id=1, predicate="WBK")
        migrations.upgrade(engine, public_base_url="https://zi.lama.go.id")
        with engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT public_base_url FROM certificates")).all()
            settings = conn.execute(sa.text("SELECT count(*) FROM system_settings")).scalar()
        assert stored == [("https://zi.lama.go.id",)]
        assert settings == 0  # nothing set by an administrator yet: the environment rules
    finally:
        engine.dispose()
