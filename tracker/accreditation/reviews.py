"""Review sign-off: per-item decisions (approve / send back / revised), area sign-off, queues."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, Subquery, and_, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker import hooks
from tracker.accreditation import assignments, cycles, duties, tiers
from tracker.accreditation.context import Actor
from tracker.accreditation.models import AreaSignOff, DecisionKind, Enrolment, ItemDecision
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.errors import ConflictError, NotAllowedError, ValidationError
from tracker.evidence import services as evidence
from tracker.evidence.models import DocumentCheck
from tracker.hooks import Happening
from tracker.i18n import _


def latest_decisions(
    session: Session, enrolment_id: int, tier: str | None = None
) -> dict[tuple[str, str], ItemDecision]:
    """The current decision per (tier, item), in one query: the rows marked ``latest``."""
    stmt = select(ItemDecision).where(
        ItemDecision.enrolment_id == enrolment_id, ItemDecision.latest.is_(True)
    )
    if tier is not None:
        stmt = stmt.where(ItemDecision.tier == tier)
    return {(row.tier, row.item_code): row for row in session.scalars(stmt)}


def newest_decisions(rows: Iterable[ItemDecision]) -> dict[tuple[str, str], ItemDecision]:
    """The current decision per (tier, item) among ``rows``: the highest ``seq`` of each."""
    latest: dict[tuple[str, str], ItemDecision] = {}
    for row in rows:
        key = (row.tier, row.item_code)
        if key not in latest or row.seq > latest[key].seq:
            latest[key] = row
    return latest


def history(session: Session, enrolment_id: int, item_code: str) -> Sequence[ItemDecision]:
    return session.scalars(
        select(ItemDecision)
        .where(ItemDecision.enrolment_id == enrolment_id, ItemDecision.item_code == item_code)
        .order_by(ItemDecision.at, ItemDecision.id)
    ).all()


def is_sent_back(session: Session, enrolment: Enrolment, item_code: str) -> bool:
    """Whether the deciding reviewer's latest word on the item asks the unit to revise it."""
    stmt = (
        select(ItemDecision.kind)
        .where(ItemDecision.enrolment_id == enrolment.id, ItemDecision.item_code == item_code)
        .order_by(ItemDecision.at.desc(), ItemDecision.id.desc())
        .limit(1)
    )
    return session.scalar(stmt) is DecisionKind.REVISION


def _reviewing_tier(session: Session, enrolment: Enrolment, actor: Actor) -> tiers.Tier:
    tier = tiers.tier_for_stage(tiers.parse_tiers(enrolment.cycle.tiers), enrolment.stage)
    if tier is None or not tier.reviews:
        raise ValidationError(_("Tidak ada penilaian yang berlangsung pada tahap ini."))
    if not actor.roles & tier.roles:
        raise NotAllowedError(_("Anda bukan penilai pada tahap ini."))
    # Issue 13 §12: item decisions and area sign-offs all pass here; none on one's own unit.
    if reason := duties.review_conflict(actor.memberships, enrolment.unit.name):
        raise NotAllowedError(reason)
    # Issue 15 §4: an assigned unit is decided by its reviewer (or the tier's lead).
    assignments.ensure_may_decide(session, enrolment, tier, actor.user)
    cycles.ensure_stage_open(session, enrolment)  # issue 15 §3: within the review window
    return tier


def decide(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    item_code: str,
    kind: DecisionKind,
    comment: str,
    expected_seq: int,
) -> ItemDecision:
    """A reviewer approves an item or sends it back (comment required).

    ``expected_seq`` is the decision number the reviewer saw. If another reviewer decided in
    the meantime the call raises ConflictError: nothing is overwritten.
    """
    if kind is DecisionKind.REVISED:
        raise ValidationError(_("Keputusan penilai hanya setuju atau kembalikan."))
    tier = _reviewing_tier(session, enrolment, actor)
    if kind is DecisionKind.REVISION and not comment.strip():
        raise ValidationError(_("Tuliskan alasan pengembalian agar unit tahu apa yang diperbaiki."))
    row = _append(session, actor, enrolment, tier.code, item_code, kind, comment, expected_seq)
    if kind is DecisionKind.REVISION:
        _withdraw_sign_off(session, actor, enrolment, tier.code, tiers.area_of(item_code))
        hooks.tell(
            session,
            Happening.ITEM_SENT_BACK,
            enrolment=enrolment,
            actor=actor.user,
            item=item_code,
            tier=tier.code,
            comment=row.comment,
        )
    return row


