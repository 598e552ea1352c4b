"""Allow-list configuration, content sniffing and the rejection messages."""

from __future__ import annotations

import io

import pytest
from evidence_samples import (
    ALLOWED_SAMPLES,
    JPEG_BYTES,
    docm_named_docx,
    docx_bomb,
    docx_bytes,
    docx_declaring,
    docx_with,
    docx_with_activex,
    docx_with_embedded,
    docx_with_macros,
    docx_with_ole_object,
    docx_with_renamed_macros,
    docx_without_main_part,
    elf_bytes,
    exe_bytes,
    html_bytes,
    pdf_bytes,
    plain_zip_bytes,
    png_bytes,
    replace_in_content_types,
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
    monkeypatch.setattr(filetypes, "MAX_ZIP_ENTRIES", 2)  # our sample docx has 3 parts
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


# --- what a type alone does not show (issue 13, points 4 and 15) --------------------------------


XLSX_PACKAGE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def check(filename: str, data: bytes) -> str:
    return DEFAULT_ALLOW_LIST.check_file(filename, io.BytesIO(data))


def refusal(filename: str, data: bytes) -> RejectedFileError:
    with pytest.raises(RejectedFileError) as caught:
        check(filename, data)
    return caught.value


@pytest.mark.parametrize("name", sorted(ALLOWED_SAMPLES))
def test_every_allowed_sample_passes_the_full_check(name):
    make, content_type = ALLOWED_SAMPLES[name]
    file = io.BytesIO(make())
    assert DEFAULT_ALLOW_LIST.check_file(name, file) == content_type
    assert file.tell() == 0


@pytest.mark.parametrize("prefix", [b"\r\n", b"\n\n  \n"])
def test_a_pdf_may_start_after_the_blank_lines_readers_tolerate(prefix):
    assert check("a.pdf", prefix + pdf_bytes()) == "application/pdf"


@pytest.mark.parametrize(
    ("prefix", "reason"),
    [
        # libmagic calls these PDF: only the markup rule refuses them
        (b"<html><!--", RejectReason.DISGUISED),
        (b"\n</div><!--", RejectReason.DISGUISED),
        (b"<p>", RejectReason.DISGUISED),
        # libmagic already calls these HTML or SVG
        (b"<!DOCTYPE html><!--", RejectReason.CONTENT_MISMATCH),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><!--", RejectReason.CONTENT_MISMATCH),
    ],
)
def test_markup_before_the_pdf_header_is_not_a_pdf(prefix, reason):
    err = refusal("a.pdf", prefix + pdf_bytes() + b"-->")
    assert err.reason is reason
    if reason is RejectReason.DISGUISED:
        assert str(err) == (
            "Berkas a.pdf ditolak: ini bukan PDF asli: sebelum awal PDF ada kode halaman web "
            "(HTML atau XML)."
        )


def test_the_pdf_header_must_begin_within_the_first_1024_bytes():
    assert filetypes.pdf_hazard(io.BytesIO(b" " * 1023 + pdf_bytes())) is None
    hazard = filetypes.pdf_hazard(io.BytesIO(b" " * 1024 + pdf_bytes()))
    assert hazard is not None and hazard.reason is RejectReason.DISGUISED


def test_the_pdf_end_marker_must_be_within_the_last_1024_bytes():
    data = pdf_bytes()
    assert filetypes.pdf_hazard(io.BytesIO(data + b"\x00" * (1024 - 6))) is None
    hazard = filetypes.pdf_hazard(io.BytesIO(data + b"\x00" * 1024))
    assert hazard is not None and hazard.reason is RejectReason.TRUNCATED


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("a.pdf", pdf_bytes()[:-8]),
        ("a.png", png_bytes(32, 32)[:-12]),
        ("a.docx", docx_bytes()[:-30]),
        ("a.xlsx", xlsx_bytes()[:-200]),
    ],
    ids=["pdf", "png", "docx", "xlsx"],
)
def test_a_file_without_its_end_is_refused_as_cut_off(filename, data):
    err = refusal(filename, data)
    assert err.reason is RejectReason.TRUNCATED
    assert str(err) == (
        f"Berkas {filename} ditolak: berkasnya tidak utuh (bagian akhirnya tidak ada). Mungkin "
        "unggahannya terputus atau berkasnya rusak; unggah ulang berkas aslinya."
    )


def test_a_jpeg_is_not_checked_for_its_end():
    """Phones append a video after the image's end marker (motion photos)."""
    assert check("a.jpg", JPEG_BYTES + b"\x00" * 5000) == "image/jpeg"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (docx_with_macros, RejectReason.MACROS),
        (docm_named_docx, RejectReason.MACROS),
        (docx_with_renamed_macros, RejectReason.MACROS),
        (docx_with_activex, RejectReason.EMBEDDED_OBJECT),
        (docx_with_ole_object, RejectReason.EMBEDDED_OBJECT),
        (lambda: docx_with_embedded("setup.exe"), RejectReason.EMBEDDED_PROGRAM),
        (lambda: docx_with_embedded("WORD%5Cx.JS"), RejectReason.EMBEDDED_PROGRAM),
        (lambda: docx_with_embedded("a.xlsm"), RejectReason.MACROS),
        (docx_bomb, RejectReason.ZIP_BOMB),
    ],
    ids=["vba", "docm", "renamed-vba", "activex", "ole", "exe", "encoded-js", "xlsm", "bomb"],
)
def test_office_hazards_are_found_without_extracting(make, reason):
    hazard = filetypes.office_hazard(io.BytesIO(make()))
    assert hazard is not None and hazard.reason is reason


def test_ordinary_office_parts_are_no_hazard():
    data = docx_with(
        {
            "word/media/image1.png": png_bytes(),
            "word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx_bytes(),
            "word/fonts/font1.odttf": b"\x00" * 64,
            "customXml/item1.xml": "<root/>",
        },
        defaults={
            "png": "image/png",
            "xlsx": XLSX_PACKAGE,
            "bin": "application/vnd.openxmlformats-officedocument.oleObject",  # no .bin part
        },
    )
    assert filetypes.office_hazard(io.BytesIO(data)) is None
    assert check("sk.docx", data).endswith("wordprocessingml.document")


def test_a_small_part_may_compress_very_well():
    """A page of blank table cells: a high ratio under the floor harms nobody."""
    data = docx_with({"word/document.xml": b"<w:document>" + b" " * 500_000 + b"</w:document>"})
    assert filetypes.office_hazard(io.BytesIO(data)) is None


def test_a_zip_bomb_is_judged_by_the_declared_total():
    six = {f"word/media/part{i}.bin": 190 * 1024 * 1024 for i in range(6)}  # each 190x
    hazard = filetypes.office_hazard(io.BytesIO(docx_declaring(six)))
    assert hazard is not None and hazard.reason is RejectReason.ZIP_BOMB
    assert hazard.size > filetypes.MAX_UNPACKED_BYTES and hazard.ratio == 0


def test_content_types_with_a_dtd_are_not_trusted():
    hostile = replace_in_content_types(
        docx_bytes(), "<Types ", '<!DOCTYPE Types [<!ENTITY x "y">]><Types '
    )
    assert sniff(io.BytesIO(hostile)) == "application/zip"
