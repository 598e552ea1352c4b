"""The state machine alone: every transition, who may take it, and every guard.

A guard sees only the facts its action declares (``FACTS``): ``given`` builds such a context,
every fact at a value that lets the action through, and a test overrides the one it is about.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from tracker.accreditation import transitions, workflow
from tracker.accreditation.clearance_rules import Clearance
from tracker.accreditation.deployment import Deployment
from tracker.accreditation.guards import EvidenceGap, Fact, Judgement, MissingFactError
from tracker.accreditation.workflow import (
    ALLOWED_ROLES,
    FACTS,
    GUARDS,
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
OK = Context(today=TODAY, note="alasan", decree_given=True, decree_date=TODAY)

# A value of every fact that lets an action through (a WBBM target with its active WBK, so
# that the proposal gate reads every fact it declares).
PASSING: dict[str, object] = {
    Fact.UNANSWERED_ITEMS: 0,
    Fact.ITEMS_IN_ERROR: (),
    Fact.EVIDENCE_GAP: EvidenceGap(),
    Fact.EVIDENCE_CONFIRMED: False,
    Fact.UNSIGNED_AREAS: (),
    Fact.JUDGEMENT: Judgement(eligible=True),
    Fact.DEADLINES: {},
    Fact.APPEAL_USED: False,
    Fact.QUOTA_LEFT: None,
    Fact.UNMET_PREREQUISITES: (),
    Fact.BARRED_UNTIL: None,
    Fact.HAS_ACTIVE_WBK: True,
    Fact.TARGET_IS_WBBM: True,
    Fact.KKN_CASE: False,
    Fact.NOTE: "alasan",
    Fact.DECREE_GIVEN: True,
    Fact.DECREE_DATE: TODAY,
    Fact.TPN_SURVEYS: (),  # a framework without survey items: nothing to provenance (D14)
    Fact.DEPLOYMENT: Deployment.NATIONAL,  # TPN acts in the tracker (issue 12)
    Fact.PORTALRB_REFERENCE: "",
    Fact.CLEARANCE: Clearance(),  # issue 17 §1: nobody asked, nothing open
    Fact.CARRIED_UNCONFIRMED: 0,  # issue 16 §3: nothing carried from last cycle unconfirmed
}


def given(action: Action, today: date = TODAY, **facts: object) -> Context:
    """Exactly the facts ``action`` reads, each passing unless given in ``facts``."""
    passing = {**PASSING, Fact.NEEDS_PRELIMINARY: action is Action.SUBMIT_PRELIMINARY}
    return Context(today, **({f.value: passing[f] for f in FACTS[action]} | facts))


@pytest.mark.parametrize(("stage", "action"), sorted(TRANSITIONS, key=str))
def test_every_transition_is_allowed_for_its_roles(stage: Stage, action: Action) -> None:
    ctx = given(action)
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
    ctx = given(Action.SUBMIT_TPI, unanswered_items=3)
    with pytest.raises(InvalidTransitionError, match="3 butir LKE yang belum dijawab"):
        advance(Stage.BUILDING, Action.SUBMIT_TPI, {Role.KOORDINATOR}, ctx)


def test_units_with_a_parent_assessor_go_to_preliminary_first() -> None:
    ctx = given(Action.SUBMIT_TPI, needs_preliminary=True)
    with pytest.raises(InvalidTransitionError, match="penilaian pendahuluan"):
        advance(Stage.BUILDING, Action.SUBMIT_TPI, {Role.KOORDINATOR}, ctx)
    direct = given(Action.SUBMIT_PRELIMINARY, needs_preliminary=False)
    with pytest.raises(InvalidTransitionError, match="langsung ke TPI"):
        advance(Stage.BUILDING, Action.SUBMIT_PRELIMINARY, {Role.KOORDINATOR}, direct)


def test_reviewers_sign_off_every_area_before_passing() -> None:
    ctx = given(Action.TPI_MEETS, unsigned_areas=("5", "B"))
    with pytest.raises(InvalidTransitionError, match="5, B"):
        advance(Stage.TPI_EVALUATION, Action.TPI_MEETS, {Role.TPI}, ctx)


def test_tpi_cannot_recommend_a_unit_below_the_floors() -> None:
    ctx = given(
        Action.TPI_MEETS,
        judgement=Judgement(False, ("Penguatan Pengawasan 52,00 % dari bobot, minimal 60,00 %",)),
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
    on_time = given(action, date(2026, 5, 31), deadlines={deadline: date(2026, 5, 31)}, note="x")
    late = given(action, date(2026, 6, 1), deadlines={deadline: date(2026, 5, 31)}, note="x")
    advance(stage, action, {role}, on_time)
    with pytest.raises(InvalidTransitionError, match="Batas waktu sudah lewat"):
        advance(stage, action, {role}, late)


@pytest.mark.parametrize("action", sorted(workflow.NOTE_REQUIRED))
def test_refusals_and_send_backs_need_a_reason(action: Action) -> None:
    stage = next(s for (s, a) in TRANSITIONS if a is action)
    with pytest.raises(InvalidTransitionError, match="wajib diisi"):
        advance(stage, action, ALLOWED_ROLES[action], given(action, note="  "))


def test_appeal_only_once() -> None:
    ctx = given(Action.APPEAL, note="banding", appeal_used=True)
    with pytest.raises(InvalidTransitionError, match="satu kali"):
        advance(Stage.ADMIN_REJECTED, Action.APPEAL, {Role.PIMPINAN}, ctx)


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"kkn_case": True}, "kasus KKN"),
        (
            {"barred_until": date(2026, 6, 30), "target_is_wbbm": False, "has_active_wbk": False},
            "2026-06-30",
        ),
        ({"target_is_wbbm": False, "has_active_wbk": True}, "usulan WBK tidak dapat"),
        ({"target_is_wbbm": True, "has_active_wbk": False}, "Menuju WBK"),
        ({"quota_left": 0}, "Kuota"),
        ({"unmet_prerequisites": ("Opini BPK: WDP, minimal WTP",)}, "Opini BPK"),
    ],
)
def test_the_proposal_gate(facts: dict[str, object], message: str) -> None:
    ctx = given(Action.PROPOSE, **facts)
    with pytest.raises(InvalidTransitionError, match=message):
        advance(Stage.TPI_RECOMMENDED, Action.PROPOSE, {Role.PIMPINAN}, ctx)


def test_the_bar_ends_exactly_two_years_after_revocation() -> None:
    assert barred_until([]) is None
    assert barred_until([date(2022, 6, 30), date(2021, 1, 1)]) == date(2024, 6, 30)
    assert barred_until([date(2024, 2, 29)]) == date(2026, 2, 28)
    proposal = given(
        Action.PROPOSE,
        date(2024, 6, 30),
        barred_until=date(2024, 6, 30),
        target_is_wbbm=False,
        has_active_wbk=False,
    )
    assert (
        advance(Stage.TPI_RECOMMENDED, Action.PROPOSE, {Role.PIMPINAN}, proposal) is Stage.PROPOSED
    )


def test_designation_needs_a_decree() -> None:
    with pytest.raises(InvalidTransitionError, match="Nomor dan tanggal"):
        advance(
            Stage.FIELD_EVALUATION,
            Action.DESIGNATE,
            {Role.TPN},
            given(Action.DESIGNATE, decree_given=False),
        )


def test_a_decree_is_not_dated_after_today() -> None:
    """Issue 15 §3: the Minister's decree a designation or revocation cites is already signed."""
    tomorrow = date(2026, 3, 2)
    for action, stage in (
        (Action.DESIGNATE, Stage.FIELD_EVALUATION),
        (Action.REVOKE, Stage.DESIGNATED),
    ):
        with pytest.raises(InvalidTransitionError, match="tidak boleh sesudah hari ini"):
            advance(stage, action, {Role.TPN}, given(action, decree_date=tomorrow))
        advance(stage, action, {Role.TPN}, given(action, decree_date=TODAY))