@dataclass(frozen=True)
class Approval:
    """What "approve all" did: the items it approved, and those it left for the reviewer."""

    approved: list[str]
    skipped_without_evidence: list[str]  # pending, but with no file or link (D16)


def approve_pending(
    session: Session, *, actor: Actor, enrolment: Enrolment, item_codes: Sequence[str]
) -> Approval:
    """Approve every item of an area that has no decision yet or was revised by the unit.

    Items the reviewer sent back and the unit has not yet resubmitted stay as they are. D16:
    an item without any evidence is never approved in bulk: it is skipped, and the reviewer
    told how many, so that approving it is a decision taken on that item alone.
    """
    tier = _reviewing_tier(session, enrolment, actor)
    latest = latest_decisions(session, enrolment.id, tier.code)
    present = evidence.item_evidence(session, enrolment.id)
    approved, skipped = [], []
    for code in item_codes:
        current = latest.get((tier.code, code))
        if current is not None and current.kind is not DecisionKind.REVISED:
            continue
        if code not in present:
            skipped.append(code)
            continue
        _append(
            session,
            actor,
            enrolment,
            tier.code,
            code,
            DecisionKind.APPROVED,
            "",
            current.seq if current else 0,
        )
        approved.append(code)
    return Approval(approved, skipped)


def mark_revised(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    item_code: str,
    comment: str,
    expected_seq: int,
) -> ItemDecision:
    """The unit resubmits an item it fixed; it goes back into the reviewer's queue."""
    tier = tiers.tier_for_stage(tiers.parse_tiers(enrolment.cycle.tiers), enrolment.stage)
    if not actor.roles & {Role.KOORDINATOR, Role.ANGGOTA_POKJA}:
        raise NotAllowedError(_("Hanya koordinator atau pokja unit yang dapat mengirim ulang."))
    latest = latest_decisions(session, enrolment.id).get((tier.code if tier else "", item_code))
    if latest is None or latest.kind is not DecisionKind.REVISION:
        raise ValidationError(_("Butir ini tidak sedang dikembalikan untuk perbaikan."))
    cycles.ensure_stage_open(session, enrolment)  # the fix comes within the review window
    row = _append(
        session,
        actor,
        enrolment,
        latest.tier,
        item_code,
        DecisionKind.REVISED,
        comment,
        expected_seq,
    )
    hooks.tell(
        session,
        Happening.ITEM_RESUBMITTED,
        enrolment=enrolment,
        actor=actor.user,
        item=item_code,
        tier=latest.tier,
    )
    return row


def _append(
    session: Session,
    actor: Actor,
    enrolment: Enrolment,
    tier: str,
    item_code: str,
    kind: DecisionKind,
    comment: str,
    expected_seq: int,
) -> ItemDecision:
    current = (
        session.scalar(
            select(func.max(ItemDecision.seq)).where(
                ItemDecision.enrolment_id == enrolment.id,
                ItemDecision.tier == tier,
                ItemDecision.item_code == item_code,
            )
        )
        or 0
    )
    if current != expected_seq:
        raise _conflict(item_code)
    row = ItemDecision(
        enrolment_id=enrolment.id,
        tier=tier,
        item_code=item_code,
        seq=current + 1,
        kind=kind,
        comment=comment.strip()[:4000],
        actor_id=actor.id,
    )
    try:
        with session.begin_nested():  # the unique (…, seq) turns a simultaneous decision away
            # The row that stood no longer does: this one is the item's latest (the mark the
            # lists count by, ``ItemDecision.latest``; at most one per item, a unique index).
            session.execute(
                update(ItemDecision)
                .where(
                    ItemDecision.enrolment_id == enrolment.id,
                    ItemDecision.tier == tier,
                    ItemDecision.item_code == item_code,
                    ItemDecision.latest.is_(True),
                )
                .values(latest=False)
            )
            session.add(row)
    except IntegrityError as exc:
        raise _conflict(item_code) from exc
    audit.record(
        session,
        actor=actor.user,
        tag=f"accreditation:review:{kind.value}",
        subject=row,
        unit_id=enrolment.unit_id,
        agency_id=enrolment.agency_id,
        data={"tier": tier, "item": item_code, "comment": row.comment, "seq": row.seq},
    )
    return row


