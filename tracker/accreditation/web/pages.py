"""What the enrolment pages show, gathered in a bounded number of queries: the page models.

They sit in the web layer because they are presentation: each one is the shape of one
template (what a row shows, which buttons it offers), and only views use them. They read
through the services and the pure rules and decide nothing of their own.

The LKE page answers a coordinator's and a reviewer's questions at a glance: per area the
progress and score, per item the answer, the unit's answer beside a reviewer's, the review
state, the expected documents with their files and verdicts, and what blocks the next stage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from tracker import clock
from tracker.accreditation import (
    assessments,
    cycles,
    designations,
    duties,
    editing,
    reviews,
    surveys,
    tiers,
    transitions,
    workflow,
)
from tracker.accreditation.assessments import StoredAnswer, TierResult
from tracker.accreditation.context import Actor
from tracker.accreditation.designations import MonitoringStatus
from tracker.accreditation.guards import EvidenceGap, Fact
from tracker.accreditation.models import (
    Answer,
    Assessment,
    DecisionKind,
    Designation,
    Enrolment,
    ItemDecision,
)
from tracker.accreditation.surveys import SurveyState
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.web.insight import Insight, insight
from tracker.accreditation.workflow import Action, Deadline
from tracker.auth.roles import Role
from tracker.evidence import services as evidence
from tracker.evidence.models import DocumentCheck, EvidenceFile, EvidencePurpose
from tracker.lke import AnswerType, Framework, Item, ScoreReport, Verdict, describe_flag


@dataclass(frozen=True)
class DocumentRow:
    key: str
    title: str
    title_en: str
    required: bool
    files: Sequence[EvidenceFile]
    check: DocumentCheck | None

    @property
    def present(self) -> bool:
        return bool(self.files)


@dataclass(frozen=True)
class ItemRow:
    item: Item
    area: str
    answer: StoredAnswer | None  # this tier's
    value: Decimal | None
    flags: tuple[str, ...]
    unit_answer: StoredAnswer | None  # the unit's, shown beside a reviewer's own
    unit_value: Decimal | None
    decision: ItemDecision | None  # the current review state of the item
    decision_seq: int
    can_edit: bool
    can_upload: bool
    documents: Sequence[DocumentRow]
    loose_files: Sequence[EvidenceFile]  # uploads not tied to an expected document
    error: str | None = None  # why the answer does not count (D4), in words
    # Issue 14 §5: every decision, resubmission and document check, oldest first.
    conversation: Sequence[reviews.Remark] = ()

    @property
    def without_evidence(self) -> bool:
        """D16: answered (on this tier or by the unit) with no file and no link at all, flagged
        "tanpa bukti". An item nobody answered yet is a to-do, not an answer short of proof."""
        answered = any(
            a is not None and a.value is not None for a in (self.answer, self.unit_answer)
        )
        return answered and not self.loose_files and not any(d.present for d in self.documents)

    @property
    def sent_back(self) -> bool:
        return self.decision is not None and self.decision.kind is DecisionKind.REVISION

    @property
    def needs_attention(self) -> bool:
        """Unanswered, sent back, or short of a required document: the coordinator's to-do."""
        return self.value is None or self.sent_back or self.missing_required > 0

    @property
    def missing_required(self) -> int:
        return sum(1 for d in self.documents if d.required and not d.present)


@dataclass(frozen=True)
class AreaRow:
    key: str
    name: str
    name_en: str
    weight: Decimal
    score: Decimal
    ratio: Decimal
    answered: int
    total: int
    near: bool
    passes_floor: bool
    sent_back: int
    missing_documents: int
    without_evidence: int
    errors: int  # answers in error (D4)
    signed_off: bool
    approved: int  # items the deciding reviewer approved

    @property
    def can_sign_off(self) -> bool:
        return not self.signed_off and self.approved == self.total


@dataclass
class LkePage:
    enrolment: Enrolment
    tier: tiers.Tier
    tier_list: Sequence[tiers.Tier]
    report: ScoreReport
    verdict: Verdict
    areas: list[AreaRow]
    items: list[ItemRow]
    selected_area: str
    deciding_tier: tiers.Tier | None
    is_reviewer: bool
    todo_only: bool = False
    without_evidence_only: bool = False
    blockers: dict[Action, list[str]] = field(default_factory=dict)
    evidence_gaps: dict[Action, GapView] = field(default_factory=dict)
    titles: dict[str, tuple[str, str, Decimal]] = field(default_factory=dict)
    # D14: on the TPN tier, the survey items' own survey (source, respondents, report).
    surveys: dict[str, SurveyState] = field(default_factory=dict)
    # Issue 16 §1-§2: the gap plan towards the target and the consistency findings.
    insight: Insight | None = None


