"""Issue 18 §3: the home page shows the most urgent tasks only, counts the rest and links the
review queue; a reviewer's area counts come from SQL (grouped) and still say the same as the
decisions read one by one (a revision, an area ready to sign once every item is approved)."""

from __future__ import annotations

import pytest

from tests.core.test_my_tasks import items, submitted_polseks
from tests.helpers import login_as
from tests.html import get_page
from tests.world import TODAY, World, build_world
from tracker import clock
from tracker.accreditation.models import DecisionKind
from tracker.accreditation.my_tasks import my_tasks
from tracker.accreditation.worklist import TaskKind
from tracker.core import views


@pytest.fixture(name="world")
def world_fixture(session, factory, monkeypatch) -> World:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return build_world(session, factory)


def test_home_shows_the_most_urgent_tasks_and_counts_the_rest(
    client, world: World, monkeypatch
) -> None:
    e = world.submitted()
    actor = world.actor(world.penilai)
    for code in items(e, "1"):
        world.decide(actor, e, code, DecisionKind.APPROVED, seq=0)
    world.session.commit()
    found = my_tasks(world.session, world.penilai, TODAY).tasks
    assert [t.kind for t in found] == [TaskKind.REVIEW, TaskKind.SIGN_OFF]
    monkeypatch.setattr(views, "HOME_TASKS", 1)
    login_as(client, world.penilai)
    page = get_page(client, "/")
    (shown,) = page.select("#tugas-saya li.task")
    assert shown.attr("data-kind") == "review"  # the first of the full list, most urgent first
    assert page.one("#tugas-saya h2 .badge").text == "2"
    more = page.one("#tugas-saya .tasks-more")
    assert more.text.startswith("1 tugas lainnya")
    assert more.one("a").attr("href") == "/review/queue"


def test_home_without_more_tasks_has_no_count_line(client, world: World) -> None:
    world.submitted()
    login_as(client, world.penilai)
    page = get_page(client, "/")
    assert len(page.select("#tugas-saya li.task")) == 1
    assert not page.select("#tugas-saya .tasks-more")


def test_grouped_counts_see_revisions_and_a_later_decision(world: World) -> None:
    e = world.submitted()
    actor = world.actor(world.penilai)
    first, *rest = items(e, "2")
    world.decide(actor, e, first, DecisionKind.REVISION, seq=0, comment="Lengkapi")
    for code in rest:
        world.decide(actor, e, code, DecisionKind.APPROVED, seq=0)
    world.session.commit()
    (review,) = my_tasks(world.session, world.penilai, TODAY).tasks
    assert review.kind is TaskKind.REVIEW  # area 2 is not ready: one item was sent back
    world.decide(actor, e, first, DecisionKind.APPROVED, seq=1)  # the latest decision counts
    world.session.commit()
    found = my_tasks(world.session, world.penilai, TODAY).tasks
    assert [t.title for t in found if t.kind is TaskKind.SIGN_OFF] == ["Tandatangani area 2"]


def test_home_reads_only_the_units_whose_deadlines_come_first(
    client, world: World, factory, monkeypatch
) -> None:
    """TPN's scope holds hundreds of units: the home page gathers the tasks of the few whose
    deadlines come first (the longest waiting first on the same day) and counts the others."""
    first = world.submitted()
    others = submitted_polseks(world, factory, 3)
    everything = my_tasks(world.session, world.penilai, TODAY)
    assert len(everything.tasks) == 4 and everything.more_units == 0
    urgent = my_tasks(world.session, world.penilai, TODAY, urgent=2)
    assert [t.enrolment_id for t in urgent.tasks] == [first.id, others[0].id]
    assert urgent.more_units == 2 and urgent.upcoming is None
    monkeypatch.setattr(views, "HOME_UNITS", 2)
    login_as(client, world.penilai)
    page = get_page(client, "/")
    assert len(page.select("#tugas-saya li.task")) == 2
    assert not page.select("#tugas-saya h2 .badge")  # the total is not known, not guessed
    more = page.one("#tugas-saya .tasks-more")
    assert "2 unit lain dalam lingkup Anda" in more.text
    assert more.one("a").attr("href") == "/review/queue"


def test_the_database_ranks_the_units_as_the_rows_ranked_here(world: World, factory) -> None:
    """Issue 18 §3: without a designated unit among the candidates, the database orders them
    (``_ranked_in_sql``) by the deadlines worked out here; the order is ``_ranked_here``'s:
    the nearest deadline after extensions (an agency's own one too), the units assigned to
    the user first on the same day, then the longest waiting, the undated last."""
    from tracker.accreditation import cycles
    from tracker.accreditation.assignment_models import ReviewerAssignment
    from tracker.accreditation.models import Deadline
    from tracker.accreditation.my_tasks import Dues, _ranked_here, _ranked_in_sql
    from tracker.accreditation.workflow import Action, Stage
    from tracker.auth.roles import Role

    first = world.submitted()
    polseks = submitted_polseks(world, factory, 2)
    sibling = world.building(world.sibling)
    other = factory.agency("Instansi Lain")
    late = factory.unit(other, "Kantor Lain", "Kantor")
    elsewhere = world.enrol(late)
    world.act(world.admin, elsewhere, Action.START_BUILDING)
    declared = world.enrol(factory.unit(other, "Kantor Tanpa Tahap", "Kantor"))
    tpn = factory.user(Role.TPN)
    world.session.add(
        ReviewerAssignment(
            enrolment_id=first.id, tier="penilai", reviewer_id=tpn.id, assigned_by_id=world.admin.id
        )
    )
    for deadline, agency, days in [
        (Deadline.SELF_ASSESSMENT_END, other, 400),  # the other agency's own, far off
        (Deadline.TPI_EVALUATION_END, None, 1),  # everyone's
    ]:
        current = getattr(world.cycle, deadline.value)
        cycles.extend_deadline(
            world.session,
            user=world.admin,
            cycle=world.cycle,
            deadline=deadline,
            new_date=current.fromordinal(current.toordinal() + days),
            reason="Uji urutan.",
            agency=agency,
        )
    world.session.commit()
    grants = tpn.access_grants()
    stages = frozenset({Stage.DECLARED, Stage.BUILDING, Stage.PRELIMINARY})

    def both(count: int) -> tuple[tuple[list[int], int], tuple[list[int], int]]:
        in_sql, more = _ranked_in_sql(
            world.session, grants, stages, tpn.id, count, Dues(world.session)
        )
        return (
            _ranked_here(world.session, grants, stages, tpn.id, count, Dues(world.session)),
            ([e.id for e in in_sql], more),
        )

    (everyone, none_left), (ranked, _none) = both(100)
    assert none_left == 0 and set(ranked) == set(everyone)
    # The self-assessment ends first; the preliminary pass's end (moved a day for everyone)
    # next, the unit assigned to the user first; the other agency's own extension last.
    expected = [sibling, first, *polseks, elsewhere, declared]
    assert ranked == [e.id for e in expected]
    for count in range(1, len(everyone)):
        here, in_sql = both(count)
        assert in_sql == here, count
