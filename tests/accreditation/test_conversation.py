"""Issue 14 §5: each LKE item shows its whole review conversation (every send-back with its
reason, the unit's resubmission, approvals and document checks: who, which tier, when, what
they said), and decisions posted by the page's script answer with the item re-rendered."""

from __future__ import annotations

from sqlalchemy import select

from tests.certificates.conftest import count_queries
from tests.helpers import login_as, post_form
from tests.html import Page, get_page
from tests.world import World
from tracker.accreditation import reviews
from tracker.accreditation.models import DecisionKind, Enrolment, ItemDecision
from tracker.evidence import services as evidence
from tracker.evidence.models import CheckVerdict

CODE = "A.I.1.i.a"
DOC = "team-decree-sk-tim-kerja-zi"
JSON = {"Accept": "application/json"}


def _sent_back_fixed_and_checked(world: World) -> Enrolment:
    """The assessor sends CODE back and marks its decree missing; the unit resubmits it."""
    e = world.submitted()
    penilai = world.actor(world.penilai)
    world.decide(penilai, e, CODE, DecisionKind.REVISION, seq=0, comment="SK belum bertanda tangan")
    evidence.check_document(
        world.session,
        user=world.penilai,
        enrolment=e,
        tier="preliminary",
        item_code=CODE,
        document_key=DOC,
        verdict=CheckVerdict.MISSING,
        comment="Lampiran SK tidak ada",
        expected_seq=0,
    )
    reviews.mark_revised(
        world.session,
        actor=world.actor(world.koordinator),
        enrolment=e,
        item_code=CODE,
        comment="SK ditandatangani ulang",
        expected_seq=1,
    )
    world.session.commit()
    return e


def test_the_conversation_holds_every_turn_in_order(world: World) -> None:
    e = _sent_back_fixed_and_checked(world)
    world.decide(world.actor(world.penilai), e, CODE, DecisionKind.APPROVED, seq=2)
    world.session.commit()

    talk = reviews.conversations(world.session, e)[CODE]
    assert [(r.kind, r.author, r.comment) for r in talk] == [
        ("revision", world.penilai.full_name, "SK belum bertanda tangan"),
        ("check", world.penilai.full_name, "Lampiran SK tidak ada"),
        ("revised", world.koordinator.full_name, "SK ditandatangani ulang"),
        ("approved", world.penilai.full_name, ""),
    ]
    assert {r.tier_label for r in talk} == {"Penilaian pendahuluan"}
    assert (talk[1].document_key, talk[1].verdict) == (DOC, "missing")
    assert [r.at for r in talk] == sorted(r.at for r in talk)
    # Only the asked items, and none for an item nobody spoke about.
    assert reviews.conversations(world.session, e, ["A.I.1.i.b"]) == {}


def test_the_reviewer_re_reviewing_sees_their_earlier_comment(client, world: World) -> None:
    e = _sent_back_fixed_and_checked(world)
    login_as(client, world.penilai)
    item = get_page(client, f"/enrolments/{e.id}/lke?area=1").one(f'article[id="item-{CODE}"]')
    turns = item.select(".conversation li.turn")
    # Newest first: the unit's resubmission, the document check, the reviewer's own send-back.
    assert [t.text_of(".turn-what") for t in turns] == [
        "Diperbaiki dan dikirim ulang oleh unit",
        "Dokumen “SK Tim Kerja Pembangunan ZI”: kurang",
        "Dikembalikan untuk perbaikan",
    ]
    assert turns[0].text_of(".turn-comment") == "SK ditandatangani ulang"
    assert turns[2].text_of(".turn-comment") == "SK belum bertanda tangan"
    who = turns[2].text_of(".turn-who")
    assert who.startswith(f"{world.penilai.full_name} · Penilaian pendahuluan · ")
    assert turns[0].text_of(".turn-who").startswith(f"{world.koordinator.full_name} · ")
    assert "(3)" in item.text_of(".conversation h4")
    # The item waits for the reviewer again: no send-back banner any more.
    assert not item.select(".sent-back-banner")


