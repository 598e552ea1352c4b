"""Issue 17 §5: unit lineage. A unit renamed, merged or split keeps its history and predicates
through a recorded link to the unit(s) it became (``UnitSuccession``).

The administrator, or the agency's leadership for two units of their agency, records a link:
predecessor, successor, kind (rename, merge, split), date and the decree that made the change.
The predecessor's rows (designations, certificates, Ombudsman results) stay where they are;
pages follow the links: a certificate keeps the name it was issued with, and the verification
page names the unit as it is called now (``current_units``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import BindParameter, Integer, Select, literal, or_, select
from sqlalchemy.orm import Session

from tracker.agencies.lineage_models import SuccessionKind, UnitSuccession
from tracker.agencies.models import Unit
from tracker.audit import services as audit
from tracker.auth.access import UnitRef, roles_for_unit
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.errors import NotAllowedError, ValidationError
from tracker.i18n import N_, _

KIND_LABELS = {
    SuccessionKind.RENAME: N_("Berganti nama"),
    SuccessionKind.MERGE: N_("Bergabung"),
    SuccessionKind.SPLIT: N_("Dipecah"),
}
RECORDERS = frozenset({Role.ADMIN, Role.PIMPINAN})
MAX_DEPTH = 20  # links followed from one unit: a real lineage is a handful
# The links a unit carries its predecessors' predicates through: a renamed unit is the same
# unit under a new name, and a merged unit took in its predecessors whole (their services,
# people and standing). A split does not carry: the Minister's decree named a unit by the
# service it gave, and after a split no single part is that unit, so each part is evaluated
# afresh. When the decree that split it says one part goes on as the old unit, that part's
# link is recorded as a rename.
CARRYING = frozenset({SuccessionKind.RENAME, SuccessionKind.MERGE})


def may_record(user: User, unit: Unit) -> bool:
    """The administrator, or the leadership of the unit's agency."""
    return bool(roles_for_unit(user.access_grants(), _ref(unit)) & RECORDERS)


def _ref(unit: Unit) -> UnitRef:
    return UnitRef(unit.id, unit.agency_id, unit.path)


def _links(session: Session, unit_ids: Iterable[int]) -> Sequence[UnitSuccession]:
    ids = list(unit_ids)
    return session.scalars(
        select(UnitSuccession).where(
            or_(UnitSuccession.predecessor_id.in_(ids), UnitSuccession.successor_id.in_(ids))
        )
    ).all()


@dataclass(frozen=True)
class Lineage:
    """The links reachable from one unit, both ways (each once), and the units they name."""

    predecessors: list[UnitSuccession]  # links into the unit's past, nearest first
    successors: list[UnitSuccession]  # links into its future, nearest first

    @property
    def unit_ids(self) -> set[int]:
        ids = {link.predecessor_id for link in self.predecessors}
        return ids | {link.successor_id for link in self.successors}


def lineage(session: Session, unit_id: int) -> Lineage:
    """Every predecessor and successor of the unit, following links both ways (one query per
    generation, at most ``MAX_DEPTH``)."""
    back: list[UnitSuccession] = []
    forward: list[UnitSuccession] = []
    seen_links: set[int] = set()
    frontier_back, frontier_forward = {unit_id}, {unit_id}
    visited = {unit_id}
    for _depth in range(MAX_DEPTH):
        if not frontier_back and not frontier_forward:
            break
        found = _links(session, frontier_back | frontier_forward)
        next_back, next_forward = set(), set()
        for link in found:
            if link.id in seen_links:
                continue
            if link.successor_id in frontier_back and link.predecessor_id not in visited:
                back.append(link)
                seen_links.add(link.id)
                next_back.add(link.predecessor_id)
            elif link.predecessor_id in frontier_forward and link.successor_id not in visited:
                forward.append(link)
                seen_links.add(link.id)
                next_forward.add(link.successor_id)
        visited |= next_back | next_forward
        frontier_back, frontier_forward = next_back, next_forward
    return Lineage(back, forward)


def carried_from(session: Session, unit_id: int) -> list[UnitSuccession]:
    """The links back from the unit through which it carries predicates (``CARRYING``):
    renames and merges, generation by generation (one query each, at most ``MAX_DEPTH``); a
    split ends the walk on that branch. Nearest first; empty (after one query) without any."""
    found: list[UnitSuccession] = []
    frontier, seen = {unit_id}, {unit_id}
    for _depth in range(MAX_DEPTH):
        links = session.scalars(
            select(UnitSuccession)
            .where(
                UnitSuccession.successor_id.in_(sorted(frontier)),
                UnitSuccession.kind.in_(sorted(CARRYING)),
            )
            .order_by(UnitSuccession.on.desc(), UnitSuccession.id.desc())
        ).all()
        fresh = [link for link in links if link.predecessor_id not in seen]
        found += fresh
        frontier = {link.predecessor_id for link in fresh}
        seen |= frontier
        if not frontier:
            break
    return found


