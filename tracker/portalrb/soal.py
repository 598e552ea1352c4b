"""PortalRB's questions (``soal_id``) against our LKE items, and the answers in PortalRB's shape.
Pure: plain values in, plain values out.

PortalRB's master list has one question per choice item and survey index, and one per count
of a % item (the % itself is computed by PortalRB from its counts). ``soal_cells`` is the one
place that says which item (and count input) each ``soal_id`` is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from tracker.errors import ValidationError
from tracker.lke.answers import ChoiceAnswer, CountAnswer, IndexAnswer, is_blank, parse_answer
from tracker.lke.framework import Framework, Item


class SoalCell(NamedTuple):
    code: str  # our item code
    input_key: str | None  # the count input of a % item; None for the item's own answer


def soal_cells(framework: Framework) -> dict[int, SoalCell]:
    """{soal_id: where its answer is} for ``framework``: the framework's own PortalRB ids
    (``Framework.soal_map``). Empty when the framework carries none."""
    return {
        soal_id: SoalCell(ref.code, ref.input_key) for soal_id, ref in framework.soal_map().items()
    }


@dataclass(frozen=True)
class TierAnswer:
    """One stored answer of a tier: its raw value (as ``Answer.value`` keeps it) and note."""

    value: Any
    note: str = ""


def jawaban(item: Item, input_key: str | None, raw: Any) -> str | None:
    """The answer as PortalRB reads it: the option key ("A".."E", "Ya"/"Tidak"), the count of
    ``input_key`` ("12"), or the survey index with two decimals ("3.61"); None when unanswered
    or unreadable."""
    if is_blank(raw):
        return None
    try:
        answer = parse_answer(item, raw)
    except ValidationError:
        return None
    if isinstance(answer, ChoiceAnswer):
        return answer.key if input_key is None else None
    if isinstance(answer, IndexAnswer):
        return f"{answer.index:.2f}" if input_key is None else None
    return _count(item, answer, input_key)


def _count(item: Item, answer: CountAnswer, input_key: str | None) -> str | None:
    counts = {row.key: count for row, count in zip(item.inputs, answer.counts, strict=False)}
    if input_key in counts:
        return str(counts[input_key])
    derived = next((row for row in item.rows if row.key == input_key and row.derived), None)
    if derived is not None and all(part in counts for part in derived.sum_of):
        return str(sum(counts[part] for part in derived.sum_of))
    return None


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def answer_rows(
    framework: Framework,
    cells: Mapping[int, SoalCell],
    unit: Mapping[str, TierAnswer],
    tpi: Mapping[str, TierAnswer],
    evidence: Mapping[str, Sequence[str]],
) -> list[dict[str, Any]]:
    """One row per ``soal_id`` of ``cells``, in id order, with every field of the guide. An
    item's note and evidence go with its first question only (a % item has one question per
    count; repeating them on each would make PortalRB show them several times)."""
    first_of_item: dict[str, int] = {}
    for soal_id in sorted(cells):
        first_of_item.setdefault(cells[soal_id].code, soal_id)
    rows = []
    for soal_id in sorted(cells):
        code, input_key = cells[soal_id]
        item = framework.item(code)
        own, checked = unit.get(code), tpi.get(code)
        first = first_of_item[code] == soal_id
        links = evidence.get(code) or ()
        rows.append(
            {
                "soal_id": soal_id,
                "jawaban_unit": jawaban(item, input_key, own.value) if own else None,
                "jawaban_tpi": jawaban(item, input_key, checked.value) if checked else None,
                "catatan_unit": _text(own.note) if own and first else None,
                "bukti_dukung_unit": "\n".join(links) if links and first else None,
                "catatan_tpi": _text(checked.note) if checked and first else None,
            }
        )
    return rows