def test_the_coordinator_sees_the_reason_in_the_banner_and_the_conversation(
    client, world: World
) -> None:
    e = world.submitted()
    world.decide(
        world.actor(world.penilai), e, CODE, DecisionKind.REVISION, seq=0, comment="Tanpa TTD"
    )
    world.session.commit()
    login_as(client, world.koordinator)
    item = get_page(client, f"/enrolments/{e.id}/lke?area=1").one(f'article[id="item-{CODE}"]')
    assert item.text_of(".sent-back-banner").startswith("Dikembalikan oleh penilai: Tanpa TTD —")
    assert item.texts(".conversation .turn-comment") == ["Tanpa TTD"]
    assert item.select(f'form[action="/enrolments/{e.id}/items/{CODE}/resubmit"]')


def test_a_long_conversation_folds_its_older_turns(client, world: World) -> None:
    e = _sent_back_fixed_and_checked(world)
    penilai = world.actor(world.penilai)
    world.decide(penilai, e, CODE, DecisionKind.REVISION, seq=2, comment="Masih kurang nomor SK")
    world.session.commit()
    login_as(client, world.penilai)
    item = get_page(client, f"/enrolments/{e.id}/lke?area=1").one(f'article[id="item-{CODE}"]')
    assert "(4)" in item.text_of(".conversation h4")
    shown = item.select(".conversation > ol.turns > li")
    assert len(shown) == 3 and shown[0].text_of(".turn-comment") == "Masih kurang nomor SK"
    assert item.text_of(".conversation details summary") == "1 catatan sebelumnya"
    assert item.texts(".conversation details .turn-comment") == ["SK belum bertanda tangan"]


def test_the_conversations_cost_the_same_queries_for_one_item_or_many(
    client, world: World, engine
) -> None:
    e = world.submitted()
    penilai = world.actor(world.penilai)
    world.decide(penilai, e, "A.I.1.i.a", DecisionKind.REVISION, seq=0, comment="satu")
    world.session.commit()
    login_as(client, world.penilai)
    page = f"/enrolments/{e.id}/lke?area=1"
    client.get(page)  # warm caches that are not per request
    # Both measurements follow a decision made through the shared test session, which
    # leaves the same rows loaded (area 2 is not on the page).
    world.decide(penilai, e, "A.I.2.i.a", DecisionKind.APPROVED, seq=0)
    world.session.commit()
    with count_queries(engine) as few:
        client.get(page)
    codes = [f"A.I.1.{s}" for s in ("i.b", "ii.a", "ii.b", "iii.a", "iii.b", "iii.c")]
    for code in codes:
        world.decide(penilai, e, code, DecisionKind.REVISION, seq=0, comment=f"kurang {code}")
    world.session.commit()
    with count_queries(engine) as many:
        response = client.get(page)
    assert len(Page(response.get_data(as_text=True)).select(".conversation")) == 1 + len(codes)
    assert len(many) == len(few)


