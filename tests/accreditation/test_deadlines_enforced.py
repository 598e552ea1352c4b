"""Issue 15 §3 through the services and the pages, with a controllable clock: each window
refuses late work with the date and who may extend it, an extension re-opens it, and a future
decree or declaration date is refused at the field."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.accreditation.test_services import record_prerequisites, to_tpi_recommended
from tests.helpers import login_as, post_form
from tests.html import get_page, page_of
from tests.world import YEAR, World
from tracker import clock
from tracker.accreditation import assessments, cycles, reviews
from tracker.accreditation.models import Answer, DecisionKind, Designation, Enrolment
from tracker.accreditation.workflow import Action, Deadline, Stage
from tracker.errors import DeadlinePassedError, InvalidTransitionError

AFTER_SELF_ASSESSMENT = date(YEAR, 4, 2)  # the default calendar's self-assessment ends 31 March
AFTER_TPI = date(YEAR, 5, 21)  # TPI evaluation ends 20 May
ITEM = "A.I.1.i.b"


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)


def _extend(world: World, deadline: Deadline, new_date: date, *, agency: bool = True) -> None:
    cycles.extend_deadline(
        world.session,
        user=world.admin,
        cycle=world.cycle,
        deadline=deadline,
        new_date=new_date,
        reason="Banjir di kantor unit.",
        agency=world.agency if agency else None,
    )
    world.session.commit()


def _choice(enrolment: Enrolment) -> str:
    return assessments.framework_for(enrolment).item(ITEM).choice_keys[0]


def test_the_units_answers_close_with_the_self_assessment(world: World, monkeypatch) -> None:
    e = world.building()
    coordinator = world.actor(world.koordinator)
    world.answer(coordinator, e, ITEM, _choice(e), version=0)
    world.session.commit()
    _on(monkeypatch, AFTER_SELF_ASSESSMENT)
    with pytest.raises(DeadlinePassedError) as refused:
        world.answer(coordinator, e, ITEM, "", version=1)
    assert str(refused.value) == (
        "Batas waktu sudah lewat: Akhir penilaian mandiri, 31 Maret 2026. "
        "Perpanjangan dicatat oleh administrator."
    )
    with pytest.raises(DeadlinePassedError, match="31 Maret 2026"):
        world.fill(e)  # a worksheet import too
    with pytest.raises(DeadlinePassedError, match="31 Maret 2026"):  # and evidence uploads
        assessments.check_edit(world.session, coordinator, e, "unit", ITEM)


def test_the_lke_is_not_filled_before_the_self_assessment_opens(world: World, monkeypatch) -> None:
    e = world.building()
    coordinator = world.actor(world.koordinator)
    _on(monkeypatch, date(YEAR, 1, 1))  # the default calendar opens on 2 January
    with pytest.raises(DeadlinePassedError) as refused:
        world.answer(coordinator, e, ITEM, _choice(e), version=0)
    assert str(refused.value) == "Penilaian mandiri siklus ini baru dibuka pada 2 Januari 2026."
    with pytest.raises(DeadlinePassedError, match="2 Januari 2026"):  # evidence neither
        assessments.check_edit(world.session, coordinator, e, "unit", ITEM)
    _on(monkeypatch, date(YEAR, 1, 2))
    world.answer(coordinator, e, ITEM, _choice(e), version=0)


def test_an_extension_for_the_agency_reopens_the_units_lke(world: World, monkeypatch) -> None:
    e = world.building()
    _on(monkeypatch, AFTER_SELF_ASSESSMENT)
    _extend(world, Deadline.SELF_ASSESSMENT_END, date(YEAR, 4, 10))
    world.fill(e)
    world.act(world.koordinator, e, Action.SUBMIT_PRELIMINARY, on=AFTER_SELF_ASSESSMENT)
    assert e.stage.value == "preliminary"


def test_another_agencys_extension_does_not_count(world: World, factory, monkeypatch) -> None:
    e = world.building()
    other = factory.agency("Instansi Lain")
    world.session.commit()
    cycles.extend_deadline(
        world.session,
        user=world.admin,
        cycle=world.cycle,
        deadline=Deadline.SELF_ASSESSMENT_END,
        new_date=date(YEAR, 4, 10),
        reason="Hanya instansi lain.",
        agency=other,
    )
    _on(monkeypatch, AFTER_SELF_ASSESSMENT)
    with pytest.raises(DeadlinePassedError, match="31 Maret 2026"):
        world.fill(e)


def test_reviewers_decide_and_sign_off_within_the_tpi_window(world: World, monkeypatch) -> None:
    e = world.submitted()
    assessor = world.actor(world.penilai)
    _on(monkeypatch, AFTER_TPI)
    with pytest.raises(DeadlinePassedError, match="Akhir evaluasi TPI, 20 Mei 2026"):
        world.decide(assessor, e, ITEM, DecisionKind.APPROVED, seq=0)
    with pytest.raises(DeadlinePassedError, match="20 Mei 2026"):
        reviews.sign_off_area(world.session, actor=assessor, enrolment=e, area="1", item_codes=[])
    with pytest.raises(InvalidTransitionError, match="20 Mei 2026"):
        world.act(world.penilai, e, Action.PRELIMINARY_RETURN, on=AFTER_TPI, note="Perbaiki.")
    _extend(world, Deadline.TPI_EVALUATION_END, date(YEAR, 5, 31), agency=False)  # for all
    world.decide(assessor, e, ITEM, DecisionKind.APPROVED, seq=0)
    world.act(world.penilai, e, Action.PRELIMINARY_RETURN, on=AFTER_TPI, note="Perbaiki.")


def test_a_late_submission_names_the_date_and_who_extends(world: World) -> None:
    e = world.building()
    world.fill(e)
    with pytest.raises(InvalidTransitionError) as refused:
        world.act(world.koordinator, e, Action.SUBMIT_PRELIMINARY, on=AFTER_SELF_ASSESSMENT)
    assert str(refused.value) == (
        "Batas waktu sudah lewat: Akhir penilaian mandiri, 31 Maret 2026. "
        "Perpanjangan dicatat oleh administrator."
    )


def test_a_late_answer_on_the_lke_page_is_flashed_with_the_date(
    client, world: World, monkeypatch
) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    page = f"/enrolments/{e.id}/lke"
    url = f"/enrolments/{e.id}/lke/unit/A.I.1.i.b"
    token_page = client.get(page)
    assert token_page.status_code == 200
    _on(monkeypatch, AFTER_SELF_ASSESSMENT)
    response = post_form(
        client,
        url,
        {"value": "B", "version": 0},
        page=page,
        headers={"Referer": f"http://localhost{page}"},
    )
    assert response.status_code == 303
    (error,) = get_page(client, page).flashes("error")
    assert "31 Maret 2026" in error and "Perpanjangan dicatat oleh administrator." in error
    assert world.session.scalar(select(func.count()).select_from(Answer)) == 0


# Dates that must be past: refused at the field.


def test_a_declaration_dated_tomorrow_is_refused_at_the_field(client, world: World) -> None:
    login_as(client, world.pimpinan)
    page = f"/units/{world.polres.id}/zi"
    data = {
        "cycle_id": world.cycle.id,
        "target": "WBK",
        "decree_number": "KEP/12/I/2026",
        "decree_date": "2026-03-02",  # the world's today is 1 March 2026
        "declared_on": "2026-03-02",
        "note": "Apel pagi",
        "pakta_link": "https://polres.example.go.id/pakta",
    }
    answer = page_of(post_form(client, f"/units/{world.polres.id}/enrol", data, page=page), 422)
    for name, label in (("declared_on", "Tanggal pencanangan"), ("decree_date", "Tanggal SK")):
        (block,) = [f for f in answer.select(".field") if f.select(f'[name="{name}"]')]
        errors = block.texts(".field-error")
        assert any(
            e.startswith(label) and "tidak boleh sesudah hari ini (1 Maret 2026)" in e
            for e in errors
        ), errors
    assert world.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_a_past_designation_decreed_tomorrow_is_refused(client, world: World) -> None:
    login_as(client, world.admin)
    data = {
        "unit_id": world.polres.id,
        "predicate": "WBK",
        "year": str(YEAR),
        "decree_number": "10/2026",
        "decree_date": "2026-03-02",
    }
    response = post_form(client, "/designations", data, page="/designations")
    assert response.status_code == 422
    assert "tidak boleh sesudah hari ini" in response.get_data(as_text=True)
    assert world.session.scalar(select(func.count()).select_from(Designation)) == 0


def test_a_designation_or_revocation_decreed_after_today_is_refused(
    client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Minister's decree a TPN step cites is already signed (issue 15 §3): dated after
    today it is refused at the field, and the stage does not move."""
    e = world.enrol()
    to_tpi_recommended(world, e)
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=date(YEAR, 5, 20))
    world.act(world.tpn, e, Action.ADMIN_PASS)
    world.act(world.tpn, e, Action.DESK_CONTINUE)
    world.tpn_surveys(e)
    world.clear(e, date(YEAR, 12, 1))
    monkeypatch.setattr(clock, "today", lambda: date(YEAR, 12, 10))
    url = f"/enrolments/{e.id}"
    login_as(client, world.tpn)
    steps = (
        ("designate", "9/2026", Stage.FIELD_EVALUATION, Stage.DESIGNATED),
        ("revoke", "3/2026", Stage.DESIGNATED, Stage.REVOKED),
    )
    for action, number, before, after in steps:
        fields = {"action": action, "version": e.version, "note": "OTT", "confirm_evidence": "y"}
        fields |= {"decree_number": number, "decree_date": "2026-12-11"}
        response = post_form(client, f"{url}/advance", fields, page=url)
        assert response.status_code == 303
        (error,) = get_page(client, url).flashes("error")
        assert "tidak boleh sesudah hari ini (10 Desember 2026)" in error, error
        world.session.expire_all()
        assert e.stage is before
        post_form(client, f"{url}/advance", fields | {"decree_date": "2026-12-10"}, page=url)
        world.session.expire_all()
        assert e.stage is after, get_page(client, url).flashes("error")


