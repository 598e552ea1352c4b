"""Small, real sample files of every allowed type, hostile look-alikes, and test streams.

Everything is generated in code (or, for the JPEG, kept as the hex of a 2x2 image that Pillow
wrote) so the tests need no binary fixtures in the repository.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Mapping
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


def _ooxml(
    main_part: str,
    main_type: str,
    *,
    content_types_first: bool = True,
    parts: Mapping[str, bytes | str] | None = None,
    defaults: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> bytes:
    """A minimal Office package; ``parts`` adds parts (or replaces the main part's content),
    ``defaults`` (extension -> type) and ``overrides`` (part -> type) go in its
    ``[Content_Types].xml``."""
    declared = "".join(
        f'<Default Extension="{ext}" ContentType="{kind}"/>'
        for ext, kind in (defaults or {}).items()
    ) + "".join(
        f'<Override PartName="/{part}" ContentType="{kind}"/>'
        for part, kind in (overrides or {}).items()
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="{RELS_TYPE}"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/>'
        f"{declared}</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/officeDocument" Target="{main_part}"/></Relationships>'
    )
    extra = dict(parts or {})
    main = extra.pop(main_part, '<?xml version="1.0" encoding="UTF-8"?><root/>')
    items = [("[Content_Types].xml", content_types), ("_rels/.rels", rels), (main_part, main)]
    items += list(extra.items())
    if not content_types_first:
        items.reverse()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in items:
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_with(
    parts: Mapping[str, bytes | str] | None = None,
    *,
    defaults: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
    main_type: str = W_MAIN,
) -> bytes:
    """A DOCX with extra parts and content types: hostile ones are built with this."""
    return _ooxml(
        "word/document.xml", main_type, parts=parts, defaults=defaults, overrides=overrides
    )


def docx_bytes(*, content_types_first: bool = True) -> bytes:
    return _ooxml("word/document.xml", W_MAIN, content_types_first=content_types_first)


def pptx_bytes() -> bytes:
    return _ooxml("ppt/presentation.xml", P_MAIN)


def xlsm_bytes() -> bytes:
    """A macro-enabled workbook: must not pass as .xlsx."""
    return _ooxml("xl/workbook.xml", XLSM_MAIN)


# --- hostile Office files (issue 13, point 15) ------------------------------------------------

VBA_TYPE = "application/vnd.ms-office.vbaProject"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
ACTIVEX_TYPE = "application/vnd.ms-office.activeX+xml"
OLE_TYPE = "application/vnd.openxmlformats-officedocument.oleObject"
MZ = b"MZ" + b"\x00" * 62  # enough of a DOS header to be an .exe's first bytes


def docx_with_macros() -> bytes:
    """What Word writes for a document with VBA, saved under a .docx name: a VBA project part
    with its content type (the main part keeps the plain DOCX type)."""
    return docx_with(
        {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 508}, defaults={"bin": VBA_TYPE}
    )


def docm_named_docx() -> bytes:
    """A macro-enabled document (.docm) renamed to .docx."""
    return docx_with(
        {"word/vbaProject.bin": b"\x00" * 64}, main_type=DOCM_MAIN, defaults={"bin": VBA_TYPE}
    )


def docx_with_renamed_macros() -> bytes:
    """The VBA project under an innocent name: only its declared content type gives it away,
    written with single quotes and a character reference (what a regex would miss)."""
    data = docx_with({"word/media/logo.dat": b"\x00" * 64})
    return replace_in_content_types(
        data,
        "</Types>",
        "<Override PartName='/word/media/logo.dat' "
        "ContentType='application/vnd.ms-office.&#118;baProject'/></Types>",
    )


def docx_with_activex() -> bytes:
    return docx_with(
        {"word/activeX/activeX1.xml": "<ax/>", "word/activeX/activeX1.bin": b"\x00" * 64},
        overrides={"word/activeX/activeX1.xml": ACTIVEX_TYPE},
    )


def docx_with_ole_object() -> bytes:
    return docx_with(
        {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 60},
        defaults={"bin": OLE_TYPE},
    )


def docx_with_embedded(name: str) -> bytes:
    """A program or script hidden as a part (``setup.exe``, ``run.bat``, ``x.js``...)."""
    return docx_with({f"word/embeddings/{name}": MZ})


def docx_bomb(size: int = 20 * 1024 * 1024) -> bytes:
    """A DOCX whose document part is ``size`` bytes of blanks: about 20 KB on the wire,
    inflating about 1000 times (deflate's limit) when opened."""
    body = b'<?xml version="1.0"?><w:document>' + b" " * size + b"</w:document>"
    return docx_with({"word/document.xml": body})


def docx_declaring(sizes: Mapping[str, int], *, part_size: int = 1024 * 1024) -> bytes:
    """A DOCX with a part of ``part_size`` incompressible bytes for each name in ``sizes``,
    whose central directory then declares each at the size given: what a zip bomb's directory
    says, forged here instead of compressing gigabytes."""
    data = docx_with({name: os.urandom(part_size) for name in sizes})
    return forge_declared_sizes(data, sizes)


def forge_declared_sizes(data: bytes, sizes: Mapping[str, int]) -> bytes:
    """``data`` with the uncompressed sizes of the central-directory entries in ``sizes``
    replaced (each under 4 GiB: no ZIP64)."""
    out = bytearray(data)
    end = out.rfind(b"PK\x05\x06")
    count, _size, offset = struct.unpack_from("<HII", out, end + 10)
    for _ in range(count):
        assert out[offset : offset + 4] == b"PK\x01\x02"
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", out, offset + 28)
        name = out[offset + 46 : offset + 46 + name_length].decode()
        if name in sizes:
            struct.pack_into("<I", out, offset + 24, sizes[name])
        offset += 46 + name_length + extra_length + comment_length
    return bytes(out)


def replace_in_content_types(data: bytes, old: str, new: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "[Content_Types].xml":
                content = content.decode().replace(old, new).encode()
            target.writestr(name, content)
    return buffer.getvalue()


def html_pdf_polyglot() -> bytes:
    """A web page that hides a PDF in a comment: libmagic calls it a PDF, a browser renders
    the page and runs its script."""
    return b"<html><!--" + pdf_bytes() + b"--><script>alert(document.cookie)</script></html>"


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
    """``size`` bytes made on the fly (a PDF header, a repeating pattern, and the end-of-file
    marker a PDF must end with), never held in memory; counts what was read and the largest
    read asked for."""

    PATTERN = bytes(range(256)) * 16
    END = b"\n%%EOF\n"

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
        end_at = self.size - len(self.END)
        out = bytearray()
        while len(out) < n:
            offset = start + len(out)
            if offset < len(header):
                out += header[offset:]
            elif offset >= end_at:
                out += self.END[offset - end_at :]
            else:
                position = offset % len(self.PATTERN)
                out += self.PATTERN[position : position + end_at - offset]
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
