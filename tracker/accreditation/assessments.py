"""Tiered answers (D8): each tier's own LKE, its scores from the engine, and edits to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from tracker.accreditation import cycles, designations, editing, reviews, tiers
from tracker.accreditation.context import Actor
from tracker.accreditation.models import Answer, Assessment, Enrolment, Predicate
from tracker.accreditation.tiers import TierCode
from tracker.audit import services as audit
from tracker.db import utcnow
from tracker.errors import ConflictError, NotAllowedError, ValidationError
from tracker.i18n import _
from tracker.lke import (
    AnswerValue,
    ChoiceAnswer,
    CountAnswer,
    FloorMode,
    Framework,
    ScoreReport,
    Verdict,
    evaluate,
    parse_answer,
    parse_answers,
    score,
)
from tracker.lke.answers import is_blank
from tracker.lke.services import framework_of

CACHE_PRECISION = Decimal("1e-10")


def framework_for(enrolment: Enrolment) -> Framework:
    return framework_of(enrolment.cycle.framework)


def get_assessment(session: Session, enrolment_id: int, tier: str) -> Assessment | None:
    return session.scalars(
        select(Assessment).where(Assessment.enrolment_id == enrolment_id, Assessment.tier == tier)
    ).first()


def assessments_of(session: Session, enrolment_id: int) -> dict[str, Assessment]:
    rows = session.scalars(_of_enrolment(), {"enrolment_id": enrolment_id})
    return {a.tier: a for a in rows}


def answer_rows(session: Session, assessment_ids: list[int]) -> dict[int, dict[str, Answer]]:
    """Answers of several assessments in one query: {assessment id: {item code: row}}."""
    out: dict[int, dict[str, Answer]] = {i: {} for i in assessment_ids}
    if assessment_ids:
        for row in session.scalars(_answers(), {"ids": assessment_ids}):
            out[row.assessment_id][row.item_code] = row
    return out


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """An answer as a page shows it: its row's columns, not an ORM object (the LKE page reads
    two tiers' ~110 answers on every view; loading them as objects was a tenth of the page).
    Pages that change answers read ``answer_rows``."""

    id: int
    assessment_id: int
    item_code: str
    value: Any
    copied_from: str | None
    note: str
    version: int
    updated_by_id: int | None
    updated_at: datetime


def answer_values(
    session: Session, assessment_ids: list[int]
) -> dict[int, dict[str, StoredAnswer]]:
    """``answer_rows`` for reading only: {assessment id: {item code: stored answer}}."""
    out: dict[int, dict[str, StoredAnswer]] = {i: {} for i in assessment_ids}
    if assessment_ids:
        for row in session.execute(_stored_answers(), {"ids": assessment_ids}):
            out[row.assessment_id][row.item_code] = StoredAnswer(*row)
    return out


# The LKE page's reads, each statement built once (issue 18 §3: building one cost about as
# much as running it).


@cache
def _of_enrolment() -> Select[Assessment]:
    return select(Assessment).where(Assessment.enrolment_id == bindparam("enrolment_id"))


@cache
def _stored_answers() -> Select[Any]:
    columns = (getattr(Answer, name) for name in StoredAnswer.__dataclass_fields__)
    return select(*columns).where(Answer.assessment_id.in_(bindparam("ids", expanding=True)))


@cache
def _answers() -> Select[Answer]:
    return select(Answer).where(Answer.assessment_id.in_(bindparam("ids", expanding=True)))


_SHARED = "tracker.assessments.shared_reads"


@contextmanager
def shared_reads(session: Session) -> Iterator[None]:
    """Within the block each tier's stored values and scores are read once and shared: the
    guards of one hand-off (and of every action a page previews) read the same tier several
    times. Only for reading: nothing in the block may change answers. Nested blocks share the
    outermost one's reads."""
    if _SHARED in session.info:
        yield
        return
    session.info[_SHARED] = {}
    try:
        yield
    finally:
        session.info.pop(_SHARED, None)


def _shared(session: Session, key: tuple[Any, ...], read: Callable[[], Any]) -> Any:
    memo = session.info.get(_SHARED)
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def tier_values(session: Session, enrolment_id: int, tier: str) -> dict[str, Any] | None:
    """One tier's stored answer values ({item code: JSON value}, blanks included), or None when
    the tier has no LKE: one query, no ORM objects. Scoring and the hand-off guards read only
    the values, so they need neither the rows' notes nor their versions. Not to be changed by
    the caller (``shared_reads`` hands the same mapping to every reader)."""
    values: dict[str, Any] | None = _shared(
        session,
        ("values", enrolment_id, tier),
        lambda: _read_tier_values(session, enrolment_id, tier),
    )
    return values


