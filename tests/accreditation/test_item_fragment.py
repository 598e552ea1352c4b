"""One LKE item re-rendered with the area tabs and the score summary (the page's scripts swap
them in after an upload, a save or a decision)."""

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


def test_unknown_items_and_tiers_are_not_found(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    assert client.get(f"/enrolments/{e.id}/lke/unit/items/Z.9").status_code == 404
    assert client.get(f"/enrolments/{e.id}/lke/tpn/items/A.I.1.i.b").status_code == 404
