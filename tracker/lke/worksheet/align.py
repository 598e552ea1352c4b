"""Matching the rows of an agency's copy to the slots of the official layout.

Agencies shift rows, insert and duplicate them and mistype markers, so rows are never matched
by number: each row/slot pair gets a score from question text similarity plus marker and
answer-type bonuses, and the order-preserving alignment with the largest total score wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from tracker.lke.answers import is_blank
from tracker.lke.worksheet.layout import Slot, norm

MATCH_THRESHOLD = 0.6  # minimum pair score (text similarity + marker/type bonuses) to align


@dataclass
class SheetRow:
    """One non-blank row of the sheet as read, before it is matched to a slot."""

    row: int
    marker: str
    text: str
    type_kind: str
    answer: Any  # the literal, or the cached result of a formula
    answer_formula: str | None
    value: Any  # the Nilai cell, likewise
    value_formula: str | None
    type_text: str = ""  # the "Pilihan Jawaban" cell as typed ("Ya" where "Ya/Tidak" belongs)

    @property
    def norm(self) -> str:
        return norm(self.text)


AMBIGUOUS = SheetRow(0, "", "", "", None, None, None, None)  # a slot two rows claim differently


@dataclass(frozen=True)
class Finding:
    """Something the alignment noticed; the reader words it as a worksheet issue."""

    kind: str
    row: int | None
    code: str | None
    params: Mapping[str, Any] = field(default_factory=dict)
    slot: int | None = None  # the slot a duplicate row repeats (its formulas may count it)


@dataclass
class Alignment:
    matched: dict[int, SheetRow]  # slot index -> its row, or AMBIGUOUS
    findings: list[Finding]


def align_rows(rows: list[SheetRow], slots: list[Slot]) -> Alignment:
    """Match rows to slots in order, maximising total similarity: rows may be shifted,
    inserted, duplicated or carry mistyped markers."""
    scores = _pair_scores(rows, slots)
    alignment = Alignment(_best_alignment(rows, scores, len(slots)), [])
    taken = {id(row) for row in alignment.matched.values()}
    for index, row in enumerate(rows):
        if id(row) not in taken:
            candidates = [(s, j) for (i, j), s in scores.items() if i == index]
            _leftover(alignment, slots, row, max(candidates)[1] if candidates else None)
    alignment.findings += type_findings(alignment.matched, slots)
    return alignment


def type_findings(matched: Mapping[int, SheetRow], slots: list[Slot]) -> list[Finding]:
    """Rows whose "Pilihan Jawaban" names another type than their item's, or names it in words
    the official Nilai formula does not recognise ("Ya" for "Ya/Tidak")."""
    findings = []
    for index, row in sorted(matched.items()):
        slot = slots[index]
        if row is AMBIGUOUS or not slot.type_label:
            continue
        if row.type_kind and row.type_kind != slot.type_kind:
            params = {"found": row.type_kind, "expected": slot.type_label}
            findings.append(Finding("answer_type_mismatch", row.row, slot.code, params))
        elif row.type_text and not official_label(row.type_text, slot.type_label):
            params = {"found": row.type_text, "expected": slot.type_label}
            findings.append(Finding("type_label_typo", row.row, slot.code, params))
    return findings


def official_label(typed: str, label: str) -> bool:
    """Whether Excel's ``J8="Ya/Tidak"`` test would accept ``typed``: case aside, the same
    text (the survey label's line break is the official sheet's own)."""
    return " ".join(typed.split()).casefold() == " ".join(label.split()).casefold()


def text_matches(found: str, expected: str) -> bool:
    """Whether a row's text is the slot's question, as the aligner would pair them."""
    found, expected = norm(found), norm(expected)
    if found == expected:
        return True
    matcher: SequenceMatcher[str] = SequenceMatcher(autojunk=False)
    matcher.set_seq2(expected)
    return _similarity(matcher, found, expected) >= MATCH_THRESHOLD


def _leftover(
    alignment: Alignment, slots: list[Slot], row: SheetRow, slot_index: int | None
) -> None:
    """An unaligned row: a duplicate, an out-of-order row we can still use, or unmatched."""
    findings, matched = alignment.findings, alignment.matched
    if slot_index is None:
        if row.marker or row.type_kind or not is_blank(row.answer):
            text = row.text or row.marker or row.answer
            findings.append(Finding("unmatched_row", row.row, None, {"text": text}))
        return
    code, other = slots[slot_index].code, matched.get(slot_index)
    if other is None:
        matched[slot_index] = row
        findings.append(Finding("moved_row", row.row, code))
    elif other is AMBIGUOUS or not _same(row.answer, other.answer):
        matched[slot_index] = AMBIGUOUS
        findings.append(Finding("ambiguous_row", row.row, code, {"other": other.row}))
    else:
        params = {"other": other.row}
        findings.append(Finding("duplicate_row", row.row, code, params, slot_index))


def _same(first: Any, second: Any) -> bool:
    return str(first).strip().casefold() == str(second).strip().casefold()


# --- pair scores ------------------------------------------------------------------------------


def _pair_scores(rows: list[SheetRow], slots: list[Slot]) -> dict[tuple[int, int], float]:
    """Pair scores at or above the threshold. A row whose text equals a slot's text (the usual
    case in a copy of the official sheet) is paired with those slots only; the others are
    compared by similarity with every slot."""
    slot_norms = [norm(slot.text) for slot in slots]
    exact: dict[str, list[int]] = {}
    for j, text in enumerate(slot_norms):
        exact.setdefault(text, []).append(j)
    scores: dict[tuple[int, int], float] = {}
    norms = [row.norm for row in rows]
    for i, row in enumerate(rows):
        for j in exact.get(norms[i], []) if norms[i] else []:
            _keep(scores, i, j, 1.0, row, slots[j])
    # "TOTAL PENGUNGKIT" repeats a component's name but is a subtotal line, not the component.
    fuzzy = [i for i, text in enumerate(norms) if text not in exact and not _subtotal(text)]
    grams = {i: _trigrams(norms[i]) for i in fuzzy}
    matcher: SequenceMatcher[str] = SequenceMatcher(autojunk=False)
    for j, slot_norm in enumerate(slot_norms):
        matcher.set_seq2(slot_norm)  # SequenceMatcher caches its analysis of seq2
        slot_grams = _trigrams(slot_norm)
        for i in fuzzy:
            # A cheap trigram-overlap filter first (typo-tolerant): difflib is the slow part.
            overlap = 3 * len(grams[i] & slot_grams) >= len(grams[i] | slot_grams)
            if not overlap and not _contained(norms[i], slot_norm):
                continue
            if similarity := _similarity(matcher, norms[i], slot_norm):
                _keep(scores, i, j, similarity, rows[i], slots[j])
    return scores


def _subtotal(text: str) -> bool:
    return text.startswith("total ")


def _trigrams(text: str) -> set[str]:
    padded = f" {text} "
    return {padded[k : k + 3] for k in range(len(padded) - 2)}


def _keep(
    scores: dict[tuple[int, int], float],
    i: int,
    j: int,
    similarity: float,
    row: SheetRow,
    slot: Slot,
) -> None:
    pair = similarity + _marker_bonus(row.marker, slot.marker)
    pair += _type_bonus(row.type_kind, slot.type_kind)
    if pair >= MATCH_THRESHOLD:
        scores[(i, j)] = pair


def _similarity(matcher: SequenceMatcher[str], text: str, slot_text: str) -> float:
    if not text or not slot_text:
        return 0.0
    short, long = sorted((text, slot_text), key=len)
    if len(short) >= 25 and short in long:  # a truncated copy of the official wording
        return 0.9 + 0.1 * len(short) / len(long)
    if _contained(text, slot_text):
        short, long = sorted((_core(text), _core(slot_text)), key=len)
        return 0.9 + 0.1 * len(short) / len(long)
    if len(short) < 0.4 * len(long):
        return 0.0
    matcher.set_seq1(text)
    if matcher.real_quick_ratio() < 0.45 or matcher.quick_ratio() < 0.45:
        return 0.0
    return matcher.ratio()


def _contained(text: str, slot_text: str) -> bool:
    """A shortened count label: "- Kepala satuan kerja" for "Jumlah Kepala satuan kerja yang
    harus melaporkan" (the regulation's own sheet words them so)."""
    short, long = sorted((_core(text), _core(slot_text)), key=len)
    return len(short) >= 15 and f" {short} " in f" {long} "