def _read_tier_values(session: Session, enrolment_id: int, tier: str) -> dict[str, Any] | None:
    found = session.execute(
        select(Assessment.id, Answer.item_code, Answer.value)
        .outerjoin(Answer, Answer.assessment_id == Assessment.id)
        .where(Assessment.enrolment_id == enrolment_id, Assessment.tier == tier)
    ).all()
    if not found:
        return None
    return {code: value for _id, code, value in found if code is not None}


def to_stored(answer: AnswerValue) -> Any:
    """The JSON form kept in the database; survey indices as exact decimal strings (D6)."""
    if isinstance(answer, ChoiceAnswer):
        return answer.key
    if isinstance(answer, CountAnswer):
        return list(answer.counts)
    return {"index": f"{answer.index:.2f}", **dict(answer.provenance)}


def parsed_values(framework: Framework, values: Mapping[str, Any]) -> dict[str, AnswerValue]:
    """Stored values (as ``tier_values`` reads them) as the engine's answers."""
    return {
        code: parse_answer(framework.item(code), value)
        for code, value in values.items()
        if value is not None and framework.has_item(code)
    }


@dataclass(frozen=True)
class TierResult:
    tier: str
    report: ScoreReport
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    # The answers as the engine read them (parsed once: the LKE page's plan reads them too).
    answers: Mapping[str, AnswerValue] = field(default_factory=dict)


def evaluate_tier(
    framework: Framework,
    answers: Mapping[str, AnswerValue],
    *,
    tier: str,
    has_active_wbk: bool,
    area_floor_mode: FloorMode | None = None,
) -> TierResult:
    """Scores and both predicates' verdicts; ``area_floor_mode`` is the cycle's D5 reading."""
    report = score(framework, answers)
    verdicts = {
        p.value: evaluate(
            framework,
            report,
            p.value,
            has_active_wbk=has_active_wbk,
            area_floor_mode=area_floor_mode,
        )
        for p in Predicate
    }
    return TierResult(tier, report, verdicts, answers)


def evaluate_rows(
    session: Session,
    enrolment: Enrolment,
    tier: str,
    rows: Mapping[str, Answer | StoredAnswer],
    *,
    has_active_wbk: bool | None = None,
) -> TierResult:
    """One tier's stored answers judged under the enrolment's cycle (framework, D5 mode).
    ``has_active_wbk`` saves the query when the caller already knows it (``has_wbk``)."""
    return evaluate_values(
        session,
        enrolment,
        tier,
        {code: row.value for code, row in rows.items()},
        has_active_wbk=has_active_wbk,
    )


def evaluate_values(
    session: Session,
    enrolment: Enrolment,
    tier: str,
    values: Mapping[str, Any],
    *,
    has_active_wbk: bool | None = None,
) -> TierResult:
    """``evaluate_rows`` on the stored values alone (``tier_values``)."""
    framework = framework_for(enrolment)
    return evaluate_tier(
        framework,
        parsed_values(framework, values),
        tier=tier,
        has_active_wbk=has_wbk(session, enrolment) if has_active_wbk is None else has_active_wbk,
        area_floor_mode=enrolment.cycle.area_floor_mode,
    )


def result_of(session: Session, enrolment: Enrolment, tier: str) -> TierResult | None:
    values = tier_values(session, enrolment.id, tier)
    if values is None:
        return None
    return evaluate_values(session, enrolment, tier, values)


def report_of(session: Session, enrolment: Enrolment, tier: str) -> ScoreReport | None:
    """One tier's scores from its stored answers under today's engine (no verdicts), or None
    when the tier has no LKE. Hand-offs read this, never the cached figures of ``recompute``:
    those may predate an engine change (revised D4 made 0/0 an error, not a 1)."""

    def read() -> ScoreReport | None:
        values = tier_values(session, enrolment.id, tier)
        if values is None:
            return None
        framework = framework_for(enrolment)
        return score(framework, parsed_values(framework, values))

    report: ScoreReport | None = _shared(session, ("report", enrolment.id, tier), read)
    return report


def answered_codes(session: Session, enrolment: Enrolment, tier: str) -> frozenset[str]:
    """The items the tier gave an answer to (in error or not): what it hands on (D16)."""
    # Filtered here, not in SQL: a cleared answer may be stored as JSON null, not SQL NULL.
    values = tier_values(session, enrolment.id, tier) or {}
    return frozenset(code for code, value in values.items() if value is not None)


