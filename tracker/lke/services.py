"""Framework versions in the database (D1): load a definition file, pin it, read it back."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.audit import services as audit
from tracker.errors import NotFoundError
from tracker.i18n import _
from tracker.lke.framework import Framework, framework_path, load_framework_file, parse_framework
from tracker.lke.framework.master import MasterList, NextVersion, master_definition
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
        definition=loaded.document(),
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


def import_master_list(
    session: Session, master: MasterList, *, code: str = "lke-2021", source: str = ""
) -> tuple[LkeFramework | None, NextVersion]:
    """Compare a ministry master question list with the latest stored version of ``code`` and,
    when it changes the questions, store the next version (D1: cycles keep pinning theirs) with
    an audit record listing every change. ``(None, result)`` when nothing changes.

    Raises NotFoundError (no stored version), MasterListError or FrameworkError (a list the
    framework cannot follow); nothing is written then.
    """
    current = latest_version(session, code)
    if current is None:
        raise NotFoundError(
            _("Kerangka %(code)s belum tersimpan; jalankan flask db upgrade", code=code),
            code=code,
        )
    note = _master_note(current, master, source)
    result = master_definition(current.definition, master, note=note)
    if not result.changed:
        return None, result
    raw = yaml.safe_dump(result.definition, allow_unicode=True, sort_keys=False).encode("utf-8")
    row = LkeFramework(
        code=current.code,
        version=current.version + 1,
        sha256=hashlib.sha256(raw).hexdigest(),
        title=result.framework.title[:200],
        definition=result.definition,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=None,
        tag="lke:framework:import",
        subject=row,
        data={
            "code": row.code,
            "version": row.version,
            "previous_version": current.version,
            "sha256": row.sha256,
            "source": source[:200],
            "tahun": master.tahun,
            "generated_at": master.generated_at,
            "counts": result.counts(),
            "changes": [change.to_dict() for change in result.changes],
        },
    )
    return row, result


def _master_note(current: LkeFramework, master: MasterList, source: str) -> str:
    """The new version's note: which list, and which version it follows (so that a list that
    brings back an older version's questions is still a version of its own, D1)."""
    parts = [
        f"Imported from KemenPANRB's PortalRB master soal list (tahun {master.tahun}",
        f", generated {master.generated_at})" if master.generated_at else ")",
        f", file {Path(source).name}" if source else "",
        f"; follows {current.code} version {current.version}.",
    ]
    return "".join(parts)
