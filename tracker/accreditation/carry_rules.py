"""Year over year (issue 16 §3): what may be carried from a unit's last cycle into its new one,
and what still needs the coordinator's word. Pure: no Flask, no database.

**Answers.** The value carried for an item is the one that decided it last cycle: the answer
of the last tier that assessed the unit (TPN over TPI over the preliminary assessor over the
unit itself, D8), since that is the value the unit's score rested on. It goes into the new
enrolment's self-assessment as a new answer, only on an item the unit has not answered yet
(nothing the unit typed is ever overwritten), and stays *unconfirmed* until the coordinator
confirms it or changes it: a year-old answer is a starting point, not this year's word. The
unit's hand-off to its assessor is refused while any carried value is unconfirmed.

**Evidence.** A file carries only while it is still valid. How long a document stays valid is
decided from its name (the expected document's title and the file's own name):

- *Yearly* documents are valid one year from their upload: a decree (``SK``, surat keputusan:
  the team, the change agents, placements are decreed anew each year), a plan (``rencana``:
  the year's work plan or action plan), a report (``laporan``, ``notulen`` of monitoring: they
  report one year's work) or anything called ``tahunan``. The LKE asks for the current year's
  team, plan and reports; last year's prove last year.
- Every other document (SOPs, business-process maps, policies, screenshots of running
  applications, photos) is standing evidence, valid two years: the interval at which TPI
  re-checks a designated unit (90/2021 Lampiran II Bab IV.A).

A file past its validity is not carried as evidence: it is listed on the carried item as out
of date, so the unit knows to upload this year's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from tracker.i18n import _

YEARLY_WORDS = frozenset({"sk", "keputusan", "rencana", "laporan", "notulen", "tahunan"})
YEARLY_YEARS = 1
STANDING_YEARS = 2


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def is_yearly(*names: str) -> bool:
    """Whether a document by these names (its expected title, its file name) is reissued
    every year (see the module's rule)."""
    return any(_words(name) & YEARLY_WORDS for name in names)


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def valid_until(uploaded_on: date, *names: str) -> date:
    """The last day a document uploaded on ``uploaded_on`` counts as evidence."""
    return _plus_years(uploaded_on, YEARLY_YEARS if is_yearly(*names) else STANDING_YEARS)


def is_stale(uploaded_on: date, today: date, *names: str) -> bool:
    return today > valid_until(uploaded_on, *names)


@dataclass(frozen=True)
class SourceFile:
    """One active evidence file of last cycle's item, as the carry sees it."""

    public_id: str
    name: str  # the file's own name (or the link's title)
    document_title: str  # the expected document it was given for ("" when none)
    uploaded_on: date


@dataclass(frozen=True)
class FileVerdict:
    file: SourceFile
    valid_until: date
    stale: bool


def judge_files(files: Iterable[SourceFile], today: date) -> list[FileVerdict]:
    """Each file with the day its validity ends and whether that has passed on ``today``."""
    out = []
    for f in files:
        until = valid_until(f.uploaded_on, f.document_title, f.name)
        out.append(FileVerdict(f, until, today > until))
    return out


@dataclass(frozen=True)
class CarriedState:
    """One carried item as the hand-off guard sees it."""

    item_code: str
    confirmed: bool
    carried_value: object
    current_value: object  # the self-assessment's value now


def unconfirmed(states: Sequence[CarriedState]) -> list[str]:
    """The carried items still waiting for the coordinator: neither confirmed nor changed
    since they were carried (a changed value is the unit's own answer now)."""
    return [
        s.item_code
        for s in states
        if not s.confirmed and s.current_value is not None and s.current_value == s.carried_value
    ]


def unconfirmed_reason(count: int) -> str | None:
    """The hand-off's blocker while ``count`` carried items are unconfirmed, or None."""
    if count <= 0:
        return None
    return _(
        "%(n)s butir bawaan tahun lalu belum dikonfirmasi. Buka halaman “Bawaan tahun lalu” "
        "untuk memeriksa dan mengonfirmasinya.",
        n=count,
    )
