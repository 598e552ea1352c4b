"""Workbooks as agencies have them, built here so a fresh clone covers both official layouts
without ``../shared``: the Lampiran III sheet ``LKE ZI`` with its single header row, row
counter, generic Nilai formulas and free-form notes; and a bare PortalRB ``Jawaban`` sheet with
values at the master list's cells only. ``REAL_BLANK`` / ``MASTER`` are the shared copies (tests
that read them skip when they are absent), and ``fill_real_blank`` fills the real sheet the way
an agency does, locating rows by the sheet's own columns, not by our reader."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from tracker.lke.answers import ChoiceAnswer, CountAnswer, IndexAnswer, parse_answers
from tracker.lke.framework import AnswerType, FormulaKind, Framework, Item
from tracker.lke.worksheet.formulas import group_children
from tracker.lke.worksheet.layout import Slot, layout
from tracker.lke.worksheet.portalrb import template_cells

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
REAL_BLANK = SHARED / "lke-zi-lampiran-iii-blank.xlsx"
MASTER = SHARED / "portalrb-master-soal-lke-2026.json"


def needs(path: Path) -> None:
    """Skip, saying why, when a shared reference file is not next to the repository."""
    if not path.is_file():
        pytest.skip(f"{path.name} not found in ../shared/data (a shared reference copy)")


def master() -> dict[str, Any]:
    needs(MASTER)
    data: dict[str, Any] = json.loads(MASTER.read_text(encoding="utf-8"))
    return data


# The Nilai formula every row of the regulation's sheet carries (copied from a real agency's
# workbook): it reads the answer type in J, so "Ya" typed for "Ya/Tidak" scores nothing.
GENERIC = (
    '=IF(J{r}="Ya/Tidak",IF(K{r}="Ya",1,IF(K{r}="Tidak",0,"Blm Diisi")),IF(J{r}="A/B/C",'
    'IF(K{r}="A",1,IF(K{r}="B",0.5,IF(K{r}="C",0,"Blm Diisi"))),IF(J{r}="A/B/C/D",IF(K{r}="A",1,'
    'IF(K{r}="B",0.67,IF(K{r}="C",0.33,IF(K{r}="D",0,"Blm Diisi")))),IF(J{r}="A/B/C/D/E",'
    'IF(K{r}="A",1,IF(K{r}="B",0.75,IF(K{r}="C",0.5,IF(K{r}="D",0.25,IF(K{r}="E",0,"Blm Diisi"'
    '))))),IF(J{r}="%",IF(K{r}="","Blm Diisi",K{r}),IF(J{r}="Jumlah",IF(K{r}="","Blm Diisi",""),'
    'IF(J{r}="Rupiah",IF(K{r}="","Blm Diisi",""),IF(J{r}="","","-"))))))))'
)
HEADER = {
    2: "Penilaian",
    8: "Bobot",
    9: "Penjelasan",
    10: "Pilihan Jawaban",
    11: "Jawaban",
    12: "Nilai",
    13: " %",
    15: "Catatan/Keterangan/Penjelasan",
}
NOTE, LINK, LINKED = 15, 16, 17  # O: notes, P: a pasted address, Q: a cell link
# Count labels as the regulation's sheet words them (shorter than PortalRB's).
SHORT_LABELS = {
    ("A.II.5.iii.a.1", "kepala_satker"): "- Kepala satuan kerja",
    ("A.II.5.iii.a.1", "lainnya"): "- Lainnya",
    ("A.II.5.iii.a.1", "sudah_melaporkan"): "Jumlah yang sudah melaporkan",
    ("A.II.5.iii.b.1", "eselon_iii"): "- Pejabat administrator (eselon III)",
    ("A.II.5.iii.b.1", "sudah_melaporkan"): "Jumlah yang sudah melaporkan",
}


@dataclass
class AgencySheet:
    """A Lampiran III sheet laid out as the regulation's workbook is, one row per slot from
    row 4 under a one-row header; ``rows`` places each slot. Quirks are switched on by
    arguments: ``ya_type`` types "Ya" as the answer type of those items, ``forget_lhkasn``
    keeps the real workbook's LHKPN/LHKASN total that averages LHKPN twice and forgets
    LHKASN, ``typed_totals`` types the derived "Jumlah yang harus melaporkan" (code -> value)."""

    framework: Framework
    answers: Mapping[str, Any] = field(default_factory=dict)
    notes: Mapping[str, str] = field(default_factory=dict)
    links: Mapping[str, Sequence[str]] = field(default_factory=dict)
    cell_links: Mapping[str, str] = field(default_factory=dict)
    raw_cells: Mapping[tuple[str, str | None], Any] = field(default_factory=dict)
    ya_type: Sequence[str] = ()
    forget_lhkasn: bool = False
    typed_totals: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.slots = layout(self.framework)
        self.rows: dict[tuple[str, str | None], int] = {}
        row = 4
        for slot in self.slots:
            if slot.kind in ("component", "total") and self.rows:
                row += 2  # "TOTAL PENGUNGKIT" and a blank row, as in the real sheet
            self.rows[(slot.code, slot.input_key)] = row
            row += 1

    def row(self, code: str, key: str | None = None) -> int:
        return self.rows[(code, key)]

    def to_bytes(self) -> bytes:
        book = Workbook()
        book.active.title = "Utama"
        book.active["B2"] = "Data unit kerja"
        ws = book.create_sheet("LKE ZI")
        ws["B1"] = "LAMPIRAN III\nPERATURAN MENTERI PENDAYAGUNAAN APARATUR NEGARA"
        ws["A2"], ws["A3"] = 1, 2  # the agency's row counter starts in the header
        for column, label in HEADER.items():
            ws.cell(2, column, label)
        ws.merge_cells("B2:G2")
        parsed = parse_answers(self.framework, self.answers)
        for number, slot in enumerate(self.slots, start=3):
            self.write(ws, slot, self.row(slot.code, slot.input_key), number, parsed)
        self.totals(ws)
        ws.cell(ws.max_row + 5, 11, "ttd")  # the signature block below the sheet
        buffer = BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    def write(self, ws: Any, slot: Slot, row: int, number: int, parsed: Mapping) -> None:
        ws.cell(row, 1, number)
        self.hierarchy(ws, slot, row)
        if slot.weight is not None:
            ws.cell(row, 8, float(slot.weight))
        if slot.type_label:
            label = "Ya" if slot.code in self.ya_type else slot.type_label
            ws.cell(row, 10, label.replace("Nilai (0-4)", "Nilai\n(0-4)"))
        ws.cell(row, 12, self.nilai(slot, row))
        if slot.kind == "item" and self.framework.item(slot.code).answer_type is AnswerType.PERCENT:
            ws.cell(row, 11, self.percent(self.framework.item(slot.code), row))
        if slot.kind == "count" and slot.derived:
            ws.cell(row, 11, self.derived(slot, row))
        if slot.kind in ("item", "count"):
            self.answer(ws, slot, row, parsed)
        if slot.kind == "item":
            self.extras(ws, slot.code, row)

    def hierarchy(self, ws: Any, slot: Slot, row: int) -> None:
        """Markers in B-F, the text right of its marker; counts as "- label" in G."""
        if slot.kind == "count":
            ws.cell(row, 7, SHORT_LABELS.get((slot.code, slot.input_key), f"- {slot.text}"))
            return
        if slot.kind == "total":
            ws.cell(row, 2, slot.text)
            return
        column = 2 + min(slot.depth, 4)
        ws.cell(row, column, slot.marker + ".")
        ws.cell(row, column + 1, slot.text)

    def nilai(self, slot: Slot, row: int) -> str:
        if slot.kind in ("item", "count"):
            item = self.framework.item(slot.code)
            if slot.kind == "item" and item.answer_type is AnswerType.SURVEY_INDEX:
                return f'=IF(K{row}="","Blm Diisi",K{row}/4)*H{row}'
            if slot.kind == "item" and item.weight is not None:
                return f"=({GENERIC.format(r=row)[1:]})*H{row}"
            return GENERIC.format(r=row)
        if slot.kind == "component":
            return f"=L{self.total_row(slot.code)}"
        if slot.kind == "total":
            totals = [self.total_row(c.code) for c in self.framework.components]
            return "=SUM(" + ",".join(f"L{r}" for r in totals) + ")"
        return self.group(slot, row)

    def group(self, slot: Slot, row: int) -> str:
        children, leaf = group_children(self.framework, slot.code)
        if self.forget_lhkasn and slot.code == "A.II.5.iii":
            first = self.row("A.II.5.iii.a")
            return f"=AVERAGE(L{first}:L{first + 3})*H{row}"  # the real workbook's mistake
        if leaf:
            first = self.row(children[0])
            last = max(r for (code, _k), r in self.rows.items() if code == children[-1])
            return f"=AVERAGE(L{first}:L{last})*H{row}"
        return "=SUM(" + ",".join(f"L{self.row(code)}" for code in children) + ")"

    def total_row(self, component: str) -> int:
        """The "TOTAL ..." row after a component (the first of the two gap rows)."""
        codes = [c.code for c in self.framework.components]
        following = codes.index(component) + 1
        after = codes[following] if following < len(codes) else "total"
        return self.row(after) - 2

    def totals(self, ws: Any) -> None:
        for component in self.framework.components:
            row = self.total_row(component.code)
            ws.cell(row, 2, f"TOTAL {component.name}")
            parts = ",".join(f"L{self.row(p.code)}" for p in component.parts)
            ws.cell(row, 12, f"=SUM({parts})")

    def percent(self, item: Item, row: int) -> str:
        """The % cell as the real workbook computes it (and its #DIV/0! on a zero)."""
        cells = {spec.key: f"K{self.row(item.code, spec.key)}" for spec in item.rows}
        empty = "OR(" + ",".join(f'{cells[s.key]}=""' for s in item.inputs) + ")"
        formula = item.formula
        assert formula is not None
        if formula.kind is FormulaKind.DECREASE:
            prev, cur = cells[formula.previous or ""], cells[formula.current or ""]
            value = f"IF(AND({prev}=0,{cur}=0),1,MAX(0,({prev}-{cur})/{prev}))"
        else:
            derived = [s.key for s in item.rows if s.derived]
            den = cells[derived[0]] if derived else "+".join(cells[k] for k in formula.denominator)
            num = "+".join(cells[k] for k in formula.numerator)
            value = f"IF(({num})/({den})>1,1,({num})/({den}))"
        return f'=IF({empty},"Blm Diisi",{value})'

    def derived(self, slot: Slot, row: int) -> Any:
        if slot.code in self.typed_totals:
            return self.typed_totals[slot.code]
        if slot.code.endswith("b.1"):
            return None  # the LHKASN total has no formula in the real workbook
        spec = next(s for s in self.framework.item(slot.code).rows if s.key == slot.input_key)
        return "=" + "+".join(f"K{self.row(slot.code, key)}" for key in spec.sum_of)

    def answer(self, ws: Any, slot: Slot, row: int, parsed: Mapping) -> None:
        raw = self.raw_cells.get((slot.code, slot.input_key))
        if raw is not None:
            ws.cell(row, 11, raw)
            return
        answer = parsed.get(slot.code)
        if isinstance(answer, ChoiceAnswer) and slot.kind == "item":
            ws.cell(row, 11, answer.key)
        elif isinstance(answer, IndexAnswer) and slot.kind == "item":
            ws.cell(row, 11, float(answer.index))
        elif isinstance(answer, CountAnswer) and slot.kind == "count" and not slot.derived:
            keys = [spec.key for spec in self.framework.item(slot.code).inputs]
            ws.cell(row, 11, answer.counts[keys.index(slot.input_key or "")])

    def extras(self, ws: Any, code: str, row: int) -> None:
        if code in self.notes:
            ws.cell(row, NOTE, self.notes[code])
        if code in self.links:
            ws.cell(row, LINK, "\n".join(self.links[code]))
        if code in self.cell_links:
            cell = ws.cell(row, LINKED, "Bukti dukung")
            cell.hyperlink = self.cell_links[code]


# --- a bare PortalRB sheet ----------------------------------------------------------------------

# A few cells of PortalRB's master list (soal id: excel_baris), enough to pin the template
# without the list: the first question, a results item, counts and the LHKPN inputs.
KNOWN_CELLS = {
    1: ("A.I.1.i.a", None, 6),
    58: ("A.I.5.iii.b", None, 84),
    88: ("A.II.1.i.a", "agen_perubahan", 126),
    91: ("A.II.1.i.b", "perubahan_terintegrasi", 130),
    113: ("A.II.5.iii.a.1", "kepala_satker", 176),
    116: ("A.II.5.iii.a.1", "sudah_melaporkan", 179),
    120: ("A.II.5.iii.b.1", "sudah_melaporkan", 186),
    124: ("A.II.6.ii.a", None, 194),
    125: ("B.I.a", None, 199),
    127: ("B.II.a", None, 202),
}


def cells_from_master(data: Mapping[str, Any]) -> Iterator[tuple[int, str, int]]:
    """(soal id, jenis_jawaban, excel_baris) of every question of a master list."""

    def walk(nodes: list[Any]) -> Iterator[tuple[int, str, int]]:
        for node in nodes:
            yield from walk(node.get("children") or [])
            for soal in node.get("soals") or []:
                yield int(soal["id"]), str(soal["jenis_jawaban"]), int(soal["excel_baris"])

    return walk(list(data.get("data") or []))


def bare_portalrb(
    cells: Mapping[int, Any],
    notes: Mapping[int, str] | None = None,
    evidence: Mapping[int, str] | None = None,
    tpi: Mapping[int, Any] | None = None,
) -> bytes:
    """A ``Jawaban`` sheet holding only values at fixed cells ({row: value} in K, notes in L,
    evidence in M, TPI answers in N), as a system filling PortalRB's template would."""
    book = Workbook()
    ws = book.active
    ws.title = "Jawaban"
    for column, values in ((11, cells), (12, notes or {}), (13, evidence or {}), (14, tpi or {})):
        for row, value in values.items():
            ws.cell(row, column, value)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def portal_cells(framework: Framework, answers: Mapping[str, Any]) -> dict[int, Any]:
    """{row: value} of ``answers`` at the template rows, as the master list places them."""
    places = template_cells(framework)
    cells: dict[int, Any] = {}
    for code, answer in parse_answers(framework, answers).items():
        if isinstance(answer, ChoiceAnswer):
            cells[places[(code, None)]] = answer.key
        elif isinstance(answer, IndexAnswer):
            cells[places[(code, None)]] = float(answer.index)
        else:
            for spec, count in zip(framework.item(code).inputs, answer.counts, strict=True):
                cells[places[(code, spec.key)]] = count
    return cells


# --- the real blank, filled the way agencies do ---------------------------------------------------

ITEM_TYPES = {"Ya/Tidak", "Ya", "A/B/C", "A/B/C/D", "A/B/C/D/E", "%", "Nilai\n(0-4)"}


def real_rows(ws: Any, framework: Framework) -> dict[tuple[str, str | None], int]:
    """Rows of the real blank for each item and count, found from the sheet's own columns:
    in order, an item is a row whose Pilihan Jawaban names an answer type and which has no
    Bobot (the results items excepted); a count is a row typed "Jumlah"."""
    results = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == "HASIL")
    items = [
        r
        for r in range(1, ws.max_row + 1)
        if ws.cell(r, 10).value in ITEM_TYPES and (ws.cell(r, 8).value is None or r > results)
    ]
    counts = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 10).value == "Jumlah"]
    expected = list(framework.items())
    assert len(items) == len(expected), "the blank's item rows changed"
    rows: dict[tuple[str, str | None], int] = {}
    for item, row in zip(expected, items, strict=True):
        rows[(item.code, None)] = row
    keys = [(i.code, spec.key) for i in expected for spec in i.rows]
    assert len(counts) == len(keys), "the blank's count rows changed"
    rows.update(zip(keys, counts, strict=True))
    return rows


