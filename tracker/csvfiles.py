"""Reading the CSV files administrators upload (agencies and units, past designations).

One reader for every import, so that each accepts the same files: UTF-8 with or without a BOM,
a header row, comma- or semicolon-separated (the header decides: a decree number or a unit name
may well contain commas), blank lines ignored, every value's whitespace collapsed. A file that
cannot be read raises ``ImportFailedError``; each import then checks its rows and reports every
bad one with its line number before anything is saved.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from tracker.errors import ValidationError
from tracker.i18n import _

MAX_BYTES = 5 * 1024 * 1024


class ImportFailedError(ValidationError):
    """The file was refused; ``errors`` lists every problem, each with its line number."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(
            _("Impor dibatalkan, tidak ada yang disimpan: %(errors)s", errors=" ".join(errors)),
            problems=errors,
        )
        self.errors = errors


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


def read_rows(
    data: bytes,
    *,
    columns: Collection[str],
    required: Collection[str],
    aliases: Mapping[str, str] | None = None,
    max_rows: int | None = None,
) -> list[Row]:
    """The data rows of ``data``, keyed by column name (``aliases`` maps other header names to
    ours). Raises ImportFailedError for a file that is too large, not UTF-8, has a header that
    lacks a ``required`` column or names an unknown one, has too many rows, or has no data."""
    if len(data) > MAX_BYTES:
        raise ImportFailedError([_("Berkas lebih dari 5 MB.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailedError([_("Berkas bukan teks UTF-8.")]) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    aliases = aliases or {}
    header = [
        aliases.get(name, name)
        for name in ((h or "").strip().lower() for h in reader.fieldnames or [])
    ]
    if missing := [c for c in required if c not in header]:
        raise ImportFailedError(
            [_("Baris judul harus memuat kolom %(cols)s.", cols=", ".join(missing))]
        )
    if unknown := [h for h in header if h not in columns]:
        raise ImportFailedError([_("Kolom tidak dikenal: %(cols)s.", cols=", ".join(unknown))])
    reader.fieldnames = header
    rows: list[Row] = []
    try:
        for raw in reader:
            values = {k: " ".join((v or "").split()) for k, v in raw.items() if k}
            if any(values.values()):  # blank lines between rows are not rows
                rows.append(Row(reader.line_num, values))
            if max_rows is not None and len(rows) > max_rows:
                raise ImportFailedError(
                    [_("Berkas lebih dari %(n)s baris; pecah menjadi beberapa berkas.", n=max_rows)]
                )
    except csv.Error as exc:
        raise ImportFailedError(
            [_("Baris %(line)s: %(msg)s", line=reader.line_num, msg=str(exc))]
        ) from exc
    if not rows:
        raise ImportFailedError([_("Berkas tidak memuat satu baris data pun.")])
    return rows
