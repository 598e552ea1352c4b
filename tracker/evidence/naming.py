"""File names of uploaded evidence: what we show, what we send back, and the extension we check.

The original name a coordinator's browser sends is untrusted text. It never reaches the file
system: blobs are stored under keys derived from their SHA-256 (see ``storage``). These helpers
only make the name fit to *show* (``display_name``), to put in an ASCII ``Content-Disposition``
fallback (``storage_safe_name``), and to read the extension that the allow-list checks.
"""

from __future__ import annotations

import re
import unicodedata

from werkzeug.utils import secure_filename

MAX_DISPLAY_LENGTH = 200
MAX_SAFE_LENGTH = 120
FALLBACK_STEM = "berkas"

# Control (Cc), format (Cf: RTL/LTR overrides, zero-width, BOM), surrogate (Cs) and unassigned
# (Cn) characters can hide or reorder what a reviewer sees ("laporan\u202efdp.exe").
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Cn"})
# Tab, newline and the Unicode line/paragraph separators become spaces rather than vanish.
_SPACE_LIKE = frozenset({"\t", "\n", "\r", "\v", "\f", "\x85", "\u2028", "\u2029"})
_EXTENSION = re.compile(r"[0-9a-z]{1,10}")


def display_name(original: str | None) -> str:
    """Return ``original`` fit for display: last path part, no hidden characters, never empty.

    Directory parts (``/`` and Windows ``\\``) are dropped, control/format characters (NUL, RTL
    override, zero-width) removed, whitespace collapsed, leading/trailing dots and spaces
    stripped, and the length capped at ``MAX_DISPLAY_LENGTH`` keeping the extension. Raises
    nothing.
    """
    text = unicodedata.normalize("NFC", original or "")
    text = "".join(_clean_char(char) for char in text)
    parts = [part for part in re.split(r"[/\\]", text) if part.strip(" .")]
    name = " ".join(parts[-1].split()).strip(" .") if parts else ""
    return _cap_length(name or FALLBACK_STEM, MAX_DISPLAY_LENGTH)


def extension(original: str | None) -> str:
    """Return the lower-case extension of ``original`` without the dot, or ``""``. Raises nothing.

    Computed on ``display_name`` so that ``"x.pdf\\x00.exe"`` and ``"x\\u202efdp.exe"`` both
    yield ``"exe"`` (what a reviewer's computer would see), never ``"pdf"``.
    """
    return _split_extension(display_name(original))[1].lower()


def storage_safe_name(original: str | None) -> str:
    """Return an ASCII-only name (``secure_filename`` rules) that keeps the extension.

    For the plain ``filename=`` of ``Content-Disposition`` and for logs; the UTF-8 display name
    goes in ``filename*=``. Raises nothing; falls back to ``berkas[.ext]`` when nothing is left.
    """
    stem, ext = _split_extension(display_name(original))
    safe_stem = secure_filename(stem).strip("._") or FALLBACK_STEM
    safe_ext = secure_filename(ext).lower()
    return _cap_length(f"{safe_stem}.{safe_ext}" if safe_ext else safe_stem, MAX_SAFE_LENGTH)


def _clean_char(char: str) -> str:
    if char in _SPACE_LIKE:
        return " "
    if unicodedata.category(char) in _DROPPED_CATEGORIES:
        return ""
    return char


def _split_extension(name: str) -> tuple[str, str]:
    """Split ``"a.b.PDF"`` into ``("a.b", "PDF")``; a name without a plausible extension keeps
    it all in the stem (``".bashrc"``, ``"v1.0 final"``)."""
    stem, dot, ext = name.rpartition(".")
    if dot and stem and _EXTENSION.fullmatch(ext.lower()):
        return stem, ext
    return name, ""


def _cap_length(name: str, limit: int) -> str:
    if len(name) <= limit:
        return name
    stem, ext = _split_extension(name)
    if not ext:
        return name[:limit].rstrip(" .")
    return f"{stem[: limit - len(ext) - 1].rstrip(' .')}.{ext}"