def carrying_ids(unit_id: int | BindParameter[int]) -> Select[int]:
    """The unit and every predecessor it carries predicates from, as a query to embed in
    another (``Designation.unit_id.in_(...)``): the walk of ``carried_from`` (``CARRYING``
    links, at most ``MAX_DEPTH`` generations) as one recursive query, not one per generation
    and then one for the designations (issue 18 §3). ``unit_id`` may be a bound parameter,
    for a statement built once and run for many units."""
    start = unit_id if isinstance(unit_id, BindParameter) else literal(unit_id, Integer)
    walk = select(start.label("unit_id"), literal(0, Integer).label("depth")).cte(
        "carrying", recursive=True
    )
    back = (
        select(UnitSuccession.predecessor_id, walk.c.depth + 1)
        .join(walk, UnitSuccession.successor_id == walk.c.unit_id)
        .where(UnitSuccession.kind.in_(sorted(CARRYING)), walk.c.depth < MAX_DEPTH)
    )
    walk = walk.union(back)  # UNION, not UNION ALL: a unit reached twice is walked once
    return select(walk.c.unit_id)


def current_units(session: Session, unit_id: int) -> list[Unit]:
    """What the unit is called now: the last units its successor links lead to (several after
    a split); empty when it has no successor."""
    found = lineage(session, unit_id).successors
    ends = {link.successor_id: link.successor for link in found}
    for link in found:
        ends.pop(link.predecessor_id, None)
    return sorted(ends.values(), key=lambda u: u.name)


def record(
    session: Session,
    *,
    user: User,
    predecessor: Unit,
    successor: Unit,
    kind: SuccessionKind,
    on: date | None,
    decree_ref: str,
    today: date,
) -> UnitSuccession:
    """Record that ``predecessor`` went on as ``successor``. Raises NotAllowedError (neither
    the administrator nor the leadership of both units' agency) and ValidationError (the same
    unit, a link that would loop or already exists, a rename of a unit that already has a
    successor, a second successor that is not a split, no date or a future one, no decree)."""
    if not (may_record(user, predecessor) and may_record(user, successor)):
        raise NotAllowedError(
            _("Riwayat unit dicatat oleh administrator atau pimpinan instansi unit tersebut.")
        )
    problems = []
    decree = " ".join(decree_ref.split())
    if predecessor.id == successor.id:
        problems.append(_("Unit penerus harus unit lain."))
    if on is None:
        problems.append(_("Tanggal perubahan wajib diisi."))
    elif on > today:
        problems.append(_("Tanggal perubahan tidak boleh sesudah hari ini."))
    if not decree:
        problems.append(_("Dasar perubahan (nomor keputusan) wajib diisi."))
    elif len(decree) > 200:
        problems.append(_("Dasar perubahan paling panjang 200 karakter."))
    if predecessor.id != successor.id:
        problems += _link_problems(session, predecessor, successor, kind)
    if problems or on is None:
        raise ValidationError(" ".join(problems), problems=problems)
    link = UnitSuccession(
        predecessor_id=predecessor.id,
        successor_id=successor.id,
        kind=kind,
        on=on,
        decree_ref=decree,
        recorded_by_id=user.id,
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="agencies:unit:succession",
        subject=link,
        unit_id=predecessor.id,
        agency_id=predecessor.agency_id,
        data={
            "predecessor": predecessor.name,
            "successor": successor.name,
            "successor_id": successor.id,
            "kind": kind.value,
            "on": on,
            "decree": decree,
        },
    )
    return link


def _link_problems(
    session: Session, predecessor: Unit, successor: Unit, kind: SuccessionKind
) -> list[str]:
    found = []
    existing = session.scalars(
        select(UnitSuccession).where(UnitSuccession.predecessor_id == predecessor.id)
    ).all()
    if any(link.successor_id == successor.id for link in existing):
        found.append(_("Hubungan ini sudah tercatat."))
    elif existing and (
        kind is not SuccessionKind.SPLIT
        or any(link.kind is not SuccessionKind.SPLIT for link in existing)
    ):
        found.append(
            _(
                "%(unit)s sudah memiliki penerus; unit baru dapat menjadi penerus kedua hanya "
                "bila unit dipecah.",
                unit=predecessor.name,
            )
        )
    if successor.id in {
        link.predecessor_id for link in lineage(session, predecessor.id).predecessors
    }:
        found.append(_("Hubungan ini akan membuat riwayat melingkar."))
    return found
