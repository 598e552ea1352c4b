"""Importing an official LKE worksheet into one tier: who may, which column is read, and what
saving would write. Pure: no Flask, no database.

The import is two steps (issue 11): the file is read and compared with what the tier holds
(``plan``), the user sees that plan, and only its confirmation saves it. The plan carries a
fingerprint, so that the confirmation saves exactly what was shown: if anything it compared
has changed in between, the fingerprints differ and nothing is saved.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tracker.accreditation.editing import EditRequest, edit_blocker
from tracker.accreditation.tiers import AREA_KEYS, Tier, TierCode, area_of
from tracker.accreditation.workflow import Stage
from tracker.auth.roles import Role
from tracker.errors import ValidationError
from tracker.i18n import N_, _
from tracker.lke import Framework
from tracker.lke.worksheet import (
    Change,
    ImportPreview,
    WorksheetLayout,
    WorksheetResult,
    preview_import,
    read_worksheet,
)
from tracker.lke.worksheet.preview import ItemChange

LAYOUT_LABELS = {
    WorksheetLayout.LAMPIRAN3: N_("Lampiran III (LKE ZI)"),
    WorksheetLayout.PORTALRB: N_("Templat PortalRB (Jawaban)"),
}
# An evidence link row holds at most this much (``EvidenceFile.link_url``, ``add_link``); the
# reader keeps addresses up to 2048 characters, so longer ones are shown and left out.
MAX_LINK_LENGTH = 1000


class AnswerColumn(StrEnum):
    """Which answers of the file were read for the tier."""

    OWN = "own"  # the tier's own column group (the unit's, or TPI's in our export / PortalRB N)
    SINGLE = "single"  # a Lampiran III sheet with one Jawaban column, read for the TPI tier
    FIRST = "first"  # the file's TPI columns are empty: the first (unit) group, read for TPI


COLUMN_NOTES = {
    AnswerColumn.SINGLE: N_(
        "Lembar Lampiran III ini hanya memiliki satu kolom Jawaban; kolom itu dibaca sebagai "
        "jawaban TPI."
    ),
    AnswerColumn.FIRST: N_(
        "Kolom Penilaian TPI di berkas ini kosong; jawaban dibaca dari kolom Jawaban pertama "
        "(Unit Kerja), tempat ekspor LKE menuliskan jawaban tingkat yang diunduh."
    ),
}


@dataclass(frozen=True)
class FileRead:
    result: WorksheetResult
    column: AnswerColumn = AnswerColumn.OWN

    @property
    def layout_label(self) -> str:
        return _(LAYOUT_LABELS[self.result.layout])

    @property
    def column_note(self) -> str | None:
        note = COLUMN_NOTES.get(self.column)
        return _(note) if note else None


def read_for_tier(data: bytes, framework: Framework, tier_code: str) -> FileRead:
    """The worksheet's answers for ``tier_code``. Raises ValidationError for a file that is not
    an LKE in either layout, or beyond the reader's limits.

    Only TPI has columns of its own (our export's ``Penilaian TPI`` group, PortalRB's column
    N); every other tier reads the unit's column group, where our export writes the answers of
    whichever tier was downloaded. An agency's Lampiran III copy has a single Jawaban column:
    for TPI that column is the TPI's answers. So is our export's first group when its TPI group
    is empty, which is how a TPI's own download comes back.
    """
    if tier_code != TierCode.TPI:
        return FileRead(read_worksheet(data, framework, column_group=TierCode.UNIT))
    try:
        result = read_worksheet(data, framework, column_group=TierCode.TPI)
    except ValidationError as refused:
        # Answers the TPI columns do not allow (``problems``) are the TPI's own mistakes, and a
        # file that is no LKE is refused for every column: only a missing TPI column falls back.
        if refused.details.get("problems"):
            raise
        try:
            single = read_worksheet(data, framework, column_group=TierCode.UNIT)
        except ValidationError:
            raise refused from None
        if single.layout is not WorksheetLayout.LAMPIRAN3:
            raise
        return FileRead(single, AnswerColumn.SINGLE)
    if result.answers:
        return FileRead(result)
    first = read_worksheet(data, framework, column_group=TierCode.UNIT)
    return FileRead(first, AnswerColumn.FIRST) if first.answers else FileRead(result)


@dataclass(frozen=True)
class ImportPlan:
    """What saving the file into the tier writes, as the preview shows it."""

    tier: str
    sha256: str  # of the file read
    read: FileRead
    preview: ImportPreview
    blocked: dict[str, str]  # item code -> why the actor may not change it: left out
    links: dict[str, list[str]]  # item code -> evidence links saving adds
    too_long: dict[str, list[str]] = field(default_factory=dict)  # links left out (length)
    links_elsewhere: int = 0  # links in the file on a tier that records none (see plan)

    @property
    def answers(self) -> dict[str, Any]:
        """The new and changed answers saving writes (raw, as the file has them)."""
        return {c: v for c, v in self.preview.to_save.items() if c not in self.blocked}

    @property
    def notes(self) -> dict[str, str]:
        """Item notes saving replaces: the file's note where it differs from the stored one."""
        return {c: n for c, (_old, n) in self.preview.notes.items() if c not in self.blocked}

    @property
    def changes(self) -> list[ItemChange]:
        """The new and changed answers, blocked ones included (shown, marked, not saved)."""
        return [c for c in self.preview.items if c.change in (Change.NEW, Change.CHANGED)]

    @property
    def blocked_by_area(self) -> dict[str, int]:
        counts = dict.fromkeys(AREA_KEYS, 0)
        for code in self.blocked:
            counts[area_of(code)] += 1
        return counts

    @property
    def note_changes(self) -> dict[str, tuple[str, str]]:
        return {c: pair for c, pair in self.preview.notes.items() if c not in self.blocked}

    @property
    def has_changes(self) -> bool:
        return bool(self.answers or self.notes or self.links)

    @property
    def link_count(self) -> int:
        return sum(len(urls) for urls in self.links.values())

    @property
    def fingerprint(self) -> str:
        """A digest of everything the plan compared and would write: equal fingerprints mean
        the same file read against the same stored answers, notes and links."""
        shown = {
            "tier": self.tier,
            "sha256": self.sha256,
            "column": self.read.column.value,
            "items": [[c.code, c.change.value, c.before, c.after] for c in self.preview.items],
            "notes": self.preview.notes,
            "links": self.links,
            "too_long": self.too_long,
            "blocked": sorted(self.blocked),
        }
        text = json.dumps(shown, sort_keys=True, ensure_ascii=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Stored:
    """What the tier holds now (or starts from, when it has no LKE yet: D8)."""

    answers: Mapping[str, Any]
    notes: Mapping[str, str]
    links: Mapping[str, Sequence[str]]  # the items' evidence links (shared by every tier)


@dataclass(frozen=True)
class Rights:
    """The facts ``edit_blocker`` needs about the actor and the enrolment."""

    stage: Stage
    tier: Tier
    roles: frozenset[Role]
    editable_areas: frozenset[int]
    sent_back: frozenset[str]  # items whose latest review decision asks the unit to revise
    memberships: frozenset[Role]  # issue 13 §12: how the actor belongs to the unit
    unit_name: str

    def blocker(self, code: str) -> str | None:
        return edit_blocker(
            EditRequest(
                stage=self.stage,
                tier=self.tier,
                roles=self.roles,
                area=area_of(code),
                editable_areas=self.editable_areas,
                sent_back=self.tier.code == TierCode.UNIT and code in self.sent_back,
                memberships=self.memberships,
                unit_name=self.unit_name,
            )
        )


def import_blocker(rights: Rights, codes: Iterable[str]) -> str | None:
    """Why the actor may not import into the tier now, asked before the file is read; None
    when at least one of the framework's items ``codes`` is theirs to change (the plan then
    leaves out the others, each with its reason). The reason is ``edit_blocker``'s."""
    reasons = [rights.blocker(code) for code in codes]
    if not reasons or any(reason is None for reason in reasons):
        return None
    return reasons[0]


def plan(
    framework: Framework, read: FileRead, sha256: str, stored: Stored, rights: Rights
) -> ImportPlan:
    """Compare the file with the stored tier and keep what the actor may write.

    Evidence links are the unit's (a file or link proves the unit's answer, D16): they are
    added only by an import into the unit's tier, by someone who may add evidence to the item.
    """
    result = read.result
    preview = preview_import(framework, result, stored.answers, stored.notes, stored.links)
    unit = rights.tier.code == TierCode.UNIT
    touched = set(preview.to_save) | set(preview.notes) | (set(preview.links) if unit else set())
    blocked = {code: reason for code in sorted(touched) if (reason := rights.blocker(code))}
    links: dict[str, list[str]] = {}
    too_long: dict[str, list[str]] = {}
    for code, urls in preview.links.items() if unit else ():
        if code in blocked:
            continue
        if kept := [u for u in urls if len(u) <= MAX_LINK_LENGTH]:
            links[code] = kept
        if cut := [u for u in urls if len(u) > MAX_LINK_LENGTH]:
            too_long[code] = cut
    elsewhere = 0 if unit else sum(len(urls) for urls in preview.links.values())
    return ImportPlan(rights.tier.code, sha256, read, preview, blocked, links, too_long, elsewhere)
