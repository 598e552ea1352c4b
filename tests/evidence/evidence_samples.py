"""Small, real sample files of every allowed type, hostile look-alikes, and test streams.

Everything is generated in code (or, for the JPEG, kept as the hex of a 2x2 image that Pillow
wrote) so the tests need no binary fixtures in the repository.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl

from tracker.evidence import LocalEvidenceStore, S3EvidenceStore

# A real 2x2 baseline JPEG written by Pillow (quality 50).
JPEG_BYTES = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300100b0c0e0c0a100e0d0e1211101318281a181616183123"
    "251d283a333d3c3933383740485c4e404457453738506d51575f626768673e4d71797064785c656763ffdb0043011112"
    "121815182f1a1a2f63423842636363636363636363636363636363636363636363636363636363636363636363636363"
    "6363636363636363636363636363ffc00011080002000203012200021101031101ffc4001f0000010501010101010100"
    "000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d010203000411051221"
    "31410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a"
    "434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a9293949596979899"
    "9aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1"
    "f2f3f4f5f6f7f8f9faffc4001f0100030101010101010101010000000000000102030405060708090a0bffc400b51100"
    "020102040403040705040400010277000102031104052131061241510761711322328108144291a1b1c109233352f015"
    "6272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455565758595a63646566676869"
    "6a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4"
    "c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9faffda000c03010002110311003f00c7"
    "a28a2b84fa83ffd9"
)

W_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
P_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"


def pdf_bytes(text: str = "Bukti dukung", padding: int = 0) -> bytes:
    """A minimal valid one-page PDF with a correct xref table; a comment line of ``padding``
    bytes (0 or at least 2) after the header makes it exactly as large as a test needs."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>",
    ]
    stream = f"BT /F1 12 Tf 10 50 Td ({text}) Tj ET".encode()
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    if padding:
        out += b"%" + b"x" * (padding - 2) + b"\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n" % (len(objects) + 1, xref)
    return bytes(out) + b"%%EOF\n"


def sized_pdf(size: int) -> bytes:
    """A PDF of exactly ``size`` bytes (the startxref number may grow a digit: retry)."""
    padding = size - len(pdf_bytes())
    while len(data := pdf_bytes(padding=padding)) != size:
        padding -= len(data) - size
    return data


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A valid RGB PNG built from its chunks."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xc8\x1e\x1e" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _ooxml(main_part: str, main_type: str, *, content_types_first: bool = True) -> bytes:
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="{RELS_TYPE}"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/officeDocument" Target="{main_part}"/></Relationships>'
    )
    parts = [("[Content_Types].xml", content_types), ("_rels/.rels", rels)]
    parts.append((main_part, '<?xml version="1.0" encoding="UTF-8"?><root/>'))
    if not content_types_first:
        parts.reverse()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts:
            archive.writestr(name, text)
    return buffer.getvalue()


def docx_bytes(*, content_types_first: bool = True) -> bytes:
    return _ooxml("word/document.xml", W_MAIN, content_types_first=content_types_first)


def pptx_bytes() -> bytes:
    return _ooxml("ppt/presentation.xml", P_MAIN)


def xlsm_bytes() -> bytes:
    """A macro-enabled workbook: must not pass as .xlsx."""
    return _ooxml("xl/workbook.xml", XLSM_MAIN)


def docx_without_main_part() -> bytes:
    """[Content_Types].xml claims a document part that the zip does not contain."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/word/document.xml" ContentType="{W_MAIN}"/></Types>',
        )
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    """A real workbook written by openpyxl (the library the app uses for LKE sheets)."""
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Komponen pengungkit"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plain_zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "bukan dokumen Office")
    return buffer.getvalue()


def elf_bytes() -> bytes:
    """The 64-byte header of an x86-64 Linux executable plus padding."""
    ident = b"\x7fELF\x02\x01\x01" + b"\x00" * 9
    header = struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    return ident + header + b"\x00" * 512


def exe_bytes() -> bytes:
    """A DOS/PE stub: 'MZ', the PE header offset at 0x3C, then 'PE\\0\\0'."""
    head = bytearray(b"MZ" + b"\x00" * 0x3E)
    struct.pack_into("<I", head, 0x3C, 0x40)
    return bytes(head) + b"PE\x00\x00" + struct.pack("<H", 0x14C) + b"\x00" * 400


def html_bytes() -> bytes:
    return b"<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script>"


ALLOWED_SAMPLES = {
    "laporan.pdf": (pdf_bytes, "application/pdf"),
    "foto.jpg": (lambda: JPEG_BYTES, "image/jpeg"),
    "foto.JPEG": (lambda: JPEG_BYTES, "image/jpeg"),
    "bagan.png": (png_bytes, "image/png"),
    "sk.docx": (
        docx_bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "sk-lain.docx": (
        lambda: docx_bytes(content_types_first=False),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "lke.xlsx": (xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "paparan.pptx": (
        pptx_bytes,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}


# --- streams ---------------------------------------------------------------------------------


class GeneratedStream(io.RawIOBase):
    """``size`` bytes made on the fly (a PDF header, then a repeating pattern), never held in
    memory; counts what was read and the largest read asked for."""

    PATTERN = bytes(range(256)) * 16

    def __init__(self, size: int, *, fail_after: int | None = None, error=None) -> None:
        self.size, self.position, self.largest_read = size, 0, 0
        self.fail_after, self.error = fail_after, error

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.fail_after is not None and self.position >= self.fail_after:
            raise self.error
        n = self.size - self.position if n is None or n < 0 else n
        self.largest_read = max(self.largest_read, n)
        n = min(n, self.size - self.position)
        data = self._bytes_at(self.position, n)
        self.position += len(data)
        return data

    def _bytes_at(self, start: int, n: int) -> bytes:
        header = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
        out = bytearray()
        while len(out) < n:
            offset = start + len(out)
            if offset < len(header):
                out += header[offset:]
            else:
                out += self.PATTERN[offset % len(self.PATTERN) :]
        return bytes(out[:n])


def generated_sha256(size: int) -> str:
    import hashlib

    stream, digest = GeneratedStream(size), hashlib.sha256()
    while chunk := stream.read(1024 * 1024):
        digest.update(chunk)
    return digest.hexdigest()


def leftovers(store: LocalEvidenceStore | S3EvidenceStore) -> list[str]:
    """Everything a store holds: every file under a local root (temp area included), or every
    object in the bucket (inside the prefix or not) plus every file in the spool directory."""
    if isinstance(store, LocalEvidenceStore):
        if not store.root.exists():
            return []
        return sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file())
    names = [
        item["Key"]
        for page in store.client.get_paginator("list_objects_v2").paginate(Bucket=store.bucket)
        for item in page.get("Contents", ())
    ]
    spooled = [f"spool:{p.name}" for p in Path(store.spool_dir).iterdir()]
    return sorted(names + spooled)
