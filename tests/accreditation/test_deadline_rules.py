"""Issue 15 §3, the pure rules: which window bounds what, and how a refusal reads."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.accreditation import deadlines, signed_dates, workflow
from tracker.accreditation.workflow import Action, Deadline, Stage
from tracker.i18n import long_date

DUE = date(2027, 3, 31)


def test_a_late_action_names_the_deadline_the_date_and_who_extends() -> None:
    reason = workflow.late_reason(Deadline.SELF_ASSESSMENT_END, DUE, date(2027, 4, 1))
    assert reason == (
        "Batas waktu sudah lewat: Akhir penilaian mandiri, 31 Maret 2027. "
        "Perpanjangan dicatat oleh administrator."
    )


@pytest.mark.parametrize(
    ("today", "late"),
    [(date(2027, 3, 30), False), (DUE, False), (date(2027, 4, 1), True)],
)
def test_the_deadline_day_itself_is_still_open(today: date, late: bool) -> None:
    assert bool(workflow.late_reason(Deadline.PROPOSAL, DUE, today)) is late


def test_no_date_no_bound() -> None:
    assert workflow.late_reason(Deadline.APPEAL, None, date(2099, 1, 1)) is None


@pytest.mark.parametrize(
    ("action", "deadline"),
    [
        (Action.SUBMIT_PRELIMINARY, Deadline.SELF_ASSESSMENT_END),
        (Action.SUBMIT_TPI, Deadline.SELF_ASSESSMENT_END),
        (Action.PRELIMINARY_PASS, Deadline.TPI_EVALUATION_END),
        (Action.PRELIMINARY_RETURN, Deadline.TPI_EVALUATION_END),
        (Action.TPI_MEETS, Deadline.TPI_EVALUATION_END),
        (Action.TPI_NOT_YET, Deadline.TPI_EVALUATION_END),
        (Action.PROPOSE, Deadline.PROPOSAL),
        (Action.APPEAL, Deadline.APPEAL),
    ],
)
def test_every_windowed_action_reads_its_deadline(action: Action, deadline: Deadline) -> None:
    assert workflow.DEADLINE_OF[action] is deadline
    assert workflow.guards.Fact.DEADLINES in workflow.FACTS[action]


def test_tpn_steps_are_not_bounded_by_a_cycle_window() -> None:
    assert not workflow.TPN_STEPS & set(workflow.DEADLINE_OF)


@pytest.mark.parametrize(
    ("stage", "deadline"),
    [
        (Stage.DECLARED, Deadline.SELF_ASSESSMENT_END),
        (Stage.BUILDING, Deadline.SELF_ASSESSMENT_END),
        (Stage.PRELIMINARY, Deadline.TPI_EVALUATION_END),
        (Stage.TPI_EVALUATION, Deadline.TPI_EVALUATION_END),
    ],
)
def test_the_work_of_a_stage_closes_with_its_window(stage: Stage, deadline: Deadline) -> None:
    dates = dict.fromkeys(Deadline, date(2027, 1, 1)) | {deadline: DUE}
    assert deadlines.stage_work_reason(stage, dates, DUE) is None
    reason = deadlines.stage_work_reason(stage, dates, date(2027, 4, 1))
    assert reason is not None and "31 Maret 2027" in reason and "administrator" in reason


def test_an_extension_is_just_a_later_effective_date() -> None:
    extended = {Deadline.SELF_ASSESSMENT_END: date(2027, 4, 15)}
    assert deadlines.stage_work_reason(Stage.BUILDING, extended, date(2027, 4, 10)) is None


@pytest.mark.parametrize("stage", [Stage.PROPOSED, Stage.DESK_EVALUATION, Stage.DESIGNATED])
def test_stages_without_a_window_are_open(stage: Stage) -> None:
    past = dict.fromkeys(Deadline, date(2000, 1, 1))
    assert deadlines.stage_work_reason(stage, past, date(2027, 4, 1)) is None


def test_a_document_date_may_not_lie_in_the_future() -> None:
    today = date(2026, 11, 30)
    assert signed_dates.future_date_reason(today, today, "Tanggal SK") is None
    assert signed_dates.future_date_reason(None, today, "Tanggal SK") is None
    assert signed_dates.future_date_reason(date(2026, 12, 1), today, "Tanggal SK") == (
        "Tanggal SK tidak boleh sesudah hari ini (30 November 2026)."
    )


def test_dates_read_the_indonesian_way_outside_a_request() -> None:
    assert long_date(date(2027, 5, 31)) == "31 Mei 2027"


def test_the_lke_opens_with_the_self_assessment_and_reviews_have_no_start() -> None:
    opens = date(2027, 1, 2)
    for stage in (Stage.DECLARED, Stage.BUILDING):
        assert deadlines.not_open_reason(stage, opens, opens) is None
        assert deadlines.not_open_reason(stage, opens, date(2027, 1, 1)) == (
            "Penilaian mandiri siklus ini baru dibuka pada 2 Januari 2027."
        )
    assert deadlines.not_open_reason(Stage.PRELIMINARY, opens, date(2026, 12, 1)) is None
    assert deadlines.not_open_reason(Stage.BUILDING, None, date(2026, 12, 1)) is None
