"""One answer form per LKE area (issue 14 §1): "Simpan semua" saves every changed item in one
transaction or nothing, errors at their item with what was typed kept, numbers the user's way,
and the JSON mode the page's script autosaves one item with."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.helpers import csrf_token, login_as, post_form
from tests.html import Page, get_page, page_of
from tests.world import World
from tracker.accreditation.models import Answer, Enrolment
from tracker.audit.models import AuditEvent

JSON = {"Accept": "application/json"}


def _area_url(e: Enrolment, area: str) -> str:
    return f"/enrolments/{e.id}/lke?area={area}"


def _action(e: Enrolment, area: str, tier: str = "unit") -> str:
    return f"/enrolments/{e.id}/lke/{tier}/areas/{area}/answers"


def area_fields(page: Page) -> dict[str, str]:
    """What a browser would post from the area form as the page shows it."""
    data = {}
    for node in page.select('[form="area-answers"][name]'):
        tag, kind = node.element.tag, node.attr("type")
        if tag == "button" or (kind == "radio" and node.attr("checked") is None):
            continue
        data[node.attr("name")] = (
            node.element.text or "" if tag == "textarea" else node.attr("value")
        )
    return data


def _answers(world: World) -> dict[str, object]:
    world.session.expire_all()
    return dict(world.session.execute(select(Answer.item_code, Answer.value)).all())


def _audit_count(world: World) -> int:
    return world.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.tag == "accreditation:answer:set")
    )


def _post_area(client, e: Enrolment, area: str, data: dict, **kwargs):
    payload = {**data, "csrf_token": csrf_token(client, _area_url(e, area))}
    return client.post(_action(e, area), data=payload, **kwargs)


def test_the_area_has_one_form_and_every_field_joins_it(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    page = get_page(client, _area_url(e, "1"))
    form = page.one("form#area-answers")
    assert form.attr("action") == _action(e, "1")
    assert form.text_of("button[type=submit]") == "Simpan semua"
    # No item has a form of its own for its answer: the fields join the area's form.
    assert not page.select("form.answer-form")
    item = page.one('[id="item-A.II.1.i.a"]')
    counts = item.select('input[name^="A.II.1.i.a-count_"]')
    assert [c.attr("form") for c in counts] == ["area-answers", "area-answers"]
    assert [c.attr("inputmode") for c in counts] == ["numeric", "numeric"]
    assert {n.attr("name") for n in page.one('[id="item-A.I.1.i.a"]').select("[form]")} >= {
        "A.I.1.i.a-value",
        "A.I.1.i.a-note",
        "A.I.1.i.a-version",
        "A.I.1.i.a-shown",
    }


def test_simpan_semua_saves_the_changed_items_and_only_those(client, world: World) -> None:
    e = world.building()
    world.answer(world.actor(world.koordinator), e, "A.I.1.ii.a", "Ya", version=0)
    world.session.commit()
    login_as(client, world.koordinator)
    audited = _audit_count(world)
    data = area_fields(get_page(client, _area_url(e, "1")))
    data["A.I.1.i.a-value"] = "Ya"
    data["A.II.1.i.a-count_0"], data["A.II.1.i.a-count_1"] = "1.250", "1.000"
    response = _post_area(client, e, "1", data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/enrolments/{e.id}/lke?tier=unit&area=1")
    assert get_page(client, _area_url(e, "1")).flashes("success") == ["2 butir disimpan."]
    answers = _answers(world)
    assert answers == {"A.I.1.ii.a": "Ya", "A.I.1.i.a": "Ya", "A.II.1.i.a": [1250, 1000]}
    # The untouched item kept its version; two saves, two audit records.
    versions = dict(world.session.execute(select(Answer.item_code, Answer.version)).all())
    assert versions["A.I.1.ii.a"] == 1
    assert _audit_count(world) == audited + 2


def test_nothing_changed_says_so(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    data = area_fields(get_page(client, _area_url(e, "2")))
    assert _post_area(client, e, "2", data).status_code == 303
    assert get_page(client, _area_url(e, "2")).flashes() == ["Tidak ada perubahan untuk disimpan."]
    assert _answers(world) == {}
    assert _audit_count(world) == 0


def test_an_invalid_item_saves_nothing_and_the_page_keeps_what_was_typed(
    client, world: World
) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    data = area_fields(get_page(client, _area_url(e, "B")))
    data["B.I.b-value"] = "A"
    data["B.I.a-index"] = "4,2"
    data["B.I.a-note"] = "survei BPS"
    response = _post_area(client, e, "B", data)
    page = page_of(response, 422)
    assert _answers(world) == {}
    item = page.one('[id="item-B.I.a"]')
    assert item.text_of(".answer-problems[role=alert]") == (
        "Butir B.I.a: nilai indeks survei harus antara 0,00 dan 4,00, bukan 4,2"
    )
    assert item.one('input[name="B.I.a-index"]').attr("value") == "4,2"
    # The page opens at the first item in error, without a script.
    assert item.one('input[name="B.I.a-index"]').attr("autofocus") is not None
    assert len(page.select("[autofocus]")) == 1
    assert item.text_of('textarea[name="B.I.a-note"]') == "survei BPS"
    assert item.one(".answer-col").attr("data-dirty") is not None
    # The valid item is kept as typed too, and marked unsaved.
    other = page.one('[id="item-B.I.b"]')
    assert other.one('input[name="B.I.b-value"][checked]').attr("value") == "A"
    assert other.one(".answer-col").attr("data-dirty") is not None
    assert page.flashes("error")[0].startswith("1 butir belum dapat disimpan: B.I.a.")
    # Corrected, the same page saves both.
    fixed = area_fields(page)
    fixed["B.I.a-index"] = "3,61"
    assert _post_area(client, e, "B", fixed).status_code == 303
    assert _answers(world) == {"B.I.b": "A", "B.I.a": {"index": "3.61"}}


def test_counts_are_whole_numbers_written_the_users_way(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    data = area_fields(get_page(client, _area_url(e, "1")))
    data["A.II.1.i.a-count_0"], data["A.II.1.i.a-count_1"] = "seratus", "1,5"
    page = page_of(_post_area(client, e, "1", data), 422)
    problems = page.one('[id="item-A.II.1.i.a"]').texts(".answer-problems li")
    assert problems == [
        "Jumlah Agen Perubahan: tulis bilangan bulat tanpa desimal, misalnya 1.250 (bukan seratus)",
        "Jumlah Perubahan yang dibuat: tulis bilangan bulat tanpa desimal, misalnya 1.250 "
        "(bukan 1,5)",
    ]
    assert _answers(world) == {}
    data["A.II.1.i.a-count_0"], data["A.II.1.i.a-count_1"] = "-3", "2"
    page = page_of(_post_area(client, e, "1", data), 422)
    assert page.one('[id="item-A.II.1.i.a"]').texts(".answer-problems li") == [
        "Butir A.II.1.i.a: Jumlah Agen Perubahan harus bilangan bulat tidak negatif, bukan -3"
    ]


def test_numbers_are_shown_the_users_way(client, world: World) -> None:
    e = world.building()
    actor = world.actor(world.koordinator)
    world.answer(actor, e, "A.II.1.i.a", [1250, 30], version=0)
    world.session.commit()
    world.answer(actor, e, "B.I.a", {"index": "3.61", "respondents": "1250"}, version=0)
    world.session.commit()
    login_as(client, world.koordinator)
    page = get_page(client, _area_url(e, "1"))
    assert [n.attr("value") for n in page.select('input[name^="A.II.1.i.a-count_"]')] == [
        "1.250",
        "30",
    ]
    page = get_page(client, _area_url(e, "B"))
    assert page.one('input[name="B.I.a-index"]').attr("value") == "3,61"
    assert page.one('input[name="B.I.a-prov_respondents"]').attr("value") == "1.250"
    # Posted back untouched, the numbers are no change.
    assert _post_area(client, e, "B", area_fields(page)).status_code == 303
    versions = dict(world.session.execute(select(Answer.item_code, Answer.version)).all())
    assert versions["B.I.a"] == 1
    # In English: 1,250 and 3.61, read back the English way.
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    page = get_page(client, _area_url(e, "1"))
    assert page.one('input[name="A.II.1.i.a-count_0"]').attr("value") == "1,250"
    data = area_fields(page)
    data["A.II.1.i.a-count_1"] = "2,000"
    assert _post_area(client, e, "1", data).status_code == 303
    assert _answers(world)["A.II.1.i.a"] == [1250, 2000]


def test_a_stale_item_is_reported_there_and_nothing_is_overwritten(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    data = area_fields(get_page(client, _area_url(e, "1")))
    # Meanwhile another coordinator answers two items.
    other = world.actor(world.koordinator)
    world.answer(other, e, "A.I.1.i.a", "Tidak", version=0)
    world.session.commit()
    world.answer(other, e, "A.I.1.ii.a", "Ya", version=0)
    world.session.commit()
    # An item only the other person touched is no conflict: it is not posted as a change.
    untouched = {**data, "A.I.1.ii.b-value": "B"}
    assert _post_area(client, e, "1", untouched).status_code == 303
    assert _answers(world)["A.I.1.ii.a"] == "Ya"
    data["A.I.1.i.a-value"] = "Ya"
    data["A.I.1.i.b-value"] = "C"
    page = page_of(_post_area(client, e, "1", data), 422)
    item = page.one('[id="item-A.I.1.i.a"]')
    assert item.text_of(".answer-problems").startswith(
        "Butir A.I.1.i.a baru saja diubah oleh pengguna lain."
    )
    answers = _answers(world)
    assert answers["A.I.1.i.a"] == "Tidak" and "A.I.1.i.b" not in answers
    # The page now carries the version stored, with what was typed: saving again replaces it.
    assert item.one('input[name="A.I.1.i.a-version"]').attr("value") == "1"
    assert item.one('input[name="A.I.1.i.a-value"][checked]').attr("value") == "Ya"
    assert _post_area(client, e, "1", area_fields(page)).status_code == 303
    answers = _answers(world)
    assert (answers["A.I.1.i.a"], answers["A.I.1.i.b"]) == ("Ya", "C")


def test_the_script_saves_one_item_and_gets_its_badges(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    data = area_fields(get_page(client, _area_url(e, "1")))
    item_fields = {k: v for k, v in data.items() if k.startswith("A.II.1.i.a-")}
    item_fields.update({"A.II.1.i.a-count_0": "4", "A.II.1.i.a-count_1": "2", "only": "A.II.1.i.a"})
    # Another item's typed value is not saved with it.
    item_fields["A.I.1.i.a-value"] = "Ya"
    item_fields["A.I.1.i.a-version"], item_fields["A.I.1.i.a-shown"] = "0", "x"
    response = _post_area(client, e, "1", item_fields, headers=JSON)
    assert response.status_code == 200
    body = response.get_json()
    assert (
        body["saved"] == ["A.II.1.i.a"] and body["message"] == "Jawaban butir A.II.1.i.a disimpan."
    )
    saved = body["items"]["A.II.1.i.a"]
    assert saved["version"] == 1 and saved["status"].startswith("tersimpan ")
    assert saved["shown"] and saved["shown"] != data["A.II.1.i.a-shown"]
    head = Page(saved["item"]).one('[id="item-A.II.1.i.a"] .item-head')
    assert "belum dijawab" not in head.text_of(".item-badges")
    assert "1/113" in Page(body["stats"]).text_of(".stats")
    assert "1/16" in Page(body["areas"]).text_of("nav.area-tabs a[aria-current=page]")
    # Issue 16: the plan, the chart and the blockers follow too (lke-item.js swaps them).
    assert "Rencana perbaikan" in Page(body["plan"]).text_of("div.lke-plan .plan-summary")
    assert Page(body["chart"]).select("div.lke-chart figure.chart")
    assert "112 butir" in Page(body["blockers"]).text_of("div.lke-blockers ul.blockers")
    assert _answers(world) == {"A.II.1.i.a": [4, 2]}
    # The same values again: nothing saved, and it says so.
    item_fields["A.II.1.i.a-version"] = "1"
    again = _post_area(client, e, "1", item_fields, headers=JSON).get_json()
    assert again["saved"] == [] and again["message"] == "Tidak ada perubahan untuk disimpan."


def test_the_script_hears_of_an_invalid_or_stale_item(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    data = area_fields(get_page(client, _area_url(e, "B")))
    fields = {k: v for k, v in data.items() if k.startswith("B.I.a-")}
    response = _post_area(
        client, e, "B", {**fields, "B.I.a-index": "4,2", "only": "B.I.a"}, headers=JSON
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "B.I.a": ["Butir B.I.a: nilai indeks survei harus antara 0,00 dan 4,00, bukan 4,2"]
    }
    world.answer(world.actor(world.koordinator), e, "B.I.a", "3.00", version=0)
    world.session.commit()
    response = _post_area(
        client, e, "B", {**fields, "B.I.a-index": "3,5", "only": "B.I.a"}, headers=JSON
    )
    assert response.status_code == 409
    assert response.get_json()["stale"] == ["B.I.a"]
    assert _answers(world) == {"B.I.a": {"index": "3.00"}}


def test_clearing_a_choice_and_saving_no_choice(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    # The item's own endpoint: no option chosen and nothing stored is no save, and says so.
    response = post_form(
        client, f"/enrolments/{e.id}/lke/unit/A.I.1.i.a", {"version": 0}, page=_area_url(e, "1")
    )
    assert response.status_code == 303
    assert get_page(client, _area_url(e, "1")).flashes() == ["Tidak ada perubahan untuk disimpan."]
    assert _answers(world) == {}
    world.answer(world.actor(world.koordinator), e, "A.I.1.i.a", "Ya", version=0)
    world.session.commit()
    page = get_page(client, _area_url(e, "1"))
    # An answered choice offers to clear it; one not answered does not.
    assert page.select('[id="item-A.I.1.i.a"] input[name="A.I.1.i.a-value"][value=""]')
    assert not page.select('[id="item-A.I.1.i.b"] input[name="A.I.1.i.b-value"][value=""]')
    data = {**area_fields(page), "A.I.1.i.a-value": ""}
    assert _post_area(client, e, "1", data).status_code == 303
    assert _answers(world) == {"A.I.1.i.a": None}


def test_a_working_group_member_posts_only_their_areas(client, world: World) -> None:
    e = world.building()
    login_as(client, world.pokja)
    # Area 1 is not theirs: the page offers no form, and a forged post is refused.
    assert not get_page(client, _area_url(e, "1")).select("form#area-answers")
    forged = {"A.I.1.i.a-value": "Ya", "A.I.1.i.a-version": "0", "A.I.1.i.a-shown": "x"}
    assert _post_area(client, e, "1", forged).status_code == 403
    assert _answers(world) == {}
    data = area_fields(get_page(client, _area_url(e, "5")))
    data["A.I.5.i.a-value"] = "A"
    assert _post_area(client, e, "5", data).status_code == 303
    assert _answers(world) == {"A.I.5.i.a": "A"}


def test_unknown_areas_tiers_and_items_are_not_found(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    page = _area_url(e, "1")
    assert post_form(client, _action(e, "9"), {}, page=page).status_code == 404
    assert post_form(client, _action(e, "1", tier="nope"), {}, page=page).status_code == 404
    assert post_form(client, _action(e, "1"), {"only": "B.I.a"}, page=page).status_code == 404


def test_an_items_own_button_saves_the_area_and_returns_to_the_item(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    data = area_fields(get_page(client, _area_url(e, "1")))
    data.update({"A.I.1.i.a-value": "Ya", "A.I.1.ii.a-value": "Tidak", "at": "A.I.1.ii.a"})
    response = _post_area(client, e, "1", data)
    assert response.headers["Location"].endswith("area=1#item-A.I.1.ii.a")
    # Both typed items are saved: a button under one item never drops another's changes.
    assert _answers(world) == {"A.I.1.i.a": "Ya", "A.I.1.ii.a": "Tidak"}


def test_the_items_own_address_reads_numbers_the_users_way(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    response = post_form(
        client,
        f"/enrolments/{e.id}/lke/unit/A.II.1.i.a",
        {"count_0": "1.250", "count_1": "30", "version": 0},
        page=_area_url(e, "1"),
        headers=JSON,
    )
    assert response.get_json() == {"version": 1, "saved": True}
    assert _answers(world) == {"A.II.1.i.a": [1250, 30]}
