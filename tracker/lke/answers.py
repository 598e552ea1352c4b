"""Answer values for LKE items: parsing and validation of raw input (JSON, forms, worksheets).

Raw forms accepted per answer type (see docs/lke-framework.md):

* choice items: ``"Ya"``/``"Tidak"`` or a letter ``"A"``..``"E"``, case-insensitive;
* % items: the count inputs in worksheet order without derived totals (``[5, 3]``), or a
  mapping by input key (``{"sasaran_kinerja": 5, "sasaran_tercapai": 3}``);
* survey items: the index 0.00-4.00 with at most two decimals (``3.61``, ``"3,61"``) or a
  mapping with ``index`` plus provenance fields (D7).

``None`` or an empty string means "not answered" (D3).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tracker.errors import ValidationError
from tracker.i18n import _
from tracker.lke.framework import AnswerType, Framework, Item


@dataclass(frozen=True)
class ChoiceAnswer:
    key: str  # normalised option key: "Ya", "Tidak", "A".."E"


@dataclass(frozen=True)
class CountAnswer:
    counts: tuple[int, ...]  # one per non-derived count input, worksheet order


@dataclass(frozen=True)
class IndexAnswer:
    index: Decimal
    provenance: tuple[tuple[str, str], ...] = ()  # D7: (field key, value) pairs


AnswerValue = ChoiceAnswer | CountAnswer | IndexAnswer

_INDEX_STEP = Decimal("0.01")


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_answer(item: Item, raw: Any) -> AnswerValue:
    """Parse one non-blank raw answer for ``item``. Raises ValidationError naming the code."""
    if item.answer_type is AnswerType.PERCENT:
        return _parse_counts(item, raw)
    if item.answer_type is AnswerType.SURVEY_INDEX:
        return _parse_index(item, raw)
    return _parse_choice(item, raw)


def parse_answers(framework: Framework, mapping: Mapping[str, Any]) -> dict[str, AnswerValue]:
    """Parse a mapping of item code -> raw answer; blank answers are left out (unanswered).

    Every problem is collected; raises one ValidationError listing all of them (the individual
    messages are in ``details["problems"]``).
    """
    if not isinstance(mapping, Mapping):
        raise ValidationError(_("Jawaban harus berupa pemetaan kode butir ke jawaban"))
    answers: dict[str, AnswerValue] = {}
    problems: list[str] = []
    for code, raw in mapping.items():
        if not framework.has_item(str(code)):
            problems.append(
                _(
                    "Butir %(code)s tidak dikenal dalam kerangka %(framework)s",
                    code=code,
                    framework=framework.code,
                )
            )
        elif not is_blank(raw):
            try:
                answers[str(code)] = parse_answer(framework.item(str(code)), raw)
            except ValidationError as exc:
                problems.append(exc.message)
    raise_problems(problems)
    return answers


def raise_problems(problems: list[str]) -> None:
    """Raise one ValidationError carrying every message in ``problems`` (if any)."""
    if problems:
        raise ValidationError("; ".join(problems), problems=problems)


def answer_to_raw(item: Item, answer: AnswerValue) -> Any:
    """The JSON-file form of a parsed answer (inverse of ``parse_answer``)."""
    if isinstance(answer, ChoiceAnswer):
        return answer.key
    if isinstance(answer, CountAnswer):
        return list(answer.counts)
    if answer.provenance:
        return {"index": float(answer.index), **dict(answer.provenance)}
    return float(answer.index)


def _parse_choice(item: Item, raw: Any) -> ChoiceAnswer:
    text = str(raw).strip().rstrip(".").strip() if isinstance(raw, str) else None
    for key in item.choice_keys:
        if text is not None and text.casefold() == key.casefold():
            return ChoiceAnswer(key)
    raise ValidationError(
        _(
            "Butir %(code)s: jawaban %(answer)s tidak termasuk pilihan %(choices)s",
            code=item.code,
            answer=_show(raw),
            choices="/".join(item.choice_keys),
        ),
        code=item.code,
    )


def _parse_counts(item: Item, raw: Any) -> CountAnswer:
    inputs = item.inputs
    if isinstance(raw, Mapping):
        unknown = sorted(set(map(str, raw)) - {i.key for i in inputs})
        if unknown:
            raise ValidationError(
                _(
                    "Butir %(code)s: masukan jumlah %(keys)s tidak dikenal",
                    code=item.code,
                    keys=", ".join(unknown),
                ),
                code=item.code,
            )
        raw = [raw.get(i.key) for i in inputs]
    if isinstance(raw, str | bytes) or not isinstance(raw, list | tuple) or len(raw) != len(inputs):
        raise ValidationError(
            _(
                "Butir %(code)s: diperlukan %(expected)s angka jumlah (%(labels)s), diterima "
                "%(given)s",
                code=item.code,
                expected=len(inputs),
                labels="; ".join(i.label for i in inputs),
                given=_show(raw),
            ),
            code=item.code,
        )
    return CountAnswer(
        tuple(parse_count(item, spec.label, value) for spec, value in zip(inputs, raw, strict=True))
    )


def parse_count(item: Item, label: str, value: Any) -> int:
    """One count input of ``item`` as a non-negative int. Raises ValidationError."""
    number = _to_decimal(value)
    if number is None or number < 0 or number != number.to_integral_value():
        raise ValidationError(
            _(
                "Butir %(code)s: %(label)s harus bilangan bulat tidak negatif, bukan %(value)s",
                code=item.code,
                label=label,
                value=_show(value),
            ),
            code=item.code,
        )
    return int(number)


def _parse_index(item: Item, raw: Any) -> IndexAnswer:
    provenance: tuple[tuple[str, str], ...] = ()
    if isinstance(raw, Mapping):
        known = {field.key for field in item.provenance}
        provenance = tuple(
            (str(k), _provenance_value(item, str(k), v))
            for k, v in raw.items()
            if k in known and v is not None
        )
        raw = raw.get("index")
    index = _to_decimal(raw)
    top = item.index_max or Decimal(4)
    if index is None or not Decimal(0) <= index <= top:
        shown_top = format(top.quantize(_INDEX_STEP), "f").replace(".", ",")
        message = _(
            "Butir %(code)s: nilai indeks survei harus antara 0,00 dan %(top)s, bukan %(value)s",
            code=item.code,
            top=shown_top,
            value=_show(raw),
        )
        raise ValidationError(message, code=item.code)
    if index != index.quantize(_INDEX_STEP):
        raise ValidationError(
            _(
                "Butir %(code)s: nilai indeks survei paling banyak dua desimal, bukan %(value)s",
                code=item.code,
                value=_show(raw),
            ),
            code=item.code,
        )
    return IndexAnswer(index, provenance)


def _provenance_value(item: Item, key: str, value: Any) -> str:
    """A provenance field as stored: text, or a whole number for a field of type integer
    (the number of respondents, D7: never "seratus"). Raises ValidationError."""
    field = next(f for f in item.provenance if f.key == key)
    if field.type != "integer" or is_blank(value):
        return str(value)
    return str(parse_count(item, field.label, value))


def _to_decimal(value: Any) -> Decimal | None:
    """A finite Decimal from an int, float or numeric string ("3,61" allowed); else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        value = repr(value)  # shortest round-trip text: 3.61, not 3.6099999...
    text = str(value).strip().replace(",", ".") if isinstance(value, str) else str(value)
    if isinstance(value, str) and not re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _show(value: Any) -> str:
    return '""' if value == "" else str(value)
