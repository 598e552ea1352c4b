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