def test_a_decision_posted_by_the_script_answers_with_the_item(client, world: World) -> None:
    e = world.submitted()
    login_as(client, world.penilai)
    page = f"/enrolments/{e.id}/lke?area=1"
    response = post_form(
        client,
        f"/enrolments/{e.id}/items/{CODE}/decision",
        {"kind": "revision", "comment": "SK belum bertanda tangan", "seq": 0, "tier": "unit"},
        page=page,
        headers=JSON,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["code"] == CODE and body["message"] == f"Keputusan untuk butir {CODE} disimpan."
    article = Page(body["item"]).one("article.item")
    assert "item-sent-back" in article.classes
    assert article.attr("data-tier") == "unit"  # re-rendered for the tier the page shows
    assert "dikembalikan" in article.text_of(".item-badges")
    assert article.texts(".conversation .turn-comment") == ["SK belum bertanda tangan"]
    assert article.one("form.decision-form input[name=seq]").attr("value") == "1"
    tab = Page(body["areas"]).one("nav.area-tabs a[aria-current=page]")
    assert "1" in tab.text  # the area tab came along (its counts follow the decision)
    assert Page(body["signoff"]).select(".card.signoff")
    assert body["stats"]


def test_a_refused_decision_answers_json_and_saves_nothing(client, world: World) -> None:
    e = world.submitted()
    login_as(client, world.penilai)
    page = f"/enrolments/{e.id}/lke?area=1"
    url = f"/enrolments/{e.id}/items/{CODE}/decision"
    no_reason = post_form(client, url, {"kind": "revision", "seq": 0}, page=page, headers=JSON)
    assert no_reason.status_code == 422
    assert "alasan pengembalian" in no_reason.get_json()["error"]
    no_kind = post_form(client, url, {"seq": 0}, page=page, headers=JSON)
    assert no_kind.status_code == 422 and no_kind.get_json()["error"]
    world.decide(world.actor(world.penilai), e, CODE, DecisionKind.APPROVED, seq=0)
    world.session.commit()
    stale = post_form(
        client, url, {"kind": "revision", "comment": "x", "seq": 0}, page=page, headers=JSON
    )
    assert stale.status_code == 409
    assert "baru saja diputuskan" in stale.get_json()["error"]
    kinds = world.session.scalars(select(ItemDecision.kind)).all()
    assert kinds == [DecisionKind.APPROVED]


def test_the_resubmission_and_a_document_check_answer_with_the_item(client, world: World) -> None:
    e = world.submitted()
    world.decide(world.actor(world.penilai), e, CODE, DecisionKind.REVISION, seq=0, comment="TTD")
    world.session.commit()
    login_as(client, world.koordinator)
    lke = f"/enrolments/{e.id}/lke?area=1"
    response = post_form(
        client,
        f"/enrolments/{e.id}/items/{CODE}/resubmit",
        {"comment": "sudah ditandatangani", "seq": 1, "tier": "unit"},
        page=lke,
        headers=JSON,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["message"] == f"Butir {CODE} dikirim ulang ke penilai."
    article = Page(body["item"]).one("article.item")
    assert "diperbaiki, menunggu penilai" in article.text_of(".item-badges")
    assert article.texts(".conversation .turn-comment") == ["sudah ditandatangani", "TTD"]

    login_as(client, world.penilai)
    response = post_form(
        client,
        f"/enrolments/{e.id}/items/{CODE}/documents/{DOC}/check",
        {"verdict": "ok", "seq": 0, "tier": "preliminary"},
        page=lke,
        headers=JSON,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["message"] == "Penilaian dokumen disimpan."
    # Evidence answers with where the re-rendered item is read from (its views do not render
    # the LKE page's fragments themselves).
    assert body["fragment"] == f"/enrolments/{e.id}/lke/preliminary/items/{CODE}"
    body = client.get(body["fragment"], headers=JSON).get_json()
    article = Page(body["item"]).one("article.item")
    assert article.attr("data-tier") == "preliminary"
    assert article.texts(".conversation .turn-what")[0] == (
        "Dokumen “SK Tim Kerja Pembangunan ZI”: sesuai"
    )


def test_without_javascript_a_decision_returns_to_the_tier_it_came_from(
    client, world: World
) -> None:
    e = world.submitted()
    login_as(client, world.penilai)
    response = post_form(
        client,
        f"/enrolments/{e.id}/items/{CODE}/decision",
        {"kind": "approved", "seq": 0, "tier": "unit"},
        page=f"/enrolments/{e.id}/lke?tier=unit&area=1",
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/lke?tier=unit&area=1#item-{CODE}")
    (flash,) = get_page(client, response.headers["Location"]).flashes("success")
    assert flash == f"Keputusan untuk butir {CODE} disimpan."


def test_each_item_marks_the_decision_that_stands(world: World) -> None:
    """Issue 18 §3: ``ItemDecision.latest`` is on the row with the highest ``seq`` of each
    item and tier, moved by every decision (a send-back, the unit's fix, an approval), and
    the lists' reading of it (``reviews.newest_rows``) is the history's newest row."""
    e = _sent_back_fixed_and_checked(world)
    other = "A.I.1.i.b"
    penilai = world.actor(world.penilai)
    world.decide(penilai, e, other, DecisionKind.APPROVED, seq=0)
    world.decide(penilai, e, CODE, DecisionKind.APPROVED, seq=2)
    world.session.commit()

    rows = world.session.scalars(
        select(ItemDecision).where(ItemDecision.enrolment_id == e.id).order_by(ItemDecision.id)
    ).all()
    assert [(r.item_code, r.seq, r.kind.value, r.latest) for r in rows] == [
        (CODE, 1, "revision", False),
        (CODE, 2, "revised", False),
        (other, 1, "approved", True),
        (CODE, 3, "approved", True),
    ]
    newest = reviews.newest_decisions(rows)
    latest = reviews.newest_rows(ItemDecision.enrolment_id == e.id, ("id",))
    assert set(world.session.scalars(select(latest.c.id))) == {d.id for d in newest.values()}
