"""Deadlines are real (issue 15 §3): which window bounds what, and how a late action or an
impossible date is refused. Pure: no Flask, no database.

The cycle's windows, after the extensions the administrator recorded (``cycles.
effective_deadlines`` is the one function computing them), bound:

- the stage moves of ``workflow.DEADLINE_OF`` (submission, the preliminary and TPI verdicts,
  the proposal, the appeal), checked by ``workflow.blockers``;
- the work done inside a stage (``STAGE_WINDOW``): while a unit builds, its answers and evidence
  until the end of the self-assessment; while the preliminary assessor or the TPI reviews, their
  answers, item decisions and sign-offs, and the unit's fixes of items sent back, until the end
  of the TPI evaluation (the cycle has no separate preliminary end: the preliminary pass must
  come before TPI's end).

TPN's stages are not bounded here: the cycle keeps only the planned starts of desk and field
evaluation and the designation date, not an end of TPN's work, and in an agency deployment TPN's
results arrive from PortalRB after the fact; refusing to record a decision TPN already took would
only make the tracker wrong. Nor is a window's start enforced: the self-assessment start is the
calendar's, but units build their LKE all year round (answers prepared early are not late).

A refusal names the deadline, its date the Indonesian way and who may extend it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from tracker.accreditation.workflow import Deadline, Stage, late_reason
from tracker.i18n import _, long_date

# The window bounding the work done within a stage (answers, evidence, item decisions, sign-offs).
STAGE_WINDOW: Mapping[Stage, Deadline] = {
    Stage.DECLARED: Deadline.SELF_ASSESSMENT_END,
    Stage.BUILDING: Deadline.SELF_ASSESSMENT_END,
    Stage.PRELIMINARY: Deadline.TPI_EVALUATION_END,
    Stage.TPI_EVALUATION: Deadline.TPI_EVALUATION_END,
}


def extended(
    dates: Mapping[str, date | None],
    extensions: Iterable[tuple[Deadline, int | None, date]],
    agency_id: int | None,
) -> dict[str, date | None]:
    """``dates`` (cycle dates by column name) after the recorded ``extensions`` (deadline,
    agency or None for everyone, new date) that reach ``agency_id``. Extensions only ever move
    a date later, so the latest of the base date and every extension in force wins. The one
    rule: ``cycles.effective_deadlines`` and the pages' batched dates (``my_tasks``) apply it."""
    out = dict(dates)
    for deadline, for_agency, new_date in extensions:
        if for_agency is None or for_agency == agency_id:
            current = out.get(deadline.value)
            out[deadline.value] = new_date if current is None else max(current, new_date)
    return out


def stage_work_reason(
    stage: Stage, deadlines: Mapping[Deadline, date | None], today: date
) -> str | None:
    """Why the work of ``stage`` (answers, evidence, item decisions, sign-offs) is closed on
    ``today``, or None. ``deadlines`` are the effective ones (after extensions) for the
    enrolment's agency."""
    deadline = STAGE_WINDOW.get(stage)
    if deadline is None:
        return None
    return late_reason(deadline, deadlines.get(deadline), today)


# The stages whose work waits for the cycle to open: a unit fills the LKE of a cycle from the
# first day of its self-assessment (an earlier start would let it fill a year's LKE with the
# year before's evidence). The reviewing stages have no start: a unit that submits early may
# be reviewed early, and only the end of their window is enforced.
OPENS_WITH_SELF_ASSESSMENT = frozenset({Stage.DECLARED, Stage.BUILDING})


def not_open_reason(stage: Stage, self_assessment_start: date | None, today: date) -> str | None:
    """Why the work of ``stage`` (answers, evidence) cannot be done yet on ``today``, or None."""
    if stage not in OPENS_WITH_SELF_ASSESSMENT or self_assessment_start is None:
        return None
    if today >= self_assessment_start:
        return None
    return _(
        "Penilaian mandiri siklus ini baru dibuka pada %(date)s.",
        date=long_date(self_assessment_start),
    )