def _conflict(item_code: str) -> ConflictError:
    return ConflictError(
        _(
            "Butir %(code)s baru saja diputuskan oleh pengguna lain. Muat ulang "
            "halaman untuk melihat keputusannya; keputusan Anda belum disimpan.",
            code=item_code,
        )
    )


def sign_off_area(
    session: Session, *, actor: Actor, enrolment: Enrolment, area: str, item_codes: Sequence[str]
) -> AreaSignOff:
    """Sign off an area once every one of its items is approved. Raises ValidationError."""
    tier = _reviewing_tier(session, enrolment, actor)
    latest = latest_decisions(session, enrolment.id, tier.code)
    pending = [
        c
        for c in item_codes
        if (d := latest.get((tier.code, c))) is None or d.kind is not DecisionKind.APPROVED
    ]
    if pending:
        raise ValidationError(
            _(
                "Area %(area)s belum dapat ditandatangani: %(n)s butir belum "
                "disetujui (%(codes)s).",
                area=area,
                n=len(pending),
                codes=", ".join(pending[:5]) + (" …" if len(pending) > 5 else ""),
            )
        )
    if signed_areas(session, enrolment.id, tier.code).get(area):
        raise ConflictError(_("Area %(area)s sudah ditandatangani.", area=area))
    row = AreaSignOff(enrolment_id=enrolment.id, tier=tier.code, area=area, signed_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor.user,
        tag="accreditation:area:sign_off",
        subject=row,
        unit_id=enrolment.unit_id,
        agency_id=enrolment.agency_id,
        data={"tier": tier.code, "area": area},
    )
    hooks.tell(
        session,
        Happening.AREA_SIGNED_OFF,
        enrolment=enrolment,
        actor=actor.user,
        area=area,
        tier=tier.code,
    )
    return row


def _withdraw_sign_off(
    session: Session, actor: Actor, enrolment: Enrolment, tier: str, area: str
) -> None:
    """Sending an item back reopens its area: the sign-off no longer holds."""
    row = signed_areas(session, enrolment.id, tier).get(area)
    if row is not None:
        audit.record(
            session,
            actor=actor.user,
            tag="accreditation:area:reopen",
            subject=row,
            unit_id=enrolment.unit_id,
            agency_id=enrolment.agency_id,
            data={"tier": tier, "area": area},
        )
        session.delete(row)
        session.flush()


def signed_areas(session: Session, enrolment_id: int, tier: str) -> dict[str, AreaSignOff]:
    rows = session.scalars(_signed(), {"enrolment_id": enrolment_id, "tier": tier})
    return {r.area: r for r in rows}


@functools.cache
def _signed() -> Select[AreaSignOff]:
    return select(AreaSignOff).where(
        AreaSignOff.enrolment_id == bindparam("enrolment_id"), AreaSignOff.tier == bindparam("tier")
    )


COUNTED = ("enrolment_id", "tier", "item_code", "kind")  # what the counts of decisions read


def newest_rows(wanted: ColumnElement[bool], columns: Sequence[str] | None = None) -> Subquery:
    """The latest decision of each (enrolment, tier, item) among the rows ``wanted`` picks (the
    item's state while its tier reviews), with the ``columns`` of ``item_decisions`` named
    (all of them by default): the rows marked ``latest``, read from their partial index.
    Issue 18 §3: a window ranking every item's history by ``seq`` took ~1.3 ms of PostgreSQL
    for 25 units, the index ~0.2 ms; naming only the columns read (``COUNTED``) halves the
    time SQLAlchemy takes to build the statement."""
    table = ItemDecision.__table__
    return (
        select(*(table.columns if columns is None else [table.c[name] for name in columns]))
        .where(wanted, ItemDecision.latest.is_(True))
        .subquery()
    )


