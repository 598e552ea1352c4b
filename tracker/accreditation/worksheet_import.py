"""Importing an official LKE worksheet into one tier, in two steps: a preview, then the saving
of exactly what it showed (issue 11). The rules are ``import_rules``; this module gathers their
facts, keeps the uploaded file between the two steps and writes the result.

The caller owns the transactions, and on SQLite every transaction of a POST holds the write
lock (``tracker.sessions``). A worksheet takes up to a second or two to read, so a request
checks the actor's rights (``tier_to_import``), ends its transaction, reads the file with no
transaction open, and only then opens the short one that compares and saves, checking the
rights again inside it (the stage may have moved while the file was read).

Between the steps the file is kept in a store of its own beside the evidence (the same blob
store: content-addressed by SHA-256, local folder or S3), never among the evidence blobs, so
the evidence orphan sweep never sees it; it is removed after saving and swept when older than
``STAGED_TTL``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from tracker.accreditation import assessments, cycles, import_rules, reviews, tiers
from tracker.accreditation.context import Actor
from tracker.accreditation.import_rules import ImportPlan, Rights, Stored
from tracker.accreditation.models import DecisionKind, Enrolment, ItemDecision
from tracker.accreditation.tiers import Tier
from tracker.errors import ConflictError, NotAllowedError, ValidationError
from tracker.evidence import services as evidence
from tracker.evidence.filetypes import XLSX_TYPE, FileType, TypeAllowList
from tracker.evidence.models import EvidencePurpose
from tracker.evidence.services import Target
from tracker.evidence.storage import BlobNotFoundError, EvidenceStore, key_for
from tracker.i18n import _
from tracker.lke import write_worksheet
from tracker.lke.worksheet import WorksheetLayout

STAGED_AREA = "lke-imports"  # the folder (or S3 prefix) of the staged files
STAGED_TTL = timedelta(hours=2)  # a preview older than this must be uploaded again
# A worksheet, or answers keyed by PortalRB's soal_id (``soal_import``: CSV or JSON text).
STAGED_TYPES = TypeAllowList(
    {
        "xlsx": XLSX_TYPE,
        "csv": FileType("CSV", "text/csv", frozenset({"text/plain", "application/csv"})),
        "json": FileType("JSON", "application/json", frozenset({"text/plain"})),
    }
)
STAGED_NAME = "lke.xlsx"  # the store checks content against this name, never the user's


class UnknownTierError(ValidationError):
    """A tier code the enrolment's cycle does not have: a bad request, not a refusal."""

    http_status = 400


def tier_of(enrolment: Enrolment, code: str) -> Tier:
    """The enrolment's cycle tier ``code``. Raises UnknownTierError."""
    tier_list = cycles.cycle_tiers(enrolment.cycle)
    try:
        return tiers.by_code(tier_list, code)
    except KeyError:
        raise UnknownTierError(
            _(
                "Tingkat penilaian tidak dikenal. Pilih salah satu tingkat siklus ini: %(tiers)s.",
                tiers=", ".join(t.label for t in tier_list),
            )
        ) from None


def tier_to_import(session: Session, actor: Actor, enrolment: Enrolment, code: str) -> Tier:
    """The cycle's tier ``code`` if the actor may import into it now. Raises UnknownTierError,
    NotAllowedError (with ``edit_blocker``'s reason). Reads no file and writes nothing: an
    import never creates a tier's LKE before this has passed (issue 13 §5)."""
    tier = tier_of(enrolment, code)
    rights = _rights(session, actor, enrolment, tier)
    codes = [item.code for item in assessments.framework_for(enrolment).items()]
    if reason := import_rules.import_blocker(rights, codes):
        raise NotAllowedError(reason)
    return tier


def _rights(session: Session, actor: Actor, enrolment: Enrolment, tier: Tier) -> Rights:
    return Rights(
        stage=enrolment.stage,
        tier=tier,
        roles=actor.roles,
        editable_areas=actor.areas,
        sent_back=_sent_back(session, enrolment),
        memberships=actor.memberships,
        unit_name=enrolment.unit.name,
    )


def _sent_back(session: Session, enrolment: Enrolment) -> frozenset[str]:
    """Items whose latest decision, whichever tier made it, asks the unit to revise them: the
    reading of ``reviews.is_sent_back``, for every item in one query."""
    latest: dict[str, ItemDecision] = {}
    for decision in reviews.latest_decisions(session, enrolment.id).values():
        current = latest.get(decision.item_code)
        if current is None or (decision.at, decision.id) > (current.at, current.id):
            latest[decision.item_code] = decision
    return frozenset(c for c, d in latest.items() if d.kind is DecisionKind.REVISION)


# --- the file between the two steps ------------------------------------------------------------


def stage_file(
    store: EvidenceStore, data: bytes, *, now: datetime | None = None, kind: str = "xlsx"
) -> str:
    """Keep the uploaded worksheet (``kind`` "xlsx"; "csv" or "json" for a soal file) until it
    is confirmed; returns its SHA-256. Sweeps the files of previews older than ``STAGED_TTL``
    first. Raises RejectedFileError for content that is not a plain workbook (macros, embedded
    programs: the evidence upload checks), or not the text its kind names."""
    sweep_staged(store, now=now)
    blob = store.save(
        io.BytesIO(data),
        filename=f"lke.{kind}" if kind in STAGED_TYPES.types else STAGED_NAME,
        max_bytes=max(len(data), 1),
        allowed=STAGED_TYPES,
    )
    return blob.sha256


