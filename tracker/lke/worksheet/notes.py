"""Notes and evidence links typed next to an item: plain text for the item's note, and the
http(s) addresses (usually Google Drive) for its evidence links.

Agencies put them anywhere right of the answer (Lampiran III), in fixed columns (PortalRB:
note, then "a URL or a description of the evidence"), as a pasted address, as several
addresses in one cell, behind a cell link (Insert > Link) or in ``=HYPERLINK(...)``. Only
http(s) addresses become links: anything else a cell links to (``file:``, ``javascript:``,
``mailto:``) stays out, and text that is not an address goes to the note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

MAX_LINK_LENGTH = 2048  # what browsers and most stores keep; longer is not an evidence link
MAX_NOTE_LENGTH = 4000  # a note is a remark, not a document: the rest is cut, marked "…"

_URL = re.compile(r"""https?://[^\s"'<>]+""", re.IGNORECASE)
_TRAILING = ".,;:!?)]}»”’"  # sentence punctuation that follows a pasted address
_SEPARATORS = re.compile(r"^[\s,;|/\-–—•*·]*$")  # what is left of a cell that held only links


class ColumnKind(StrEnum):
    NOTE = "note"  # the text is the note, as typed (our own Catatan, PortalRB's catatan)
    EVIDENCE = "evidence"  # addresses are links; a description goes to the note


@dataclass
class ItemNotes:
    """What the rows of one item (its own row and its count rows) carry, in sheet order."""

    texts: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    def add(self, kind: ColumnKind, value: Any, formula: bool, link: str | None) -> None:
        """One cell: ``value`` as typed (a formula's text when ``formula``), ``link`` the
        address the cell links to, if any."""
        text = _text(value)
        found = [link] if link else []
        if kind is ColumnKind.EVIDENCE or formula:
            found += links_in(text)
        for address in found:
            if (clean := clean_link(address)) and clean not in self.links:
                self.links.append(clean)
        # A linked cell's text is the link's label ("Bukti", "Link"), not a note.
        noted = not link and (kind is ColumnKind.NOTE or not only_links(text))
        if text and not formula and noted and text not in self.texts:
            self.texts.append(text)

    @property
    def note(self) -> str:
        joined = "\n".join(self.texts)
        return joined if len(joined) <= MAX_NOTE_LENGTH else joined[: MAX_NOTE_LENGTH - 1] + "…"


def links_in(text: str) -> list[str]:
    """The http(s) addresses in ``text``, trailing sentence punctuation removed."""
    return [match.rstrip(_TRAILING) for match in _URL.findall(text)]


def only_links(text: str) -> bool:
    """Whether ``text`` is nothing but addresses and separators."""
    return bool(_URL.search(text)) and bool(_SEPARATORS.match(_URL.sub(" ", text)))


def clean_link(address: str) -> str | None:
    """``address`` if it is a usable http(s) link with a host, else None."""
    address = address.strip()
    if not address or len(address) > MAX_LINK_LENGTH or re.search(r"[\x00-\x20\x7f]", address):
        return None
    try:
        parts = urlsplit(address)
    except ValueError:  # a malformed IPv6 host, say
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return address


def collect(cells: Iterable[tuple[ColumnKind, Any, bool, str | None]]) -> ItemNotes:
    notes = ItemNotes()
    for kind, value, formula, link in cells:
        notes.add(kind, value, formula, link)
    return notes


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").strip()
