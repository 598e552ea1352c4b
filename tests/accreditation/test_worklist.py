"""The "Tugas saya" rules (issue 15 §1), pure: tasks from facts, days left with a fixed today,
most urgent first."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tracker.accreditation import worklist
from tracker.accreditation.workflow import Stage
from tracker.accreditation.worklist import (
    Facts,
    Link,
    MonitoringDue,
    Progress,
    ProposalDue,
    SentBack,
    Subject,
    TaskKind,
    Urgency,
    Waiting,
)

TODAY = date(2027, 3, 1)


def subject(n: int = 1, due: date | None = date(2027, 3, 31), stage=Stage.BUILDING) -> Subject:
    return Subject(n, f"Polres {n}", 2027, stage, due)


@pytest.mark.parametrize(
    ("due", "days", "phrase", "level"),
    [
        (date(2027, 3, 1), 0, "hari ini", Urgency.SOON),
        (date(2027, 3, 2), 1, "besok", Urgency.SOON),
        (date(2027, 3, 8), 7, "7 hari lagi", Urgency.SOON),
        (date(2027, 3, 9), 8, "8 hari lagi", Urgency.NEAR),
        (date(2027, 3, 31), 30, "30 hari lagi", Urgency.NEAR),
        (date(2027, 4, 1), 31, "31 hari lagi", Urgency.LATER),
        (date(2027, 2, 28), -1, "terlambat 1 hari", Urgency.OVERDUE),
        (date(2027, 2, 15), -14, "terlambat 14 hari", Urgency.OVERDUE),
        (None, None, "", Urgency.NONE),
    ],
)
def test_days_left_and_urgency_against_a_fixed_today(due, days, phrase, level) -> None:
    assert worklist.days_left(due, TODAY) == days
    assert worklist.days_phrase(days) == phrase
    assert worklist.urgency(days) is level


def test_a_sent_back_item_links_to_its_anchor_with_the_comment() -> None:
    fact = SentBack(subject(7), "A.II.3.b", "3", "Bukti SK belum ditandatangani", "Penilaian X")
    (task,) = worklist.tasks(Facts(sent_back=[fact]), TODAY)
    assert task.kind is TaskKind.SENT_BACK
    assert task.title == "Butir A.II.3.b dikembalikan oleh Penilaian X"
    assert task.detail == "Bukti SK belum ditandatangani"
    assert task.subject == "Polres 7 · 2027"
    assert task.link == Link(
        "accreditation.lke",
        (("enrolment_id", 7), ("tier", "unit"), ("area", "3")),
        "item-A.II.3.b",
    )
    assert (task.due, task.days_left, task.enrolment_id) == (date(2027, 3, 31), 30, 7)


def test_unanswered_items_are_one_count_per_enrolment_not_a_line_each() -> None:
    facts = Facts(progress=[Progress(subject(), 113, ("A.I.1.a", "A.I.1.b"))])
    found = worklist.tasks(facts, TODAY)
    assert [t.kind for t in found] == [TaskKind.UNANSWERED, TaskKind.WITHOUT_EVIDENCE]
    assert found[0].title == "113 butir LKE belum dijawab"
    assert found[0].link.args == {"enrolment_id": 1, "tier": "unit", "todo": 1}
    assert found[1].title == "2 butir terjawab tanpa bukti dukung"
    assert found[1].detail == "A.I.1.a, A.I.1.b"
    assert found[1].link.args["no_evidence"] == 1


def test_a_long_list_of_codes_is_cut_short() -> None:
    codes = tuple(f"A.I.1.{c}" for c in "abcdefghij")
    (task,) = worklist.tasks(Facts(progress=[Progress(subject(), 0, codes)]), TODAY)
    assert task.detail.endswith("A.I.1.h …") and "A.I.1.i" not in task.detail


def test_a_reviewers_queue_entry_and_the_areas_ready_to_sign() -> None:
    waiting = Waiting(subject(stage=Stage.PRELIMINARY), "Penilaian pendahuluan", 100, 2, ("1", "B"))
    review, sign = worklist.tasks(Facts(waiting=[waiting]), TODAY)
    assert review.kind is TaskKind.REVIEW and sign.kind is TaskKind.SIGN_OFF
    assert review.detail == "100 butir belum diputuskan, 2 butir diperbaiki unit"
    assert sign.title == "Tandatangani area 1, B"
    assert sign.link.args == {"enrolment_id": 1, "area": "1"}


def test_a_reviewer_with_everything_decided_and_signed_is_asked_for_the_verdict() -> None:
    done = Waiting(subject(stage=Stage.TPI_EVALUATION), "TPI", 0, 0, ())
    (task,) = worklist.tasks(Facts(waiting=[done]), TODAY)
    assert task.title == "Putuskan hasil TPI"
    assert task.link.endpoint == "accreditation.enrolment"


def test_a_reviewer_waiting_for_the_units_fixes_has_nothing_to_do_there() -> None:
    waiting = Waiting(subject(stage=Stage.TPI_EVALUATION), "TPI", 0, 0, (), sent_back=3)
    assert worklist.tasks(Facts(waiting=[waiting]), TODAY) == []


def test_proposal_with_unmet_prerequisites_points_to_the_prerequisites() -> None:
    s = subject(stage=Stage.TPI_RECOMMENDED)
    blocked, ready = worklist.tasks(
        Facts(proposals=[ProposalDue(s, ("Opini BPK belum dicatat",)), ProposalDue(s, ())]),
        TODAY,
    )
    assert blocked.kind is TaskKind.PREREQUISITES
    assert blocked.link.endpoint == "accreditation.prerequisites"
    assert blocked.detail == "Opini BPK belum dicatat"
    assert ready.kind is TaskKind.PROPOSAL and ready.title == "Usulkan ke TPN"


def test_monitoring_reports_far_ahead_are_not_yet_tasks() -> None:
    s = subject(stage=Stage.DESIGNATED, due=None)
    near = MonitoringDue(s, date(2027, 5, 1))  # 61 days
    far = MonitoringDue(s, date(2028, 1, 1))
    late = MonitoringDue(s, date(2027, 1, 1))
    found = worklist.tasks(Facts(monitoring=[far, near, late]), TODAY)
    assert [(t.kind, t.due) for t in found] == [
        (TaskKind.MONITORING, date(2027, 1, 1)),
        (TaskKind.MONITORING, date(2027, 5, 1)),
    ]
    assert found[0].overdue and found[0].days_left == -59


def test_most_urgent_first_overdue_then_due_date_then_kind() -> None:
    late = subject(1, date(2027, 2, 20))
    soon = subject(2, date(2027, 3, 5))
    later = subject(3, date(2027, 6, 1))
    undated = subject(4, None)
    facts = Facts(
        sent_back=[SentBack(later, "A.I.1.a", "1", "x", "TPI")],
        progress=[Progress(soon, 3, ()), Progress(undated, 1, ())],
        waiting=[Waiting(soon, "TPI", 5, 0, ())],
        appeals=[late],
    )
    found = worklist.tasks(facts, TODAY)
    assert [(t.enrolment_id, t.kind) for t in found] == [
        (1, TaskKind.APPEAL),  # overdue
        (2, TaskKind.REVIEW),  # same date as the next: review ranks before unanswered items
        (2, TaskKind.UNANSWERED),
        (3, TaskKind.SENT_BACK),
        (4, TaskKind.UNANSWERED),  # no deadline: last
    ]


def test_sent_back_ranks_first_among_tasks_of_one_date() -> None:
    s = subject()
    facts = Facts(
        progress=[Progress(s, 2, ("A.I.1.a",))],
        sent_back=[SentBack(s, "A.I.1.b", "1", "x", "TPI")],
    )
    kinds = [t.kind for t in worklist.tasks(facts, TODAY)]
    assert kinds == [TaskKind.SENT_BACK, TaskKind.UNANSWERED, TaskKind.WITHOUT_EVIDENCE]


@pytest.mark.parametrize(
    ("stage", "key"),
    [
        (Stage.DECLARED, "self_assessment_end"),
        (Stage.BUILDING, "self_assessment_end"),
        (Stage.PRELIMINARY, "tpi_evaluation_end"),
        (Stage.TPI_EVALUATION, "tpi_evaluation_end"),
        (Stage.TPI_RECOMMENDED, "proposal_deadline"),
        (Stage.PROPOSED, "desk_evaluation_start"),
        (Stage.ADMIN_REJECTED, "appeal_deadline"),
        (Stage.DESK_EVALUATION, "field_evaluation_start"),
        (Stage.FIELD_EVALUATION, "designation_date"),
        (Stage.MONITORING, worklist.MONITORING_DATE),
        (Stage.COACHING, None),
        (Stage.VOID, None),
    ],
)
def test_each_stage_is_bounded_by_its_date(stage, key) -> None:
    assert worklist.stage_due_key(stage) == key
    if key:
        assert worklist.DUE_LABELS[key]


def test_next_up_is_the_nearest_stage_still_ahead() -> None:
    past = subject(1, date(2027, 2, 1), Stage.PRELIMINARY)
    ahead = subject(2, date(2027, 4, 15), Stage.TPI_EVALUATION)
    up = worklist.next_up([past, ahead], [], TODAY)
    assert up == worklist.Upcoming("Evaluasi TPI", "Polres 2 · 2027", date(2027, 4, 15), 45)


def test_next_up_falls_back_to_the_open_cycles_calendar_then_to_nothing() -> None:
    dates = [
        (2027, "self_assessment_end", date(2027, 3, 31)),
        (2027, "proposal_deadline", date(2027, 5, 31)),
    ]
    up = worklist.next_up([], dates, TODAY)
    assert up == worklist.Upcoming("Akhir penilaian mandiri", "Siklus 2027", date(2027, 3, 31), 30)
    assert worklist.next_up([], [(2026, "proposal_deadline", date(2026, 5, 31))], TODAY) is None


def test_a_large_desk_ranks_units_by_deadline_then_assignment_then_waiting() -> None:
    """Issue 18 §3: which units the home page reads when the scope is too large to read whole."""
    early, late = datetime(2027, 1, 5, 8), datetime(2027, 1, 9, 8)
    units = {
        "undated": worklist.unit_urgency(None, True, early, 1),
        "overdue": worklist.unit_urgency(date(2027, 1, 1), False, late, 2),
        "due, waiting longest": worklist.unit_urgency(date(2027, 2, 1), False, early, 3),
        "due, waiting less": worklist.unit_urgency(date(2027, 2, 1), False, late, 4),
        "due, assigned to me": worklist.unit_urgency(date(2027, 2, 1), True, late, 5),
    }
    assert sorted(units, key=units.__getitem__) == [
        "overdue",
        "due, assigned to me",
        "due, waiting longest",
        "due, waiting less",
        "undated",
    ]