def _core(text: str) -> str:
    return text.removeprefix("jumlah ")


def _marker_bonus(found: str, expected: str) -> float:
    if not found or not expected:
        return 0.0
    if found == expected:
        return 0.1
    return 0.02 if _marker_kind(found) == _marker_kind(expected) else -0.05


def _marker_kind(marker: str) -> str:
    if marker == "-" or marker.isdigit():
        return marker if marker == "-" else "digit"
    if re.fullmatch(r"[IVX]+", marker):
        return "upper_roman"
    if re.fullmatch(r"[iv]+", marker):
        return "lower_roman"
    return "upper_letter" if marker.isupper() else "lower_letter"


def _type_bonus(found: str, expected: str) -> float:
    if found == expected:
        return 0.1 if found else 0.0
    return -0.05 if not (found and expected) else -0.1


# --- the alignment ----------------------------------------------------------------------------


def _best_alignment(
    rows: list[SheetRow], scores: dict[tuple[int, int], float], width: int
) -> dict[int, SheetRow]:
    """Order-preserving alignment of rows to ``width`` slots with the largest total pair score
    (a weighted longest common subsequence). Returns {slot index: row}."""
    best = [[0.0] * (width + 1) for _ in range(len(rows) + 1)]
    for i in range(1, len(rows) + 1):
        above, current = best[i - 1], best[i]
        for j in range(1, width + 1):
            pair = scores.get((i - 1, j - 1))
            diagonal = above[j - 1] + pair if pair is not None else -1.0
            current[j] = max(above[j], current[j - 1], diagonal)
    matched: dict[int, SheetRow] = {}
    i, j = len(rows), width
    while i and j:
        pair = scores.get((i - 1, j - 1))
        if pair is not None and best[i][j] == best[i - 1][j - 1] + pair:
            matched[j - 1], i, j = rows[i - 1], i - 1, j - 1
        elif best[i - 1][j] >= best[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return matched
