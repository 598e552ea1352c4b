"""The official LKE worksheet (Lampiran III layout, sheet ``LKE ZI``): write it and read it back.

Layout, top to bottom: title rows, a two-row header (``No`` | ``Komponen/Sub Komponen/Indikator``
| ``Bobot`` | ``Pilihan Jawaban`` | ``Unit Kerja``: ``Jawaban``, ``Nilai``, ``Catatan``,
``Bukti Dukung`` | ``Penilaian TPI``: ``Jawaban``, ``Nilai``, ``Catatan`` | ``Kriteria``), then one
row per component, part, area, sub-area and item, hierarchy markers (``A.``/``I.``/``1.``/``i.``/
``a.``) in the first columns and one ``-`` row typed ``Jumlah`` per count input under a % item.

Agencies' copies shift rows, mistype markers and keep broken formulas, so the reader finds the
header by its texts and aligns rows to the framework in order by question text similarity, marker
and answer type (never by row number). It takes answers and counts only, scores them with the
rules and reports every place where the workbook's own results disagree.

Modules: ``layout`` (the sheet's columns, header texts and rows), ``write`` (the blank or
filled sheet), ``read`` (a workbook back into answers and issues) and ``align`` (matching an
agency's rows to the layout by hierarchy and text).
"""

from tracker.lke.worksheet.layout import FIRST_ROW, NOT_FILLED, SHEET_NAME, Slot, layout
from tracker.lke.worksheet.read import WorksheetIssue, WorksheetResult, read_worksheet
from tracker.lke.worksheet.write import write_worksheet

__all__ = [
    "FIRST_ROW",
    "NOT_FILLED",
    "SHEET_NAME",
    "Slot",
    "WorksheetIssue",
    "WorksheetResult",
    "layout",
    "read_worksheet",
    "write_worksheet",
]