def lke_page(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    tier_code: str,
    area: str,
    todo_only: bool = False,
    without_evidence_only: bool = False,
    assessed: Mapping[str, Assessment] | None = None,
) -> LkePage:
    """The LKE page of ``tier_code`` (``assessed``: the enrolment's assessments by tier, when
    the caller has read them)."""
    framework = assessments.framework_for(enrolment)
    tier_list = cycles.cycle_tiers(enrolment.cycle)
    tier = tiers.by_code(tier_list, tier_code)
    by_tier = (
        assessed if assessed is not None else assessments.assessments_of(session, enrolment.id)
    )
    unit = TierCode.UNIT
    # Only the two tiers the page shows: this tier's answers and the unit's beside them.
    rows = assessments.answer_values(
        session, [by_tier[t].id for t in {tier_code, unit} if t in by_tier]
    )
    mine = rows.get(by_tier[tier_code].id, {}) if tier_code in by_tier else {}
    unit_rows = rows.get(by_tier[unit].id, {}) if unit in by_tier else {}
    has_wbk = assessments.has_wbk(session, enrolment)
    result = assessments.evaluate_rows(session, enrolment, tier_code, mine, has_active_wbk=has_wbk)
    unit_report = (
        result.report
        if tier_code == unit
        else assessments.evaluate_rows(
            session, enrolment, unit, unit_rows, has_active_wbk=has_wbk
        ).report
    )
    deciding = tiers.tier_for_stage(tier_list, enrolment.stage)
    record = reviews.review_record(session, enrolment.id)  # the standing word and the talk
    decisions = record.latest_decisions()
    files = _files_by_item(evidence.active_files(session, enrolment.id, [EvidencePurpose.ITEM]))
    checks = record.latest_checks(deciding.code) if deciding else {}
    signed = reviews.signed_areas(session, enrolment.id, deciding.code) if deciding else {}
    unit_tier = tiers.by_code(tier_list, unit)
    blocker = _blockers(actor, enrolment)
    item_rows = [
        _item_row(
            item,
            actor,
            enrolment,
            tier,
            unit_tier,
            deciding,
            blocker,
            mine,
            unit_rows,
            result.report,
            unit_report,
            decisions,
            files,
            checks,
        )
        for item in framework.items()
    ]
    areas = _areas(
        framework, result.report, result.verdicts[enrolment.target.value], item_rows, signed
    )
    selected = area if area in {a.key for a in areas} else areas[0].key
    present = [t for t in tier_list if t.code in by_tier]
    page = LkePage(
        enrolment,
        tier,
        present,
        result.report,
        result.verdicts[enrolment.target.value],
        areas,
        [
            r
            for r in item_rows
            if r.area == selected
            and (not todo_only or r.needs_attention)
            and (not without_evidence_only or r.without_evidence)
        ],
        selected,
        deciding,
        is_reviewer=bool(deciding and deciding.reviews and actor.roles & deciding.roles),
        todo_only=todo_only,
        without_evidence_only=without_evidence_only,
    )
    steps = next_steps(session, actor, enrolment)
    page.blockers, page.evidence_gaps = steps.blockers, steps.evidence_gaps
    page.items = _with_conversations(session, enrolment, page.items, record)
    page.titles = sub_area_titles(framework)
    page.insight = insight(
        session,
        enrolment,
        framework,
        tier_code,
        result.answers,
        result.report,
        has_active_wbk=has_wbk,
        documents={r.item.code: _present_documents(r) for r in item_rows},
    )
    if tier_code == TierCode.TPN:
        page.surveys = surveys.states(session, enrolment)
    return page


def _present_documents(row: ItemRow) -> set[str]:
    """The expected documents of an item with a file or link, "" for evidence tied to none."""
    present = {d.key for d in row.documents if d.present}
    return present | ({""} if row.loose_files else set())


def _with_conversations(
    session: Session, enrolment: Enrolment, rows: list[ItemRow], record: reviews.ReviewRecord
) -> list[ItemRow]:
    """The shown items with their review conversations (from the ``record`` already read)."""
    if not rows:
        return rows
    talks = reviews.conversations(session, enrolment, [r.item.code for r in rows], record)
    return [replace(r, conversation=talks.get(r.item.code, ())) for r in rows]


def _files_by_item(files: Sequence[EvidenceFile]) -> dict[str, list[EvidenceFile]]:
    grouped: dict[str, list[EvidenceFile]] = defaultdict(list)
    for f in files:
        grouped[f.item_code or ""].append(f)
    return grouped


