"""The official LKE worksheets, in both layouts found in the field (D17): write them, read them
back, detect which one a workbook is in.

* Lampiran III, sheet ``LKE ZI``: title rows, a header (``Bobot``, ``Pilihan Jawaban``,
  ``Jawaban``, ``Nilai``...), then one row per component, part, area, sub-area and item, with
  hierarchy markers (``A.``/``I.``/``1.``/``i.``/``a.``) and one ``-`` row typed ``Jumlah`` per
  count input under a % item. Our export adds column groups (``Unit Kerja``, ``Penilaian TPI``);
  agencies' copies have one ``Jawaban`` column and free-form notes and links right of it.
* PortalRB's template, sheet ``Jawaban``: fixed cells from the master list (unit answer in K,
  note L, evidence M; TPI answer N, note Q).

Agencies' copies shift rows, mistype markers, answers and answer types, type totals and keep
broken formulas, so the reader finds the header by its texts and aligns rows to the framework
in order by question text, marker and answer type (never by row number). It takes answers and
counts only, scores them with the rules and reports every place where the workbook's own
results or formulas disagree.

Modules: ``layout`` (the sheet's rows and texts), ``write`` and ``formulas`` (the sheet with
live formulas), ``portalrb`` (PortalRB's template: cells, reading, writing, the master list),
``detect`` (which layout), ``lampiran`` (reading the Lampiran III sheet), ``align`` (matching
rows by hierarchy and text), ``read`` (answers, notes, links and issues), ``checks`` (what the
sheet's formulas add up), ``notes`` (notes and evidence links), ``preview`` (what an import
would change), ``workbook`` and ``limits`` (opening hostile files safely).
"""

from tracker.lke.worksheet.layout import (
    FIRST_ROW,
    NOT_FILLED,
    SHEET_NAME,
    Slot,
    WorksheetLayout,
    layout,
)
from tracker.lke.worksheet.preview import Change, ImportPreview, preview_import
from tracker.lke.worksheet.read import WorksheetIssue, WorksheetResult, read_worksheet
from tracker.lke.worksheet.write import write_worksheet

__all__ = [
    "FIRST_ROW",
    "NOT_FILLED",
    "SHEET_NAME",
    "Change",
    "ImportPreview",
    "Slot",
    "WorksheetIssue",
    "WorksheetLayout",
    "WorksheetResult",
    "layout",
    "preview_import",
    "read_worksheet",
    "write_worksheet",
]
