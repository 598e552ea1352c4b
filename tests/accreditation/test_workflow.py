"""The state machine alone: every transition, who may take it, and every guard."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.accreditation import workflow
from tracker.accreditation.workflow import (
    ALLOWED_ROLES,
    TRANSITIONS,
    Action,
    Context,
    Deadline,
    Stage,
    advance,
    barred_until,
)
from tracker.auth.roles import Role
from tracker.errors import InvalidTransitionError, NotAllowedError

TODAY = date(2026, 3, 1)
OK = Context(today=TODAY, note="alasan", decree_given=True)


@pytest.mark.parametrize(("stage", "action"), sorted(TRANSITIONS, key=str))
def test_every_transition_is_allowed_for_its_roles(stage: Stage, action: Action) -> None:
    ctx = Context(today=TODAY, note="alasan", needs_preliminary=action is Action.SUBMIT_PRELIMINARY)
    assert advance(stage, action, ALLOWED_ROLES[action], ctx) is TRANSITIONS[(stage, action)]


@pytest.mark.parametrize(("stage", "action"), sorted(TRANSITIONS, key=str))
def test_every_transition_refuses_other_roles(stage: Stage, action: Action) -> None:
    others = set(Role) - ALLOWED_ROLES[action]
    with pytest.raises(NotAllowedError, match="tidak berwenang"):
        advance(stage, action, others, OK)


@pytest.mark.parametrize("stage", list(Stage))
def test_actions_not_in_the_table_are_refused_with_the_stage_named(stage: Stage) -> None:
    for action in Action:
        if (stage, action) not in TRANSITIONS:
            with pytest.raises(InvalidTransitionError, match="tidak dapat dilakukan pada tahap"):
                advance(stage, action, set(Role), OK)


def test_final_stages_have_no_way_out() -> None:
    for stage in workflow.FINAL:
        assert workflow.available_actions(stage) == []


def test_submission_needs_every_item_answered() -> None:
    ctx = Context(today=TODAY, unanswered_items=3)
    with pytest.raises(InvalidTransitionError, match="3 butir LKE yang belum dijawab"):
        advance(Stage.BUILDING, Action.SUBMIT_TPI, {Role.KOORDINATOR}, ctx)


def test_units_with_a_parent_assessor_go_to_preliminary_first() -> None:
    ctx = Context(today=TODAY, needs_preliminary=True)
    with pytest.raises(InvalidTransitionError, match="penilaian pendahuluan"):
        advance(Stage.BUILDING, Action.SUBMIT_TPI, {Role.KOORDINATOR}, ctx)
    with pytest.raises(InvalidTransitionError, match="langsung ke TPI"):
        advance(Stage.BUILDING, Action.SUBMIT_PRELIMINARY, {Role.KOORDINATOR}, Context(today=TODAY))


def test_reviewers_sign_off_every_area_before_passing() -> None:
    ctx = Context(today=TODAY, unsigned_areas=("5", "B"))
    with pytest.raises(InvalidTransitionError, match="5, B"):
        advance(Stage.TPI_EVALUATION, Action.TPI_MEETS, {Role.TPI}, ctx)


def test_tpi_cannot_recommend_a_unit_below_the_floors() -> None:
    ctx = Context(
        today=TODAY,
        eligible_for_target=False,
        eligibility_shortfalls=("Penguatan Pengawasan 52,00 % dari bobot, minimal 60,00 %",),
    )
    with pytest.raises(InvalidTransitionError, match="Penguatan Pengawasan 52,00"):
        advance(Stage.TPI_EVALUATION, Action.TPI_MEETS, {Role.TPI}, ctx)


@pytest.mark.parametrize(
    ("action", "stage", "deadline", "role"),
    [
        (Action.SUBMIT_TPI, Stage.BUILDING, Deadline.SELF_ASSESSMENT_END, Role.KOORDINATOR),
        (Action.TPI_MEETS, Stage.TPI_EVALUATION, Deadline.TPI_EVALUATION_END, Role.TPI),
        (Action.PROPOSE, Stage.TPI_RECOMMENDED, Deadline.PROPOSAL, Role.PIMPINAN),
        (Action.APPEAL, Stage.ADMIN_REJECTED, Deadline.APPEAL, Role.PIMPINAN),
    ],
)
def test_deadlines_are_enforced_to_the_day(action, stage, deadline, role) -> None:
    on_time = Context(today=date(2026, 5, 31), deadlines={deadline: date(2026, 5, 31)}, note="x")
    late = Context(today=date(2026, 6, 1), deadlines={deadline: date(2026, 5, 31)}, note="x")
    advance(stage, action, {role}, on_time)
    with pytest.raises(InvalidTransitionError, match="Batas waktu sudah lewat"):
        advance(stage, action, {role}, late)


@pytest.mark.parametrize("action", sorted(workflow.NOTE_REQUIRED))
def test_refusals_and_send_backs_need_a_reason(action: Action) -> None:
    stage = next(s for (s, a) in TRANSITIONS if a is action)
    with pytest.raises(InvalidTransitionError, match="wajib diisi"):
        advance(stage, action, ALLOWED_ROLES[action], Context(today=TODAY, note="  "))


def test_appeal_only_once() -> None:
    ctx = Context(today=TODAY, note="banding", appeal_used=True)
    with pytest.raises(InvalidTransitionError, match="satu kali"):
        advance(Stage.ADMIN_REJECTED, Action.APPEAL, {Role.PIMPINAN}, ctx)


@pytest.mark.parametrize(
    ("ctx", "message"),
    [
        (Context(today=TODAY, kkn_case=True), "kasus KKN"),
        (Context(today=TODAY, barred_until=date(2026, 6, 30)), "2026-06-30"),
        (Context(today=TODAY, target_is_wbbm=True, has_active_wbk=False), "Menuju WBK"),
        (Context(today=TODAY, quota_left=0), "Kuota"),
        (Context(today=TODAY, unmet_prerequisites=("Opini BPK: WDP, minimal WTP",)), "Opini BPK"),
    ],
)
def test_the_proposal_gate(ctx: Context, message: str) -> None:
    with pytest.raises(InvalidTransitionError, match=message):
        advance(Stage.TPI_RECOMMENDED, Action.PROPOSE, {Role.PIMPINAN}, ctx)


def test_the_bar_ends_exactly_two_years_after_revocation() -> None:
    assert barred_until([]) is None
    assert barred_until([date(2022, 6, 30), date(2021, 1, 1)]) == date(2024, 6, 30)
    assert barred_until([date(2024, 2, 29)]) == date(2026, 2, 28)
    proposal = Context(today=date(2024, 6, 30), barred_until=date(2024, 6, 30))
    assert (
        advance(Stage.TPI_RECOMMENDED, Action.PROPOSE, {Role.PIMPINAN}, proposal) is Stage.PROPOSED
    )


def test_designation_needs_a_decree() -> None:
    with pytest.raises(InvalidTransitionError, match="Nomor dan tanggal"):
        advance(
            Stage.FIELD_EVALUATION,
            Action.DESIGNATE,
            {Role.TPN},
            Context(today=TODAY, decree_given=False),
        )


def test_blockers_lists_every_reason_at_once() -> None:
    ctx = Context(
        today=date(2026, 6, 1),
        unanswered_items=2,
        deadlines={Deadline.SELF_ASSESSMENT_END: date(2026, 3, 31)},
    )
    reasons = workflow.blockers(Action.SUBMIT_TPI, ctx)
    assert len(reasons) == 2


def test_monitoring_is_due_two_years_after_the_latest_report() -> None:
    assert workflow.monitoring_due(date(2024, 12, 10), []) == date(2026, 12, 10)
    assert workflow.monitoring_due(date(2024, 12, 10), [date(2025, 11, 1)]) == date(2027, 11, 1)
    assert workflow.monitoring_due(date(2024, 2, 29), []) == date(2026, 2, 28)