def _blockers(actor: Actor, enrolment: Enrolment) -> Callable[[tiers.Tier, str, bool], str | None]:
    """``editing.edit_blocker`` for the actor on this enrolment, by (tier, area, sent back):
    asked twice for each of ~110 items, it has about a dozen answers, each worked out (and its
    message translated) once."""

    @cache
    def blocker(tier: tiers.Tier, area: str, sent_back: bool) -> str | None:
        return editing.edit_blocker(
            editing.EditRequest(
                stage=enrolment.stage,
                tier=tier,
                roles=actor.roles,
                area=area,
                editable_areas=actor.areas,
                sent_back=sent_back,
                memberships=actor.memberships,
                unit_name=enrolment.unit.name,
            )
        )

    return blocker


def _item_row(
    item: Item,
    actor: Actor,
    enrolment: Enrolment,
    tier: tiers.Tier,
    unit_tier: tiers.Tier,
    deciding: tiers.Tier | None,
    blocker: Callable[[tiers.Tier, str, bool], str | None],
    mine: Mapping[str, StoredAnswer],
    unit_rows: Mapping[str, StoredAnswer],
    report: ScoreReport,
    unit_report: ScoreReport,
    decisions: Mapping[tuple[str, str], ItemDecision],
    files: Mapping[str, list[EvidenceFile]],
    checks: Mapping[tuple[str, str], DocumentCheck],
) -> ItemRow:
    area = tiers.area_of(item.code)
    decision = _current_decision(decisions, item.code, deciding)
    sent_back = decision is not None and decision.kind is DecisionKind.REVISION
    item_files = files.get(item.code, [])
    docs = [
        DocumentRow(
            d.key,
            d.title,
            d.title_en,
            d.required,
            [f for f in item_files if f.document_key == d.key],
            checks.get((item.code, d.key)),
        )
        for d in item.documents
    ]
    known = {d.key for d in item.documents}
    error = report.items[item.code].error
    return ItemRow(
        item=item,
        area=area,
        answer=mine.get(item.code),
        value=report.items[item.code].value,
        flags=tuple(f.value for f in report.items[item.code].flags),
        unit_answer=unit_rows.get(item.code),
        unit_value=unit_report.items[item.code].value,
        decision=decision,
        decision_seq=decision.seq if decision else 0,
        can_edit=blocker(tier, area, sent_back) is None,
        can_upload=editing.can_upload(enrolment.stage, unit_tier, sent_back, actor.roles)
        and blocker(unit_tier, area, sent_back) is None,
        documents=docs,
        loose_files=[f for f in item_files if f.document_key not in known],
        error=describe_flag(item.code, error) if error else None,
    )


def _current_decision(
    decisions: Mapping[tuple[str, str], ItemDecision], code: str, deciding: tiers.Tier | None
) -> ItemDecision | None:
    """The deciding tier's latest word; outside review, the most recent of any tier."""
    if deciding is not None and deciding.reviews:
        return decisions.get((deciding.code, code))
    mine = [d for (t, c), d in decisions.items() if c == code]
    return max(mine, key=lambda d: (d.at, d.id)) if mine else None


def _areas(
    framework: Framework,
    report: ScoreReport,
    verdict: Verdict,
    rows: list[ItemRow],
    signed: Mapping[str, Any],
) -> list[AreaRow]:
    floors = {
        r.metric.partition(":")[2]: r for r in verdict.rules if r.metric.startswith("area_ratio")
    }
    out = []
    for number, area in report.areas.items():
        rule = floors.get(number)
        out.append(_area_row(number, area.name, area.name_en, area.total, rule, rows, signed))
    hasil = report.hasil
    out.append(_area_row("B", "Hasil", "Results", hasil, None, rows, signed))
    return out


def _area_row(
    key: str, name: str, name_en: str, group, rule, rows: list[ItemRow], signed: Mapping[str, Any]
) -> AreaRow:
    mine = [r for r in rows if r.area == key]
    return AreaRow(
        key=key,
        name=name,
        name_en=name_en,
        weight=group.weight,
        score=group.score,
        ratio=group.ratio,
        answered=sum(1 for r in mine if r.value is not None),
        total=len(mine),
        near=bool(rule and rule.near_threshold),
        passes_floor=rule.passed if rule else True,
        sent_back=sum(1 for r in mine if r.sent_back),
        missing_documents=sum(r.missing_required for r in mine),
        without_evidence=sum(1 for r in mine if r.without_evidence),
        errors=sum(1 for r in mine if r.error),
        signed_off=key in signed,
        approved=sum(1 for r in mine if r.decision and r.decision.kind is DecisionKind.APPROVED),
    )