@functools.lru_cache(maxsize=32)
def latest_counted(codes: tuple[str, ...]) -> Subquery:
    """``newest_rows`` with the ``COUNTED`` columns of the enrolments bound as ``ids_<n>``
    (``counted_ids``) for the n-th deciding tier of ``codes``: the lists that count decisions
    per page build it once per set of tiers, not on every page (~1 ms, issue 18 §3)."""
    wanted = or_(
        *(
            and_(
                ItemDecision.tier == code,
                ItemDecision.enrolment_id.in_(bindparam(f"ids_{n}", expanding=True)),
            )
            for n, code in enumerate(codes)
        )
    )
    return newest_rows(wanted, COUNTED)


def counted_ids(by_tier: dict[str, list[int]]) -> tuple[tuple[str, ...], dict[str, list[int]]]:
    """The tiers of ``by_tier`` in ``latest_counted``'s order, and the enrolment ids to bind."""
    codes = tuple(sorted(by_tier))
    return codes, {f"ids_{n}": by_tier[code] for n, code in enumerate(codes)}


@dataclass(frozen=True)
class QueueEntry:
    enrolment: Enrolment
    tier: str
    waiting_since: datetime
    revised: int  # items the unit resubmitted after a send-back
    undecided: int


def queue(
    session: Session, enrolments: Sequence[Enrolment], item_counts: dict[int, int]
) -> list[QueueEntry]:
    """What waits for reviewers among ``enrolments`` (already scoped), oldest first.

    Decision counts for every enrolment come from one grouped query.
    """
    if not enrolments:
        return []
    by_tier: dict[str, list[int]] = {}
    for e in enrolments:
        tier = tiers.tier_for_stage(tiers.parse_tiers(e.cycle.tiers), e.stage)
        by_tier.setdefault(tier.code if tier else "", []).append(e.id)
    # Only the deciding tier's decisions are counted (``queue_entries`` reads no other): a
    # proposed unit has every earlier tier's behind it.
    codes, ids = counted_ids(by_tier)
    rows = session.execute(_kind_counts(codes), ids).all()
    counts: dict[tuple[int, str], dict[DecisionKind, int]] = {}
    for enrolment_id, code, kind, n in rows:
        counts.setdefault((enrolment_id, code), {})[kind] = n
    return queue_entries(enrolments, counts, item_counts)


@functools.lru_cache(maxsize=32)
def _kind_counts(codes: tuple[str, ...]) -> Select[int, str, DecisionKind, int]:
    latest = latest_counted(codes)
    return select(latest.c.enrolment_id, latest.c.tier, latest.c.kind, func.count()).group_by(
        latest.c.enrolment_id, latest.c.tier, latest.c.kind
    )


def queue_entries(
    enrolments: Sequence[Enrolment],
    counts: dict[tuple[int, str], dict[DecisionKind, int]],
    item_counts: dict[int, int],
) -> list[QueueEntry]:
    """``queue`` from decision counts already made: per (enrolment, tier), how many items
    stand at each kind of decision (the latest per item)."""
    return sorted(
        (_entry(e, counts, item_counts[e.id]) for e in enrolments), key=lambda q: q.waiting_since
    )


def _entry(enrolment: Enrolment, counts: dict, item_count: int) -> QueueEntry:
    tier = tiers.tier_for_stage(tiers.parse_tiers(enrolment.cycle.tiers), enrolment.stage)
    code = tier.code if tier else ""
    by_kind = counts.get((enrolment.id, code), {})
    decided = sum(by_kind.values()) - by_kind.get(DecisionKind.REVISED, 0)
    return QueueEntry(
        enrolment,
        code,
        enrolment.stage_since,
        by_kind.get(DecisionKind.REVISED, 0),
        item_count - decided,
    )