def has_wbk(session: Session, enrolment: Enrolment) -> bool:
    """Whether the unit holds an active WBK designation (what WBBM verdicts read)."""
    return designations.holds(session, enrolment.unit_id, Predicate.WBK)


def recompute(session: Session, enrolment: Enrolment, assessment: Assessment) -> TierResult:
    """Refresh the cached scores of one tier after its answers changed."""
    rows = answer_rows(session, [assessment.id])[assessment.id]
    result = evaluate_rows(session, enrolment, assessment.tier, rows)
    report = result.report
    # The cache serves dashboards (2 decimals shown); verdicts were decided at full precision.
    assessment.score_total = str(report.total.score.quantize(CACHE_PRECISION))
    assessment.answered, assessment.item_count = report.total.answered, report.total.total
    assessment.eligible_wbk = result.verdicts["WBK"].eligible
    assessment.eligible_wbbm = result.verdicts["WBBM"].eligible
    assessment.summary = summary_of(report)
    return result


def summary_of(report: ScoreReport) -> dict[str, Any]:
    """The figures dashboards show, as exact decimal strings."""
    return {
        "total": str(report.total.score),
        "pengungkit": str(report.pengungkit.score),
        "hasil": str(report.hasil.score),
        "areas": {n: str(a.total.score) for n, a in report.areas.items()},
    }


def ensure_assessment(session: Session, enrolment: Enrolment, tier: str) -> Assessment:
    """The tier's assessment, created on first use as a copy of the closest earlier tier."""
    existing = assessments_of(session, enrolment.id)
    if tier in existing:
        return existing[tier]
    tier_list = cycles.cycle_tiers(enrolment.cycle)
    source = tiers.previous_tier(tier_list, tier, set(existing))
    assessment = Assessment(enrolment_id=enrolment.id, tier=tier, seeded_from=source)
    session.add(assessment)
    session.flush()
    if source is not None:
        for row in answer_rows(session, [existing[source].id])[existing[source].id].values():
            session.add(
                Answer(
                    assessment_id=assessment.id,
                    item_code=row.item_code,
                    value=row.value,
                    note=row.note,
                    updated_by_id=row.updated_by_id,
                    # Whose value it is (D8): the tier it was first copied from (D14).
                    copied_from=row.copied_from or source,
                )
            )
        session.flush()
    recompute(session, enrolment, assessment)
    return assessment


def check_edit(
    session: Session, actor: Actor, enrolment: Enrolment, tier: str, item_code: str
) -> None:
    """Raises NotAllowedError when ``actor`` may not change this item of this tier now: the
    stage's window has closed (DeadlinePassedError, issue 15 §3), or the actor has no right."""
    cycles.ensure_stage_open(session, enrolment)
    _check_rights(session, actor, enrolment, tier, item_code)


def _check_rights(
    session: Session, actor: Actor, enrolment: Enrolment, tier: str, item_code: str
) -> None:
    tier_obj = tiers.by_code(cycles.cycle_tiers(enrolment.cycle), tier)
    sent_back = tier == TierCode.UNIT and reviews.is_sent_back(session, enrolment, item_code)
    reason = editing.edit_blocker(
        editing.EditRequest(
            stage=enrolment.stage,
            tier=tier_obj,
            roles=actor.roles,
            area=tiers.area_of(item_code),
            editable_areas=actor.areas,
            sent_back=sent_back,
            memberships=actor.memberships,
            unit_name=enrolment.unit.name,
        )
    )
    if reason:
        raise NotAllowedError(reason)


def _unit_answered(session: Session, enrolment: Enrolment, item_code: str) -> bool:
    unit = get_assessment(session, enrolment.id, TierCode.UNIT)
    if unit is None:
        return False
    row = session.scalars(
        select(Answer).where(Answer.assessment_id == unit.id, Answer.item_code == item_code)
    ).first()
    return row is not None and row.value is not None


