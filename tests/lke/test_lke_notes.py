"""Notes and evidence links from the cells next to an item; formula references."""

from __future__ import annotations

import pytest

from tracker.lke.worksheet.checks import references, rows_in
from tracker.lke.worksheet.notes import ColumnKind, ItemNotes, clean_link, links_in, only_links


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("https://drive.google.com/file/d/1/view", ["https://drive.google.com/file/d/1/view"]),
        ("Lihat (https://drive.google.com/x).", ["https://drive.google.com/x"]),
        ("a http://x.id/1, b HTTPS://Y.ID/2;", ["http://x.id/1", "HTTPS://Y.ID/2"]),
        ("SK nomor 12/2025", []),
    ],
)
def test_links_in_text(text: str, links: list[str]) -> None:
    assert links_in(text) == links


@pytest.mark.parametrize(
    "address",
    ["javascript:alert(1)", "file:///C:/bukti.pdf", "mailto:a@b.id", "https://", "http:///x"],
)
def test_only_http_links_with_a_host(address: str) -> None:
    assert clean_link(address) is None


def test_only_links_and_separators() -> None:
    assert only_links("https://a.id/1\nhttps://a.id/2; ")
    assert not only_links("Bukti: https://a.id/1")
    assert not only_links("tanpa tautan")


def test_a_note_column_keeps_its_text_and_an_evidence_column_gives_links() -> None:
    notes = ItemNotes()
    notes.add(ColumnKind.NOTE, "Catatan https://a.id/1", False, None)
    notes.add(ColumnKind.EVIDENCE, "https://a.id/2\nhttps://a.id/2", False, None)
    notes.add(ColumnKind.EVIDENCE, "Arsip fisik", False, None)
    notes.add(ColumnKind.EVIDENCE, "Link", False, "https://a.id/3")
    notes.add(ColumnKind.EVIDENCE, '=HYPERLINK("https://a.id/4","Bukti")', True, None)
    assert notes.note == "Catatan https://a.id/1\nArsip fisik"
    assert notes.links == ["https://a.id/2", "https://a.id/3", "https://a.id/4"]


def test_a_long_note_is_cut() -> None:
    notes = ItemNotes()
    notes.add(ColumnKind.NOTE, "x" * 5000, False, None)
    assert len(notes.note) == 4000 and notes.note.endswith("\u2026")


def test_references_skip_text_functions_and_other_sheets() -> None:
    formula = "=IF(J8=\"Ya/Tidak\",LOG10(K8),SUM(L$9:L11,'Ctt Eval'!L5,Utama!A1))*$H$7"
    assert references(formula) == [(8, 10, 8, 10), (8, 11, 8, 11), (9, 12, 11, 12), (7, 8, 7, 8)]
    assert rows_in(formula, 12, 10) == {9, 10}  # clipped to the sheet's last row
