"""What lands on a user's desk ("Tugas saya"), each with its due date. Pure: no Flask, no DB.

The service (``my_tasks``) gathers the facts within the user's scope; this module turns them
into tasks, dates each from the deadline of the stage it belongs to (the cycle's calendar after
extensions, or the 2-yearly monitoring date) and orders them most urgent first: overdue first,
then by due date, then by kind (``PRIORITY``). It also says when each stage ends
(``STAGE_DUE``) for the pages that show a stage, and what comes next when nothing is due.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from tracker.accreditation.workflow import DEADLINE_LABELS, STAGE_LABELS, Deadline, Stage
from tracker.i18n import N_, _

S = Stage
MONITORING_DATE = "monitoring_due"  # the designation's next report date (not a cycle date)
# A monitoring report due further away than this is not yet on anyone's desk.
MONITORING_HORIZON_DAYS = 90

# The date that bounds each stage: a cycle column (``Deadline`` values are column names too),
# or the next monitoring report of a designated unit. Stages without one have no deadline.
STAGE_DUE: Mapping[Stage, str] = {
    S.DECLARED: Deadline.SELF_ASSESSMENT_END,
    S.BUILDING: Deadline.SELF_ASSESSMENT_END,
    S.PRELIMINARY: Deadline.TPI_EVALUATION_END,  # the preliminary pass must precede TPI's end
    S.TPI_EVALUATION: Deadline.TPI_EVALUATION_END,
    S.TPI_RECOMMENDED: Deadline.PROPOSAL,
    S.PROPOSED: "desk_evaluation_start",  # administrative selection ends before desk evaluation
    S.ADMIN_CONDITIONAL: "desk_evaluation_start",
    S.ADMIN_REJECTED: Deadline.APPEAL,
    S.APPEAL: "desk_evaluation_start",
    S.DESK_EVALUATION: "field_evaluation_start",
    S.FIELD_EVALUATION: "designation_date",
    S.DESIGNATED: MONITORING_DATE,
    S.MONITORING: MONITORING_DATE,
}

DUE_LABELS: Mapping[str, str] = {
    **{d.value: label for d, label in DEADLINE_LABELS.items()},
    "desk_evaluation_start": N_("Mulai desk evaluasi TPN"),
    "field_evaluation_start": N_("Mulai evaluasi lapangan TPN"),
    "designation_date": N_("Penetapan predikat"),
    MONITORING_DATE: N_("Laporan pemantauan berikutnya"),
}


class TaskKind(enum.StrEnum):
    SENT_BACK = "sent_back"  # an item a reviewer sent back to the unit, with the comment
    APPEAL = "appeal"  # administrative selection failed: the one appeal, by its deadline
    REVIEW = "review"  # a unit waiting in the reviewer's queue
    SIGN_OFF = "sign_off"  # areas whose items are all approved, not yet signed off
    PREREQUISITES = "prerequisites"  # Tabel 5 prerequisites unmet before the proposal deadline
    PROPOSAL = "proposal"  # TPI recommended the unit: propose it to TPN
    UNANSWERED = "unanswered"  # LKE items still blank (a count per enrolment)
    WITHOUT_EVIDENCE = "without_evidence"  # answered items with no file and no link (D16)
    MONITORING = "monitoring"  # the 2-yearly post-designation report (Lampiran II Bab IV.A)


# Equal dates: what blocks others or is asked of the user by a reviewer comes first.
PRIORITY: Mapping[TaskKind, int] = {kind: rank for rank, kind in enumerate(TaskKind)}


class Urgency(enum.StrEnum):
    OVERDUE = "overdue"
    SOON = "soon"  # 7 days or fewer
    NEAR = "near"  # 30 days or fewer
    LATER = "later"
    NONE = "none"  # no deadline


@dataclass(frozen=True)
class Link:
    """Where a task is done: an endpoint, its arguments and an anchor (the view builds the URL;
    rules know no URLs)."""

    endpoint: str
    params: tuple[tuple[str, str | int], ...]
    anchor: str | None = None

    @property
    def args(self) -> dict[str, str | int]:
        return dict(self.params)


@dataclass(frozen=True)
class Subject:
    """An enrolment as tasks name it, with the deadline of the stage it is in."""

    enrolment_id: int
    unit: str
    year: int
    stage: Stage
    due: date | None

    @property
    def name(self) -> str:
        return f"{self.unit} · {self.year}"


@dataclass(frozen=True)
class SentBack:
    subject: Subject
    item_code: str
    area: str
    comment: str
    reviewer: str  # the tier that sent it back (its label)


@dataclass(frozen=True)
class Progress:
    """The unit's own LKE while it is built (only the areas the user fills)."""

    subject: Subject
    unanswered: int
    without_evidence: tuple[str, ...]  # item codes


