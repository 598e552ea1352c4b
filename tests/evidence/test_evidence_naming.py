"""Display names, download names and extensions of hostile or odd original file names."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.evidence.naming import (
    MAX_DISPLAY_LENGTH,
    MAX_SAFE_LENGTH,
    display_name,
    extension,
    storage_safe_name,
)


@pytest.mark.parametrize(
    ("original", "shown"),
    [
        ("Laporan Triwulan I.pdf", "Laporan Triwulan I.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\x.pdf", "x.pdf"),
        ("C:\\Users\\budi\\Desktop\\SK Tim ZI.docx", "SK Tim ZI.docx"),
        ("/absolute/path/foto.jpg", "foto.jpg"),
        ("folder/", "folder"),
        ("evil.pdf\x00.exe", "evil.pdf.exe"),
        ("laporan\u202efdp.exe", "laporanfdp.exe"),
        ("zero\u200bwidth\ufeff.pdf", "zerowidth.pdf"),
        ("  banyak \t  spasi\n\u00a0.pdf  ", "banyak spasi .pdf"),
        ("trailing dots.pdf...", "trailing dots.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("Bukti – ‘kutip’ é.pdf", "Bukti – ‘kutip’ é.pdf"),
        ("e\u0301.pdf", "\u00e9.pdf"),  # NFC: one character, as the user typed it
        ("", "berkas"),
        (None, "berkas"),
        ("..", "berkas"),
        ("/../..\\.", "berkas"),
        ("\x00\x01\u202e", "berkas"),
    ],
)
def test_display_name_keeps_the_users_name_without_hidden_parts(original, shown):
    assert display_name(original) == shown


def test_display_name_caps_length_and_keeps_the_extension():
    name = display_name("a" * 500 + ".pdf")
    assert len(name) == MAX_DISPLAY_LENGTH
    assert name.endswith("aaa.pdf")


def test_display_name_caps_a_name_without_extension():
    assert display_name("b" * 500) == "b" * MAX_DISPLAY_LENGTH


@pytest.mark.parametrize(
    ("original", "ext"),
    [
        ("laporan.PDF", "pdf"),
        ("arsip.tar.gz", "gz"),
        ("evil.pdf\x00.exe", "exe"),
        ("evil\u202efdp.exe", "exe"),
        ("evil.pdf ", "pdf"),
        ("evil.pdf.", "pdf"),
        ("tanpa ekstensi", ""),
        (".pdf", ""),
        ("versi 1.0 final", ""),
        ("../../x.docx", "docx"),
        ("", ""),
    ],
)
def test_extension_is_what_the_reviewers_computer_would_see(original, ext):
    assert extension(original) == ext


@pytest.mark.parametrize(
    ("original", "safe"),
    [
        ("Laporan Triwulan I (final).PDF", "Laporan_Triwulan_I_final.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("évidence été.docx", "evidence_ete.docx"),
        ("ላፖራን.pdf", "berkas.pdf"),  # nothing ASCII left of the stem
        ("报告", "berkas"),
        ("evil\u202efdp.exe", "evilfdp.exe"),
    ],
)
def test_storage_safe_name_is_ascii_and_keeps_the_extension(original, safe):
    assert storage_safe_name(original) == safe


@given(st.text())
def test_display_name_properties(original):
    name = display_name(original)
    assert name
    assert len(name) <= MAX_DISPLAY_LENGTH
    assert "/" not in name and "\\" not in name
    assert name == name.strip(" .")
    assert not any(unicodedata.category(char) in {"Cc", "Cf", "Cs", "Cn"} for char in name)
    assert display_name(name) == name  # idempotent: showing it again changes nothing


@given(st.text())
def test_storage_safe_name_properties(original):
    safe = storage_safe_name(original)
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", safe)
    assert len(safe) <= MAX_SAFE_LENGTH
    assert not safe.startswith(".")
    assert safe not in {".", ".."}
    if ext := extension(original):
        assert safe.endswith("." + ext)
