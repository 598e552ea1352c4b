"""My tasks, "Tugas saya" (issue 15 §1), on the test world: each kind of task for each role,
within scope, dated by the stage's deadline, in a bounded number of queries; and the home page
over HTTP."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from tests.accreditation.test_services import approve_all, record_prerequisites
from tests.helpers import login_as, post_form
from tests.html import get_page
from tests.world import TODAY, YEAR, World, build_world
from tracker import clock
from tracker.accreditation import assessments, cycles, reviews, tiers
from tracker.accreditation.models import DecisionKind, Enrolment
from tracker.accreditation.my_tasks import my_tasks, stage_due
from tracker.accreditation.workflow import Action, Deadline, Stage
from tracker.accreditation.worklist import TaskKind
from tracker.auth.roles import Role
from tracker.evidence import services as evidence
from tracker.evidence.models import EvidencePurpose


@pytest.fixture(name="world")
def world_fixture(session, factory, monkeypatch) -> World:
    monkeypatch.setattr(clock, "today", lambda: TODAY)  # the windows are enforced (issue 15 §3)
    return build_world(session, factory)


SELF_ASSESSMENT_END = date(YEAR, 3, 31)  # the default calendar's dates (world.TODAY is 1 March)
TPI_EVALUATION_END = date(YEAR, 5, 20)


def items(e: Enrolment, *areas: str) -> list[str]:
    codes = [i.code for i in assessments.framework_for(e).items()]
    return [c for c in codes if not areas or tiers.area_of(c) in areas]


def kinds(world: World, user, today: date = TODAY) -> list[TaskKind]:
    return [t.kind for t in my_tasks(world.session, user, today).tasks]


def send_back(world: World, e: Enrolment, code: str, comment: str, user=None) -> None:
    actor = world.actor(user or world.penilai, e.unit)
    world.decide(actor, e, code, DecisionKind.REVISION, seq=0, comment=comment)
    world.session.commit()


def to_tpi(world: World) -> Enrolment:
    e = world.submitted()
    approve_all(world, e, world.penilai)
    world.act(world.penilai, e, Action.PRELIMINARY_PASS)
    return e


def to_recommended(world: World) -> Enrolment:
    e = to_tpi(world)
    approve_all(world, e, world.tpi)
    world.act(world.tpi, e, Action.TPI_MEETS, on=date(YEAR, 5, 1))
    return e


# --- the unit: coordinator and working group --------------------------------------------------


def test_a_unit_building_its_lke_sees_one_count_of_blank_items(world: World) -> None:
    e = world.building()
    (task,) = my_tasks(world.session, world.koordinator, TODAY).tasks
    assert task.kind is TaskKind.UNANSWERED
    assert task.title == f"{len(items(e))} butir LKE belum dijawab"
    assert (task.due, task.days_left) == (SELF_ASSESSMENT_END, 30)
    assert task.link.args == {"enrolment_id": e.id, "tier": "unit", "todo": 1}
    # The working group counts only its own areas (5 and 6).
    (pokja,) = my_tasks(world.session, world.pokja, TODAY).tasks
    assert pokja.title == f"{len(items(e, '5', '6'))} butir LKE belum dijawab"


def test_answers_without_evidence_are_listed_until_proven(world: World) -> None:
    e = world.building()
    world.fill(e)
    (task,) = my_tasks(world.session, world.koordinator, TODAY).tasks
    assert task.kind is TaskKind.WITHOUT_EVIDENCE
    assert task.title == f"{len(items(e))} butir terjawab tanpa bukti dukung"
    first = items(e)[0]
    evidence.add_link(
        world.session,
        user=world.koordinator,
        enrolment=e,
        target=evidence.Target(EvidencePurpose.ITEM, item_code=first),
        url="https://example.go.id/sk.pdf",
        title="SK",
    )
    world.session.commit()
    (task,) = my_tasks(world.session, world.koordinator, TODAY).tasks
    assert task.title == f"{len(items(e)) - 1} butir terjawab tanpa bukti dukung"
    assert first not in task.detail


def test_items_sent_back_reach_the_unit_with_the_comment_across_areas(world: World) -> None:
    e = world.submitted()
    area_3, area_5 = items(e, "3")[0], items(e, "5")[1]
    send_back(world, e, area_3, "SK tim belum ditandatangani")
    send_back(world, e, area_5, "Laporan triwulan II tidak ada")
    found = my_tasks(world.session, world.koordinator, TODAY).tasks
    assert [(t.kind, t.detail) for t in found] == [
        (TaskKind.SENT_BACK, "SK tim belum ditandatangani"),
        (TaskKind.SENT_BACK, "Laporan triwulan II tidak ada"),
    ]
    first = found[0]
    assert first.title == f"Butir {area_3} dikembalikan oleh Penilaian pendahuluan"
    assert first.link.endpoint == "accreditation.lke"
    assert first.link.args == {"enrolment_id": e.id, "tier": "unit", "area": "3"}
    assert first.link.anchor == f"item-{area_3}"
    assert (first.due, first.days_left) == (TPI_EVALUATION_END, 80)
    # The working group of areas 5 and 6 sees only its own item.
    (pokja,) = my_tasks(world.session, world.pokja, TODAY).tasks
    assert pokja.title.startswith(f"Butir {area_5} ")


def test_a_resubmitted_item_leaves_the_unit_and_returns_to_the_reviewer(world: World) -> None:
    e = world.submitted()
    code = items(e, "2")[0]
    send_back(world, e, code, "Perbaiki")
    reviews.mark_revised(
        world.session,
        actor=world.actor(world.koordinator),
        enrolment=e,
        item_code=code,
        comment="Sudah",
        expected_seq=1,
    )
    world.session.commit()
    assert TaskKind.SENT_BACK not in kinds(world, world.koordinator)
    (review,) = my_tasks(world.session, world.penilai, TODAY).tasks
    # As the review queue counts them: a resubmitted item waits for a decision again.
    assert review.detail == f"{len(items(e))} butir belum diputuskan, 1 butir diperbaiki unit"


def test_the_unit_with_nothing_to_do_is_told_what_comes_next(world: World) -> None:
    world.submitted()
    mine = my_tasks(world.session, world.koordinator, TODAY)
    assert mine.tasks == []
    assert mine.upcoming is not None
    assert (mine.upcoming.label, mine.upcoming.due) == ("Penilaian pendahuluan", TPI_EVALUATION_END)
    assert mine.upcoming.days_left == 80


# --- reviewers ---------------------------------------------------------------------------------


def test_the_preliminary_assessor_sees_the_queue_and_areas_ready_to_sign(world: World) -> None:
    e = world.submitted()
    (review,) = my_tasks(world.session, world.penilai, TODAY).tasks
    assert review.kind is TaskKind.REVIEW
    assert review.title == "Nilai LKE unit (Penilaian pendahuluan)"
    assert review.detail == f"{len(items(e))} butir belum diputuskan"
    assert (review.due, review.link.args) == (TPI_EVALUATION_END, {"enrolment_id": e.id})
    actor = world.actor(world.penilai)
    for code in items(e, "1"):
        world.decide(actor, e, code, DecisionKind.APPROVED, seq=0)
    world.session.commit()
    found = my_tasks(world.session, world.penilai, TODAY).tasks
    assert [t.kind for t in found] == [TaskKind.REVIEW, TaskKind.SIGN_OFF]
    assert found[1].title == "Tandatangani area 1"
    # TPI does not review in this stage; the other Polres' coordinator does not see the unit.
    assert kinds(world, world.tpi) == []


def test_tpi_reviews_after_the_preliminary_pass_and_then_decides(world: World) -> None:
    e = to_tpi(world)
    (review,) = my_tasks(world.session, world.tpi, TODAY).tasks
    assert (review.kind, review.title) == (TaskKind.REVIEW, "Nilai LKE unit (TPI)")
    assert kinds(world, world.penilai) == []
    approve_all(world, e, world.tpi)
    (verdict,) = my_tasks(world.session, world.tpi, TODAY).tasks
    assert verdict.title == "Putuskan hasil TPI"
    assert verdict.link.endpoint == "accreditation.enrolment"


def test_leadership_completes_the_prerequisites_then_proposes(world: World) -> None:
    e = to_recommended(world)
    (task,) = my_tasks(world.session, world.pimpinan, TODAY).tasks
    assert task.kind is TaskKind.PREREQUISITES
    assert task.link.endpoint == "accreditation.prerequisites"
    assert task.due == date(YEAR, 5, 31)  # the proposal deadline
    # The coordinator is asked only for the unit-level prerequisites.
    (unit_level,) = my_tasks(world.session, world.koordinator, TODAY).tasks
    assert unit_level.kind is TaskKind.PREREQUISITES
    assert "Opini BPK" not in unit_level.detail and "Opini BPK" in task.detail
    record_prerequisites(world, e)
    (task,) = my_tasks(world.session, world.pimpinan, TODAY).tasks
    assert (task.kind, task.title) == (TaskKind.PROPOSAL, "Usulkan ke TPN")
    assert kinds(world, world.koordinator) == []


def test_tpn_reviews_a_proposal_and_leadership_may_appeal_a_failure(world: World) -> None:
    e = to_recommended(world)
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=date(YEAR, 5, 20))
    (review,) = my_tasks(world.session, world.tpn, TODAY).tasks
    assert (review.kind, review.title) == (TaskKind.REVIEW, "Nilai LKE unit (TPN)")
    assert review.due == date(YEAR, 7, 20)  # administrative selection ends before desk evaluation
    world.act(world.tpn, e, Action.ADMIN_FAIL, note="SPTJM tidak ditandatangani")
    (appeal,) = my_tasks(world.session, world.pimpinan, TODAY).tasks
    assert (appeal.kind, appeal.due) == (TaskKind.APPEAL, date(YEAR, 7, 15))
    world.act(world.pimpinan, e, Action.APPEAL, note="SPTJM terlampir", on=date(YEAR, 7, 1))
    assert TaskKind.APPEAL not in kinds(world, world.pimpinan)


def test_tpns_list_is_not_cut_short_by_units_still_building(world: World, monkeypatch) -> None:
    from tracker.accreditation import my_tasks as service

    world.building(world.sibling)  # older, in a stage where TPN has nothing to do
    e = to_recommended(world)
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=date(YEAR, 5, 20))
    monkeypatch.setattr(service, "LIMIT", 1)
    (review,) = my_tasks(world.session, world.tpn, TODAY).tasks
    assert (review.kind, review.enrolment_id) == (TaskKind.REVIEW, e.id)


def test_tpi_is_reminded_of_the_two_yearly_monitoring_report(world: World) -> None:
    e = to_recommended(world)
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=date(YEAR, 5, 20))
    world.act(world.tpn, e, Action.ADMIN_PASS)
    world.act(world.tpn, e, Action.DESK_CONTINUE)
    world.tpn_surveys(e)
    world.act(
        world.tpn, e, Action.DESIGNATE, decree_number="9/2026", decree_date=date(YEAR, 12, 10)
    )
    due = date(YEAR + 2, 12, 10)
    assert kinds(world, world.tpi, date(YEAR + 1, 1, 5)) == []  # two years ahead: not yet
    (task,) = my_tasks(world.session, world.tpi, date(YEAR + 2, 11, 1)).tasks
    assert (task.kind, task.due, task.days_left) == (TaskKind.MONITORING, due, 39)
    (late,) = my_tasks(world.session, world.tpi, date(YEAR + 2, 12, 20)).tasks
    assert late.overdue and late.days_left == -10
    assert kinds(world, world.koordinator, date(YEAR + 2, 11, 1)) == []
    assert stage_due(world.session, e, date(YEAR + 2, 11, 1)).due == due


# --- scope, deadlines and cost ------------------------------------------------------------------


def test_nothing_outside_the_users_scope(world: World, factory) -> None:
    e = world.submitted()
    send_back(world, e, items(e)[0], "x")
    other = factory.user((Role.KOORDINATOR, world.sibling))
    mine = my_tasks(world.session, other, TODAY)
    assert mine.tasks == []
    # What comes next is the open cycle's calendar, not the other unit's stage.
    assert mine.upcoming is not None and mine.upcoming.subject == f"Siklus {YEAR}"
    assert mine.upcoming.due == SELF_ASSESSMENT_END


def test_a_reviewer_never_gets_review_tasks_on_their_own_unit(world: World, factory) -> None:
    world.submitted()
    both = factory.user((Role.PENILAI_PENDAHULUAN, world.polda), (Role.KOORDINATOR, world.polres))
    assert TaskKind.REVIEW not in kinds(world, both)


def test_due_dates_follow_the_agencys_extension(world: World) -> None:
    e = world.building()
    cycles.extend_deadline(
        world.session,
        user=world.admin,
        cycle=world.cycle,
        deadline=Deadline.SELF_ASSESSMENT_END,
        new_date=date(YEAR, 4, 15),
        reason="Banjir",
        agency=world.agency,
    )
    world.session.commit()
    (task,) = my_tasks(world.session, world.koordinator, TODAY).tasks
    assert (task.due, task.days_left) == (date(YEAR, 4, 15), 45)
    due = stage_due(world.session, e, TODAY)
    assert due is not None and (due.label, due.due, due.days_left) == (
        "Akhir penilaian mandiri",
        date(YEAR, 4, 15),
        45,
    )
    assert (
        due.due
        == cycles.effective_deadlines(world.session, e.cycle, e.agency_id)[
            Deadline.SELF_ASSESSMENT_END
        ]
    )


def count_queries(world: World, user) -> int:
    statements: list[str] = []
    engine = world.session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    world.session.expire_all()
    event.listen(engine, "before_cursor_execute", listener)
    try:
        my_tasks(world.session, user, TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def submitted_polseks(world: World, factory, count: int) -> list[Enrolment]:
    """``count`` Polsek under the Polres, each with its LKE filled and submitted to the
    preliminary assessor by its own coordinator."""
    out = []
    for n in range(count):
        unit = factory.unit(world.agency, f"Polsek {n}", parent=world.polres)
        coordinator = factory.user((Role.KOORDINATOR, unit))
        other = world.enrol(unit)
        world.act(world.admin, other, Action.START_BUILDING)
        world.fill(other, user=coordinator)
        world.act(coordinator, other, Action.SUBMIT_PRELIMINARY)
        out.append(other)
    return out


def test_queries_do_not_grow_with_items_or_enrolments(world: World, factory) -> None:
    e = world.building()
    blank = count_queries(world, world.koordinator)
    world.fill(e)
    world.act(world.koordinator, e, Action.SUBMIT_PRELIMINARY)
    for code in items(e)[:30]:
        send_back(world, e, code, "perbaiki")
    assert count_queries(world, world.koordinator) <= blank + 1
    one = count_queries(world, world.penilai)
    submitted_polseks(world, factory, 3)
    assert len(my_tasks(world.session, world.penilai, TODAY).tasks) == 4
    assert count_queries(world, world.penilai) == one


# --- the home page and the enrolment page -------------------------------------------------------


def test_home_shows_my_tasks_first_with_the_comment_and_the_link(
    client, world: World, monkeypatch
) -> None:
    e = world.submitted()
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    code = items(e, "3")[0]
    send_back(world, e, code, "SK tim belum ditandatangani")
    login_as(client, world.koordinator)
    page = get_page(client, "/")
    first_card = page.select("main section.card")[0]
    assert first_card.attr("id") == "tugas-saya"
    task = page.one("#tugas-saya li.task")
    assert task.attr("data-kind") == "sent_back"
    link = task.one("a.task-title")
    assert link.attr("href") == f"/enrolments/{e.id}/lke?tier=unit&area=3#item-{code}"
    assert link.text == f"Butir {code} dikembalikan oleh Penilaian pendahuluan"
    assert task.text_of(".task-comment") == "SK tim belum ditandatangani"
    assert task.text_of(".due-badge") == "80 hari lagi"
    assert task.text_of(".task-date") == "batas 20 Mei 2026"
    # The link lands on the item, which the unit may now fix.
    lke = get_page(client, link.attr("href").split("#")[0])
    assert lke.one(f'article[id="item-{code}"]')


def test_home_colours_an_overdue_task(client, world: World, monkeypatch) -> None:
    world.building()
    monkeypatch.setattr(clock, "today", lambda: date(YEAR, 4, 3))
    login_as(client, world.koordinator)
    badge = get_page(client, "/").one("#tugas-saya .due-badge")
    assert badge.text == "terlambat 3 hari"
    assert "badge-bad" in badge.classes


def test_home_with_nothing_to_do_says_what_comes_next(client, world: World, monkeypatch) -> None:
    world.submitted()
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    login_as(client, world.koordinator)
    text = get_page(client, "/").text_of("#tugas-saya .tasks-empty")
    assert text == (
        "Tidak ada tugas. Berikutnya: Penilaian pendahuluan (Polres Uji · 2026), "
        "batas 20 Mei 2026 (80 hari lagi)."
    )


def test_every_role_gets_a_task_list_on_home(client, world: World, factory) -> None:
    for user in (world.admin, world.tpn, world.pimpinan, world.tpi, world.penilai, world.pokja):
        login_as(client, user)
        assert get_page(client, "/").one("#tugas-saya h2").text.startswith("Tugas saya")


def test_enrolment_summary_lists_the_units_tasks_instead_of_nothing(
    client, world: World, monkeypatch
) -> None:
    e = world.submitted()
    code = items(e, "4")[0]
    send_back(world, e, code, "Tanda tangan kurang")
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    login_as(client, world.koordinator)
    page = get_page(client, f"/enrolments/{e.id}")
    assert "Tidak ada tindakan untuk peran Anda" not in page.text
    task = page.one(".enrolment-tasks li.task")
    assert task.text_of(".task-comment") == "Tanda tangan kurang"
    assert task.one("a.task-title").attr("href").endswith(f"#item-{code}")
    # The header shows the stage's deadline and the days left, on every enrolment page.
    for url in (f"/enrolments/{e.id}", f"/enrolments/{e.id}/lke"):
        head = get_page(client, url).one(".stage-due")
        assert head.text == "Akhir evaluasi TPI: 20 Mei 2026 80 hari lagi"


@pytest.mark.parametrize("stage", [Stage.DECLARED])
def test_a_stage_without_tasks_keeps_the_old_sentence(client, world: World, stage) -> None:
    e = world.enrol()
    assert e.stage is stage
    login_as(client, world.tpi)
    page = get_page(client, f"/enrolments/{e.id}")
    assert "Tidak ada tindakan untuk peran Anda pada tahap ini." in page.text
    assert not page.select(".enrolment-tasks")


def test_language_switch_translates_the_tasks(client, world: World, english) -> None:
    world.building()
    login_as(client, world.koordinator)
    post_form(client, "/language/en", page="/")
    page = get_page(client, "/")
    assert page.one("#tugas-saya h2").text.startswith("My tasks")
    assert "LKE items not answered yet" in page.text_of("#tugas-saya a.task-title")
