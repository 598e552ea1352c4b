"""Reading answers keyed by PortalRB's ``soal_id`` from a CSV or JSON file (issue 12 §5): TPN's
evaluation as PortalRB publishes it, for the TPN tier of an agency deployment. Pure: no Flask,
no database.

A row is ``soal_id`` (PortalRB's master question id), ``jawaban`` (the option key of a choice
question, the count of a ``Jumlah`` question, the index of a survey question) and ``catatan``
(optional). The framework places each ``soal_id`` (``Framework.soal_map``): a choice or survey
item, or one count input of a % item, whose counts together make its answer. The result is a
``FileRead`` like a worksheet's, so the import shows the same preview and saves through the same
confirmation (``import_rules.plan``, ``worksheet_import.confirm_import``).

Every problem is reported with its row (an unknown ``soal_id``, one given twice, an answer its
question does not take, a % item with only some of its counts) and nothing is read then.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tracker.accreditation.import_rules import FileRead
from tracker.csvfiles import MAX_BYTES, ImportFailedError, read_rows
from tracker.errors import ValidationError
from tracker.i18n import N_, _
from tracker.lke import AnswerType, Framework
from tracker.lke.answers import is_blank, parse_answer, parse_count
from tracker.lke.framework.model import SoalRef
from tracker.lke.worksheet import WorksheetResult

COLUMNS = ("soal_id", "jawaban", "catatan")
MAX_ROWS = 2000  # the master list has 127 questions; far more is not an answer file
MAX_NOTE = 4000


class SoalFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


FORMAT_LABELS = {
    SoalFormat.CSV: N_("Berkas CSV per soal_id PortalRB"),
    SoalFormat.JSON: N_("Berkas JSON per soal_id PortalRB"),
}


def format_of(filename: str) -> SoalFormat | None:
    """The soal file format named by ``filename``'s extension, or None (not a soal file)."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return SoalFormat(ext) if ext in set(SoalFormat) else None


@dataclass(frozen=True)
class SoalRow:
    where: str  # "Baris 3" / "Entri 2": how the file's problems name the row
    soal_id: str
    jawaban: Any
    catatan: str


def read_soal_file(data: bytes, fmt: SoalFormat) -> list[SoalRow]:
    """The file's rows. Raises ImportFailedError (every problem, each with its row)."""
    if fmt is SoalFormat.CSV:
        rows = read_rows(data, columns=COLUMNS, required=("soal_id", "jawaban"), max_rows=MAX_ROWS)
        return [
            SoalRow(
                _("Baris %(n)s", n=r.line),
                r.values.get("soal_id", ""),
                r.values.get("jawaban", ""),
                r.values.get("catatan", ""),
            )
            for r in rows
        ]
    return _json_rows(data)


def _json_rows(data: bytes) -> list[SoalRow]:
    """A list of ``{"soal_id", "jawaban", "catatan"}``, bare or under ``"answers"``."""
    if len(data) > MAX_BYTES:
        raise ImportFailedError([_("Berkas lebih dari 5 MB.")])
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ImportFailedError([_("Berkas bukan JSON yang sah (UTF-8).")]) from None
    entries = doc.get("answers") if isinstance(doc, dict) else doc
    if not isinstance(entries, list):
        raise ImportFailedError(
            [
                _(
                    "Berkas JSON harus berupa daftar jawaban "
                    '[{"soal_id": …, "jawaban": …, "catatan": …}] atau objek dengan '
                    'kunci "answers".'
                )
            ]
        )
    if not entries:
        raise ImportFailedError([_("Berkas tidak memuat satu jawaban pun.")])
    if len(entries) > MAX_ROWS:
        raise ImportFailedError(
            [_("Berkas lebih dari %(n)s baris; pecah menjadi beberapa berkas.", n=MAX_ROWS)]
        )
    rows, errors = [], []
    for n, entry in enumerate(entries, start=1):
        where = _("Entri %(n)s", n=n)
        if not isinstance(entry, dict):
            errors.append(_("%(where)s: bukan objek jawaban.", where=where))
            continue
        if unknown := sorted(str(k) for k in entry if k not in COLUMNS):
            errors.append(
                _("%(where)s: kunci tidak dikenal: %(keys)s.", where=where, keys=", ".join(unknown))
            )
            continue
        note = entry.get("catatan")
        rows.append(
            SoalRow(
                where,
                "" if entry.get("soal_id") is None else str(entry["soal_id"]),
                entry.get("jawaban"),
                "" if note is None else str(note),
            )
        )
    if errors:
        raise ImportFailedError(errors)
    return rows


