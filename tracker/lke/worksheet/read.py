"""Reading a filled worksheet, in either official layout, back into raw answers, notes,
evidence links and warnings.

The layout is detected from the workbook (``detect``): Lampiran III's ``LKE ZI`` sheet (our
export, or the regulation's sheet as agencies keep it) or PortalRB's ``Jawaban`` sheet. Only
answers and counts are taken; they are scored with the rules, and every place where the
workbook's own results or formulas disagree comes back as an issue naming the row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from tracker.errors import ValidationError
from tracker.i18n import N_, _
from tracker.lke.answers import (
    AnswerValue,
    ChoiceAnswer,
    CountAnswer,
    IndexAnswer,
    answer_to_raw,
    is_blank,
    parse_answer,
    parse_count,
)
from tracker.lke.framework import AnswerType, Framework, Item
from tracker.lke.scoring import ScoreReport, score
from tracker.lke.worksheet.align import AMBIGUOUS, SheetRow
from tracker.lke.worksheet.checks import FormulaChecks, Place
from tracker.lke.worksheet.detect import detect
from tracker.lke.worksheet.layout import Slot, WorksheetLayout, layout
from tracker.lke.worksheet.notes import ItemNotes
from tracker.lke.worksheet.reading import Reading
from tracker.lke.worksheet.workbook import FormulaText, open_workbook

VALUE_TOLERANCE = Decimal("0.000001")  # float noise of Excel's own arithmetic
_FLOAT_NOISE = Decimal("1e-9")  # 3.6100000000000003 is 3.61 typed


@dataclass(frozen=True)
class WorksheetIssue:
    row: int | None
    code: str | None
    kind: str  # see _ISSUES and docs/lke-framework.md ("Worksheet issues")
    message: str


@dataclass(frozen=True)
class WorksheetResult:
    """A worksheet read: plain data for the import (answers as in the JSON answers file)."""

    answers: dict[str, Any]
    issues: list[WorksheetIssue]
    rows: dict[str, int] = field(default_factory=dict)  # item code -> worksheet row
    layout: WorksheetLayout = WorksheetLayout.LAMPIRAN3
    sheet: str = ""  # the sheet read
    notes: dict[str, str] = field(default_factory=dict)  # item code -> note text
    links: dict[str, list[str]] = field(default_factory=dict)  # item code -> http(s) links


_ISSUES = {
    "unmatched_row": N_("Baris %(row)s tidak cocok dengan butir mana pun: %(text)s"),
    "moved_row": N_("Baris %(row)s dipakai untuk %(code)s walaupun letaknya di luar urutan"),
    "duplicate_row": N_("Baris %(row)s mengulang %(code)s (baris %(other)s)"),
    "ambiguous_row": N_(
        "Baris %(row)s dan %(other)s sama-sama cocok dengan %(code)s tetapi "
        "jawabannya berbeda; butir dianggap belum dijawab"
    ),
    "answer_type_mismatch": N_(
        "Baris %(row)s (%(code)s): pilihan jawaban tertulis untuk jenis "
        "%(found)s, seharusnya %(expected)s"
    ),
    "type_label_typo": N_(
        "Baris %(row)s (%(code)s): Pilihan Jawaban tertulis \u201c%(found)s\u201d, seharusnya "
        "\u201c%(expected)s\u201d; rumus Nilai yang memeriksa kolom ini tidak akan menghitung "
        "butir ini"
    ),
    "missing_row": N_("%(code)s tidak ditemukan di lembar kerja; butir dianggap belum dijawab"),
    "missing_count_row": N_("%(code)s: baris %(label)s tidak ditemukan di lembar kerja"),
    "percent_without_counts": N_(
        "Baris %(row)s (%(code)s): persentase diketik tanpa jumlah di bawahnya; butir dianggap "
        "belum dijawab"
    ),
    "total_without_parts": N_(
        "Baris %(row)s (%(code)s): hanya %(label)s yang diisi (%(total)s), rinciannya kosong; "
        "jumlah itu dicatat pada %(first)s, mohon lengkapi rinciannya"
    ),
    "incomplete_counts": N_("%(code)s: sebagian jumlah belum diisi; butir dianggap belum dijawab"),
    "answer_not_allowed": N_(
        "Baris %(row)s (%(code)s): jawaban \u201c%(found)s\u201d untuk pilihan %(choices)s dibaca "
        "sebagai belum dijawab"
    ),
    "answer_reread": N_(
        "Baris %(row)s (%(code)s): jawaban \u201c%(found)s\u201d dibaca sebagai %(key)s"
    ),
    "invalid_answer": N_("Baris %(row)s: %(error)s; dibaca sebagai belum dijawab"),
    "formula_error": N_("Baris %(row)s (%(code)s): rumus Nilai menghasilkan galat %(error)s"),
    "value_mismatch": N_(
        "Baris %(row)s (%(code)s): Nilai di lembar kerja %(found)s, menurut aturan %(expected)s"
    ),
    "percent_mismatch": N_(
        "Baris %(row)s (%(code)s): persentase diketik %(found)s %%, menurut jumlahnya "
        "%(expected)s %%"
    ),
    "total_mismatch": N_(
        "Baris %(row)s (%(code)s): %(label)s tertulis %(typed)s, jumlah rinciannya %(parts)s"
    ),
    "no_cached_values": N_(
        "%(count)s rumus belum pernah dihitung (buka dan simpan ulang di "
        "Excel), jadi hasilnya tidak dibandingkan"
    ),
    "formula_missing": N_("Rumus Nilai di baris %(row)s (%(code)s) tidak menghitung %(what)s"),
    "formula_extra": N_(
        "Rumus Nilai di baris %(row)s (%(code)s) juga menghitung %(what)s, yang bukan bagiannya"
    ),
    "formula_double": N_(
        "Rumus Nilai di baris %(row)s (%(code)s) menghitung %(what)s dua kali: nilainya sudah "
        "termasuk di baris %(other)s"
    ),
    "formula_other_answer": N_(
        "Rumus Nilai di baris %(row)s (%(code)s) membaca jawaban di baris %(other)s, bukan "
        "jawaban butir ini"
    ),
    "percent_formula_missing": N_(
        "Rumus persentase di baris %(row)s (%(code)s) tidak memakai %(what)s"
    ),
    "percent_formula_extra": N_(
        "Rumus di baris %(row)s (%(code)s) memakai %(what)s, yang bukan jumlah untuk butir ini"
    ),
    "total_formula_missing": N_(
        "Rumus %(label)s di baris %(row)s (%(code)s) tidak menjumlahkan %(what)s"
    ),
    "portalrb_shifted": N_(
        "Lembar Jawaban bergeser dari templat PortalRB: baris %(row)s berisi \u201c%(text)s\u201d, "
        "bukan %(code)s; butir dicocokkan menurut teks pertanyaannya"
    ),
}
# Several wordings of one kind of problem share the kind the import view filters on.
_KINDS = {
    "missing_count_row": "missing_row",
    "formula_missing": "formula_reference",
    "formula_extra": "formula_reference",
    "formula_double": "formula_reference",
    "formula_other_answer": "formula_reference",
    "percent_formula_missing": "formula_reference",
    "percent_formula_extra": "formula_reference",
    "total_formula_missing": "formula_reference",
}


def _issue(kind: str, row: int | None, code: str | None, **params: Any) -> WorksheetIssue:
    words = {key: _words(value) for key, value in params.items()}
    message = _(_ISSUES[kind], row=row, code=code, **words)
    return WorksheetIssue(row, code, _KINDS.get(kind, kind), message)


def _words(value: Any) -> Any:
    """A row named in a message: "baris 183 (Penyampaian ... (LHKASN))", in the sheet's words."""
    if isinstance(value, Place):
        if not value.text:
            return _("baris %(row)s", row=value.row)
        return _("baris %(row)s (%(text)s)", row=value.row, text=value.text)
    return value