@dataclass(frozen=True)
class Remark:
    """One turn of an item's review conversation: a reviewer's decision, the unit's
    resubmission, or a reviewer's verdict on one expected document."""

    at: datetime
    tier: str
    tier_label: str
    tier_label_en: str
    kind: str  # a DecisionKind value, or "check" for a document verdict
    author: str
    comment: str
    document_key: str = ""
    verdict: str = ""  # a CheckVerdict value, for "check"


@dataclass(frozen=True)
class ReviewRecord:
    """An enrolment's item decisions and document checks, each with its author's name, oldest
    first: read once (two queries) by the LKE page, which shows both the standing word on each
    item and the whole conversation of the items on screen (issue 18 §3: four queries before)."""

    decisions: Sequence[tuple[ItemDecision, str]]
    checks: Sequence[tuple[DocumentCheck, str]]

    def latest_decisions(self) -> dict[tuple[str, str], ItemDecision]:
        return newest_decisions(d for d, _name in self.decisions)

    def latest_checks(self, tier: str) -> dict[tuple[str, str], DocumentCheck]:
        return evidence.newest_checks((c for c, _name in self.checks), tier)


def review_record(session: Session, enrolment_id: int) -> ReviewRecord:
    decisions, checks = _record()
    return ReviewRecord(
        [(d, name) for d, name in session.execute(decisions, {"enrolment_id": enrolment_id})],
        [(c, name) for c, name in session.execute(checks, {"enrolment_id": enrolment_id})],
    )


@functools.cache
def _record() -> tuple[Select[ItemDecision, str], Select[DocumentCheck, str]]:
    """``review_record``'s two statements with their authors' names, built once (issue 18 §3)."""
    return (
        select(ItemDecision, User.full_name)
        .join(User, User.id == ItemDecision.actor_id)
        .where(ItemDecision.enrolment_id == bindparam("enrolment_id"))
        .order_by(ItemDecision.id),
        select(DocumentCheck, User.full_name)
        .join(User, User.id == DocumentCheck.checked_by_id)
        .where(DocumentCheck.enrolment_id == bindparam("enrolment_id"))
        .order_by(DocumentCheck.id),
    )


def conversations(
    session: Session,
    enrolment: Enrolment,
    item_codes: Sequence[str] | None = None,
    record: ReviewRecord | None = None,
) -> dict[str, list[Remark]]:
    """Every item's whole review conversation, oldest first, by item code (only
    ``item_codes``' when given): two queries for all the items at once, none when the page
    has read the ``record`` already."""
    record = record or review_record(session, enrolment.id)
    wanted = set(item_codes) if item_codes is not None else None
    labels = {t.code: (t.label, t.label_en) for t in tiers.parse_tiers(enrolment.cycle.tiers)}
    turns: list[tuple[str, int, Remark]] = []
    for d, name in record.decisions:
        if wanted is None or d.item_code in wanted:
            label = labels.get(d.tier, (d.tier, d.tier))
            remark = Remark(d.at, d.tier, *label, d.kind.value, name, d.comment)
            turns.append((d.item_code, 0, remark))
    for c, name in record.checks:
        if wanted is None or c.item_code in wanted:
            label = labels.get(c.tier, (c.tier, c.tier))
            remark = Remark(
                c.at, c.tier, *label, "check", name, c.comment, c.document_key, c.verdict.value
            )
            turns.append((c.item_code, 1, remark))
    out: dict[str, list[Remark]] = {}
    # By time; within one instant, a decision before the document checks it rests on.
    for code, _order, remark in sorted(turns, key=lambda t: (t[2].at, t[1])):
        out.setdefault(code, []).append(remark)
    return out


def ever_sent_back(session: Session, enrolment_id: int) -> set[str]:
    """The codes of the items any tier sent back at any point, in one query."""
    return set(
        session.scalars(
            select(ItemDecision.item_code)
            .where(
                ItemDecision.enrolment_id == enrolment_id,
                ItemDecision.kind == DecisionKind.REVISION,
            )
            .distinct()
        )
    )