def answers_of(
    rows: list[SoalRow], framework: Framework, soal_map: Mapping[int, SoalRef]
) -> WorksheetResult:
    """The rows as raw answers and notes by item code. Raises ImportFailedError listing every
    row's problem: nothing is read from a file with any."""
    errors: list[str] = []
    seen: dict[int, str] = {}
    choices: dict[str, Any] = {}
    counts: dict[str, dict[str, Any]] = {}
    count_rows: dict[str, str] = {}
    notes: dict[str, list[str]] = {}
    for row in rows:
        soal_id = _soal_id(row.soal_id)
        if soal_id is None:
            errors.append(
                _(
                    "%(where)s: soal_id harus bilangan bulat, bukan “%(v)s”.",
                    where=row.where,
                    v=row.soal_id,
                )
            )
            continue
        if soal_id in seen:
            errors.append(
                _(
                    "%(where)s: soal_id %(id)s sudah ada di %(other)s.",
                    where=row.where,
                    id=soal_id,
                    other=seen[soal_id],
                )
            )
            continue
        seen[soal_id] = row.where
        ref = soal_map.get(soal_id)
        if ref is None:
            errors.append(
                _(
                    "%(where)s: soal_id %(id)s tidak ada dalam kerangka LKE %(framework)s.",
                    where=row.where,
                    id=soal_id,
                    framework=framework.code,
                )
            )
            continue
        item = framework.item(ref.code)
        if len(row.catatan) > MAX_NOTE:
            errors.append(
                _("%(where)s: catatan lebih dari %(n)s karakter.", where=row.where, n=MAX_NOTE)
            )
            continue
        if row.catatan.strip():
            notes.setdefault(item.code, []).append(row.catatan.strip())
        if is_blank(row.jawaban):
            continue
        try:
            if ref.input_key is not None:
                spec = next(i for i in item.inputs if i.key == ref.input_key)
                parse_count(item, spec.label, row.jawaban)
                counts.setdefault(item.code, {})[ref.input_key] = row.jawaban
                count_rows.setdefault(item.code, row.where)
            elif item.answer_type is AnswerType.PERCENT:  # a % item's own id: its counts answer
                raise ValidationError(
                    _(
                        "Butir %(code)s: soal_id %(id)s adalah butir persentase; isi jumlahnya "
                        "pada soal_id masing-masing.",
                        code=item.code,
                        id=soal_id,
                    )
                )
            else:
                parse_answer(item, row.jawaban)
                choices[item.code] = row.jawaban
        except ValidationError as exc:
            errors.append(
                _(
                    "%(where)s (soal_id %(id)s): %(why)s",
                    where=row.where,
                    id=soal_id,
                    why=exc.message,
                )
            )
    for code, given in counts.items():
        item = framework.item(code)
        if missing := [i.label for i in item.inputs if i.key not in given]:
            errors.append(
                _(
                    "%(where)s: butir %(code)s memerlukan semua jumlahnya; belum ada: %(labels)s.",
                    where=count_rows[code],
                    code=code,
                    labels="; ".join(missing),
                )
            )
        else:
            choices[code] = dict(given)
    if errors:
        raise ImportFailedError(errors)
    if not choices and not notes:
        raise ImportFailedError([_("Berkas tidak memuat satu jawaban pun.")])
    return WorksheetResult(
        answers=choices, issues=[], notes={code: "\n".join(parts) for code, parts in notes.items()}
    )


def _soal_id(raw: str) -> int | None:
    text = raw.strip()
    return int(text) if text.isdigit() and len(text) <= 9 else None


@dataclass(frozen=True)
class SoalRead(FileRead):
    """A soal file read for a tier: what ``import_rules.plan`` compares, and its own label."""

    format: SoalFormat = SoalFormat.CSV

    @property
    def layout_label(self) -> str:
        return _(FORMAT_LABELS[self.format])


def read_for_tier(data: bytes, fmt: SoalFormat, framework: Framework) -> SoalRead:
    """``data`` as answers for a tier, placed by the framework's own ``soal_id``s. Raises
    ImportFailedError (a ValidationError)."""
    rows = read_soal_file(data, fmt)
    return SoalRead(answers_of(rows, framework, framework.soal_map()), format=fmt)
