"""Issue 14 §5: the comparison of tiers filters its 113 items by "only differences", "only
sent back at any point" and area, combinable, with the counts, each item linking to the LKE."""

from __future__ import annotations

from tests.helpers import login_as
from tests.html import Page, get_page
from tests.world import World
from tracker.accreditation import reviews
from tracker.accreditation.models import DecisionKind, Enrolment


def _reviewed(world: World) -> Enrolment:
    """A submitted LKE: the assessor answered three items differently (areas 1 and 2) and
    sent back two items, one of them fixed and approved since."""
    e = world.submitted()
    penilai = world.actor(world.penilai)
    for code, raw in (("A.I.1.i.b", "C"), ("A.I.2.i.a", "C"), ("A.I.2.i.b", "C")):
        world.answer(penilai, e, code, raw, version=1, tier="preliminary")
    world.decide(penilai, e, "A.I.1.i.b", DecisionKind.REVISION, seq=0, comment="tim belum ada")
    world.decide(penilai, e, "A.I.3.i.a", DecisionKind.REVISION, seq=0, comment="tanpa SOP")
    world.session.commit()
    reviews.mark_revised(
        world.session,
        actor=world.actor(world.koordinator),
        enrolment=e,
        item_code="A.I.3.i.a",
        comment="SOP diunggah",
        expected_seq=1,
    )
    world.decide(penilai, e, "A.I.3.i.a", DecisionKind.APPROVED, seq=2)
    world.session.commit()
    return e


def _codes(page: Page) -> list[str]:
    return [row.text_of("td a") for row in page.select("table.compare-items-table tbody tr")]


def _count(page: Page) -> str:
    return page.text_of(".compare-count strong")


def test_without_filters_every_item_is_listed(client, world: World) -> None:
    e = _reviewed(world)
    login_as(client, world.koordinator)
    page = get_page(client, f"/enrolments/{e.id}/compare")
    assert _count(page) == "113 dari 113 butir"
    assert len(_codes(page)) == 113
    # Decisions read in words with the tier's name, not codes ("preliminary: approved").
    row = page.one('tr[id="compare-A.I.3.i.a"]')
    assert "Penilaian pendahuluan: disetujui" in row.text
    assert "preliminary" not in page.text_of("table.compare-items-table")
    assert "pernah dikembalikan" in row.text_of("td:first-child")


def test_only_differences(client, world: World) -> None:
    e = _reviewed(world)
    login_as(client, world.koordinator)
    page = get_page(client, f"/enrolments/{e.id}/compare?differs=1")
    assert _codes(page) == ["A.I.1.i.b", "A.I.2.i.a", "A.I.2.i.b"]
    assert _count(page) == "3 dari 113 butir"
    chips = {a.text: a for a in page.select(".area-chips a")}
    # Each area chip counts what it would show under the other filters.
    assert "(1)" in chips["Area 1 (1)"].text and "Area 2 (2)" in chips
    assert "Area 3 (0)" in chips


def test_only_sent_back_at_any_point(client, world: World) -> None:
    e = _reviewed(world)
    login_as(client, world.koordinator)
    page = get_page(client, f"/enrolments/{e.id}/compare?sent_back=1")
    # A.I.3.i.a was approved since: it was still sent back once.
    assert _codes(page) == ["A.I.1.i.b", "A.I.3.i.a"]
    assert _count(page) == "2 dari 113 butir"


def test_filters_combine_with_the_area(client, world: World) -> None:
    e = _reviewed(world)
    login_as(client, world.koordinator)
    both = get_page(client, f"/enrolments/{e.id}/compare?differs=1&sent_back=1")
    assert _codes(both) == ["A.I.1.i.b"]
    area = get_page(client, f"/enrolments/{e.id}/compare?differs=1&area=2")
    assert _codes(area) == ["A.I.2.i.a", "A.I.2.i.b"]
    assert _count(area) == "2 dari 113 butir"
    # The active chips keep the other filters in their links, and undo only themselves.
    (active,) = [a for a in area.select(".compare-filters a.chip-active") if "berbeda" in a.text]
    assert active.attr("href") == f"/enrolments/{e.id}/compare?area=2"
    chip3 = next(a for a in area.select(".area-chips a") if a.text.startswith("Area 3"))
    assert chip3.attr("href") == f"/enrolments/{e.id}/compare?differs=1&area=3"
    # Each item links to itself on the LKE page, on its area.
    links = [
        a.attr("href") for a in area.select("table.compare-items-table tbody td:first-child a")
    ]
    assert links == [
        f"/enrolments/{e.id}/lke?area=2#item-A.I.2.i.a",
        f"/enrolments/{e.id}/lke?area=2#item-A.I.2.i.b",
    ]
    nothing = get_page(client, f"/enrolments/{e.id}/compare?differs=1&area=5")
    assert _count(nothing) == "0 dari 113 butir"
    assert "Tidak ada butir yang cocok" in nothing.text_of(".compare-items")


def test_unknown_filter_values_are_dropped(client, world: World) -> None:
    e = _reviewed(world)
    login_as(client, world.koordinator)
    page = get_page(client, f"/enrolments/{e.id}/compare?differs=yes&area=9")
    assert _count(page) == "113 dari 113 butir"
    assert page.one(".area-chips a.chip-active").text == "Semua area"


def test_the_tables_scroll_in_their_own_box(client, world: World) -> None:
    e = _reviewed(world)
    login_as(client, world.koordinator)
    page = get_page(client, f"/enrolments/{e.id}/compare")
    for table in ("compare-scores", "compare-items-table"):
        assert page.select(f".table-wrap > table.{table}")
