"""Import agencies and units from a CSV file (the list agencies keep in spreadsheets).

Columns (header row required, ``,`` or ``;`` separated, UTF-8 with or without BOM):
``instansi, jenis_instansi, singkatan_instansi, unit, jenis_unit, induk, kode``. Only
``instansi`` is always required; a row without ``unit`` just makes sure the agency exists.
``induk`` names the parent unit (by name or code) in the same agency, in the database or
anywhere in the file. Existing agencies and units (same name) are left as they are, so importing
the same file twice changes nothing. Any error aborts the whole import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from tracker.agencies import services
from tracker.agencies.models import Agency, AgencyKind
from tracker.auth.models import User
from tracker.csvfiles import ImportFailedError, Row, read_rows
from tracker.errors import DomainError, ValidationError
from tracker.i18n import _

COLUMNS = (
    "instansi",
    "jenis_instansi",
    "singkatan_instansi",
    "unit",
    "jenis_unit",
    "induk",
    "kode",
)
ALIASES = {
    "agency": "instansi",
    "agency_kind": "jenis_instansi",
    "agency_short_name": "singkatan_instansi",
    "unit_kind": "jenis_unit",
    "parent": "induk",
    "code": "kode",
}


@dataclass
class ImportResult:
    agencies_created: list[str] = field(default_factory=list)
    units_created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def parse_csv(data: bytes) -> list[Row]:
    """Rows of a CSV file. Raises ImportFailedError for an unreadable file or bad header."""
    return read_rows(data, columns=COLUMNS, required=("instansi",), aliases=ALIASES)


def import_rows(session: Session, rows: list[Row], *, user: User | None) -> ImportResult:
    """Create what the rows describe. Raises ImportFailedError listing every bad row."""
    result, errors = ImportResult(), []
    pending = []
    for row in rows:
        try:
            agency = _agency_for(session, row, result, user)
        except DomainError as exc:
            errors.append(_("Baris %(line)s: %(msg)s", line=row.line, msg=str(exc)))
            continue
        if row.values.get("unit"):
            pending.append((row, agency))
    errors += _create_units(session, pending, result, user)
    if errors:
        raise ImportFailedError(errors)
    return result


def _agency_for(session: Session, row: Row, result: ImportResult, user: User | None) -> Agency:
    name = row.values.get("instansi", "")
    if not name:
        raise ValidationError(_("kolom instansi kosong."))
    agency = services.find_agency(session, name)
    if agency is not None:
        return agency
    kind_raw = row.values.get("jenis_instansi", "").lower()
    try:
        kind = AgencyKind(kind_raw)
    except ValueError as exc:
        raise ValidationError(
            _(
                "jenis_instansi harus salah satu dari %(kinds)s.",
                kinds=", ".join(k.value for k in AgencyKind),
            )
        ) from exc
    agency = services.create_agency(
        session,
        user=user,
        name=name,
        kind=kind,
        short_name=row.values.get("singkatan_instansi") or name,
    )
    result.agencies_created.append(agency.name)
    return agency


def _create_units(
    session: Session, pending: list[tuple[Row, Agency]], result: ImportResult, user: User | None
) -> list[str]:
    """Create units whose parent exists, repeatedly, so the file may list children first."""
    errors: list[str] = []
    while pending:
        waiting = []
        for row, agency in pending:
            parent_key = row.values.get("induk", "")
            parent = services.find_unit(session, agency, parent_key) if parent_key else None
            if parent_key and parent is None:
                waiting.append((row, agency))
                continue
            errors += _create_unit(session, row, agency, parent, result, user)
        if len(waiting) == len(pending):
            errors += [
                _(
                    "Baris %(line)s: unit induk %(parent)s tidak ditemukan.",
                    line=row.line,
                    parent=row.values["induk"],
                )
                for row, _a in waiting
            ]
            break
        pending = waiting
    return errors


def _create_unit(
    session: Session, row: Row, agency: Agency, parent, result: ImportResult, user: User | None
) -> list[str]:
    name = row.values["unit"]
    if services.find_unit(session, agency, name) is not None:
        result.skipped.append(f"{agency.short_name} / {name}")
        return []
    try:
        with session.begin_nested():
            unit = services.create_unit(
                session,
                user=user,
                agency=agency,
                name=name,
                kind=row.values.get("jenis_unit", ""),
                parent=parent,
                code=row.values.get("kode") or None,
            )
    except DomainError as exc:
        return [_("Baris %(line)s: %(msg)s", line=row.line, msg=str(exc))]
    result.units_created.append(f"{agency.short_name} / {unit.name}")
    return []
