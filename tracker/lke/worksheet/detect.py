"""Which official layout a workbook is in, from the workbook itself (never asked of the user).

Lampiran III first: a sheet named ``LKE ZI`` (loosely: "lke_zi", "LKE ZI 2025") with a header
holding ``Bobot`` and a ``Jawaban`` column. Then PortalRB: a sheet named ``Jawaban`` with
something at the template's cells. A workbook that is neither is refused with one message
naming both, and the sheets it has.
"""

from __future__ import annotations

from tracker.errors import ValidationError
from tracker.i18n import _
from tracker.lke.framework import Framework
from tracker.lke.worksheet import portalrb
from tracker.lke.worksheet.lampiran import read_lampiran
from tracker.lke.worksheet.layout import SHEET_NAME, layout, norm
from tracker.lke.worksheet.reading import Reading
from tracker.lke.worksheet.workbook import OpenedWorkbook


def detect(book: OpenedWorkbook, framework: Framework, group: str) -> Reading:
    """The sheet read in the layout it is in. Raises ValidationError for a workbook in neither
    layout, an unknown ``group``, or a sheet without the group's answer column."""
    for name in candidates(book, SHEET_NAME):
        reading = read_lampiran(book.load(name), framework, group)
        if reading is not None:
            return reading
    for name in candidates(book, portalrb.SHEET_NAME):
        reading = portalrb.read_portalrb(book.load(name), framework, group)
        if reading is not None:
            return reading
    raise ValidationError(
        _(
            "Buku kerja ini tidak dikenali sebagai LKE. Yang dicari: lembar %(lampiran)s "
            "(Lampiran III) dengan baris judul kolom Bobot dan Jawaban, atau lembar %(portalrb)s "
            "dari templat PortalRB dengan jawaban unit di kolom K baris %(first)s-%(last)s. "
            "Lembar yang ada: %(sheets)s",
            lampiran=SHEET_NAME,
            portalrb=portalrb.SHEET_NAME,
            first=min(_answer_rows(framework)),
            last=max(_answer_rows(framework)),
            sheets=", ".join(book.sheets) or "-",
        )
    )


def candidates(book: OpenedWorkbook, wanted: str) -> list[str]:
    """Sheets named ``wanted``: the exact (loose) name first, then names starting with it
    ("LKE ZI 2025", "LKE ZI (final)")."""
    key = _key(wanted)
    exact = [name for name in book.sheets if _key(name) == key]
    prefixed = [name for name in book.sheets if _key(name).startswith(key) and name not in exact]
    return exact + prefixed


def _key(name: str) -> str:
    return norm(name).replace(" ", "")


def _answer_rows(framework: Framework) -> list[int]:
    rows = portalrb.template_rows(framework)
    return [r for r, s in zip(rows, layout(framework), strict=True) if s.kind in ("item", "count")]