def test_blockers_lists_every_reason_at_once() -> None:
    ctx = given(
        Action.SUBMIT_TPI,
        date(2026, 6, 1),
        unanswered_items=2,
        deadlines={Deadline.SELF_ASSESSMENT_END: date(2026, 3, 31)},
    )
    assert workflow.blockers(Action.SUBMIT_TPI, ctx) == [
        "Masih ada 2 butir LKE yang belum dijawab.",
        "Batas waktu sudah lewat: Akhir penilaian mandiri, 31 Maret 2026. Perpanjangan "
        "dicatat oleh administrator.",
    ]


def test_monitoring_is_due_two_years_after_the_latest_report() -> None:
    assert workflow.monitoring_due(date(2024, 12, 10), []) == date(2026, 12, 10)
    assert workflow.monitoring_due(date(2024, 12, 10), [date(2025, 11, 1)]) == date(2027, 11, 1)
    assert workflow.monitoring_due(date(2024, 2, 29), []) == date(2026, 2, 28)


# Guards fail closed: a fact nobody gathered refuses the action, it never lets it through.


@pytest.mark.parametrize(
    ("action", "fact"), [(a, f) for a in Action for f in sorted(FACTS[a])], ids=str
)
def test_an_action_whose_fact_was_not_gathered_is_refused(action: Action, fact: Fact) -> None:
    stage = next(s for (s, a) in TRANSITIONS if a is action)
    ctx = given(action)
    without = Context(ctx.today, **{f.value: ctx.fact(f) for f in ctx.given - {fact}})
    with pytest.raises(MissingFactError, match=fact.value):
        advance(stage, action, ALLOWED_ROLES[action], without)
    with pytest.raises(MissingFactError, match=fact.value):
        workflow.blockers(action, without)  # the page's preview refuses the same way


