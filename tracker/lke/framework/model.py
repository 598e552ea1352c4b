"""The framework tree as frozen data: components -> parts -> areas -> sub-areas -> items."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from tracker.errors import NotFoundError
from tracker.i18n import _
from tracker.lke.framework.rules import Eligibility


class AnswerType(StrEnum):
    YA_TIDAK = "ya_tidak"
    ABC = "abc"
    ABCD = "abcd"
    ABCDE = "abcde"
    PERCENT = "percent"  # computed from count inputs (D4)
    SURVEY_INDEX = "survey_index"  # 0.00-4.00 index converted to index/4 x weight (D7)


# The option keys each choice type must offer, in worksheet order.
CHOICE_KEYS: Mapping[AnswerType, tuple[str, ...]] = {
    AnswerType.YA_TIDAK: ("Ya", "Tidak"),
    AnswerType.ABC: ("A", "B", "C"),
    AnswerType.ABCD: ("A", "B", "C", "D"),
    AnswerType.ABCDE: ("A", "B", "C", "D", "E"),
}


class FormulaKind(StrEnum):
    RATIO = "ratio"  # sum(numerator) / sum(denominator)
    SUM_RATIO = "sum_ratio"  # the same, named for LHKPN-style sums of several obliged groups
    COMPLAINTS = "complaints"  # completed / must-be-followed-up, F/H (D4)
    DECREASE = "decrease"  # (previous - current) / previous (D4)


class ZeroDenominator(StrEnum):
    """What a zero denominator (with a zero numerator) means for a % item (D4, revised)."""

    ERROR = "error"  # an input error, as the official Excel's #DIV/0!: the item counts as blank
    NOTHING_REQUIRED = "nothing_required"  # nothing was required: 1.0, flagged for the reviewer


# The reading of a formula whose file does not say (files written before revised D4, such as
# stored lke-2021 version 1): the kinds that count obliged people, complaints or violations may
# find nothing required; a plain ratio may not.
ZERO_DENOMINATOR_DEFAULT: Mapping[FormulaKind, ZeroDenominator] = {
    FormulaKind.RATIO: ZeroDenominator.ERROR,
    FormulaKind.SUM_RATIO: ZeroDenominator.NOTHING_REQUIRED,
    FormulaKind.COMPLAINTS: ZeroDenominator.NOTHING_REQUIRED,
    FormulaKind.DECREASE: ZeroDenominator.NOTHING_REQUIRED,
}


class PartKind(StrEnum):
    PEMENUHAN = "pemenuhan"
    REFORM = "reform"
    HASIL = "hasil"


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    multiplier: Decimal


@dataclass(frozen=True)
class CountInput:
    """One ``Jumlah`` row under a % item; ``sum_of`` marks a derived total the worksheet shows."""

    key: str
    label: str
    label_en: str
    sum_of: tuple[str, ...] = ()
    same_as: str | None = None  # "<item code>/<input key>" that must hold the same count
    soal_id: int | None = None  # PortalRB's question id; derived totals have none

    @property
    def derived(self) -> bool:
        return bool(self.sum_of)


@dataclass(frozen=True)
class Formula:
    kind: FormulaKind
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    previous: str | None = None
    current: str | None = None
    # D4: only items that may find nothing required (no complaints, nobody obliged to file, no
    # violations) score 1.0 on 0/0; for every other % item a zero denominator is an input error.
    zero_denominator: ZeroDenominator = ZeroDenominator.ERROR

    @property
    def may_find_nothing_required(self) -> bool:
        return self.zero_denominator is ZeroDenominator.NOTHING_REQUIRED


@dataclass(frozen=True)
class Document:
    key: str
    title: str
    title_en: str
    required: bool


@dataclass(frozen=True)
class ProvenanceField:
    key: str
    label: str
    label_en: str
    type: str
    required: bool


@dataclass(frozen=True)
class Item:
    code: str
    text: str
    text_en: str
    criteria: str
    answer_type: AnswerType
    options: tuple[Option, ...] = ()
    rows: tuple[CountInput, ...] = ()  # worksheet order, derived totals included
    formula: Formula | None = None
    weight: Decimal | None = None  # results items only; enabler items share their sub-area's
    index_max: Decimal | None = None
    documents: tuple[Document, ...] = ()
    provenance: tuple[ProvenanceField, ...] = ()
    soal_id: int | None = None  # PortalRB's question id (choice and survey items; % items: None)

    @property
    def inputs(self) -> tuple[CountInput, ...]:
        """The count inputs a user types, in worksheet order (derived totals left out)."""
        return tuple(row for row in self.rows if not row.derived)

    @property
    def source_id(self) -> int | None:
        """``soal_id`` under its name before issue 12 (kept for callers not yet moved)."""
        return self.soal_id

    @property
    def choice_keys(self) -> tuple[str, ...]:
        return tuple(option.key for option in self.options)

    def option(self, key: str) -> Option:
        """The option with ``key``. Raises KeyError."""
        for option in self.options:
            if option.key == key:
                return option
        raise KeyError(key)


@dataclass(frozen=True)
class SubArea:
    code: str
    name: str
    name_en: str
    weight: Decimal
    items: tuple[Item, ...] = ()
    children: tuple[SubArea, ...] = ()  # nested sub-areas (LHKPN a./b.) score as their sum


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    name_en: str
    weight: Decimal
    sub_areas: tuple[SubArea, ...]

    @property
    def number(self) -> str:
        """The area number shared by its pemenuhan and reform halves ("1".."6")."""
        return self.code.rsplit(".", 1)[1]


@dataclass(frozen=True)
class Part:
    code: str
    kind: PartKind
    name: str
    name_en: str
    weight: Decimal
    areas: tuple[Area, ...] = ()
    items: tuple[Item, ...] = ()  # results parts hold weighted items directly


@dataclass(frozen=True)
class Component:
    code: str
    kind: str  # "pengungkit" | "hasil"
    name: str
    name_en: str
    weight: Decimal
    parts: tuple[Part, ...]


class SoalRef(NamedTuple):
    """Where a PortalRB question (``soal_id``) lives: an item, or one count input of a % item."""

    code: str
    input_key: str | None


@dataclass(frozen=True)
class Framework:
    code: str
    title: str
    title_en: str
    regulation: str
    version_note: str
    total_weight: Decimal
    components: tuple[Component, ...]
    eligibility: Eligibility
    _items: tuple[Item, ...] = field(init=False, repr=False, compare=False)
    _index: Mapping[str, Item] = field(init=False, repr=False, compare=False)
    _soals: Mapping[int, SoalRef] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_items", tuple(self._walk_items()))
        object.__setattr__(self, "_index", {item.code: item for item in self._items})
        soals: dict[int, SoalRef] = {}
        for item in self._index.values():
            refs = [(item.soal_id, None)] + [(row.soal_id, row.key) for row in item.inputs]
            for soal_id, key in refs:
                if soal_id is not None:
                    # the first holder wins; parse_framework refuses a file with duplicates
                    soals.setdefault(soal_id, SoalRef(item.code, key))
        object.__setattr__(self, "_soals", soals)

    def items(self) -> Iterator[Item]:
        """Every scored item in worksheet order (walked once, when built: an LKE page asks for
        the items dozens of times, and the nested walk each time cost more than its scoring)."""
        return iter(self._items)

    def _walk_items(self) -> Iterator[Item]:
        for component in self.components:
            for part in component.parts:
                yield from part.items
                for area in part.areas:
                    for sub_area in area.sub_areas:
                        yield from _sub_area_items(sub_area)

    def item_count(self) -> int:
        """How many scored items the worksheet has (a queue row's "undecided" counts from it)."""
        return len(self._items)

    def item(self, code: str) -> Item:
        """The item ``code``. Raises NotFoundError naming the code."""
        if code not in self._index:
            raise NotFoundError(_("Butir %(code)s tidak dikenal", code=code), code=code)
        return self._index[code]

    def has_item(self, code: str) -> bool:
        return code in self._index

    def soal_map(self) -> dict[int, SoalRef]:
        """{PortalRB soal_id: (item code, count input key or None)}, in worksheet order.

        Choice and survey items carry their own soal_id (key None); a % item has none, each
        of its typed count inputs has one (derived totals have none)."""
        return dict(self._soals)

    def soal_ids(self) -> dict[tuple[str, str | None], int]:
        """The reverse of ``soal_map``: {(item code, count input key or None): soal_id}."""
        return {(ref.code, ref.input_key): soal_id for soal_id, ref in self._soals.items()}

    def soal(self, soal_id: int) -> SoalRef:
        """Where ``soal_id`` sits in this framework. Raises NotFoundError naming the id."""
        if soal_id not in self._soals:
            raise NotFoundError(
                _("Soal PortalRB %(soal_id)s tidak dikenal", soal_id=soal_id), soal_id=soal_id
            )
        return self._soals[soal_id]

    def component_of_kind(self, kind: str) -> Component:
        """The component whose kind is ``kind`` ("pengungkit", "hasil"). Raises StopIteration."""
        return next(c for c in self.components if c.kind == kind)

    def areas(self) -> Iterator[tuple[Part, Area]]:
        for component in self.components:
            for part in component.parts:
                for area in part.areas:
                    yield part, area


def _sub_area_items(sub_area: SubArea) -> Iterator[Item]:
    yield from sub_area.items
    for child in sub_area.children:
        yield from _sub_area_items(child)


def sub_area_tree(sub_area: SubArea) -> Iterator[SubArea]:
    """``sub_area`` and its nested sub-areas, depth first."""
    yield sub_area
    for child in sub_area.children:
        yield from sub_area_tree(child)