def read_worksheet(
    source: str | Path | bytes | IO[bytes], framework: Framework, *, column_group: str = "unit"
) -> WorksheetResult:
    """Read the answers of ``column_group`` ("unit" or "tpi") from a filled worksheet in
    either official layout, detected from the workbook (``result.layout``).

    Raises ValidationError when the file is not a workbook, is beyond the limits of ``limits``
    (too big, too many rows, columns, cells or texts, a zip bomb), is in neither layout (one
    message naming what was looked for), lacks the columns of ``column_group``, or (our own
    export only) holds answers the items do not allow (messages name the row and code).
    Everything else (unmatched, duplicated or missing rows, answers that are not options,
    typed totals that disagree with their parts, Nilai values and formulas that differ from
    the rules) comes back as issues.
    """
    reading = detect(open_workbook(source), framework, column_group)
    return _Reader(framework, reading).read()


class _RowError(Exception):
    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row, self.message = row, message


class _Reader:
    """Extracts the answers of one sheet read and checks the sheet's own results."""

    def __init__(self, framework: Framework, reading: Reading) -> None:
        self.framework, self.reading = framework, reading
        self.slots = layout(framework)
        self.matched: dict[int, SheetRow] = reading.matched
        self.issues = [_issue(f.kind, f.row, f.code, **f.params) for f in reading.findings]

    def read(self) -> WorksheetResult:
        """Raises ValidationError listing every invalid answer with its row (strict sheets)."""
        parsed, problems = self.extract()
        if problems:
            raise ValidationError("; ".join(problems), problems=problems)
        self.compare(parsed, score(self.framework, parsed))
        self.check_formulas()
        raw = {code: answer_to_raw(self.framework.item(code), a) for code, a in parsed.items()}
        rows = {
            self.slots[i].code: r.row
            for i, r in sorted(self.matched.items())
            if self.slots[i].kind == "item" and r is not AMBIGUOUS
        }
        notes = self.notes()
        return WorksheetResult(
            raw,
            self.issues,
            rows,
            self.reading.layout,
            self.reading.sheet.title,
            {code: n.note for code, n in notes.items() if n.note},
            {code: n.links for code, n in notes.items() if n.links},
        )

    # --- answers --------------------------------------------------------------------------------

    def extract(self) -> tuple[dict[str, AnswerValue], list[str]]:
        """Parse every item's answer; returns (parsed, problems naming rows)."""
        parsed: dict[str, AnswerValue] = {}
        problems: list[str] = []
        for index, slot in enumerate(self.slots):
            if slot.kind != "item":
                continue
            item = self.framework.item(slot.code)
            try:
                answer = (
                    self.counts(item, index)
                    if item.answer_type is AnswerType.PERCENT
                    else self.single(item, self.matched.get(index))
                )
            except _RowError as exc:
                problems.append(_("Baris %(row)s: %(error)s", row=exc.row, error=exc.message))
                continue
            if answer is not None:
                parsed[item.code] = answer
        return parsed, problems

    def single(self, item: Item, row: SheetRow | None) -> AnswerValue | None:
        if row is None:
            self.issues.append(_issue("missing_row", None, item.code))
        if row is None or row is AMBIGUOUS or is_blank(row.answer):
            return None
        raw = row.answer.strip() if isinstance(row.answer, str) else row.answer
        try:
            return parse_answer(item, raw)
        except ValidationError as exc:
            if self.reading.strict:
                raise _RowError(row.row, exc.message) from exc
            return self.lenient(item, row, raw, exc.message)

    def lenient(self, item: Item, row: SheetRow, raw: Any, error: str) -> AnswerValue | None:
        """An agency's answer that is not an option: an option typed with its wording ("a. Jika
        ...", "Ya, jika ...") is read as that option, an index with more decimals as its two
        decimals (D7); anything else as unanswered, as the official Nilai formula does
        ("Blm Diisi"). Each is reported but float noise (3.6100000000000003)."""
        if item.answer_type is AnswerType.SURVEY_INDEX:
            return self.lenient_index(item, row, raw, error)
        key = _option_typed_with_wording(item, raw)
        if key is not None:
            self.issues.append(_issue("answer_reread", row.row, item.code, found=raw, key=key))
            return ChoiceAnswer(key)
        choices = "/".join(item.choice_keys)
        found = _show(raw)
        self.issues.append(
            _issue("answer_not_allowed", row.row, item.code, found=found, choices=choices)
        )
        return None

    def lenient_index(self, item: Item, row: SheetRow, raw: Any, error: str) -> IndexAnswer | None:
        index, number = _two_decimals(item, raw), _number(raw)
        if index is None or number is None:
            self.issues.append(_issue("invalid_answer", row.row, item.code, error=error))
            return None
        if abs(number - index.index) > _FLOAT_NOISE:
            shown = _show_number(index.index)
            self.issues.append(_issue("answer_reread", row.row, item.code, found=raw, key=shown))
        return index

    def counts(self, item: Item, index: int) -> CountAnswer | None:
        """The counts typed in the ``Jumlah`` rows under a % item (derived totals skipped)."""
        where = {self.slots[i].input_key: i for i in range(index + 1, index + 1 + len(item.rows))}
        values = self.count_values(item, where)
        if values is None:
            return None
        if None in values:
            values = self.total_without_parts(item, where, values)
        if None in values and any(value is not None for value in values):
            self.issues.append(_issue("incomplete_counts", None, item.code))
        elif None in values:
            self.typed_percent(item, self.matched.get(index))
        counts = [value for value in values if value is not None]
        return CountAnswer(tuple(counts)) if len(counts) == len(values) else None

    def count_values(self, item: Item, where: Mapping[str | None, int]) -> list[int | None] | None:
        """Each input's count (None when blank); None when one is not a count (reported)."""
        values: list[int | None] = []
        invalid = False
        for spec in item.inputs:
            row = self.matched.get(where[spec.key])
            if row is None:
                self.issues.append(_issue("missing_count_row", None, item.code, label=spec.label))
            if row is None or row is AMBIGUOUS or is_blank(row.answer):
                values.append(None)
                continue
            try:
                values.append(parse_count(item, spec.label, row.answer))
            except ValidationError as exc:
                if self.reading.strict:
                    raise _RowError(row.row, exc.message) from exc
                self.issues.append(_issue("invalid_answer", row.row, item.code, error=exc.message))
                invalid = True
        return None if invalid else values

    def total_without_parts(
        self, item: Item, where: Mapping[str | None, int], values: list[int | None]
    ) -> list[int | None]:
        """Only a typed total where the sheet has no formula for it (LHKASN's "Jumlah yang
        harus melaporkan"), its parts blank: the % uses only their sum, so the total is
        recorded on the first part, zeros on the others, and the row is reported."""
        keys = [spec.key for spec in item.inputs]
        for spec in (s for s in item.rows if s.derived):
            row = self.matched.get(where[spec.key])
            parts = [keys.index(key) for key in spec.sum_of]
            others = [i for i in range(len(keys)) if i not in parts]
            if row is None or row is AMBIGUOUS or row.answer_formula:
                continue
            total = _count(row.answer)
            if total is None or any(values[i] is not None for i in parts):
                continue
            if any(values[i] is None for i in others):
                continue
            values = [
                total if i == parts[0] else 0 if i in parts else v for i, v in enumerate(values)
            ]
            first = item.inputs[parts[0]].label
            params = {"label": spec.label, "total": total, "first": first}
            self.issues.append(_issue("total_without_parts", row.row, item.code, **params))
        return values

    def typed_percent(self, item: Item, row: SheetRow | None) -> None:
        """A percentage typed on the % row without its counts: the rules need the counts (D4)."""
        if row is None or row is AMBIGUOUS or row.answer_formula or is_blank(row.answer):
            return
        self.issues.append(_issue("percent_without_counts", row.row, item.code))

    # --- the workbook's own results ---------------------------------------------------------------

    def compare(self, parsed: Mapping[str, AnswerValue], report: ScoreReport) -> None:
        """Every place where the workbook's own result differs from the rules' result."""
        uncomputed = 0
        for index, row in sorted(self.matched.items(), key=lambda pair: pair[1].row):
            slot = self.slots[index]
            if row is AMBIGUOUS or (slot.kind == "count" and not slot.derived):
                continue
            counting = slot.kind == "count"
            found = row.answer if counting else row.value
            if (row.answer_formula if counting else row.value_formula) and found is None:
                uncomputed += 1
            elif counting:
                self.check_total(slot, row, parsed.get(slot.code))
            else:
                self.check_value(slot, row, self.rules_value(slot, report))
            if slot.kind == "item" and isinstance(parsed.get(slot.code), CountAnswer):
                self.check_typed_percent(slot, row, report)
        if uncomputed:
            self.issues.append(_issue("no_cached_values", None, None, count=uncomputed))

    def rules_value(self, slot: Slot, report: ScoreReport) -> Decimal | None:
        if slot.kind == "total":
            return report.total.score
        if slot.kind != "item":
            return report.groups[slot.code].score
        result = report.items[slot.code]
        if not result.answered:
            return None
        return result.score if self.framework.item(slot.code).weight is not None else result.value

    def check_value(self, slot: Slot, row: SheetRow, expected: Decimal | None) -> None:
        found, number = row.value, _number(row.value)
        if isinstance(found, str) and found.startswith("#"):
            self.issues.append(_issue("formula_error", row.row, slot.code, error=found))
            return
        if found is None or (number is None and expected is None):
            return
        if (
            number is not None
            and expected is not None
            and abs(number - expected) <= VALUE_TOLERANCE
        ):
            return
        shown = _show_number(expected) if expected is not None else _("belum dijawab")
        issue = _issue(
            "value_mismatch", row.row, slot.code, found=_show_number(found), expected=shown
        )
        if row.value_formula:  # name the formula: agencies' sheets often carry wrong ones
            formula = _("(rumus %(formula)s)", formula=row.value_formula)
            issue = WorksheetIssue(issue.row, issue.code, issue.kind, f"{issue.message} {formula}")
        self.issues.append(issue)

    def check_typed_percent(self, slot: Slot, row: SheetRow, report: ScoreReport) -> None:
        """A percentage typed over the % formula, next to counts that say otherwise ("60" or
        "0,6" for 60 %): the counts decide (D4), the typed figure is reported."""
        typed, value = _number(row.answer), report.items[slot.code].value
        if row.answer_formula or typed is None or value is None:
            return
        if typed > 1:
            typed /= 100
        if abs(typed - value) > Decimal("0.00005"):
            found, expected = _show_number(typed * 100), _show_number(value * 100)
            self.issues.append(
                _issue("percent_mismatch", row.row, slot.code, found=found, expected=expected)
            )

    def check_total(self, slot: Slot, row: SheetRow, answer: AnswerValue | None) -> None:
        """A derived total row (e.g. "Jumlah yang harus melaporkan") against its parts."""
        typed = _number(row.answer)
        if not isinstance(answer, CountAnswer) or typed is None:
            return
        item = self.framework.item(slot.code)
        counts = dict(zip((i.key for i in item.inputs), answer.counts, strict=True))
        spec = next(r for r in item.rows if r.key == slot.input_key)
        parts = sum(counts[key] for key in spec.sum_of)
        if typed != parts:
            self.issues.append(
                _issue(
                    "total_mismatch",
                    row.row,
                    slot.code,
                    label=spec.label,
                    typed=_show_number(typed),
                    parts=parts,
                )
            )

    def check_formulas(self) -> None:
        columns, sheet = self.reading.columns, self.reading.sheet
        copies = [f for f in self.reading.findings if f.kind == "duplicate_row"]
        checks = FormulaChecks(self.framework, self.slots, self.matched, sheet, columns, copies)
        self.issues += [_issue(f.kind, f.row, f.code, **f.params) for f in checks.run()]

    # --- notes and evidence -----------------------------------------------------------------------

    def notes(self) -> dict[str, ItemNotes]:
        """Per item, what its rows (its own and its count rows) carry in the note and evidence
        columns, in sheet order."""
        sheet, columns = self.reading.sheet, self.reading.columns.notes
        found: dict[str, ItemNotes] = {}
        for index, row in sorted(self.matched.items(), key=lambda pair: pair[1].row):
            slot = self.slots[index]
            if row is AMBIGUOUS or slot.kind not in ("item", "count"):
                continue
            notes = found.setdefault(slot.code, ItemNotes())
            for column, kind in columns:
                value = sheet.value(row.row, column)
                link = sheet.links.get((row.row, column))
                notes.add(kind, value, isinstance(value, FormulaText), link)
        return found


