"""Allow-list configuration, content sniffing and the rejection messages."""

from __future__ import annotations

import io

import pytest
from evidence_samples import (
    ALLOWED_SAMPLES,
    JPEG_BYTES,
    docx_bytes,
    docx_without_main_part,
    elf_bytes,
    exe_bytes,
    html_bytes,
    pdf_bytes,
    plain_zip_bytes,
    png_bytes,
    xlsm_bytes,
    xlsx_bytes,
)

from tracker.errors import ValidationError
from tracker.evidence import filetypes
from tracker.evidence.filetypes import (
    DEFAULT_ALLOW_LIST,
    KNOWN_TYPES,
    FileType,
    RejectedFileError,
    RejectReason,
    TypeAllowList,
    human_size,
    sniff,
)


def test_default_allow_list_is_the_issues_list():
    assert DEFAULT_ALLOW_LIST.extensions == ("docx", "jpeg", "jpg", "pdf", "png", "pptx", "xlsx")
    assert DEFAULT_ALLOW_LIST.describe() == "DOCX, JPEG, JPG, PDF, PNG, PPTX, XLSX"
    assert DEFAULT_ALLOW_LIST.accept_attribute().startswith(".docx,.jpeg,.jpg,.pdf")


@pytest.mark.parametrize("config", [None, "", " , ", []])
def test_empty_config_means_the_default(config):
    assert TypeAllowList.from_config(config).extensions == DEFAULT_ALLOW_LIST.extensions


def test_config_is_normalised():
    assert TypeAllowList.from_config(" PDF, .png ,jpg").extensions == ("jpg", "pdf", "png")
    assert TypeAllowList.from_config(["pdf"]).extensions == ("pdf",)


def test_unknown_type_in_config_is_a_configuration_error():
    with pytest.raises(ValueError, match="exe, odt"):
        TypeAllowList.from_config("pdf,odt,exe")


def test_custom_type_can_be_added_in_code():
    odt = FileType("ODT", "application/vnd.oasis.opendocument.text")
    allow = TypeAllowList({"ODT": odt, **KNOWN_TYPES})
    assert "odt" in allow.extensions
    assert allow.check_content("a.odt", odt.content_type) == odt.content_type


def test_allow_list_is_immutable():
    with pytest.raises(TypeError):
        DEFAULT_ALLOW_LIST.types["exe"] = KNOWN_TYPES["pdf"]  # type: ignore[index]
    with pytest.raises(ValueError, match="at least one"):
        TypeAllowList({})


@pytest.mark.parametrize("name", sorted(ALLOWED_SAMPLES))
def test_sniff_recognises_every_allowed_sample(name):
    make, content_type = ALLOWED_SAMPLES[name]
    file = io.BytesIO(make())
    assert sniff(file) == content_type
    assert file.tell() == 0
    assert DEFAULT_ALLOW_LIST.check_content(name, content_type) == content_type


@pytest.mark.parametrize(
    ("make", "detected"),
    [
        (plain_zip_bytes, "application/zip"),
        (docx_without_main_part, "application/zip"),
        (xlsm_bytes, "application/vnd.ms-excel.sheet.macroEnabled.12"),
        (elf_bytes, "application/x-executable"),
        (html_bytes, "text/html"),
        (lambda: b"", "application/x-empty"),
    ],
)
def test_sniff_looks_inside_zips_and_names_what_it_found(make, detected):
    assert sniff(io.BytesIO(make())) == detected


def test_sniff_does_not_trust_a_zip_with_too_many_entries(monkeypatch):
    monkeypatch.setattr(filetypes, "_MAX_ZIP_ENTRIES", 2)  # our sample docx has 3 parts
    assert sniff(io.BytesIO(docx_bytes())) == "application/zip"


def test_sniff_does_not_read_an_oversized_content_types_part(monkeypatch):
    monkeypatch.setattr(filetypes, "_MAX_CONTENT_TYPES_BYTES", 100)
    assert sniff(io.BytesIO(docx_bytes())) == "application/zip"


