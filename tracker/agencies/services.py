"""Creating, editing and listing agencies and their units, within a user's scope."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import ColumnElement, Row, false, func, or_, select, true
from sqlalchemy.orm import Session

from tracker.agencies.models import Agency, AgencyKind, Unit
from tracker.audit import services as audit
from tracker.auth.access import Scope
from tracker.auth.models import User
from tracker.errors import ConflictError, NotFoundError, ValidationError
from tracker.i18n import _
from tracker.paging import Page, holding, paged

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$")


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:40].strip("-") or "unit"


def _clean(value: str, field: str, max_len: int) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationError(_("%(field)s wajib diisi.", field=field))
    if len(value) > max_len:
        raise ValidationError(_("%(field)s paling panjang %(n)s karakter.", field=field, n=max_len))
    return value


def create_agency(
    session: Session,
    *,
    user: User | None,
    name: str,
    short_name: str,
    kind: AgencyKind,
    code: str | None = None,
) -> Agency:
    """Raises ValidationError for bad fields, ConflictError for a taken name or code."""
    name = _clean(name, _("Nama instansi"), 200)
    code = (code or slugify(short_name or name)).lower()
    if not CODE_RE.match(code):
        raise ValidationError(_("Kode hanya boleh huruf kecil, angka dan tanda hubung."))
    if session.scalar(select(Agency.id).where(or_(Agency.name == name, Agency.code == code))):
        raise ConflictError(
            _("Instansi %(name)s atau kode %(code)s sudah ada.", name=name, code=code)
        )
    agency = Agency(
        name=name,
        short_name=_clean(short_name or name, _("Nama singkat"), 80),
        kind=kind,
        code=code,
    )
    session.add(agency)
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="agencies:agency:create",
        subject=agency,
        data={"name": name, "kind": kind.value},
        agency_id=agency.id,
    )
    return agency


def update_agency(
    session: Session, agency: Agency, *, user: User, name: str, short_name: str, kind: AgencyKind
) -> Agency:
    name = _clean(name, _("Nama instansi"), 200)
    clash = session.scalar(select(Agency.id).where(Agency.name == name, Agency.id != agency.id))
    if clash:
        raise ConflictError(_("Instansi %(name)s sudah ada.", name=name))
    old = {"name": agency.name, "short_name": agency.short_name, "kind": agency.kind.value}
    agency.name, agency.kind = name, kind
    agency.short_name = _clean(short_name or name, _("Nama singkat"), 80)
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="agencies:agency:update",
        subject=agency,
        data={
            "old": old,
            "new": {"name": name, "short_name": agency.short_name, "kind": kind.value},
        },
        agency_id=agency.id,
    )
    return agency


def create_unit(
    session: Session,
    *,
    user: User | None,
    agency: Agency,
    name: str,
    kind: str,
    parent: Unit | None = None,
    code: str | None = None,
) -> Unit:
    """Raises ValidationError (bad fields, parent in another agency), ConflictError (duplicate)."""
    name = _clean(name, _("Nama unit"), 200)
    kind = _clean(kind, _("Jenis unit"), 80)
    if parent is not None and parent.agency_id != agency.id:
        raise ValidationError(_("Unit induk harus berada di instansi yang sama."))
    code = (code or slugify(name)).lower()
    if not CODE_RE.match(code):
        raise ValidationError(_("Kode hanya boleh huruf kecil, angka dan tanda hubung."))
    _ensure_unique_unit(session, agency.id, name, code, exclude_id=None)
    unit = Unit(agency=agency, name=name, kind=kind, parent=parent, code=code)
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    unit.depth = parent.depth + 1 if parent else 0
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="agencies:unit:create",
        subject=unit,
        data={"name": name, "kind": kind, "parent": parent.name if parent else None},
        agency_id=agency.id,
        unit_id=unit.id,
    )
    return unit


def _ensure_unique_unit(
    session: Session, agency_id: int, name: str, code: str, exclude_id: int | None
) -> None:
    stmt = select(Unit.id).where(
        Unit.agency_id == agency_id, or_(func.lower(Unit.name) == name.lower(), Unit.code == code)
    )
    if exclude_id is not None:
        stmt = stmt.where(Unit.id != exclude_id)
    if session.scalar(stmt):
        raise ConflictError(
            _("Unit %(name)s (kode %(code)s) sudah ada di instansi ini.", name=name, code=code)
        )


def update_unit(
    session: Session, unit: Unit, *, user: User, name: str, kind: str, parent: Unit | None
) -> Unit:
    """Rename, retype or move a unit (its whole subtree moves with it)."""
    name = _clean(name, _("Nama unit"), 200)
    kind = _clean(kind, _("Jenis unit"), 80)
    _ensure_unique_unit(session, unit.agency_id, name, unit.code, exclude_id=unit.id)
    if parent is not None and (
        parent.agency_id != unit.agency_id or parent.path.startswith(unit.path)
    ):
        raise ValidationError(
            _("Unit induk harus di instansi yang sama dan bukan unit ini atau turunannya.")
        )
    old = {"name": unit.name, "kind": unit.kind, "parent_id": unit.parent_id}
    if parent is not unit.parent:
        _move(session, unit, parent)
    unit.name, unit.kind = name, kind
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="agencies:unit:update",
        subject=unit,
        data={"old": old, "new": {"name": name, "kind": kind, "parent_id": unit.parent_id}},
        agency_id=unit.agency_id,
        unit_id=unit.id,
    )
    return unit


def _move(session: Session, unit: Unit, parent: Unit | None) -> None:
    old_path, old_depth = unit.path, unit.depth
    new_path = f"{parent.path if parent else '/'}{unit.id}/"
    shift = (parent.depth + 1 if parent else 0) - old_depth
    for node in session.scalars(select(Unit).where(Unit.path.startswith(old_path))):
        node.path = new_path + node.path[len(old_path) :]
        node.depth += shift
    unit.parent = parent


def unit_filter(scope: Scope) -> ColumnElement[bool]:
    """A WHERE clause on Unit selecting exactly the units ``scope`` may see."""
    if scope.everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if scope.agency_ids:
        clauses.append(Unit.agency_id.in_(scope.agency_ids))
    if scope.unit_ids:
        clauses.append(Unit.id.in_(scope.unit_ids))
    clauses.extend(Unit.path.startswith(path) for path in scope.subtree_paths)
    return or_(*clauses) if clauses else false()


def visible_units(
    session: Session, scope: Scope, *, agency_id: int | None = None, limit: int | None = None
) -> Sequence[Row[int, str, str]]:
    """The units in ``scope`` as (id, name, agency's short name) rows, what a list of links
    shows; the first ``limit`` only when given (the home page shows 50 of a country's
    thousands, as plain rows: issue 18 §3)."""
    stmt = (
        select(Unit.id, Unit.name, Agency.short_name.label("agency_short_name"))
        .join(Unit.agency)
        .where(unit_filter(scope))
        .order_by(Unit.agency_id, Unit.path)
    )
    if agency_id is not None:
        stmt = stmt.where(Unit.agency_id == agency_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return session.execute(stmt).all()


def visible_agencies(session: Session, scope: Scope) -> Sequence[Agency]:
    return session.scalars(select(Agency).where(_agency_filter(scope)).order_by(Agency.name)).all()


AGENCY_PAGE = 25  # agencies per page of the agencies index (a national scope holds 600)


def agency_page(session: Session, scope: Scope, q: str, page: int) -> Page[Agency]:
    """The agencies in ``scope`` whose name or short name holds ``q``, by name, a page at a
    time: TPN's and an administrator's index listed all 600 with their 5,000 units (7 s)."""
    where = [_agency_filter(scope), *holding(q, Agency.name, Agency.short_name)]
    return paged(session, Agency, where, (Agency.name, Agency.id), page, AGENCY_PAGE)


def units_by_agency(
    session: Session, scope: Scope, agency_ids: Sequence[int]
) -> dict[int, list[Unit]]:
    """The units in ``scope`` of each of ``agency_ids``, in tree order (one query)."""
    out: dict[int, list[Unit]] = {agency_id: [] for agency_id in agency_ids}
    if agency_ids:
        for unit in session.scalars(
            select(Unit)
            .where(unit_filter(scope), Unit.agency_id.in_(agency_ids))
            .order_by(Unit.agency_id, Unit.path)
        ):
            out[unit.agency_id].append(unit)
    return out


class AgencyName(NamedTuple):
    id: int
    short_name: str


def visible_agency_names(session: Session, scope: Scope) -> list[AgencyName]:
    """``visible_agencies`` as (id, short name) rows, by name: what a filter's options need.
    A national viewer's 600 agencies as entities cost more than the rest of the page."""
    rows = session.execute(
        select(Agency.id, Agency.short_name).where(_agency_filter(scope)).order_by(Agency.name)
    )
    return [AgencyName(agency_id, short_name) for agency_id, short_name in rows]


def _agency_filter(scope: Scope) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    ids_from_units = select(Unit.agency_id).where(unit_filter(scope))
    return or_(Agency.id.in_(scope.agency_ids), Agency.id.in_(ids_from_units))


def agency_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every agency, by name: the options of forms that pick an agency."""
    rows = session.execute(select(Agency.id, Agency.name).order_by(Agency.name))
    return [(agency_id, name) for agency_id, name in rows]


def unit_choices(session: Session) -> list[tuple[int, str]]:
    """(id, "agency — · · unit") of every unit, by agency and place in the tree: the options of
    forms that pick a unit of any agency."""
    # Plain rows: a country's 5,000 units as entities took a tenth of a second.
    rows = session.execute(
        select(Unit.id, Agency.short_name, Unit.depth, Unit.name)
        .join(Agency, Agency.id == Unit.agency_id)
        .order_by(Agency.name, Unit.path)
    )
    return [(i, f"{agency} — {'· ' * depth}{name}") for i, agency, depth, name in rows]


def get_agency(session: Session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFoundError(_("Instansi tidak ditemukan."))
    return agency


def get_unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFoundError(_("Unit kerja tidak ditemukan."))
    return unit


def find_agency(session: Session, key: str) -> Agency | None:
    """By code, name or short name (case-insensitive): how CLI users and CSV files name one."""
    key = " ".join(key.split()).lower()
    stmt = select(Agency).where(
        or_(
            Agency.code == key, func.lower(Agency.name) == key, func.lower(Agency.short_name) == key
        )
    )
    return session.scalars(stmt).first()


def find_unit(session: Session, agency: Agency, key: str) -> Unit | None:
    key = " ".join(key.split()).lower()
    stmt = select(Unit).where(
        Unit.agency_id == agency.id, or_(Unit.code == key, func.lower(Unit.name) == key)
    )
    return session.scalars(stmt).first()
