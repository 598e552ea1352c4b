"""For every enrolment page (issue 15 §1): the deadline of the stage the header shows, and the
signed-in user's tasks on this enrolment for the summary's "Langkah berikutnya" card.

Both are callables the templates call only where they show them, as ``shows_audit_tab``: the
queries run once per page, and only on the pages that print them."""

from __future__ import annotations

from typing import Any

from tracker import clock
from tracker.accreditation import my_tasks, worklist
from tracker.accreditation.models import Enrolment
from tracker.accreditation.web import deployment
from tracker.accreditation.web.views import bp
from tracker.auth.login import current_actor
from tracker.sessions import get_session


@bp.context_processor
def _stage_deadline() -> dict[str, Any]:
    def stage_due(enrolment: Enrolment) -> my_tasks.StageDue | None:
        return my_tasks.stage_due(get_session(), enrolment, clock.today())

    def enrolment_tasks(enrolment: Enrolment) -> list[worklist.Task]:
        return my_tasks.my_tasks(
            get_session(),
            current_actor(),
            clock.today(),
            deployment=deployment(),
            enrolment_id=enrolment.id,
        ).tasks

    def stage_dues(enrolments: Any) -> dict[int, my_tasks.StageDue]:
        """The stage deadlines of a list's enrolments, by id, in a fixed number of queries."""
        return my_tasks.stage_dues(get_session(), list(enrolments), clock.today())

    return {
        "stage_due": stage_due,
        "stage_dues": stage_dues,
        "enrolment_tasks": enrolment_tasks,
    }