def test_a_guard_reading_a_fact_it_did_not_declare_raises() -> None:
    # Even a guard whose declaration is wrong cannot pass on a default: there is none.
    for name in Fact:
        with pytest.raises(MissingFactError, match=name.value):
            getattr(Context(TODAY), name.value)


EVERY_GUARD = sorted({g for gs in GUARDS.values() for g in gs}, key=lambda g: g.check.__name__)


@pytest.mark.parametrize("guard", EVERY_GUARD, ids=lambda g: g.check.__name__)
def test_each_guard_reads_exactly_the_facts_it_declares(guard) -> None:
    declared = {f.value: PASSING.get(f, False) for f in guard.reads}
    guard(Context(TODAY, **declared))  # its own facts are enough: nothing else is read
    for fact in guard.reads:  # and it reads every one of them
        missing = {k: v for k, v in declared.items() if k != fact}
        with pytest.raises(MissingFactError, match=fact.value):
            guard(Context(TODAY, **missing))


def test_a_context_takes_only_known_facts_and_cannot_change() -> None:
    with pytest.raises(TypeError, match="eligible_for_target"):
        Context(TODAY, eligible_for_target=True)  # the old name of the judgement
    ctx = Context(TODAY, note="x")
    with pytest.raises(AttributeError):
        ctx.note = "y"  # type: ignore[misc]  # the point: a Context is immutable


def test_actions_read_what_their_guards_deadline_and_note_need() -> None:
    assert FACTS[Action.START_BUILDING] == frozenset()
    assert FACTS[Action.REVOKE] == {Fact.NOTE, Fact.DECREE_GIVEN, Fact.DECREE_DATE}  # D15
    handed_on = {
        Fact.UNANSWERED_ITEMS,
        Fact.ITEMS_IN_ERROR,
        Fact.EVIDENCE_GAP,
        Fact.EVIDENCE_CONFIRMED,
    }
    assert FACTS[Action.SUBMIT_TPI] == {
        Fact.NEEDS_PRELIMINARY,
        Fact.DEADLINES,
        Fact.CARRIED_UNCONFIRMED,  # issue 16 §3
        *handed_on,
    }
    assert {Fact.JUDGEMENT, Fact.DECREE_GIVEN, *handed_on} <= FACTS[Action.DESIGNATE]
    assert {f for f in Fact if any(f in facts for facts in FACTS.values())} == set(Fact)


class _Recorder:
    """Stands in for the database: records which facts ``transitions.context`` asks for."""

    def __init__(self) -> None:
        self.asked: list[Fact] = []

    def gatherers(self) -> dict[Fact, object]:
        def gather(fact: Fact):
            def read(_session, _enrolment, _action, _details) -> object:
                self.asked.append(fact)
                return PASSING.get(fact, False)

            return read

        return {fact: gather(fact) for fact in Fact}


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_the_service_gathers_exactly_the_facts_the_action_reads(
    action: Action, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = _Recorder()
    monkeypatch.setattr(transitions, "GATHERERS", recorder.gatherers())
    ctx = transitions.context(Session(), None, action, transitions.Details(), TODAY)  # type: ignore[arg-type]
    assert ctx.given == FACTS[action]
    assert sorted(recorder.asked) == sorted(FACTS[action])  # each once, no query wasted


def test_every_fact_has_a_gatherer_and_every_judged_action_a_tier() -> None:
    assert set(transitions.GATHERERS) == set(Fact)
    judged = {a for a in Action if Fact.JUDGEMENT in FACTS[a]}
    assert judged == set(transitions.JUDGED_BY)


def test_a_fact_without_a_gatherer_is_an_error_not_a_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    gatherers = dict(_Recorder().gatherers())
    del gatherers[Fact.DECREE_GIVEN]
    monkeypatch.setattr(transitions, "GATHERERS", gatherers)
    with pytest.raises(MissingFactError, match="decree_given"):
        transitions.context(Session(), None, Action.DESIGNATE, transitions.Details(), TODAY)  # type: ignore[arg-type]