def working_group_areas(actor: Actor) -> tuple[int, ...]:
    """The areas of a working-group member who is not also the unit's coordinator (their LKE
    opens on the first of them), or () for everyone else."""
    roles = actor.roles | actor.memberships
    if Role.ANGGOTA_POKJA not in roles or Role.KOORDINATOR in roles:
        return ()
    return tuple(sorted(actor.areas))


def default_tier(enrolment: Enrolment, actor: Actor) -> str:
    """The tier the LKE page opens on: the deciding tier for its own members, else the unit's."""
    deciding = tiers.tier_for_stage(cycles.cycle_tiers(enrolment.cycle), enrolment.stage)
    if deciding is not None and actor.roles & deciding.roles:
        return deciding.code
    return TierCode.UNIT


@dataclass(frozen=True)
class GapView:
    """D16, as a hand-off form lists it: the answered items without any evidence, and the
    required documents missing on the others (item code, title, English title)."""

    items: Sequence[str]
    documents: Sequence[tuple[str, str, str]]


@dataclass(frozen=True)
class NextSteps:
    blockers: dict[Action, list[str]]  # every action the actor could take: what stands in its way
    evidence_gaps: dict[Action, GapView]  # hand-offs whose answers lack evidence (D16)


def next_steps(session: Session, actor: Actor, enrolment: Enrolment) -> NextSteps:
    """For every action the actor could take from this stage: what still stands in the way,
    and for a hand-off, what it would pass on without evidence (asked to confirm, D16)."""
    with assessments.shared_reads(session):  # the actions' guards read the same tiers
        return _next_steps(session, actor, enrolment)


def _next_steps(session: Session, actor: Actor, enrolment: Enrolment) -> NextSteps:
    blockers: dict[Action, list[str]] = {}
    gaps: dict[Action, GapView] = {}
    for action in workflow.available_actions(enrolment.stage):
        if not actor.roles & workflow.ALLOWED_ROLES[action]:
            continue
        if action is Action.SUBMIT_PRELIMINARY and not enrolment.needs_preliminary:
            continue
        if action is Action.SUBMIT_TPI and enrolment.needs_preliminary:
            continue
        # Notes, decree details and the evidence confirmation are given when acting; they are
        # not blockers. The context still holds exactly the facts the action reads, so the
        # preview fails closed too.
        preview = transitions.Details(
            note="-",
            decree_number="-",
            decree_date=clock.today(),
            evidence_confirmed=True,
            portalrb_reference="-",
            deployment=actor.deployment,
        )
        ctx = transitions.context(session, enrolment, action, preview, clock.today())
        conflict = duties.action_conflict(action, actor.memberships, enrolment.unit.name)
        blockers[action] = [conflict] if conflict else workflow.blockers(action, ctx)
        if Fact.EVIDENCE_GAP in ctx.given and (gap := ctx.evidence_gap):
            gaps[action] = _gap_view(assessments.framework_for(enrolment), gap)
    return NextSteps(blockers, gaps)


def _gap_view(framework: Framework, gap: EvidenceGap) -> GapView:
    documents = []
    for code, key in gap.documents:
        doc = next(d for d in framework.item(code).documents if d.key == key)
        documents.append((code, doc.title, doc.title_en))
    return GapView(gap.items, documents)


def sub_area_titles(framework: Framework) -> dict[str, tuple[str, str, Decimal]]:
    """Sub-area code -> (name, English name, weight), for headings in the item list."""
    out: dict[str, tuple[str, str, Decimal]] = {}
    for _part, area in framework.areas():
        for sub in area.sub_areas:
            out[sub.code] = (sub.name, sub.name_en, sub.weight)
            for child in sub.children:
                out[child.code] = (child.name, child.name_en, child.weight)
    return out


def is_choice(item: Item) -> bool:
    return item.answer_type not in (AnswerType.PERCENT, AnswerType.SURVEY_INDEX)


@dataclass(frozen=True)
class EnrolmentPage:
    """The enrolment overview: each tier's result, what blocks each next step, the
    deadlines after extensions, and the designation with its monitoring status."""

    tiers: Sequence[tiers.Tier]
    results: dict[str, TierResult | None]
    blockers: dict[Action, list[str]]
    evidence_gaps: dict[Action, GapView]
    deadlines: dict[Deadline, date | None]
    designation: Designation | None
    monitoring: MonitoringStatus | None


