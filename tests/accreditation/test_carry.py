"""Year over year (issue 16 §3): carrying last cycle's answers and valid evidence forward, the
coordinator's confirmation before the submit, the unit's comparison across cycles, and the
agency's units' scores by year."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.helpers import login_as, post_form
from tests.html import get_page, page_of
from tests.lke_answers import perfect_answers, worst_choice
from tests.world import World
from tracker.accreditation import assessments, carry, cycles
from tracker.accreditation.carry_models import CarriedItem
from tracker.accreditation.models import (
    Answer,
    Assessment,
    Cycle,
    Designation,
    DesignationOrigin,
    Enrolment,
    Predicate,
)
from tracker.accreditation.workflow import Action, Stage
from tracker.audit.models import AuditEvent
from tracker.errors import ConflictError, InvalidTransitionError, NotAllowedError
from tracker.evidence.models import EvidenceFile, EvidencePurpose, EvidenceStatus
from tracker.lke import parse_answer

SK_ITEM, SOP_ITEM, WEAK_ITEM = "A.I.1.i.a", "A.I.2.i.a", "A.I.1.i.b"


def _link(session, enrolment: Enrolment, user, code: str, key: str, name: str, on: date):
    row = EvidenceFile(
        public_id=f"{code}-{key}"[:32],
        series=f"{code}-{key}"[:32],
        enrolment_id=enrolment.id,
        purpose=EvidencePurpose.ITEM,
        item_code=code,
        document_key=key,
        original_name=name,
        link_url=f"https://example.go.id/{key}",
        uploaded_by_id=user.id,
        uploaded_at=datetime(on.year, on.month, on.day, 9, tzinfo=UTC),
        frozen=True,
    )
    session.add(row)
    return row


def last_year(world: World, year: int = 2025, unit=None) -> Enrolment:
    """The Polres's 2025 cycle, closed: its own LKE, TPI's corrected one (TPI decided, one item
    marked down), a yearly SK and a standing SOP list as evidence."""
    session = world.session
    cycle = session.scalars(select(Cycle).where(Cycle.year == year)).first()
    if cycle is None:
        cycle = cycles.create_cycle(
            session,
            user=world.admin,
            year=year,
            name="",
            framework=world.cycle.framework,
            calendar=cycles.Calendar.default(year),
        )
        cycle.open = False
    enrolment = Enrolment(
        cycle=cycle,
        unit=unit or world.polres,
        agency_id=world.agency.id,
        target=Predicate.WBK,
        declared_on=date(year, 1, 15),
        stage=Stage.COACHING,
        created_by_id=world.admin.id,
    )
    session.add(enrolment)
    session.flush()
    framework = assessments.framework_for(enrolment)
    perfect = perfect_answers(framework)
    for tier, answers in (("unit", perfect), ("tpi", {**perfect, WEAK_ITEM: "C"})):
        assessment = Assessment(enrolment_id=enrolment.id, tier=tier)
        session.add(assessment)
        session.flush()
        for code, raw in answers.items():
            value = assessments.to_stored(parse_answer(framework.item(code), raw))
            session.add(Answer(assessment_id=assessment.id, item_code=code, value=value))
        session.flush()
        assessments.recompute(session, enrolment, assessment)
    if unit is not None or year != 2025:
        session.commit()
        return enrolment
    sk_key = "team-decree-sk-tim-kerja-zi"
    _link(session, enrolment, world.koordinator, SK_ITEM, sk_key, "sk-tim.pdf", date(2025, 1, 10))
    _link(session, enrolment, world.koordinator, SOP_ITEM, "sop-list", "sop.pdf", date(2025, 2, 3))
    session.commit()
    return enrolment


@pytest.fixture
def years(world: World) -> tuple[Enrolment, Enrolment]:
    """(last year's enrolment, this year's, building)."""
    return last_year(world), world.building()


def test_carry_forward_life_cycle(client, world: World, years) -> None:
    past, now = years
    session = world.session
    assert worst_choice(assessments.framework_for(now), WEAK_ITEM) == "C"
    # The unit answered one item already: carrying never overwrites it.
    world.answer(world.actor(world.koordinator), now, SOP_ITEM, "B", version=0)
    session.commit()
    total = sum(1 for _ in assessments.framework_for(now).items())

    # Offered on the enrolment page to the coordinator.
    login_as(client, world.koordinator)
    page = get_page(client, f"/enrolments/{now.id}")
    card = page.one(".carry-card")
    assert f"{total - 1} jawaban" in card.text and "(TPI)" in card.text
    assert card.text_of("button") == "Bawa jawaban siklus 2025"

    # The leadership may not carry (the coordinator answers for the self-assessment).
    with pytest.raises(NotAllowedError):
        carry.carry(session, actor=world.actor(world.pimpinan), enrolment=now, today=date.today())
    session.rollback()

    response = post_form(client, f"/enrolments/{now.id}/carry", page=f"/enrolments/{now.id}")
    assert response.status_code == 303 and response.location.endswith(
        f"/enrolments/{now.id}/carried"
    )
    carried = {r.item_code: r for r in session.scalars(select(CarriedItem)).all()}
    assert len(carried) == total - 1 and SOP_ITEM not in carried
    # Provenance: the deciding tier's (TPI's) value, its answer row, last year's enrolment.
    weak = carried[WEAK_ITEM]
    tpi = assessments.get_assessment(session, past.id, "tpi")
    assert (weak.source_enrolment_id, weak.source_tier, weak.value) == (past.id, "tpi", "C")
    assert session.get(Answer, weak.source_answer_id).assessment_id == tpi.id
    values = assessments.tier_values(session, now.id, "unit")
    assert values[WEAK_ITEM] == "C" and values[SOP_ITEM] == "B"  # the unit's own kept
    # Last year's rows untouched.
    assert assessments.tier_values(session, past.id, "tpi")[WEAK_ITEM] == "C"

    # The yearly SK (uploaded 10 January 2025) is out of date: flagged, not carried.
    sk = carried[SK_ITEM]
    assert [d["stale"] for d in sk.documents] == [True] and sk.documents[0]["carried"] is None
    now_files = session.scalars(
        select(EvidenceFile).where(
            EvidenceFile.enrolment_id == now.id, EvidenceFile.purpose == EvidencePurpose.ITEM
        )
    ).all()
    assert now_files == []  # the SOP list's item was the unit's own: nothing carried there
    [record] = session.scalars(
        select(AuditEvent).where(AuditEvent.tag == "accreditation:carry:answers")
    ).all()
    assert record.data["items"] == total - 1 and record.data["stale"] == 1

    page = get_page(client, f"/enrolments/{now.id}/carried")
    assert "1 berkas tahun lalu sudah kedaluwarsa" in page.text
    row = page.one(f'tr[id="carried-{SK_ITEM}"]')
    assert "kedaluwarsa" in row.text and "menunggu konfirmasi" in row.text

    # Carried once only.
    with pytest.raises(ConflictError):
        carry.carry(
            session, actor=world.actor(world.koordinator), enrolment=now, today=date.today()
        )
    session.rollback()

    # Submit blocked while carried items wait, with the count and the page to go to.
    with pytest.raises(InvalidTransitionError) as refused:
        world.act(world.koordinator, now, Action.SUBMIT_PRELIMINARY)
    assert f"{total - 1} butir bawaan tahun lalu belum dikonfirmasi" in str(refused.value)
    session.rollback()
    page = get_page(client, f"/enrolments/{now.id}")
    assert page.one(".carry-card a").attr("href") == f"/enrolments/{now.id}/carried"
    # Each waiting item is flagged on the LKE page, with the way to its confirmation.
    lke = get_page(client, f"/enrolments/{now.id}/lke?area=1")
    flag = lke.one(f'article[id="item-{SK_ITEM}"] .carried-flag a')
    assert flag.attr("href") == f"/enrolments/{now.id}/carried#carried-{SK_ITEM}"
    assert not lke.select(f'article[id="item-{SOP_ITEM}"] .carried-flag')  # the unit's own

    # A bad area changes nothing.
    bad = post_form(client, f"/enrolments/{now.id}/carried/confirm", {"area": "Z"}, page="/")
    assert bad.status_code == 303
    assert carry.pending_count(session, now.id) == total - 1

    # One item, then a whole area, then the unit changes one value itself.
    one = post_form(client, f"/enrolments/{now.id}/carried/confirm", {"item": SK_ITEM}, page="/")
    assert one.status_code == 303 and session.get(CarriedItem, sk.id).confirmed
    area = post_form(client, f"/enrolments/{now.id}/carried/confirm", {"area": "1"}, page="/")
    page = page_of(client.get(area.location))
    assert any("dikonfirmasi" in f for f in page.flashes("success"))
    session.expire_all()
    assert all(r.confirmed for r in carried.values() if r.item_code.startswith("A.I.1."))
    answer = session.scalars(
        select(Answer)
        .join(Assessment)
        .where(Assessment.enrolment_id == now.id, Answer.item_code == "A.I.2.i.b")
    ).one()
    world.answer(world.actor(world.koordinator), now, "A.I.2.i.b", "E", version=answer.version)
    session.commit()
    waiting = carry.unconfirmed_count(session, now)
    confirmed_areas = {"1"}
    for key in ("2", "3", "4", "5", "6", "B"):
        confirmed_areas |= (
            {key}
            if carry.confirm(session, actor=world.actor(world.koordinator), enrolment=now, area=key)
            else set()
        )
    session.commit()
    assert waiting > 0 and carry.unconfirmed_count(session, now) == 0
    confirms = session.scalars(
        select(AuditEvent).where(AuditEvent.tag == "accreditation:carry:confirm")
    ).all()
    assert confirms[0].data == {"items": 1, "codes": [SK_ITEM], "area": "1"}
    assert len(confirms) == 1 + len(confirmed_areas)

    world.act(world.koordinator, now, Action.SUBMIT_PRELIMINARY)
    assert now.stage is Stage.PRELIMINARY
    # Past self-assessment nothing more is offered.
    assert carry.offer(session, now) is None


def test_still_valid_evidence_is_carried_as_a_file_of_the_new_cycle(world: World, years) -> None:
    _past, now = years
    session = world.session
    result = carry.carry(
        session, actor=world.actor(world.koordinator), enrolment=now, today=date(2026, 3, 1)
    )
    session.commit()
    assert (result.files, result.stale) == (1, 1)
    [copy] = session.scalars(
        select(EvidenceFile).where(
            EvidenceFile.enrolment_id == now.id, EvidenceFile.item_code == SOP_ITEM
        )
    ).all()
    assert copy.link_url == "https://example.go.id/sop-list" and copy.document_key == "sop-list"
    assert copy.status is EvidenceStatus.ACTIVE and not copy.frozen
    assert copy.uploaded_at.date() == date(2025, 2, 3)  # its age travels with it
    assert "2025" in copy.description
    row = session.scalars(select(CarriedItem).where(CarriedItem.item_code == SOP_ITEM)).one()
    assert row.documents[0]["carried"] == copy.public_id and not row.documents[0]["stale"]


def test_comparison_across_cycles_names_the_deciding_tier(client, world: World, years) -> None:
    _past, now = years
    world.answer(world.actor(world.koordinator), now, WEAK_ITEM, "A", version=0)
    world.session.commit()
    login_as(client, world.koordinator)
    unit_page = get_page(client, f"/units/{world.polres.id}/zi")
    assert unit_page.one(f'a[href="/units/{world.polres.id}/years"]')
    page = get_page(client, f"/units/{world.polres.id}/years")
    heads = page.one("table.years-areas").texts("thead th")
    assert heads[1:] == ["2025 TPI", "2026 Penilaian mandiri unit"]
    area_rows = page.table_rows("table.years-areas")
    assert area_rows[0][0].startswith("1. ") and len(area_rows[0]) == 3
    row = page.one("#year-area-1 tr.differs")
    assert row.texts("td")[1:] == ["C TPI", "A Penilaian mandiri unit"]
    assert "berubah" in row.text


def test_agency_view_of_scores_by_year(client, world: World, years) -> None:
    past, _now = years
    world.session.add(
        Designation(
            unit_id=world.sibling.id,
            agency_id=world.agency.id,
            predicate=Predicate.WBK,
            year=2019,
            decree_number="12/2019",
            decree_date=date(2019, 12, 10),
            snapshot_sha256="b" * 64,
            origin=DesignationOrigin.RECORDED,
        )
    )
    world.session.commit()
    login_as(client, world.pimpinan)
    dashboard = get_page(client, "/dashboard")
    link = dashboard.one(".years-link a")
    assert link.attr("href") == f"/agencies/{world.agency.id}/years"
    page = get_page(client, link.attr("href"))
    assert page.texts("table.agency-years thead th") == ["Unit", "2019", "2025", "2026"]
    rows = {r[0]: r[1:] for r in page.table_rows("table.agency-years")}
    tpi_total = assessments.get_assessment(world.session, past.id, "tpi").score_total
    assert rows["Polres Uji"][1].startswith(f"{float(tpi_total):.2f}".replace(".", ","))
    assert "TPI" in rows["Polres Uji"][1]
    assert rows["Polres Tetangga"][0] == "Menuju WBK tercatat"


def test_another_agency_sees_neither_page(client, world: World, factory, years) -> None:
    other = factory.agency("Instansi Lain")
    from tracker.auth.roles import Role

    login_as(client, factory.user((Role.PIMPINAN, other)))
    get_page(client, f"/agencies/{world.agency.id}/years", status=404)
    get_page(client, f"/units/{world.polres.id}/years", status=404)
    _past, now = years
    get_page(client, f"/enrolments/{now.id}/carried", status=404)
    assert post_form(client, f"/enrolments/{now.id}/carry", page="/").status_code == 404
    assert not world.session.scalars(select(CarriedItem)).all()


def test_the_pages_speak_plainly_in_both_languages(client, world: World, years, english) -> None:
    from tests.core.test_plain_words import offences, visible_text

    _past, now = years
    carry.carry(
        session := world.session,
        actor=world.actor(world.koordinator),
        enrolment=now,
        today=date(2026, 3, 1),
    )
    session.commit()
    pages = {
        world.koordinator: [
            f"/enrolments/{now.id}",
            f"/enrolments/{now.id}/carried",
            f"/units/{world.polres.id}/zi",
            f"/units/{world.polres.id}/years",
        ],
        world.pimpinan: ["/dashboard", f"/agencies/{world.agency.id}/years"],
    }
    problems = []
    for user, urls in pages.items():
        login_as(client, user)
        for lang in ("id", "en"):
            with client.session_transaction() as sess:
                sess["lang"] = lang
            for url in urls:
                text = visible_text(get_page(client, url), lang == "en")
                problems += [f"[{lang}] {url}: {p}" for p in offences(text, lang == "en")]
    assert not problems, "\n".join(problems)


def test_the_year_pages_do_not_grow_with_cycles_and_units(client, world: World, years) -> None:
    from tests.accreditation.test_page_queries import page_statements

    login_as(client, world.admin)
    unit_url, agency_url = f"/units/{world.polres.id}/years", f"/agencies/{world.agency.id}/years"
    before = page_statements(client, world, unit_url), page_statements(client, world, agency_url)
    last_year(world, 2024)
    last_year(world, 2024, unit=world.sibling)
    last_year(world, 2025, unit=world.sibling)
    after = page_statements(client, world, unit_url), page_statements(client, world, agency_url)
    assert before == after and max(after) <= 10