def staged_file(store: EvidenceStore, sha256: str, *, now: datetime | None = None) -> bytes:
    """The staged worksheet, checked against its SHA-256. Raises ConflictError when it is gone
    or expired (swept, or already saved): the preview no longer stands."""
    gone = ConflictError(
        _("Berkas pratinjau sudah tidak tersimpan (kedaluwarsa); unggah ulang berkas LKE.")
    )
    try:
        key = key_for(sha256)
        if (now or datetime.now(UTC)) - store.modified(key) > STAGED_TTL:
            raise gone
        with store.open(key) as stream:
            data = stream.read()
    except (ValueError, BlobNotFoundError):
        raise gone from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise gone
    return data


def discard_staged(store: EvidenceStore, sha256: str) -> None:
    with contextlib.suppress(ValueError):  # not a SHA-256: nothing was staged under it
        store.delete(key_for(sha256))


def sweep_staged(store: EvidenceStore, *, now: datetime | None = None) -> list[str]:
    """Remove the staged files of previews nobody confirmed within ``STAGED_TTL``."""
    limit = (now or datetime.now(UTC)) - STAGED_TTL
    old = [blob.key for blob in store.iter_blobs() if blob.modified < limit]
    for key in old:
        store.delete(key)
    return old


# --- preview and save --------------------------------------------------------------------------


def plan_import(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    tier: Tier,
    read: import_rules.FileRead,
    sha256: str,
) -> ImportPlan:
    """What saving ``read`` into ``tier`` would change, against what the tier holds now (or,
    without an LKE of its own yet, the earlier tier it would start from: D8)."""
    return import_rules.plan(
        assessments.framework_for(enrolment),
        read,
        sha256,
        _stored(session, enrolment, tier),
        _rights(session, actor, enrolment, tier),
    )


def _stored(session: Session, enrolment: Enrolment, tier: Tier) -> Stored:
    existing = assessments.assessments_of(session, enrolment.id)
    source = (
        tier.code
        if tier.code in existing
        else tiers.previous_tier(cycles.cycle_tiers(enrolment.cycle), tier.code, set(existing))
    )
    rows = (
        assessments.answer_rows(session, [existing[source].id])[existing[source].id]
        if source is not None
        else {}
    )
    return Stored(
        answers={c: r.value for c, r in rows.items() if r.value is not None},
        notes={c: r.note for c, r in rows.items() if r.note},
        links=item_links(session, enrolment.id),
    )


def item_links(session: Session, enrolment_id: int) -> dict[str, list[str]]:
    """The evidence links of the enrolment's items: {item code: addresses}."""
    links: dict[str, list[str]] = {}
    for row in evidence.active_files(session, enrolment_id, [EvidencePurpose.ITEM]):
        if row.item_code and row.link_url:
            links.setdefault(row.item_code, []).append(row.link_url)
    return links


def worksheet_of(
    session: Session, enrolment: Enrolment, tier: Tier, layout: WorksheetLayout
) -> bytes:
    """One tier's LKE as an official worksheet in ``layout``: its answers and notes, and the
    items' evidence links. Our Lampiran III export writes them in its first column group,
    whichever tier it is (``import_rules.read_for_tier`` reads them back for TPI)."""
    assessment = assessments.get_assessment(session, enrolment.id, tier.code)
    rows = assessments.answer_rows(session, [assessment.id])[assessment.id] if assessment else {}
    return write_worksheet(
        assessments.framework_for(enrolment),
        {c: r.value for c, r in rows.items() if r.value is not None},
        {c: r.note for c, r in rows.items() if r.note},
        links=item_links(session, enrolment.id),
        layout=layout,
    )


@dataclass(frozen=True)
class ImportSummary:
    answers: int  # answers written (new or changed)
    notes: int
    links: int
    skipped: int  # items left out: outside the actor's rights


def confirm_import(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    tier_code: str,
    read: import_rules.FileRead,
    sha256: str,
    fingerprint: str,
    source: str,
) -> ImportSummary:
    """Save the previewed import, in the caller's (write) transaction. Raises NotAllowedError
    when the actor may no longer import into the tier, ConflictError when the tier's answers,
    notes or links (or the actor's rights) changed since the preview: nothing is saved then.

    Answers and notes go through ``assessments.import_answers`` (one audit record; a blank in
    the file never clears an answer, D13), links through evidence's ``add_link``, which keeps
    its own record per link as any link added on the LKE page does.
    """
    tier = tier_to_import(session, actor, enrolment, tier_code)
    planned = plan_import(
        session, actor=actor, enrolment=enrolment, tier=tier, read=read, sha256=sha256
    )
    if planned.fingerprint != fingerprint:
        raise ConflictError(
            _(
                "LKE berubah sejak pratinjau; unggah ulang berkasnya untuk melihat perubahan "
                "terbaru. Tidak ada yang disimpan."
            )
        )
    for code, urls in planned.links.items():
        for url in urls:
            evidence.add_link(
                session,
                user=actor.user,
                enrolment=enrolment,
                target=Target(EvidencePurpose.ITEM, code),
                url=url,
                title="",
            )
    changed = assessments.import_answers(
        session,
        actor=actor,
        enrolment=enrolment,
        tier=tier.code,
        raw_answers=planned.answers,
        source=source,
        notes=planned.notes,
        linked=sorted(planned.links),
    )
    return ImportSummary(
        answers=len(changed),
        notes=len(planned.notes),
        links=planned.link_count,
        skipped=len(planned.blocked),
    )