def test_sniff_survives_a_truncated_zip():
    data = docx_bytes()
    assert sniff(io.BytesIO(data[: len(data) // 2])) == "application/zip"
    assert sniff(io.BytesIO(data[:-10])) == "application/zip"  # no end record: not Office


@pytest.mark.parametrize(
    ("filename", "make", "expected", "detected"),
    [
        ("laporan.pdf", elf_bytes, "PDF", "ELF"),
        ("laporan.pdf", exe_bytes, "PDF", "EXE"),
        ("foto.png", html_bytes, "PNG", "HTML"),
        ("sk.docx", plain_zip_bytes, "DOCX", "ZIP"),
        ("lke.xlsx", xlsm_bytes, "XLSX", "XLSM"),
        ("foto.jpg", png_bytes, "JPEG", "PNG"),
        ("foto.png", lambda: JPEG_BYTES, "PNG", "JPEG"),
        ("sk.docx", xlsx_bytes, "DOCX", "XLSX"),
        ("laporan.pdf", docx_bytes, "PDF", "DOCX"),
        ("laporan.pdf", lambda: b"just text, no PDF", "PDF", "text/plain"),
    ],
)
def test_content_not_matching_the_extension_is_rejected(filename, make, expected, detected):
    with pytest.raises(RejectedFileError) as caught:
        DEFAULT_ALLOW_LIST.check_content(filename, sniff(io.BytesIO(make())))
    err = caught.value
    assert err.reason is RejectReason.CONTENT_MISMATCH
    assert str(err) == (
        f"Berkas {filename} ditolak: isinya bukan {expected} (terdeteksi {detected})."
    )
    assert isinstance(err, ValidationError) and err.http_status == 422
    assert err.details["name"] == filename


def test_extension_not_allowed_names_file_type_and_the_allowed_list():
    with pytest.raises(RejectedFileError) as caught:
        DEFAULT_ALLOW_LIST.check_name("C:\\tmp\\setup.EXE")
    assert caught.value.reason is RejectReason.EXTENSION_NOT_ALLOWED
    assert str(caught.value) == (
        "Berkas setup.EXE ditolak: jenis .exe tidak diizinkan "
        "(yang diizinkan: DOCX, JPEG, JPG, PDF, PNG, PPTX, XLSX)."
    )


def test_a_name_without_extension_is_rejected():
    with pytest.raises(RejectedFileError) as caught:
        DEFAULT_ALLOW_LIST.check_name("laporan")
    assert caught.value.reason is RejectReason.NO_EXTENSION
    assert str(caught.value).startswith("Berkas laporan ditolak: tidak ada ekstensi")


def test_a_narrower_config_rejects_otherwise_valid_files():
    only_pdf = TypeAllowList.from_config("pdf")
    assert only_pdf.check_content("a.pdf", sniff(io.BytesIO(pdf_bytes()))) == "application/pdf"
    with pytest.raises(RejectedFileError, match=r"jenis \.png tidak diizinkan"):
        only_pdf.check_name("bagan.png")


def test_messages_show_the_cleaned_name_not_the_hostile_one():
    with pytest.raises(RejectedFileError) as caught:
        DEFAULT_ALLOW_LIST.check_name("../../laporan\u202efdp.exe")
    assert caught.value.name == "laporanfdp.exe"
    assert "\u202e" not in str(caught.value) and "../" not in str(caught.value)


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1536, "1.5 KB"),
        (50 * 1024 * 1024, "50 MB"),
        (50 * 1024 * 1024 + 1, "50 MB"),
        (int(2.5 * 1024**3), "2.5 GB"),
        (5 * 1024**4, "5120 GB"),
    ],
)
def test_human_size(size, text):
    assert human_size(size) == text


def test_too_large_and_empty_messages():
    too_large = filetypes.rejected_too_large("scan.pdf", 50 * 1024 * 1024)
    assert str(too_large) == "Berkas scan.pdf ditolak: ukurannya melebihi batas 50 MB."
    assert too_large.reason is RejectReason.TOO_LARGE
    assert too_large.details["limit"] == 50 * 1024 * 1024
    empty = filetypes.rejected_empty("kosong.pdf")
    assert str(empty) == "Berkas kosong.pdf ditolak: berkasnya kosong."
    assert empty.reason is RejectReason.EMPTY
