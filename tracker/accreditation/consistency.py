"""Consistency checks across the LKE answers and the proposal prerequisites (issue 16 §2). Pure.

``check`` looks for answers that cannot all be true together and says so in words, each finding
naming the items (and the prerequisite) it is about, so each page can show it where the person
works: on the item, on the prerequisites page, and in a list on the LKE summary. Nothing here
blocks anything; these are warnings for the one filling in and for the reviewer.

The checks:

* ``lhkpn`` — the LHKPN/LHKASN filing percentage recorded as a prerequisite (Tabel 5) against
  the counts of the two LKE items (filed / obliged, both items together);
* ``performance`` — "capaian kinerja lebih baik" (B.I.b: A-C say every main target was met,
  D that some were not) against the performance-target counts (A.II.4.i.a);
* ``repeated`` — a count the framework says repeats another item's (``same_as``) but differs;
* ``over_total`` — a part larger than its whole (more filed than obliged, more done than
  targeted): the engine clamps it to 100 %, but the counts cannot both be right;
* ``zero_denominator`` — D4's zero denominators, an error or a "nothing required" to confirm;
* ``evidence`` — the best answer (A, Ya) while the item's required documents are missing.

The items the first two checks read are named below by their lke-2021 codes; a framework
without them simply skips those checks.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tracker.i18n import _, in_english
from tracker.lke.answers import AnswerValue, ChoiceAnswer, CountAnswer
from tracker.lke.framework import AnswerType, FormulaKind, Framework, Item
from tracker.lke.numbers import show_decimal
from tracker.lke.report import describe_flag
from tracker.lke.scoring import ERRORS, Flag, ScoreReport

HUNDRED = Decimal(100)
# The prerequisite and the two LKE items that count the same asset declarations (A.II.5.iii).
LHKPN_PREREQUISITE = "unit.lhkpn"
LHKPN_ITEMS = ("A.II.5.iii.a.1", "A.II.5.iii.b.1")
# Half a percentage point: a recorded figure rounded to whole percent still agrees.
LHKPN_TOLERANCE = Decimal("0.5")
# "Capaian kinerja lebih baik" and the item counting the performance targets achieved.
PERFORMANCE_ITEM = "B.I.b"
TARGETS_ITEM = "A.II.4.i.a"
ALL_TARGETS_MET = frozenset({"A", "B", "C"})  # each option says every main target was met
SOME_TARGETS_MISSED = frozenset({"D"})  # "masih terdapat target kinerja utama yang tidak tercapai"


@dataclass(frozen=True)
class Finding:
    kind: str  # lhkpn | performance | repeated | over_total | zero_denominator | evidence
    items: tuple[str, ...]  # the LKE items it is about, worksheet order
    message: str  # in the reader's language
    prerequisite: str | None = None  # the prerequisite's code, when one is involved


def check(
    framework: Framework,
    answers: Mapping[str, AnswerValue],
    report: ScoreReport,
    *,
    prerequisites: Mapping[str, str] | None = None,
    documents: Mapping[str, Collection[str]] | None = None,
) -> list[Finding]:
    """Every finding on one tier's ``answers`` (scored in ``report``).

    ``prerequisites``: the recorded prerequisite values by code (None: not checked).
    ``documents``: per item code the keys of its expected documents that have a file or link,
    with "" for evidence not tied to one (None: the evidence check is left out).
    """
    found: list[Finding] = []
    if prerequisites is not None:
        found += _lhkpn(framework, answers, prerequisites)
    found += _performance(framework, answers)
    found += _repeated(framework, answers)
    found += _over_total(framework, answers)
    found += _zero_denominators(report)
    if documents is not None:
        found += _evidence(framework, answers, documents)
    return found


def by_item(findings: list[Finding]) -> dict[str, list[Finding]]:
    """The findings of each item code (a finding about two items is listed under both)."""
    out: dict[str, list[Finding]] = {}
    for finding in findings:
        for code in finding.items:
            out.setdefault(code, []).append(finding)
    return out


def lhkpn_percent(
    framework: Framework, answers: Mapping[str, AnswerValue]
) -> tuple[Decimal, int] | None:
    """Filed / obliged over both LHKPN/LHKASN items, in percent (capped at 100), and the number
    obliged; None unless both items are answered with counts and someone is obliged."""
    filed = obliged = 0
    for code in LHKPN_ITEMS:
        answer = answers.get(code)
        if not framework.has_item(code) or not isinstance(answer, CountAnswer):
            return None
        item = framework.item(code)
        counts = _counts(item, answer)
        if item.formula is None:
            return None
        filed += sum(counts[k] for k in item.formula.numerator)
        obliged += sum(counts[k] for k in item.formula.denominator)
    if obliged == 0:
        return None
    return min(Decimal(filed) / Decimal(obliged) * HUNDRED, HUNDRED), obliged


def _lhkpn(
    framework: Framework, answers: Mapping[str, AnswerValue], prerequisites: Mapping[str, str]
) -> list[Finding]:
    recorded = _decimal(prerequisites.get(LHKPN_PREREQUISITE))
    computed = lhkpn_percent(framework, answers)
    if recorded is None or computed is None:
        return []
    percent, _obliged = computed
    if abs(recorded - percent) <= LHKPN_TOLERANCE:
        return []
    message = _(
        "Persyaratan LHKPN/LHKASN tercatat %(recorded)s %%, tetapi jumlah pada butir %(items)s "
        "memberi %(computed)s %%. Samakan keduanya.",
        recorded=_number(recorded),
        items=" & ".join(LHKPN_ITEMS),
        computed=_number(percent),
    )
    return [Finding("lhkpn", LHKPN_ITEMS, message, LHKPN_PREREQUISITE)]


def _performance(framework: Framework, answers: Mapping[str, AnswerValue]) -> list[Finding]:
    choice, counts = answers.get(PERFORMANCE_ITEM), answers.get(TARGETS_ITEM)
    if not isinstance(choice, ChoiceAnswer) or not isinstance(counts, CountAnswer):
        return []
    item = framework.item(TARGETS_ITEM)
    if item.formula is None:
        return []
    values = _counts(item, counts)
    achieved = sum(values[k] for k in item.formula.numerator)
    targets = sum(values[k] for k in item.formula.denominator)
    if targets == 0:
        return []  # the zero denominator is its own finding
    codes = (TARGETS_ITEM, PERFORMANCE_ITEM)
    if choice.key in ALL_TARGETS_MET and achieved < targets:
        message = _(
            "Butir %(perf)s dijawab %(key)s (semua target kinerja utama tercapai), tetapi butir "
            "%(targets)s mencatat hanya %(achieved)s dari %(total)s sasaran tercapai.",
            perf=PERFORMANCE_ITEM,
            key=choice.key,
            targets=TARGETS_ITEM,
            achieved=achieved,
            total=targets,
        )
        return [Finding("performance", codes, message)]
    if choice.key in SOME_TARGETS_MISSED and achieved >= targets:
        message = _(
            "Butir %(perf)s dijawab %(key)s (ada target yang tidak tercapai), tetapi butir "
            "%(targets)s mencatat semua %(total)s sasaran tercapai.",
            perf=PERFORMANCE_ITEM,
            key=choice.key,
            targets=TARGETS_ITEM,
            total=targets,
        )
        return [Finding("performance", codes, message)]
    return []


def _repeated(framework: Framework, answers: Mapping[str, AnswerValue]) -> list[Finding]:
    found = []
    for item in framework.items():
        own = answers.get(item.code)
        if not isinstance(own, CountAnswer):
            continue
        for spec in item.inputs:
            other_code, _sep, other_key = (spec.same_as or "").partition("/")
            other = answers.get(other_code)
            if not other_code or not isinstance(other, CountAnswer):
                continue
            mine = _counts(item, own)[spec.key]
            theirs = _counts(framework.item(other_code), other).get(other_key)
            if theirs is None or mine == theirs:
                continue
            message = _(
                "%(label)s berbeda: %(mine)s pada butir %(code)s, %(theirs)s pada butir "
                "%(other)s. Angka ini harus sama.",
                label=_label(spec.label, spec.label_en),
                mine=mine,
                code=item.code,
                theirs=theirs,
                other=other_code,
            )
            found.append(Finding("repeated", (other_code, item.code), message))
    return found


def _over_total(framework: Framework, answers: Mapping[str, AnswerValue]) -> list[Finding]:
    found = []
    for item in framework.items():
        answer = answers.get(item.code)
        formula = item.formula
        if not isinstance(answer, CountAnswer) or formula is None:
            continue
        if formula.kind is FormulaKind.DECREASE:
            continue  # more violations this year than last is a real (bad) result, not a slip
        counts = _counts(item, answer)
        part = sum(counts[k] for k in formula.numerator)
        whole = sum(counts[k] for k in formula.denominator)
        if whole == 0 or part <= whole:
            continue
        labels = {i.key: _label(i.label, i.label_en) for i in item.inputs}
        message = _(
            "Butir %(code)s: %(part_label)s (%(part)s) lebih besar dari %(whole_label)s "
            "(%(whole)s); nilainya dibatasi 100 %%. Periksa kedua angka.",
            code=item.code,
            part_label=" + ".join(labels[k] for k in formula.numerator),
            part=part,
            whole_label=" + ".join(labels[k] for k in formula.denominator),
            whole=whole,
        )
        found.append(Finding("over_total", (item.code,), message))
    return found


def _zero_denominators(report: ScoreReport) -> list[Finding]:
    found = []
    for result in report.items.values():
        for flag in result.flags:
            if flag in ERRORS or flag is Flag.ZERO_DENOMINATOR_NOTHING_REQUIRED:
                message = describe_flag(result.code, flag)
                found.append(Finding("zero_denominator", (result.code,), message))
    return found


def _evidence(
    framework: Framework,
    answers: Mapping[str, AnswerValue],
    documents: Mapping[str, Collection[str]],
) -> list[Finding]:
    found = []
    for item in framework.items():
        answer = answers.get(item.code)
        if not isinstance(answer, ChoiceAnswer) or item.answer_type is AnswerType.PERCENT:
            continue
        if item.option(answer.key).multiplier != 1:
            continue
        present = documents.get(item.code, ())
        missing = [d for d in item.documents if d.required and d.key not in present]
        if not item.documents and not present:
            message = _(
                "Butir %(code)s dijawab %(key)s, tetapi belum ada bukti dukung sama sekali.",
                code=item.code,
                key=answer.key,
            )
        elif missing:
            message = _(
                "Butir %(code)s dijawab %(key)s, tetapi dokumen wajib belum ada: %(docs)s.",
                code=item.code,
                key=answer.key,
                docs="; ".join(_label(d.title, d.title_en) for d in missing),
            )
        else:
            continue
        found.append(Finding("evidence", (item.code,), message))
    return found


def _counts(item: Item, answer: CountAnswer) -> dict[str, int]:
    return dict(zip((i.key for i in item.inputs), answer.counts, strict=True))


def _label(label: str, label_en: str) -> str:
    return label_en if in_english() and label_en else label


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(str(text).replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _number(value: Decimal) -> str:
    return show_decimal(value, "en" if in_english() else "id")