# Every page that shows a stage shows its deadline and days left.

SELF_ASSESSMENT_DUE = "Akhir penilaian mandiri: 31 Maret 2026 30 hari lagi"
TPI_DUE = "Akhir evaluasi TPI: 20 Mei 2026 80 hari lagi"


def _dues(client, url: str) -> list[str]:
    return [" ".join(t.split()) for t in get_page(client, url).texts(".stage-due")]


def test_the_unit_overview_and_home_show_the_stage_deadline(client, world: World) -> None:
    world.building()
    login_as(client, world.koordinator)
    assert SELF_ASSESSMENT_DUE in _dues(client, f"/units/{world.polres.id}/zi")
    assert SELF_ASSESSMENT_DUE in _dues(client, "/")


def test_an_extension_moves_the_date_the_pages_show(client, world: World) -> None:
    world.building()
    _extend(world, Deadline.SELF_ASSESSMENT_END, date(YEAR, 4, 10))
    login_as(client, world.koordinator)
    assert "Akhir penilaian mandiri: 10 April 2026 40 hari lagi" in _dues(client, "/")


def test_the_queue_and_the_dashboard_show_the_review_deadline(client, world: World) -> None:
    world.submitted()
    login_as(client, world.penilai)
    assert TPI_DUE in _dues(client, "/review/queue")
    login_as(client, world.admin)
    assert TPI_DUE in _dues(client, f"/dashboard?cycle={world.cycle.id}")