def _option_typed_with_wording(item: Item, raw: Any) -> str | None:
    """ "a. Jika ...", "B) Jika ...", "Ya, jika ...": the option key typed before its wording."""
    if not isinstance(raw, str):
        return None
    match = re.match(r"^\s*([A-Za-z]{1,5})\s*[.,):]\s*\S", raw)
    if match is None:
        return None
    typed = match.group(1).casefold()
    return next((key for key in item.choice_keys if key.casefold() == typed), None)


def _two_decimals(item: Item, raw: Any) -> IndexAnswer | None:
    """A survey index typed with more than two decimals, rounded half up (D7); None when it
    is no index at all."""
    number = _number(raw)
    if number is None:
        return None
    try:
        answer = parse_answer(item, str(number.quantize(Decimal("0.01"), ROUND_HALF_UP)))
    except ValidationError:
        return None
    return answer if isinstance(answer, IndexAnswer) else None


def _count(value: Any) -> int | None:
    number = _number(value)
    if number is None or number < 0 or number != number.to_integral_value():
        return None
    return int(number)


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    text = repr(value) if isinstance(value, float) else str(value).strip().replace(",", ".")
    try:
        number = Decimal(text)  # "3,61" as Indonesians type it
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _show_number(value: Any) -> str:
    number = _number(value)
    if number is None:
        return str(value)
    return format(number.quantize(Decimal("0.0001")).normalize(), "f").replace(".", ",")
