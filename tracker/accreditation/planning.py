"""The gap planner, the "what if" scoring and the consistency checks of one tier (issue 16 §1-§2).

The service gathers a tier's stored answers, the unit's active WBK, the cycle's D5 reading, the
recorded prerequisites and the item evidence, and asks the pure rules: ``lke.planner`` (the
plan, re-checked with the engine) and ``accreditation.consistency`` (the findings). Nothing here
writes: "what if" scores answers that are tried, never stored, and leaves no audit record.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tracker.accreditation import assessments, consistency, proposal
from tracker.accreditation.models import Enrolment
from tracker.accreditation.tiers import TierCode
from tracker.errors import NotFoundError, ValidationError
from tracker.evidence import services as evidence
from tracker.evidence.models import EvidencePurpose
from tracker.i18n import _
from tracker.lke import AnswerValue, Framework, ScoreReport, Verdict, parse_answer, score
from tracker.lke.answers import is_blank
from tracker.lke.planner import Plan, judge, plan
from tracker.lke.report import PREDICATES
from tracker.memo import KeyedMemo

# Issue 18 §3: the plan is a pure function of its inputs and about a third of the LKE page's own
# work; moving between the page's area tabs, or from the page to the plan page, asks for the same
# plan again. Kept by everything it reads, so a changed answer is a new key, never a stale plan.
_plans = KeyedMemo(256)


def check_predicate(predicate: str) -> str:
    """``predicate`` if it is one the planner knows. Raises NotFoundError."""
    if predicate not in PREDICATES:
        raise NotFoundError(_("Predikat %(code)s tidak dikenal", code=predicate))
    return predicate


def tier_answers(session: Session, enrolment: Enrolment, tier: str) -> dict[str, AnswerValue]:
    """The tier's stored answers as the engine reads them. Raises NotFoundError when the tier
    has no LKE for this enrolment."""
    values = assessments.tier_values(session, enrolment.id, tier)
    if values is None:
        raise NotFoundError(_("Lembar jawaban tingkat ini belum ada."))
    return assessments.parsed_values(assessments.framework_for(enrolment), values)


def plan_of(
    framework: Framework,
    enrolment: Enrolment,
    answers: Mapping[str, AnswerValue],
    predicate: str,
    *,
    has_active_wbk: bool,
    scored: ScoreReport | None = None,
) -> Plan:
    """The plan for answers already read (the LKE page has them at hand, and their report:
    ``scored``, which is the framework's score of ``answers`` and so adds nothing to the key)."""
    predicate = check_predicate(predicate)
    floor_mode = enrolment.cycle.area_floor_mode
    # The framework by identity, kept with the plan: while the memo holds it, no other object
    # can take its id.
    key = (id(framework), predicate, has_active_wbk, floor_mode, frozenset(answers.items()))
    kept: tuple[Framework, Plan] = _plans.get(
        key,
        lambda: (
            framework,
            plan(
                framework,
                answers,
                predicate,
                has_active_wbk=has_active_wbk,
                area_floor_mode=floor_mode,
                scored=scored,
            ),
        ),
    )
    return kept[1]


def tier_plan(session: Session, enrolment: Enrolment, tier: str, predicate: str) -> Plan:
    """The gap plan of one tier's stored answers for ``predicate``."""
    return plan_of(
        assessments.framework_for(enrolment),
        enrolment,
        tier_answers(session, enrolment, tier),
        predicate,
        has_active_wbk=assessments.has_wbk(session, enrolment),
    )


@dataclass(frozen=True)
class Trial:
    """Answers tried without saving: their score and verdicts, and the problems per item."""

    report: ScoreReport
    verdicts: tuple[Verdict, ...]
    problems: dict[str, list[str]]

    @property
    def eligible(self) -> bool:
        return all(v.eligible for v in self.verdicts)


def try_answers(
    session: Session,
    enrolment: Enrolment,
    tier: str,
    predicate: str,
    tried: Mapping[str, Any],
) -> Trial:
    """Score the tier's stored answers with ``tried`` (item code -> raw answer; blank: the
    item left unanswered) in their place. Writes nothing. An answer that does not parse is
    reported under its item and left as stored, so the rest still scores."""
    framework = assessments.framework_for(enrolment)
    answers = tier_answers(session, enrolment, tier)
    problems: dict[str, list[str]] = {}
    for code, raw in tried.items():
        if not framework.has_item(code):
            continue
        if is_blank(raw):
            answers.pop(code, None)
            continue
        try:
            answers[code] = parse_answer(framework.item(code), raw)
        except ValidationError as exc:
            problems.setdefault(code, []).append(exc.message)
    report, verdicts = judge(
        framework,
        answers,
        check_predicate(predicate),
        has_active_wbk=assessments.has_wbk(session, enrolment),
        area_floor_mode=enrolment.cycle.area_floor_mode,
    )
    return Trial(report, verdicts, problems)


def findings_of(
    framework: Framework,
    answers: Mapping[str, AnswerValue],
    report: ScoreReport,
    *,
    prerequisites: Mapping[str, str] | None,
    documents: Mapping[str, Collection[str]] | None,
) -> list[consistency.Finding]:
    return consistency.check(
        framework, answers, report, prerequisites=prerequisites, documents=documents
    )


def recorded_prerequisites(session: Session, enrolment: Enrolment) -> dict[str, str]:
    """The recorded prerequisite values by code (one query)."""
    return {code: row.value for code, row in proposal.recorded(session, enrolment).items()}


def unit_findings(session: Session, enrolment: Enrolment) -> list[consistency.Finding]:
    """The findings on the unit's own LKE with the prerequisites and its item evidence: what
    the prerequisites page shows."""
    framework = assessments.framework_for(enrolment)
    values = assessments.tier_values(session, enrolment.id, TierCode.UNIT) or {}
    answers = assessments.parsed_values(framework, values)
    documents: dict[str, set[str]] = {}
    for file in evidence.active_files(session, enrolment.id, [EvidencePurpose.ITEM]):
        documents.setdefault(file.item_code or "", set()).add(file.document_key or "")
    return findings_of(
        framework,
        answers,
        score(framework, answers),
        prerequisites=recorded_prerequisites(session, enrolment),
        documents=documents,
    )
