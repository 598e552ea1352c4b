"""What importing a worksheet would change, before anything is saved (issue 11: the import
shows new / changed / unchanged answers per area and saves only on confirmation).

Answers are compared as parsed values, so "a" and "A", or counts as a list and as a mapping,
are the same answer. An item the file leaves blank never clears a stored answer (D13: a
blank is left out of the D3 mean, so clearing would raise a score): it is counted as kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tracker.errors import ValidationError
from tracker.lke.answers import AnswerValue, is_blank, parse_answer
from tracker.lke.framework import Framework, Item
from tracker.lke.worksheet.read import WorksheetResult

RESULTS_AREA = "B"  # the results items, shown as one area after the six enabler areas


class Change(StrEnum):
    NEW = "new"  # no stored answer; the file has one
    CHANGED = "changed"  # the file's answer differs from the stored one
    UNCHANGED = "unchanged"  # the same answer
    KEPT = "kept"  # stored answer, blank in the file: left as it is


@dataclass(frozen=True)
class ItemChange:
    code: str
    area: str  # "1".."6" (pemenuhan and reform together) or "B"
    change: Change
    before: Any  # the stored raw answer, or None
    after: Any  # the file's raw answer, or None


@dataclass(frozen=True)
class AreaChanges:
    area: str
    name: str
    counts: Mapping[Change, int]  # every Change, 0 included

    @property
    def new(self) -> int:
        return self.counts[Change.NEW]

    @property
    def changed(self) -> int:
        return self.counts[Change.CHANGED]

    @property
    def unchanged(self) -> int:
        return self.counts[Change.UNCHANGED]

    @property
    def kept(self) -> int:
        return self.counts[Change.KEPT]


@dataclass(frozen=True)
class ImportPreview:
    items: list[ItemChange]  # items answered on either side, in worksheet order
    areas: list[AreaChanges]  # "1".."6", then "B"
    notes: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (stored, file)
    links: dict[str, list[str]] = field(default_factory=dict)  # code -> links not stored yet

    @property
    def to_save(self) -> dict[str, Any]:
        """The raw answers saving would write (new and changed ones)."""
        return {c.code: c.after for c in self.items if c.change in (Change.NEW, Change.CHANGED)}

    @property
    def has_changes(self) -> bool:
        return bool(self.to_save or self.notes or self.links)


def preview_import(
    framework: Framework,
    result: WorksheetResult,
    stored: Mapping[str, Any],
    stored_notes: Mapping[str, str] | None = None,
    stored_links: Mapping[str, Sequence[str]] | None = None,
) -> ImportPreview:
    """Compare a worksheet read (``read_worksheet``) with what the tier has stored: raw
    answers, notes and evidence links per item code."""
    items = [
        change
        for item in framework.items()
        if (change := _item_change(item, stored.get(item.code), result.answers.get(item.code)))
    ]
    return ImportPreview(
        items,
        _areas(framework, items),
        _notes(result.notes, stored_notes or {}),
        _links(result.links, stored_links or {}),
    )


def area_of(code: str) -> str:
    """ "1".."6" for enabler items (pemenuhan and reform together), "B" for results items."""
    parts = code.split(".")
    return parts[2] if parts[0] == "A" and len(parts) > 2 else RESULTS_AREA


def _item_change(item: Item, before: Any, after: Any) -> ItemChange | None:
    if is_blank(before) and is_blank(after):
        return None
    if is_blank(after):
        change = Change.KEPT
    elif is_blank(before):
        change = Change.NEW
    elif _parsed(item, before) == _parsed(item, after):
        change = Change.UNCHANGED
    else:
        change = Change.CHANGED
    return ItemChange(item.code, area_of(item.code), change, before, after)


def _parsed(item: Item, raw: Any) -> AnswerValue | str:
    """The answer as a value; a stored answer that no longer parses compares as its text."""
    try:
        return parse_answer(item, raw)
    except ValidationError:
        return repr(raw)


def _areas(framework: Framework, items: list[ItemChange]) -> list[AreaChanges]:
    names = {area.number: area.name for _part, area in framework.areas()}
    results = [c.name for c in framework.components if not any(p.areas for p in c.parts)]
    names[RESULTS_AREA] = results[0] if results else RESULTS_AREA
    found = []
    for area, name in names.items():
        counts = dict.fromkeys(Change, 0)
        for change in items:
            if change.area == area:
                counts[change.change] += 1
        found.append(AreaChanges(area, name, counts))
    return found


def _notes(found: Mapping[str, str], stored: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Notes the file would change (a blank one in the file changes nothing)."""
    return {
        code: (stored.get(code) or "", note)
        for code, note in found.items()
        if note and note != (stored.get(code) or "")
    }


def _links(
    found: Mapping[str, Sequence[str]], stored: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    known = {code: set(urls) for code, urls in stored.items()}
    added = {
        code: [u for u in urls if u not in known.get(code, set())] for code, urls in found.items()
    }
    return {code: urls for code, urls in added.items() if urls}