def fill_real_blank(
    framework: Framework,
    answers: Mapping[str, Any],
    *,
    raw_cells: Mapping[tuple[str, str | None], Any] | None = None,
    notes: Mapping[str, str] | None = None,
    links: Mapping[str, str] | None = None,
    cell_links: Mapping[str, str] | None = None,
) -> tuple[bytes, dict[tuple[str, str | None], int]]:
    """The real agency blank with answers in K, counts in their rows, notes in O, a pasted
    link in P and a cell link in Q; also the rows used."""
    needs(REAL_BLANK)
    book = load_workbook(REAL_BLANK)
    ws = book["LKE ZI"]
    rows = real_rows(ws, framework)
    for (code, key), value in _cell_values(framework, answers).items():
        ws.cell(rows[(code, key)], 11, value)
    for (code, key), value in (raw_cells or {}).items():
        ws.cell(rows[(code, key)], 11, value)
    for code, text in (notes or {}).items():
        ws.cell(rows[(code, None)], NOTE, text)
    for code, text in (links or {}).items():
        ws.cell(rows[(code, None)], LINK, text)
    for code, address in (cell_links or {}).items():
        cell = ws.cell(rows[(code, None)], LINKED, "Link")
        cell.hyperlink = address
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue(), rows


def _cell_values(framework: Framework, answers: Mapping[str, Any]) -> dict[tuple, Any]:
    values: dict[tuple, Any] = {}
    for code, answer in parse_answers(framework, answers).items():
        if isinstance(answer, ChoiceAnswer):
            values[(code, None)] = answer.key
        elif isinstance(answer, IndexAnswer):
            values[(code, None)] = float(answer.index)
        else:
            for spec, count in zip(framework.item(code).inputs, answer.counts, strict=True):
                values[(code, spec.key)] = count
    return values
