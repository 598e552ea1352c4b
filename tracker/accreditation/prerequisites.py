"""Proposal prerequisites (PermenPANRB 90/2021 Lampiran II Tabel 5; D10). Pure.

The catalogue is data: it comes from the framework definition's ``prerequisites`` block, so a
new regulation brings its own list without a code change. Each entry is agency- or unit-level,
has a kind (ordered grade, yes/no, percentage, months) and a minimum per predicate; the
minimum may differ by agency kind (the RB index floor of local governments).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tracker.errors import ValidationError
from tracker.i18n import _, in_english


@dataclass(frozen=True)
class Spec:
    code: str
    level: str  # "agency" | "unit"
    label: str
    label_en: str
    kind: str  # "grade" | "yes_no" | "percent" | "months"
    grades: tuple[str, ...]  # best first, for kind "grade"
    minimum: Mapping[str, Any]  # predicate -> minimum, or predicate -> {agency kind|default: min}

    @property
    def name(self) -> str:
        """The label in the reader's language (the framework keeps both)."""
        return self.label_en if in_english() else self.label

    def minimum_for(self, predicate: str, agency_kind: str) -> Any:
        value = self.minimum.get(predicate)
        if isinstance(value, Mapping):
            return value.get(agency_kind, value.get("default"))
        return value


def parse_catalogue(data: Sequence[Mapping[str, Any]]) -> tuple[Spec, ...]:
    return tuple(
        Spec(
            code=d["code"],
            level=d["level"],
            label=d["label"],
            label_en=d.get("label_en", d["label"]),
            kind=d["kind"],
            grades=tuple(d.get("grades", ())),
            minimum=d.get("minimum", {}),
        )
        for d in data
    )


def normalise(spec: Spec, raw: str) -> str:
    """The stored form of a recorded value. Raises ValidationError naming the prerequisite."""
    text = " ".join(str(raw).split()).upper() if spec.kind == "grade" else str(raw).strip()
    if spec.kind == "grade" and text not in spec.grades:
        raise ValidationError(
            _(
                "%(label)s: pilih salah satu dari %(grades)s.",
                label=spec.name,
                grades=", ".join(spec.grades),
            )
        )
    if spec.kind == "yes_no" and text.lower() not in ("ya", "tidak"):
        raise ValidationError(_("%(label)s: isi Ya atau Tidak.", label=spec.name))
    if spec.kind in ("percent", "months"):
        number = _number(text)
        if number is None or number < 0 or (spec.kind == "percent" and number > 100):
            raise ValidationError(_("%(label)s: isi angka yang valid.", label=spec.name))
        return str(number)
    return text.capitalize() if spec.kind == "yes_no" else text


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def is_met(spec: Spec, value: str | None, predicate: str, agency_kind: str) -> bool:
    """Whether a recorded ``value`` reaches the minimum for ``predicate``."""
    minimum = spec.minimum_for(predicate, agency_kind)
    if value is None or minimum is None:
        return minimum is None
    if spec.kind == "grade":
        return spec.grades.index(value) <= spec.grades.index(str(minimum))
    if spec.kind == "yes_no":
        return value == "Ya"
    return Decimal(value) >= Decimal(str(minimum))


@dataclass(frozen=True)
class Recorded:
    value: str
    has_evidence: bool


def unmet(
    specs: Sequence[Spec], recorded: Mapping[str, Recorded], predicate: str, agency_kind: str
) -> list[str]:
    """A line for every prerequisite not recorded, without evidence, or below its minimum."""
    problems = []
    for spec in specs:
        entry = recorded.get(spec.code)
        if entry is None:
            problems.append(_("%(label)s belum dicatat", label=spec.name))
        elif not entry.has_evidence:
            problems.append(_("%(label)s belum dilengkapi bukti", label=spec.name))
        elif not is_met(spec, entry.value, predicate, agency_kind):
            problems.append(
                _(
                    "%(label)s: %(value)s, minimal %(min)s",
                    label=spec.name,
                    value=entry.value,
                    min=spec.minimum_for(predicate, agency_kind),
                )
            )
    return problems
