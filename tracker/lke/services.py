"""Framework versions in the database (D1): load a definition file, pin it, read it back."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.audit import services as audit
from tracker.lke.framework import Framework, framework_path, load_framework_file, parse_framework
from tracker.lke.models import LkeFramework


def sync_framework(
    session: Session, path: str | Path | None = None, *, code: str = "lke-2021"
) -> tuple[LkeFramework, bool]:
    """Store the definition file as a framework version; ``(row, created)``.

    Loading the same file again is a no-op (same SHA-256). A changed file becomes a new
    version with the next number: versions that cycles already pin are never edited.
    Raises FrameworkError (invalid file), NotFoundError (unknown bundled code).
    """
    loaded = load_framework_file(path or framework_path(code))
    existing = session.scalars(
        select(LkeFramework).where(LkeFramework.sha256 == loaded.sha256)
    ).first()
    if existing is not None:
        return existing, False
    framework = loaded.framework
    latest = (
        session.scalar(
            select(func.max(LkeFramework.version)).where(LkeFramework.code == framework.code)
        )
        or 0
    )
    row = LkeFramework(
        code=framework.code,
        version=latest + 1,
        sha256=loaded.sha256,
        title=framework.title[:200],
        definition=yaml.safe_load(loaded.raw_bytes),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=None,
        tag="lke:framework:load",
        subject=row,
        data={"code": row.code, "version": row.version, "sha256": row.sha256},
    )
    return row, True


def latest_version(session: Session, code: str = "lke-2021") -> LkeFramework | None:
    return session.scalars(
        select(LkeFramework).where(LkeFramework.code == code).order_by(LkeFramework.version.desc())
    ).first()


# Parsed versions by SHA-256: a stored version never changes, so parsing it once is exact.
_parsed: dict[str, Framework] = {}


def framework_of(row: LkeFramework) -> Framework:
    """The parsed framework of a stored version (parsed once per process per version)."""
    framework = _parsed.get(row.sha256)
    if framework is None:
        framework = _parsed[row.sha256] = parse_framework(row.definition)
    return framework
