"""One LKE item re-rendered with the area tabs, the score summary, the plan, the chart and the
blockers (the page's scripts swap them in after an upload, a save or a decision)."""

from __future__ import annotations

from tests.helpers import login_as, post_form
from tests.html import Page
from tests.world import World


def test_the_fragment_follows_a_saved_answer(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    url = f"/enrolments/{e.id}/lke/unit/items/A.I.1.i.b"
    before = client.get(url, headers={"Accept": "application/json"}).get_json()
    assert Page(before["item"]).text_of("article.item .item-badges").startswith("belum dijawab")
    assert "0/113" in Page(before["stats"]).text_of(".stats")

    post_form(
        client,
        f"/enrolments/{e.id}/lke/unit/A.I.1.i.b",
        {"value": "A", "version": 0},
        page=f"/enrolments/{e.id}/lke",
    )

    after = client.get(url, headers={"Accept": "application/json"}).get_json()
    article = Page(after["item"]).one("article.item")
    assert article.attr("id") == "item-A.I.1.i.b" and after["code"] == "A.I.1.i.b"
    assert "belum dijawab" not in article.text_of(".item-badges")
    assert "1/113" in Page(after["stats"]).text_of(".stats")
    # The tab of the item's area counts the new answer.
    tabs = Page(after["areas"])
    assert "1/16" in tabs.text_of("nav.area-tabs a[aria-current=page]")


def test_the_plan_chart_and_blockers_follow_a_saved_answer(client, world: World) -> None:
    """Issue 16: the gap plan, the findings, the area chart and what blocks the hand-off come
    with the item too, so the page's summary is never older than the answer just saved."""
    e = world.building()
    login_as(client, world.koordinator)
    url = f"/enrolments/{e.id}/lke/unit/items/A.I.1.i.b"
    before = client.get(url, headers={"Accept": "application/json"}).get_json()
    plan = Page(before["plan"])
    assert "Nilai total: 0,00, minimal 75,00" in plan.text_of("div.lke-plan .plan-failing")
    assert not plan.select(".findings-summary")
    assert "Manajemen Perubahan0,00 %" in Page(before["chart"]).text_of("div.lke-chart svg")
    assert "113 butir" in Page(before["blockers"]).text_of("div.lke-blockers ul.blockers")

    post_form(
        client,
        f"/enrolments/{e.id}/lke/unit/A.I.1.i.b",
        {"value": "A", "version": 0},
        page=f"/enrolments/{e.id}/lke",
    )

    after = client.get(url, headers={"Accept": "application/json"}).get_json()
    plan = Page(after["plan"])
    assert "Nilai total: 0,50, minimal 75,00" in plan.text_of("div.lke-plan .plan-failing")
    # Answered A without its documents: a consistency finding names the item.
    assert "A.I.1.i.b" in plan.text_of("div.lke-plan .findings-summary")
    assert "Manajemen Perubahan6,25 %" in Page(after["chart"]).text_of("div.lke-chart svg")
    blockers = Page(after["blockers"])
    assert "112 butir" in blockers.text_of("div.lke-blockers ul.blockers")
    assert blockers.select(".handoff-evidence")


def test_unknown_items_and_tiers_are_not_found(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    assert client.get(f"/enrolments/{e.id}/lke/unit/items/Z.9").status_code == 404
    assert client.get(f"/enrolments/{e.id}/lke/tpn/items/A.I.1.i.b").status_code == 404