def save_answer(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    tier: str,
    item_code: str,
    raw: Any,
    note: str,
    expected_version: int,
) -> Answer | None:
    """Set (or clear, when ``raw`` is blank) one answer of one tier.

    ``expected_version`` is the version the user edited (0 for a new answer): if someone saved
    in between, raises ConflictError and nothing is overwritten. Raises ValidationError for an
    answer the item does not allow, NotAllowedError outside the actor's rights.
    """
    framework = framework_for(enrolment)
    if not framework.has_item(item_code):
        raise ValidationError(_("Butir %(code)s tidak dikenal.", code=item_code))
    check_edit(session, actor, enrolment, tier, item_code)
    assessment = ensure_assessment(session, enrolment, tier)
    value = None if is_blank(raw) else to_stored(parse_answer(framework.item(item_code), raw))
    if value is None and (
        reason := editing.blank_blocker(
            tiers.by_code(cycles.cycle_tiers(enrolment.cycle), tier),
            item_code,
            _unit_answered(session, enrolment, item_code),
        )
    ):
        raise ValidationError(reason, code=item_code)
    note = (note or "").strip()
    if len(note) > 4000:
        raise ValidationError(_("Catatan paling panjang 4000 karakter."))
    row = answer_rows(session, [assessment.id])[assessment.id].get(item_code)
    current_version = row.version if row is not None else 0
    if current_version != expected_version:
        raise ConflictError(
            _(
                "Butir %(code)s baru saja diubah oleh pengguna lain. Muat ulang "
                "untuk melihat perubahannya; isian Anda belum disimpan.",
                code=item_code,
            )
        )
    old = (row.value, row.note) if row is not None else (None, "")
    if old == (value, note):
        return row
    if row is None:
        row = Answer(assessment_id=assessment.id, item_code=item_code)
        session.add(row)
    if value != old[0]:
        row.copied_from = None  # the tier's own value now; a new note alone leaves it a copy
    row.value, row.note, row.updated_by_id, row.updated_at = value, note, actor.id, utcnow()
    session.flush()
    recompute(session, enrolment, assessment)
    audit.record(
        session,
        actor=actor.user,
        tag="accreditation:answer:set",
        subject=row,
        unit_id=enrolment.unit_id,
        agency_id=enrolment.agency_id,
        data={
            "tier": tier,
            "item": item_code,
            "old": old[0],
            "new": value,
            "old_note": old[1],
            "note": note,
        },
    )
    return row


def import_answers(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    tier: str,
    raw_answers: Mapping[str, Any],
    source: str,
    notes: Mapping[str, str] | None = None,
    linked: Sequence[str] = (),
) -> list[str]:
    """Apply answers read from a worksheet or JSON file; returns the codes that changed.

    Validates everything first (one ValidationError listing every problem) and checks the
    actor may edit each item, so a bad file changes nothing. A blank answer in the file leaves
    the stored one as it is: an import never clears an answer, so it can never blank one the
    unit gave on a reviewing tier (D13). ``notes`` replace the items' notes on this tier (a
    blank one changes nothing); ``linked`` names the items the caller added evidence links to
    in the same import, for the one audit record.
    """
    framework = framework_for(enrolment)
    answers = parse_answers(framework, raw_answers)
    notes = {code: text.strip() for code, text in (notes or {}).items() if text.strip()}
    for code, text in notes.items():
        if not framework.has_item(code):
            raise ValidationError(_("Butir %(code)s tidak dikenal.", code=code))
        if len(text) > 4000:
            raise ValidationError(_("Catatan paling panjang 4000 karakter."), code=code)
    touched = sorted({*answers, *notes, *linked})
    if not touched:
        return []  # nothing to write: an import never creates a tier's LKE on its own (issue 13)
    cycles.ensure_stage_open(session, enrolment)  # once for the file (issue 15 §3)
    for code in touched:
        _check_rights(session, actor, enrolment, tier, code)
    assessment = ensure_assessment(session, enrolment, tier)
    rows = answer_rows(session, [assessment.id])[assessment.id]
    changed = []
    for code, answer in answers.items():
        value = to_stored(answer)
        row = rows.get(code)
        if row is not None and row.value == value:
            continue
        if row is None:
            row = rows[code] = Answer(assessment_id=assessment.id, item_code=code, note="")
            session.add(row)
        row.value, row.updated_by_id, row.updated_at = value, actor.id, utcnow()
        row.copied_from = None  # the tier's own value now (D8)
        changed.append(code)
    noted = []
    for code, text in notes.items():
        row = rows.get(code)
        if row is not None and row.note == text:
            continue
        if row is None:  # a note on an item the tier has not answered
            row = rows[code] = Answer(assessment_id=assessment.id, item_code=code, value=None)
            session.add(row)
        row.note, row.updated_by_id, row.updated_at = text, actor.id, utcnow()
        noted.append(code)
    session.flush()
    recompute(session, enrolment, assessment)
    audit.record(
        session,
        actor=actor.user,
        tag="accreditation:answers:import",
        subject=assessment,
        unit_id=enrolment.unit_id,
        agency_id=enrolment.agency_id,
        data={
            "tier": tier,
            "source": source,
            "changed": changed,
            "notes": noted,
            "links": list(linked),
        },
    )
    return changed


def total_of(assessment: Assessment | None) -> Decimal | None:
    return Decimal(assessment.score_total) if assessment and assessment.score_total else None