@dataclass(frozen=True)
class Waiting:
    """A unit in the reviewer's queue: items still to decide, resubmitted, areas to sign."""

    subject: Subject
    tier: str
    undecided: int
    revised: int
    signable_areas: tuple[str, ...]
    sent_back: int = 0  # items waiting for the unit's fix: not the reviewer's move
    # Issue 15 §4: the tier's lead assigned this unit to the user (their desk comes first);
    # units assigned to someone else never reach a plain reviewer's list.
    assigned_to_me: bool = False


@dataclass(frozen=True)
class ProposalDue:
    subject: Subject
    unmet: tuple[str, ...]  # why the prerequisites are not met yet, one line each


@dataclass(frozen=True)
class MonitoringDue:
    subject: Subject
    due: date


@dataclass(frozen=True)
class Facts:
    sent_back: Sequence[SentBack] = ()
    progress: Sequence[Progress] = ()
    waiting: Sequence[Waiting] = ()
    proposals: Sequence[ProposalDue] = ()
    appeals: Sequence[Subject] = ()
    monitoring: Sequence[MonitoringDue] = ()


@dataclass(frozen=True)
class Task:
    kind: TaskKind
    title: str
    subject: str
    link: Link
    due: date | None
    days_left: int | None
    enrolment_id: int
    detail: str = ""  # the reviewer's comment, or what the count is made of
    assigned: bool = False  # a review the tier's lead assigned to the user (issue 15 §4)

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def urgency(self) -> Urgency:
        return urgency(self.days_left)

    @property
    def days_phrase(self) -> str:
        return days_phrase(self.days_left)


def days_left(due: date | None, today: date) -> int | None:
    """Days from ``today`` to ``due``: negative once it has passed, None without a date."""
    return None if due is None else (due - today).days


def urgency(days: int | None) -> Urgency:
    if days is None:
        return Urgency.NONE
    if days < 0:
        return Urgency.OVERDUE
    return Urgency.SOON if days <= 7 else Urgency.NEAR if days <= 30 else Urgency.LATER


def days_phrase(days: int | None) -> str:
    """The days left in words: "n hari lagi", "hari ini", "terlambat n hari" ("" without a date)."""
    if days is None:
        return ""
    if days == 0:
        return _("hari ini")
    if days == 1:
        return _("besok")
    if days == -1:
        return _("terlambat 1 hari")
    if days < 0:
        return _("terlambat %(n)s hari", n=-days)
    return _("%(n)s hari lagi", n=days)


def stage_due_key(stage: Stage) -> str | None:
    """The date (cycle column, or ``MONITORING_DATE``) that bounds ``stage``; None if none."""
    return STAGE_DUE.get(stage)


def tasks(facts: Facts, today: date) -> list[Task]:
    """Every task the facts call for, most urgent first."""
    found = [
        *(_sent_back(f, today) for f in facts.sent_back),
        *(t for p in facts.progress for t in _progress(p, today)),
        *(t for w in facts.waiting for t in _waiting(w, today)),
        *(_proposal(p, today) for p in facts.proposals),
        *(_appeal(s, today) for s in facts.appeals),
        *(
            _monitoring(m, today)
            for m in facts.monitoring
            if (m.due - today).days <= MONITORING_HORIZON_DAYS
        ),
    ]
    return ordered(found)


def unit_urgency(
    due: date | None, assigned: bool, waiting_since: datetime, ident: int
) -> tuple[bool, date, bool, datetime, int]:
    """How a unit ranks for a desk too large to read whole (the home page of TPN or a large
    agency's TPI): the nearest deadline first (overdue before due, undated last), the units
    assigned to the user first on the same day, then the longest waiting."""
    return (due is None, due or date.max, not assigned, waiting_since, ident)


def ordered(found: Iterable[Task]) -> list[Task]:
    """Overdue first, then by due date (undated last), then by kind, then the units assigned
    to the user before the others, then by subject."""
    return sorted(
        found,
        key=lambda t: (
            not t.overdue,
            t.due is None,
            t.due or date.max,
            PRIORITY[t.kind],
            not t.assigned,
            t.subject,
            t.title,
        ),
    )


def _task(
    kind: TaskKind, title: str, s: Subject, link: Link, today: date, detail: str = ""
) -> Task:
    return Task(kind, title, s.name, link, s.due, days_left(s.due, today), s.enrolment_id, detail)


def _lke(s: Subject, **params: str | int) -> Link:
    return Link("accreditation.lke", (("enrolment_id", s.enrolment_id), *params.items()))


def _enrolment(s: Subject) -> Link:
    return Link("accreditation.enrolment", (("enrolment_id", s.enrolment_id),))


def _sent_back(f: SentBack, today: date) -> Task:
    link = _lke(f.subject, tier="unit", area=f.area)
    return _task(
        TaskKind.SENT_BACK,
        _("Butir %(code)s dikembalikan oleh %(tier)s", code=f.item_code, tier=f.reviewer),
        f.subject,
        Link(link.endpoint, link.params, f"item-{f.item_code}"),
        today,
        f.comment,
    )


