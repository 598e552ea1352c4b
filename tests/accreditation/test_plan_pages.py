"""Issue 16 §1-§2 on the pages: the plan on the LKE summary and its own page, "what if" that
scores without writing, and the consistency findings on the item and the prerequisites page."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.core.test_plain_words import offences, visible_text
from tests.helpers import csrf_token, login_as
from tests.html import get_page
from tests.lke_answers import perfect_answers
from tests.world import World
from tracker.accreditation import assessments, planning, proposal
from tracker.accreditation.models import Answer, Enrolment
from tracker.audit.models import AuditEvent
from tracker.evidence import services as evidence
from tracker.evidence.models import EvidencePurpose


def weak_unit(world: World) -> Enrolment:
    """The Polres with a complete LKE whose area 5 (Penguatan Pengawasan) is weak, and whose
    LHKPN/LHKASN counts (11 of 13 filed) disagree with a recorded 100 % prerequisite."""
    enrolment = world.building()
    framework = assessments.framework_for(enrolment)
    raw = perfect_answers(framework, index="3.70") | {
        "A.II.3.iii.a": [2, 0, 2],
        "A.II.5.iii.a.1": [1, 2, 0, 3],
        "A.II.5.iii.b.1": [2, 3, 5, 8],
    }
    for item in framework.items():
        if item.code.startswith("A.I.5") and item.choice_keys:
            raw[item.code] = item.choice_keys[-1]
    world.fill(enrolment, answers=raw)
    link = evidence.add_link(
        world.session,
        user=world.koordinator,
        enrolment=enrolment,
        target=evidence.Target(EvidencePurpose.PREREQUISITE, document_key="unit-lhkpn"),
        url="https://example.go.id/lhkpn",
        title="lhkpn",
    )
    proposal.record(
        world.session,
        actor=world.actor(world.koordinator),
        enrolment=enrolment,
        code="unit.lhkpn",
        value="100",
        note="",
        evidence=link,
    )
    world.session.commit()
    return enrolment


def counts(world: World) -> tuple[int, int, list[tuple[str, object, int]]]:
    answers = world.session.execute(
        select(Answer.item_code, Answer.value, Answer.version).order_by(Answer.id)
    ).all()
    audit = world.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return len(answers), audit, [tuple(row) for row in answers]


def test_the_lke_summary_shows_the_plan_and_the_findings(client: FlaskClient, world: World) -> None:
    enrolment = weak_unit(world)
    login_as(client, world.koordinator)
    html = client.get(f"/enrolments/{enrolment.id}/lke?area=5").get_data(as_text=True)
    assert "Rencana perbaikan:" in html and "langkah menuju Menuju WBK" in html
    assert "Penguatan Pengawasan" in html
    # Each suggestion links to its item on its area tab.
    assert f"/enrolments/{enrolment.id}/lke?tier=unit&amp;area=5#item-A.I.5" in html
    assert "temuan pemeriksaan konsistensi" in html
    # The many A/Ya answers still without documents are named together, not one line each.
    assert html.count("butir dijawab A atau Ya tetapi dokumen wajibnya belum ada") == 1
    # On the item itself: its LHKPN counts disagree with the prerequisite.
    item = html.split('id="item-A.II.5.iii.a.1"')[1].split("</article>")[0]
    assert "item-consistency" in item and "Persyaratan LHKPN/LHKASN tercatat 100" in item


def test_the_plan_page_for_each_predicate(client: FlaskClient, world: World) -> None:
    enrolment = weak_unit(world)
    login_as(client, world.penilai)
    url = f"/enrolments/{enrolment.id}/lke/unit/plan"
    wbk = client.get(url).get_data(as_text=True)
    assert "Rencana perbaikan menuju Menuju WBK" in wbk and "plan-closes" in wbk
    assert "A.I.5.i.a" in wbk
    wbbm = client.get(url + "?predicate=WBBM").get_data(as_text=True)
    # WBBM needs every WBK rule too, and an active WBK no answer can give.
    assert "Menuju WBK · Penguatan Pengawasan" in wbbm
    assert "Telah memperoleh predikat Menuju WBK" in wbbm and "plan-open" in wbbm
    assert client.get(url + "?predicate=XYZ").status_code == 404
    assert client.get(f"/enrolments/{enrolment.id}/lke/tpn/plan").status_code == 404


def test_a_plan_is_kept_for_its_answers_and_made_again_when_they_change(
    client: FlaskClient, world: World
) -> None:
    """Issue 18 §3: the plan is worked out once for the same answers (the area tabs ask for it
    again), and a changed answer is another plan at once, never the one kept."""
    enrolment = weak_unit(world)
    framework = assessments.framework_for(enrolment)
    answers = planning.tier_answers(world.session, enrolment, "unit")
    first = planning.plan_of(framework, enrolment, answers, "WBK", has_active_wbk=False)
    again = planning.plan_of(framework, enrolment, dict(answers), "WBK", has_active_wbk=False)
    assert again is first
    wbbm = planning.plan_of(framework, enrolment, answers, "WBBM", has_active_wbk=False)
    assert wbbm is not first and wbbm.predicate == "WBBM"
    login_as(client, world.koordinator)
    url = f"/enrolments/{enrolment.id}/lke/unit/plan"
    assert "A.I.5.i.a" in client.get(url).get_data(as_text=True)
    world.fill(enrolment, answers=perfect_answers(framework, index="3.70"))
    assert "Semua syarat Menuju WBK sudah terpenuhi." in client.get(url).get_data(as_text=True)


def test_what_if_scores_tried_answers_and_writes_nothing(client: FlaskClient, world: World) -> None:
    enrolment = weak_unit(world)
    login_as(client, world.koordinator)
    url = f"/enrolments/{enrolment.id}/lke/unit/what-if"
    page = client.get(url).get_data(as_text=True)
    assert "belum memenuhi" in page and 'name="A.I.5.i.a-value"' in page
    before = counts(world)
    token = csrf_token(client, url)
    tried = {
        f"{item.code}-value": "A"
        for item in assessments.framework_for(enrolment).items()
        if item.code.startswith("A.I.5") and item.choice_keys
    } | {"A.I.5.iii.b-value": "Ya", "csrf_token": token}
    response = client.post(url, data=tried, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json["eligible"] is True and "memenuhi" in response.json["html"]
    # Without a script the whole page comes back with the result.
    full = client.post(url, data=tried).get_data(as_text=True)
    assert "what-if-result" in full and "badge-ok" in full.split("what-if-verdict")[1][:80]
    # A count that is not a number: said under its item, 422, nothing stored either.
    bad = client.post(url, data={"csrf_token": token, "A.II.4.i.a-count_0": "lima"})
    assert bad.status_code == 422 and "bilangan bulat" in bad.get_data(as_text=True)
    world.session.expire_all()
    assert counts(world) == before


def test_the_prerequisites_page_names_the_disagreeing_lke_items(
    client: FlaskClient, world: World
) -> None:
    enrolment = weak_unit(world)
    login_as(client, world.koordinator)
    html = client.get(f"/enrolments/{enrolment.id}/prerequisites").get_data(as_text=True)
    assert "Tidak sesuai dengan LKE unit" in html and "tidak sesuai LKE" in html
    assert "#item-A.II.5.iii.b.1" in html


def test_the_new_pages_speak_plainly_in_both_languages(
    client: FlaskClient, world: World, english: None
) -> None:
    enrolment = weak_unit(world)
    login_as(client, world.koordinator)
    lke = f"/enrolments/{enrolment.id}/lke"
    problems = []
    for lang in ("id", "en"):
        with client.session_transaction() as sess:
            sess["lang"] = lang
        for url in (f"{lke}?area=5", f"{lke}/unit/plan?predicate=WBBM", f"{lke}/unit/what-if"):
            page = get_page(client, url)
            text = visible_text(page, lang == "en")
            problems += [f"[{lang}] {url}: {p}" for p in offences(text, lang == "en")]
    assert not problems, "\n".join(problems)