def enrolment_page(session: Session, actor: Actor, enrolment: Enrolment) -> EnrolmentPage:
    designation = designations.designation_or_none(session, enrolment)
    steps = next_steps(session, actor, enrolment)
    return EnrolmentPage(
        tiers=cycles.cycle_tiers(enrolment.cycle),
        results={
            t: assessments.result_of(session, enrolment, t)
            for t in assessments.assessments_of(session, enrolment.id)
        },
        blockers=steps.blockers,
        evidence_gaps=steps.evidence_gaps,
        deadlines=cycles.effective_deadlines(session, enrolment.cycle, enrolment.agency_id),
        designation=designation,
        monitoring=designations.monitoring_status(session, designation, clock.today())
        if designation
        else None,
    )


@dataclass(frozen=True)
class CompareFilters:
    """The comparison's query-string filters (issue 14 §5), combinable."""

    differs: bool = False  # only items whose value differs between the tiers
    sent_back: bool = False  # only items sent back at any point, by any tier
    area: str = ""  # one area's items ("" for all)

    def keeps(self, row: CompareRow, *, by_area: bool = True) -> bool:
        return (
            (not self.differs or row.differs)
            and (not self.sent_back or row.ever_sent_back)
            and (not by_area or not self.area or row.area == self.area)
        )


@dataclass(frozen=True)
class CompareRow:
    item: Item
    area: str
    differs: bool
    ever_sent_back: bool
    decisions: Sequence[ItemDecision]  # each tier's latest word on the item


@dataclass(frozen=True)
class ComparePage:
    """Every tier that has answers, side by side: scores, answers and review decisions, with
    the items the filters keep and how many each area would show."""

    framework: Framework
    tiers: list[tiers.Tier]
    results: dict[str, TierResult | None]
    answers: dict[str, dict[str, Answer]]
    decisions: dict[tuple[str, str], ItemDecision]
    filters: CompareFilters = CompareFilters()
    rows: Sequence[CompareRow] = ()  # the items the filters keep
    total: int = 0  # every item of the framework
    areas: Sequence[tuple[str, str, str, int]] = ()  # key, name, English name, items kept
    tier_labels: dict[str, tuple[str, str]] = field(default_factory=dict)


def compare_page(
    session: Session, enrolment: Enrolment, filters: CompareFilters = CompareFilters()
) -> ComparePage:
    by_tier = assessments.assessments_of(session, enrolment.id)
    cycle_tiers = cycles.cycle_tiers(enrolment.cycle)
    present = [t for t in cycle_tiers if t.code in by_tier]
    rows = assessments.answer_rows(session, [a.id for a in by_tier.values()])
    framework = assessments.framework_for(enrolment)
    results = {t.code: assessments.result_of(session, enrolment, t.code) for t in present}
    decisions = reviews.latest_decisions(session, enrolment.id)
    all_rows = _compare_rows(
        framework, present, results, decisions, reviews.ever_sent_back(session, enrolment.id)
    )
    first = results[present[0].code] if present else None
    return ComparePage(
        framework=framework,
        tiers=present,
        results=results,
        answers={code: rows[a.id] for code, a in by_tier.items()},
        decisions=decisions,
        filters=filters,
        rows=[r for r in all_rows if filters.keeps(r)],
        total=len(all_rows),
        areas=_area_counts(first.report if first else None, all_rows, filters),
        tier_labels={t.code: (t.label, t.label_en) for t in cycle_tiers},
    )


def _compare_rows(
    framework: Framework,
    present: Sequence[tiers.Tier],
    results: Mapping[str, TierResult | None],
    decisions: Mapping[tuple[str, str], ItemDecision],
    sent_back: set[str],
) -> list[CompareRow]:
    by_item: dict[str, list[ItemDecision]] = defaultdict(list)
    for (_tier, code), d in decisions.items():
        by_item[code].append(d)
    out = []
    for item in framework.items():
        values = {r.report.items[item.code].value for r in (results[t.code] for t in present) if r}
        out.append(
            CompareRow(
                item,
                tiers.area_of(item.code),
                len(values) > 1,
                item.code in sent_back,
                sorted(by_item.get(item.code, []), key=lambda d: (d.at, d.id)),
            )
        )
    return out


def _area_counts(
    report: ScoreReport | None, rows: Sequence[CompareRow], filters: CompareFilters
) -> list[tuple[str, str, str, int]]:
    """Each area as the LKE page's tabs key it ("1".."6", then "B" for the results), with how
    many of its items the other filters keep."""
    named = [(k, a.name, a.name_en) for k, a in report.areas.items()] if report else []
    kept = [r.area for r in rows if filters.keeps(r, by_area=False)]
    return [(k, n, n_en, kept.count(k)) for k, n, n_en in [*named, ("B", "Hasil", "Results")]]
