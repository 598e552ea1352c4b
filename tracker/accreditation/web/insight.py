"""What the LKE summary, the plan page and the prerequisites page show of issue 16 §1-§2: the gap
plan for the enrolment's target and the consistency findings, with where each item lives.

Presentation only: the plan is ``lke.planner``'s (through ``accreditation.planning``), the
findings ``accreditation.consistency``'s.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy.orm import Session

from tracker.accreditation import planning, tiers
from tracker.accreditation.consistency import Finding, by_item
from tracker.accreditation.models import Enrolment
from tracker.lke import AnswerValue, Framework, ScoreReport
from tracker.lke.planner import Plan


@dataclass(frozen=True)
class Insight:
    plan: Plan
    findings: list[Finding]
    by_item: dict[str, list[Finding]] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # item code -> its place on the LKE page

    @property
    def listed(self) -> list[Finding]:
        """The findings listed one by one; the evidence ones are many on an LKE still being
        filled, so lists name them together (``unevidenced``) and each item says its own."""
        return [f for f in self.findings if f.kind != "evidence"]

    @property
    def unevidenced(self) -> list[str]:
        """The items answered A/Ya without their required documents."""
        return [code for f in self.findings if f.kind == "evidence" for code in f.items]


def item_links(framework: Framework, enrolment: Enrolment, tier: str) -> dict[str, str]:
    """Each item's anchor on the tier's LKE page (its area tab): one URL built per area, not
    per item (a hundred ``url_for`` calls were a tenth of the LKE page)."""
    areas: dict[str, str] = {}
    out = {}
    for item in framework.items():
        area = tiers.area_of(item.code)
        if area not in areas:
            areas[area] = url_for(
                "accreditation.lke", enrolment_id=enrolment.id, tier=tier, area=area
            )
        out[item.code] = f"{areas[area]}#item-{item.code}"
    return out


def insight(
    session: Session,
    enrolment: Enrolment,
    framework: Framework,
    tier: str,
    answers: Mapping[str, AnswerValue],
    report: ScoreReport,
    *,
    has_active_wbk: bool,
    documents: Mapping[str, Collection[str]] | None,
    predicate: str | None = None,
) -> Insight:
    findings = planning.findings_of(
        framework,
        answers,
        report,
        prerequisites=planning.recorded_prerequisites(session, enrolment),
        documents=documents,
    )
    plan = planning.plan_of(
        framework,
        enrolment,
        answers,
        predicate or enrolment.target.value,
        has_active_wbk=has_active_wbk,
        scored=report,
    )
    return Insight(plan, findings, by_item(findings), item_links(framework, enrolment, tier))