def _progress(p: Progress, today: date) -> list[Task]:
    out = []
    if p.unanswered:
        out.append(
            _task(
                TaskKind.UNANSWERED,
                _("%(n)s butir LKE belum dijawab", n=p.unanswered),
                p.subject,
                _lke(p.subject, tier="unit", todo=1),
                today,
            )
        )
    if p.without_evidence:
        out.append(
            _task(
                TaskKind.WITHOUT_EVIDENCE,
                _("%(n)s butir terjawab tanpa bukti dukung", n=len(p.without_evidence)),
                p.subject,
                _lke(p.subject, tier="unit", no_evidence=1),
                today,
                ", ".join(p.without_evidence[:8]) + (" …" if len(p.without_evidence) > 8 else ""),
            )
        )
    return out


def _waiting(w: Waiting, today: date) -> list[Task]:
    return [
        replace(task, assigned=True, detail=_join(_("ditugaskan kepada Anda"), task.detail))
        if w.assigned_to_me
        else task
        for task in _waiting_tasks(w, today)
    ]


def _join(first: str, rest: str) -> str:
    return f"{first} · {rest}" if rest else first


def _waiting_tasks(w: Waiting, today: date) -> list[Task]:
    out = []
    if w.undecided or w.revised:
        parts = [_("%(n)s butir belum diputuskan", n=w.undecided)] if w.undecided else []
        if w.revised:
            parts.append(_("%(n)s butir diperbaiki unit", n=w.revised))
        title = _("Nilai LKE unit (%(tier)s)", tier=w.tier)
        out.append(
            _task(TaskKind.REVIEW, title, w.subject, _lke(w.subject), today, ", ".join(parts))
        )
    elif not w.signable_areas and not w.sent_back:
        # Every item decided and every area signed: the tier's verdict is what is left.
        title = _("Putuskan hasil %(tier)s", tier=w.tier)
        out.append(_task(TaskKind.REVIEW, title, w.subject, _enrolment(w.subject), today))
    if w.signable_areas:
        out.append(
            _task(
                TaskKind.SIGN_OFF,
                _("Tandatangani area %(areas)s", areas=", ".join(w.signable_areas)),
                w.subject,
                _lke(w.subject, area=w.signable_areas[0]),
                today,
            )
        )
    return out


def _proposal(p: ProposalDue, today: date) -> Task:
    if p.unmet:
        link = Link("accreditation.prerequisites", (("enrolment_id", p.subject.enrolment_id),))
        title = _("Lengkapi persyaratan usulan (%(n)s belum terpenuhi)", n=len(p.unmet))
        return _task(TaskKind.PREREQUISITES, title, p.subject, link, today, "; ".join(p.unmet))
    return _task(TaskKind.PROPOSAL, _("Usulkan ke TPN"), p.subject, _enrolment(p.subject), today)


def _appeal(s: Subject, today: date) -> Task:
    title = _("Tidak lulus seleksi administrasi: ajukan sanggahan bila perlu")
    return _task(TaskKind.APPEAL, title, s, _enrolment(s), today)


def _monitoring(m: MonitoringDue, today: date) -> Task:
    s = m.subject
    return Task(
        TaskKind.MONITORING,
        _("Laporan pemantauan pasca-predikat"),
        s.name,
        _enrolment(s),
        m.due,
        days_left(m.due, today),
        s.enrolment_id,
    )


@dataclass(frozen=True)
class Upcoming:
    """What comes next when no task is due: a stage (of a unit, or of a cycle) and its date."""

    label: str  # a stage label or a deadline label, untranslated (``N_``)
    subject: str
    due: date | None
    days_left: int | None

    @property
    def days_phrase(self) -> str:
        return days_phrase(self.days_left)


def next_up(
    subjects: Sequence[Subject], cycle_dates: Sequence[tuple[int, str, date]], today: date
) -> Upcoming | None:
    """The nearest dated stage still ahead among ``subjects`` (the units in scope), else the
    next deadline of an open cycle (``(year, deadline key, date)``); None when nothing is."""
    ahead = sorted(
        (s for s in subjects if s.due is not None and s.due >= today), key=lambda s: s.due or today
    )
    if ahead:
        s = ahead[0]
        return Upcoming(_stage_label(s.stage), s.name, s.due, days_left(s.due, today))
    dated = sorted((d, year, key) for year, key, d in cycle_dates if d >= today)
    if dated:
        d, year, key = dated[0]
        return Upcoming(DUE_LABELS[key], _("Siklus %(year)s", year=year), d, days_left(d, today))
    if subjects:
        s = subjects[0]
        return Upcoming(_stage_label(s.stage), s.name, s.due, days_left(s.due, today))
    return None


def _stage_label(stage: Stage) -> str:
    return STAGE_LABELS[stage]
