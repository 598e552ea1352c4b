"""The gap planner (issue 16 §1): what to improve to earn a predicate, checked by the engine. Pure.

``plan(framework, answers, predicate, ...)`` lists every rule the answers fail (WBBM's and, since
WBBM needs Menuju WBK first, WBK's too), then picks answer upgrades greedily: one *step* is one
option up (C -> B), a % item raised to 100 % or a survey index up by 0.10. Each step is ranked by
the points it gains by the LKE's own arithmetic (the item's sub-area weight / items in the
sub-area x the option step, D2-D3; a results item's own weight). Estimates only choose the
steps: every round applies them and asks the real engine (``scoring.score`` and
``eligibility.evaluate``), and keeps adding steps while a rule still fails. When no upgrade is
left and a rule still fails (an active WBK, a % item without counts or in error), the plan says
it cannot be closed and which rules remain. Near-threshold values (D6) are called out before
and after.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from tracker.lke.answers import AnswerValue, ChoiceAnswer, CountAnswer, IndexAnswer
from tracker.lke.eligibility import RuleResult, RuleUnit, Verdict, evaluate
from tracker.lke.framework import (
    AnswerType,
    FloorMode,
    FormulaKind,
    Framework,
    Item,
    SubArea,
)
from tracker.lke.scoring import ScoreReport, item_value, score

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
INDEX_STEP = Decimal("0.10")
# D9 / §3.1: Menuju WBBM is open only to a unit that holds Menuju WBK, so its plan must also
# meet every WBK rule (in lke-2021 each WBBM floor is at least the WBK one; another rule block
# need not be).
ALSO_NEEDS: Mapping[str, tuple[str, ...]] = {"WBBM": ("WBK",)}
# A bound on the steps of one plan: the LKE has about 110 choice items of at most 4 steps each.
MAX_STEPS = 2000


@dataclass(frozen=True)
class Place:
    """Where an item sits: what its points count towards."""

    component: str
    part: str
    part_kind: str
    area: str | None  # area number "1".."6"; None for a results item
    sub_area: str | None
    weight: Decimal  # points of the item at value 1 with every item of its sub-area answered


@dataclass(frozen=True)
class Step:
    code: str
    before: AnswerValue | None
    after: AnswerValue
    gain: Decimal  # estimated points of this one step


@dataclass(frozen=True)
class Suggestion:
    """The steps on one item taken together, as the plan shows them."""

    code: str
    kind: str  # "choice" | "percent" | "index"
    before: AnswerValue | None
    after: AnswerValue
    before_value: Decimal | None  # 0..1 (D2/D4) or, for "index", the survey index
    after_value: Decimal | None
    steps: int  # 0: a count kept equal to the one it repeats (``same_as``)
    gain: Decimal  # estimated points
    rules: tuple[str, ...]  # "<predicate>:<rule id>" of the failing rules it helps

    @property
    def per_step(self) -> Decimal:
        return self.gain / self.steps if self.steps else ZERO

    @property
    def before_key(self) -> str | None:
        return self.before.key if isinstance(self.before, ChoiceAnswer) else None

    @property
    def after_key(self) -> str | None:
        return self.after.key if isinstance(self.after, ChoiceAnswer) else None


@dataclass(frozen=True)
class Plan:
    predicate: str
    predicates: tuple[str, ...]  # every predicate whose rules the plan must meet
    before: tuple[Verdict, ...]  # the real engine on the answers as they are
    after: tuple[Verdict, ...]  # the real engine on the answers with the plan applied
    report_before: ScoreReport
    report_after: ScoreReport
    suggestions: tuple[Suggestion, ...]  # ranked by points gained per step
    answers: Mapping[str, AnswerValue]  # the answers with the plan applied
    # Items a still-failing rule counts that no upgrade can raise: unanswered % items and
    # survey indices (their counts must be filled in) and % items in error (D4).
    blocked: tuple[str, ...] = ()

    @property
    def failing(self) -> tuple[tuple[str, RuleResult], ...]:
        """(predicate, rule) for every rule the answers fail now, with its shortfall."""
        return _failed(self.before)

    @property
    def closes(self) -> bool:
        """Whether the plan, applied, passes every rule (the engine's word, not an estimate)."""
        return all(v.eligible for v in self.after)

    @property
    def already_met(self) -> bool:
        return all(v.eligible for v in self.before)

    @property
    def unreachable(self) -> tuple[tuple[str, RuleResult], ...]:
        """The rules still failing once the plan is applied: no answer upgrade closes them."""
        return _failed(self.after)

    @property
    def near_before(self) -> tuple[tuple[str, RuleResult], ...]:
        """D6: values within the near-threshold band now."""
        return _near(self.before)

    @property
    def near_after(self) -> tuple[tuple[str, RuleResult], ...]:
        """D6: values the plan would leave within the near-threshold band (a fragile pass)."""
        return _near(self.after)

    @property
    def steps(self) -> int:
        return sum(s.steps for s in self.suggestions)

    @property
    def gained(self) -> Decimal:
        """Points the plan adds to the total, by the engine."""
        return self.report_after.total.score - self.report_before.total.score


def predicates_for(predicate: str) -> tuple[str, ...]:
    """The predicates whose rules a plan for ``predicate`` must meet, the prerequisite first."""
    return (*ALSO_NEEDS.get(predicate, ()), predicate)


def judge(
    framework: Framework,
    answers: Mapping[str, AnswerValue],
    predicate: str,
    *,
    has_active_wbk: bool,
    area_floor_mode: FloorMode | str | None = None,
    scored: ScoreReport | None = None,
) -> tuple[ScoreReport, tuple[Verdict, ...]]:
    """The real engine: the score report (``scored``, when the caller has scored ``answers``)
    and the verdict of each predicate ``predicate`` needs."""
    report = scored if scored is not None else score(framework, answers)
    verdicts = tuple(
        evaluate(
            framework, report, p, has_active_wbk=has_active_wbk, area_floor_mode=area_floor_mode
        )
        for p in predicates_for(predicate)
    )
    return report, verdicts


def plan(
    framework: Framework,
    answers: Mapping[str, AnswerValue],
    predicate: str,
    *,
    has_active_wbk: bool,
    area_floor_mode: FloorMode | str | None = None,
    scored: ScoreReport | None = None,
) -> Plan:
    """The cheapest upgrades (greedy, by points per step) that make ``answers`` earn
    ``predicate``, re-checked with the engine (``scored``: the report of ``answers``, when the
    caller has it; the LKE page scored them already). Raises NotFoundError for an unknown
    predicate."""
    places = places_of(framework)
    current = dict(answers)
    report, verdicts = judge(
        framework,
        current,
        predicate,
        has_active_wbk=has_active_wbk,
        area_floor_mode=area_floor_mode,
        scored=scored,
    )
    report_before, before = report, verdicts
    taken: list[Step] = []
    twins: set[str] = set()
    helped: dict[str, set[str]] = {}
    rules = {f"{v.predicate}:{r.id}": r for v in verdicts for r in v.rules}
    candidates = _Candidates(framework, places, report, rules)
    while len(taken) < MAX_STEPS:
        need = {
            f"{p}:{r.id}": r.shortfall for p, r in _failed(verdicts) if r.unit is not RuleUnit.FLAG
        }
        if not need:
            break
        added = False
        heap = candidates.heap(current, need)
        while heap and any(short > 0 for short in need.values()) and len(taken) < MAX_STEPS:
            step, gains = candidates.pop(heap, current, need)
            if step is None:
                break
            current[step.code] = step.after
            changed = {step.code} | _sync_twins(framework, current, step.code)
            twins |= changed - {step.code}
            taken.append(step)
            for key, amount in gains.items():
                need[key] -= amount
                helped.setdefault(step.code, set()).add(key)
            for code in changed:
                candidates.push(heap, code, current, need)
            added = True
        if not added:
            break
        report, verdicts = judge(
            framework,
            current,
            predicate,
            has_active_wbk=has_active_wbk,
            area_floor_mode=area_floor_mode,
        )
    return Plan(
        predicate=predicate,
        predicates=predicates_for(predicate),
        before=before,
        after=verdicts,
        report_before=report_before,
        report_after=report,
        suggestions=_suggestions(framework, answers, current, taken, twins, helped),
        answers=current,
        blocked=_blocked(framework, places, report, current, _failed(verdicts)),
    )


def apply(
    framework: Framework, answers: Mapping[str, AnswerValue], suggestions: Sequence[Suggestion]
) -> dict[str, AnswerValue]:
    """``answers`` with every suggestion's answer in place."""
    out = dict(answers)
    for suggestion in suggestions:
        out[suggestion.code] = suggestion.after
    return out


def next_step(item: Item, answer: AnswerValue | None) -> tuple[AnswerValue, Decimal] | None:
    """The next better answer to ``item`` and the value it adds (0..1, or index/max for a
    survey), or None when there is none to offer: the best option already, a % item without
    counts or with a zero denominator (its counts must be corrected, not raised)."""
    if item.answer_type is AnswerType.PERCENT:
        return _next_counts(item, answer)
    if item.answer_type is AnswerType.SURVEY_INDEX:
        return _next_index(item, answer)
    now = item.option(answer.key).multiplier if isinstance(answer, ChoiceAnswer) else ZERO
    better = sorted((o for o in item.options if o.multiplier > now), key=lambda o: o.multiplier)
    if not better:
        return None
    return ChoiceAnswer(better[0].key), better[0].multiplier - now


def _next_counts(item: Item, answer: AnswerValue | None) -> tuple[AnswerValue, Decimal] | None:
    if not isinstance(answer, CountAnswer) or item.formula is None:
        return None
    value, _flags = item_value(item, answer)
    if value is None or value >= ONE:
        return None
    keys = [i.key for i in item.inputs]
    counts = list(answer.counts)
    formula = item.formula
    if formula.kind is FormulaKind.DECREASE:
        counts[keys.index(formula.current)] = 0  # type: ignore[arg-type]  # parser sets it
    else:
        target = formula.numerator[0]
        others = sum(counts[keys.index(k)] for k in formula.numerator[1:])
        wanted = sum(counts[keys.index(k)] for k in formula.denominator) - others
        counts[keys.index(target)] = max(wanted, 0)
    raised = CountAnswer(tuple(counts))
    new, _flags = item_value(item, raised)
    if new is None or new <= value:
        return None
    return raised, new - value


def _next_index(item: Item, answer: AnswerValue | None) -> tuple[AnswerValue, Decimal] | None:
    if not isinstance(answer, IndexAnswer):
        return None  # a survey's result is measured, not chosen: the unit must record it first
    top = item.index_max or Decimal(4)
    if answer.index >= top:
        return None
    floor = (answer.index / INDEX_STEP).to_integral_value(rounding=ROUND_FLOOR) * INDEX_STEP
    raised = min(top, floor + INDEX_STEP)
    return replace(answer, index=raised.quantize(Decimal("0.01"))), (raised - answer.index) / top


def places_of(framework: Framework) -> dict[str, Place]:
    """Each item's place and its points at value 1 (sub-area weight / items, or its weight)."""
    out: dict[str, Place] = {}
    for component in framework.components:
        for part in component.parts:
            for item in part.items:
                out[item.code] = Place(
                    component.code,
                    part.code,
                    part.kind.value,
                    None,
                    None,
                    item.weight or ZERO,
                )
            for area in part.areas:
                for sub in area.sub_areas:
                    for leaf in _leaves(sub):
                        for item in leaf.items:
                            out[item.code] = Place(
                                component.code,
                                part.code,
                                part.kind.value,
                                area.number,
                                leaf.code,
                                leaf.weight / len(leaf.items),
                            )
    return out


def _leaves(sub: SubArea) -> Iterator[SubArea]:
    if sub.items:
        yield sub
    for child in sub.children:
        yield from _leaves(child)


class _Candidates:
    """Each item's next step with what it adds to every rule, in a lazy max-heap keyed by
    (failing rules helped, points gained): the number helped only falls while shortfalls
    close, so a popped entry whose count still holds is the best step (lazy greedy)."""

    def __init__(
        self,
        framework: Framework,
        places: Mapping[str, Place],
        report: ScoreReport,
        rules: Mapping[str, RuleResult],
    ) -> None:
        self.framework, self.places, self.report, self.rules = framework, places, report, rules
        self.version: dict[str, int] = {}
        self.order = {item.code: n for n, item in enumerate(framework.items())}

    def _entry(
        self, code: str, current: Mapping[str, AnswerValue]
    ) -> tuple[Step, dict[str, Decimal]] | None:
        item = self.framework.item(code)
        found = next_step(item, current.get(code))
        if found is None:
            return None
        after, delta = found
        place = self.places[code]
        gain = place.weight * delta
        contributions = {
            key: amount
            for key, rule in self.rules.items()
            if rule.unit is not RuleUnit.FLAG
            and (amount := _contribution(rule, code, place, gain, self.report)) > 0
        }
        return Step(code, current.get(code), after, gain), contributions

    def heap(self, current: Mapping[str, AnswerValue], need: Mapping[str, Decimal]) -> list[Any]:
        heap: list[Any] = []
        for code in self.order:
            self.push(heap, code, current, need)
        return heap

    def push(
        self,
        heap: list[Any],
        code: str,
        current: Mapping[str, AnswerValue],
        need: Mapping[str, Decimal],
    ) -> None:
        self.version[code] = self.version.get(code, 0) + 1
        entry = self._entry(code, current)
        if entry is None:
            return
        count = _helped(entry[1], need)
        if count:
            rank = (-count, -entry[0].gain, self.order[code])
            heapq.heappush(heap, (rank, self.version[code], code, entry))

    def pop(
        self, heap: list[Any], current: Mapping[str, AnswerValue], need: Mapping[str, Decimal]
    ) -> tuple[Step | None, dict[str, Decimal]]:
        while heap:
            rank, version, code, (step, contributions) = heapq.heappop(heap)
            if version != self.version[code]:
                continue  # stale: the item changed since
            count = _helped(contributions, need)
            if count == -rank[0]:
                return step, {k: a for k, a in contributions.items() if need.get(k, ZERO) > 0}
            if count:
                heapq.heappush(
                    heap, ((-count, rank[1], rank[2]), version, code, (step, contributions))
                )
        return None, {}


def _helped(contributions: Mapping[str, Decimal], need: Mapping[str, Decimal]) -> int:
    return sum(1 for key in contributions if need.get(key, ZERO) > 0)


def _contribution(
    rule: RuleResult, code: str, place: Place, gain: Decimal, report: ScoreReport
) -> Decimal:
    """The estimated rise of ``rule``'s value (in its own unit) from ``gain`` points on ``code``."""
    kind, _sep, target = rule.metric.partition(":")
    if kind == "total":
        return gain
    if kind == "component":
        return gain if place.component == target else ZERO
    if kind == "part":
        return gain if place.part == target else ZERO
    if kind == "item":
        return gain if code == target else ZERO
    if kind == "area_ratio" and place.area == target:
        area = report.areas[target]
        half = rule.id.rpartition(".")[2] if "." in rule.id else None
        if half is not None and half in area.halves:
            if half != place.part_kind:
                return ZERO
            weight = area.halves[half].weight
        else:
            weight = area.total.weight
        return gain / weight * HUNDRED if weight else ZERO
    return ZERO


def _blocked(
    framework: Framework,
    places: Mapping[str, Place],
    report: ScoreReport,
    current: Mapping[str, AnswerValue],
    failing: Sequence[tuple[str, RuleResult]],
) -> tuple[str, ...]:
    out = []
    for item in framework.items():
        if report.items[item.code].value is not None or next_step(item, current.get(item.code)):
            continue
        place = places[item.code]
        if any(_contribution(r, item.code, place, ONE, report) > 0 for _p, r in failing):
            out.append(item.code)
    return tuple(out)


def _sync_twins(framework: Framework, current: dict[str, AnswerValue], code: str) -> set[str]:
    """Counts that repeat one of ``code``'s (``same_as``) follow it; the items changed."""
    changed: set[str] = set()
    source = current.get(code)
    if not isinstance(source, CountAnswer):
        return changed
    keys = [i.key for i in framework.item(code).inputs]
    for item in framework.items():
        answer = current.get(item.code)
        if not isinstance(answer, CountAnswer):
            continue
        counts = list(answer.counts)
        for index, spec in enumerate(item.inputs):
            twin_code, _sep, twin_key = (spec.same_as or "").partition("/")
            if twin_code == code and twin_key in keys:
                counts[index] = source.counts[keys.index(twin_key)]
        if tuple(counts) != answer.counts:
            current[item.code] = CountAnswer(tuple(counts))
            changed.add(item.code)
    return changed


def _suggestions(
    framework: Framework,
    answers: Mapping[str, AnswerValue],
    final: Mapping[str, AnswerValue],
    taken: Sequence[Step],
    twins: set[str],
    helped: Mapping[str, set[str]],
) -> tuple[Suggestion, ...]:
    steps: dict[str, list[Step]] = {}
    for step in taken:
        steps.setdefault(step.code, []).append(step)
    out = []
    for code in [*steps, *sorted(twins - set(steps))]:
        item = framework.item(code)
        mine = steps.get(code, [])
        out.append(
            Suggestion(
                code=code,
                kind=_kind(item),
                before=answers.get(code),
                after=final[code],
                before_value=_shown(item, answers.get(code)),
                after_value=_shown(item, final[code]),
                steps=len(mine),
                gain=sum((s.gain for s in mine), ZERO),
                rules=tuple(sorted(helped.get(code, ()))),
            )
        )
    out.sort(key=lambda s: (s.steps == 0, -s.per_step, -s.gain, _order(framework, s.code)))
    return tuple(out)


def _order(framework: Framework, code: str) -> int:
    return next(i for i, item in enumerate(framework.items()) if item.code == code)


def _kind(item: Item) -> str:
    if item.answer_type is AnswerType.PERCENT:
        return "percent"
    if item.answer_type is AnswerType.SURVEY_INDEX:
        return "index"
    return "choice"


def _shown(item: Item, answer: AnswerValue | None) -> Decimal | None:
    if answer is None:
        return None
    if isinstance(answer, IndexAnswer):
        return answer.index
    value, _flags = item_value(item, answer)
    return value


def _failed(verdicts: Sequence[Verdict]) -> tuple[tuple[str, RuleResult], ...]:
    return tuple((v.predicate, r) for v in verdicts for r in v.failed)


def _near(verdicts: Sequence[Verdict]) -> tuple[tuple[str, RuleResult], ...]:
    return tuple((v.predicate, r) for v in verdicts for r in v.rules if r.near_threshold)
