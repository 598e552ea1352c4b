"""The official sheet's layout (Lampiran III, sheet ``LKE ZI``): columns, header texts and one
slot per row, plus the text normalisation both the reader and the aligner recognise it by."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from tracker.lke.framework import AnswerType, Framework, Item, SubArea


class WorksheetLayout(StrEnum):
    """The two official layouts in the field (D17), as the reader detects them and the writer
    produces them."""

    LAMPIRAN3 = "lampiran3"  # PermenPANRB 90/2021 Lampiran III, sheet "LKE ZI"
    PORTALRB = "portalrb"  # KemenPANRB's PortalRB template, sheet "Jawaban"


SHEET_NAME = "LKE ZI"
GRAND_TOTAL_TEXT = "NILAI EVALUASI ZONA INTEGRITAS"
TYPE_LABELS = {
    AnswerType.YA_TIDAK: "Ya/Tidak",
    AnswerType.ABC: "A/B/C",
    AnswerType.ABCD: "A/B/C/D",
    AnswerType.ABCDE: "A/B/C/D/E",
    AnswerType.PERCENT: "%",
    AnswerType.SURVEY_INDEX: "Nilai (0-4)",
}
COUNT_LABEL = "Jumlah"
NOT_FILLED = "Blm Diisi"  # what the official Excel shows for an unanswered item (D3)

# Column positions of the sheet the writer produces (the reader finds them by header text).
MARKER_COLUMNS = 7  # depth 0..6: A. / I. / 1. / i. / a. / 1. (nested) / - (counts)
COL_TEXT, COL_WEIGHT, COL_TYPE = 8, 9, 10
GROUP_COLUMNS = {  # group -> (label, first column, sub-headers)
    "unit": ("Unit Kerja", 11, ("Jawaban", "Nilai", "Catatan", "Bukti Dukung")),
    "tpi": ("Penilaian TPI", 15, ("Jawaban", "Nilai", "Catatan")),
}
COL_CRITERIA = 18
HEADER_ROW, FIRST_ROW = 4, 6


@dataclass(frozen=True)
class Slot:
    """One row of the official layout, in worksheet order."""

    kind: str  # component | part | area | sub_area | item | count | total
    code: str  # node code; for count rows the owning item's code
    depth: int
    marker: str  # canonical marker without the dot: "A", "I", "1", "i", "a", "-", ""
    text: str
    type_label: str = ""
    weight: Decimal | None = None
    input_key: str | None = None
    derived: bool = False

    @property
    def type_kind(self) -> str:
        return type_kind(self.type_label)


def layout(framework: Framework) -> list[Slot]:
    """The rows of the official worksheet for ``framework``, top to bottom."""
    slots: list[Slot] = []
    for component in framework.components:
        slots.append(
            Slot(
                "component",
                component.code,
                0,
                component.code,
                component.name,
                weight=component.weight,
            )
        )
        for part in component.parts:
            slots.append(
                Slot("part", part.code, 1, _last(part.code), part.name, weight=part.weight)
            )
            for item in part.items:
                slots.extend(_item_slots(item, 2))
            for area in part.areas:
                slots.append(Slot("area", area.code, 2, area.number, area.name, weight=area.weight))
                for sub_area in area.sub_areas:
                    slots.extend(_sub_area_slots(sub_area, 3))
    slots.append(Slot("total", "total", 0, "", GRAND_TOTAL_TEXT, weight=framework.total_weight))
    return slots


def _sub_area_slots(node: SubArea, depth: int) -> Iterator[Slot]:
    yield Slot("sub_area", node.code, depth, _last(node.code), node.name, weight=node.weight)
    for child in node.children:
        yield from _sub_area_slots(child, depth + 1)
    for item in node.items:
        yield from _item_slots(item, depth + 1)


def _item_slots(item: Item, depth: int) -> Iterator[Slot]:
    yield Slot(
        "item",
        item.code,
        depth,
        _last(item.code),
        item.text,
        TYPE_LABELS[item.answer_type],
        weight=item.weight,
    )
    for row in item.rows:
        yield Slot(
            "count",
            item.code,
            depth + 1,
            "-",
            row.label,
            COUNT_LABEL,
            input_key=row.key,
            derived=row.derived,
        )


def _last(code: str) -> str:
    return code.rsplit(".", 1)[-1]


# --- text that must stay text -------------------------------------------------------------------

# What makes Excel, LibreOffice or a CSV import take a cell for a formula when it is typed,
# edited or opened (OWASP's list: = + - @ tab CR), plus the full-width forms of the first four
# that East Asian input methods produce and Excel accepts.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Characters XML 1.0 cannot carry (openpyxl refuses them): C0 controls but tab, LF and CR.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could evaluate ``text`` ("=HYPERLINK(...)", "=cmd|...", "+1")."""
    return text.startswith(FORMULA_STARTS)


def storable(text: str) -> str:
    """``text`` as an XML cell keeps it: control characters XML cannot hold replaced by
    U+FFFD (a stray one in a note shows as a mark instead of failing the whole export), and
    line breaks as newlines (every XML reader turns a carriage return into one anyway)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_IN_XML.sub("\ufffd", text)


# --- recognising the layout's texts in agencies' copies ----------------------------------------


def norm(value: Any) -> str:
    """Lower-case words and digits only: agencies retype punctuation, case and spacing."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(value or "").lower()).split())


_TYPE_KINDS = {
    "yatidak": "ya_tidak",
    "yt": "ya_tidak",
    "ya": "ya_tidak",  # agencies type the answer for the type ("Ya" where "Ya/Tidak" belongs)
    "abc": "abc",
    "abcd": "abcd",
    "abcde": "abcde",
    "jumlah": "count",
}


def type_kind(value: Any) -> str:
    """The answer-type family of a "Pilihan Jawaban" text: Ya/Tidak, A/B/C..., %, Jumlah, 0-4."""
    text = str(value or "")
    squeezed = norm(text).replace(" ", "")
    if "%" in text or "persen" in squeezed:
        return "percent"
    if squeezed in _TYPE_KINDS:
        return _TYPE_KINDS[squeezed]
    if "04" in squeezed or "indeks" in squeezed or squeezed == "nilai":
        return "survey_index"
    return ""
