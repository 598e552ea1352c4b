"""Issue 17 §1: TPN's clearance round with the overseers before a designation. An unanswered
request or unresolved findings refuse the designation until answered, resolved, or overridden
by TPN with a reason (audited); the card on the enrolment page shows each overseer's row."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.accreditation.test_surveys import DECREE, field_evaluation
from tests.helpers import login_as, post_form
from tests.html import get_page
from tests.world import YEAR, World
from tracker import clock
from tracker.accreditation import clearance, clearance_rules
from tracker.accreditation.clearance_rules import Clearance, ClearanceResult, Request
from tracker.accreditation.oversight_models import ClearanceOverride, ClearanceRequest
from tracker.accreditation.workflow import Action, Stage
from tracker.audit.models import AuditEvent
from tracker.errors import InvalidTransitionError, NotAllowedError, ValidationError

DAY = date(YEAR, 12, 12)  # the round's day, after the decree date of DECREE (10 December)
REASON = "Temuan KPK menyangkut pegawai yang sudah diberhentikan; layanan unit tidak terdampak."


# --- the rule ---------------------------------------------------------------------------------


def test_the_rule_blocks_open_requests_and_unresolved_findings_until_overridden() -> None:
    asked = Request(1, "KPK", DAY)
    clear = Request(2, "Ombudsman RI", DAY, DAY, ClearanceResult.CLEAR)
    findings = Request(3, "APIP instansi", DAY, DAY, ClearanceResult.FINDINGS)
    resolved = Request(3, "APIP instansi", DAY, DAY, ClearanceResult.FINDINGS, DAY)
    assert clearance_rules.blocker(Clearance()) is None
    assert clearance_rules.blocker(Clearance((clear, resolved))) is None
    reason = clearance_rules.blocker(Clearance((asked, clear, findings)))
    assert "belum ada jawaban dari KPK" in reason
    assert "temuan APIP instansi belum diselesaikan" in reason
    assert clearance_rules.blocker(Clearance((asked, findings), override_covers=3)) is None
    # A request asked after the override blocks again.
    later = Request(4, "Inspektorat", DAY)
    assert clearance_rules.blocker(Clearance((asked, later), override_covers=3)) is not None
    assert clearance_rules.not_asked(["KPK", "Ombudsman RI"], Clearance((asked,))) == [
        "Ombudsman RI"
    ]


def test_answers_are_checked_before_anything_is_recorded() -> None:
    asked = Request(1, "KPK", DAY)
    found = clearance_rules.answer_problems(
        asked,
        answered_on=date(YEAR, 11, 1),
        result=ClearanceResult.FINDINGS,
        summary=" ",
        has_document=False,
        today=DAY,
    )
    assert len(found) == 3
    assert "sebelum tanggal permintaan" in found[0]
    future = clearance_rules.answer_problems(
        asked,
        answered_on=date(YEAR, 12, 20),
        result=None,
        summary="",
        has_document=False,
        today=DAY,
    )
    assert "sesudah hari ini" in future[0] and "bersih atau ada temuan" in future[1]
    assert clearance_rules.override_problems(Clearance((asked,)), "singkat") == [
        "Alasan paling sedikit 30 karakter."
    ]
    names, problems = clearance_rules.parse_overseers("KPK\n\n  Ombudsman   RI \nKPK\n")
    assert names == ["KPK", "Ombudsman RI"] and problems == []
    assert clearance_rules.overseers_of(None) == clearance_rules.DEFAULT_OVERSEERS


# --- the life cycle through the services -------------------------------------------------------


@pytest.fixture
def proposed(world: World, monkeypatch: pytest.MonkeyPatch):
    """The Polres in field evaluation with its TPN surveys recorded, on the day of the round."""
    e = field_evaluation(world)
    world.tpn_surveys(e)
    monkeypatch.setattr(clock, "today", lambda: DAY)
    return e


def _ask(world: World, e, overseer: str, on: date = DAY) -> ClearanceRequest:
    row = clearance.ask(
        world.session,
        actor=world.actor(world.tpn),
        enrolment=e,
        overseer=overseer,
        asked_on=on,
        note="Surat B/123/XI/2026",
        today=DAY,
    )
    world.session.commit()
    return row


def _answer(world: World, e, row, result: ClearanceResult, summary: str = "") -> None:
    clearance.answer(
        world.session,
        None,
        None,
        actor=world.actor(world.tpn),
        enrolment=e,
        request=row,
        given=clearance.AnswerInput(
            DAY, result, summary, link="https://kpk.example.go.id/surat.pdf"
        ),
        today=DAY,
    )
    world.session.commit()


def test_open_clearance_and_findings_refuse_the_designation_until_resolved(
    world: World, proposed
) -> None:
    e = proposed
    kpk = _ask(world, e, "KPK")
    ombudsman = _ask(world, e, "Ombudsman RI")
    with pytest.raises(ValidationError, match="masih menunggu jawaban"):
        _ask(world, e, "KPK")  # one open request per overseer
    with pytest.raises(ValidationError, match="tidak ada dalam daftar"):
        _ask(world, e, "Polisi Militer")
    with pytest.raises(NotAllowedError):  # only TPN records the round
        clearance.ask(
            world.session,
            actor=world.actor(world.tpi),
            enrolment=e,
            overseer="APIP instansi",
            asked_on=DAY,
            note="",
            today=DAY,
        )
    with pytest.raises(InvalidTransitionError, match="belum ada jawaban dari KPK, Ombudsman RI"):
        world.act(world.tpn, e, Action.DESIGNATE, on=DAY, **DECREE)

    _answer(world, e, ombudsman, ClearanceResult.CLEAR)
    with pytest.raises(ValidationError, match="Ringkasan temuan wajib diisi"):
        _answer(world, e, kpk, ClearanceResult.FINDINGS)
    _answer(world, e, kpk, ClearanceResult.FINDINGS, "Dua pegawai dalam penyelidikan.")
    with pytest.raises(InvalidTransitionError, match="temuan KPK belum diselesaikan"):
        world.act(world.tpn, e, Action.DESIGNATE, on=DAY, **DECREE)
    assert e.stage is Stage.FIELD_EVALUATION

    clearance.resolve(
        world.session,
        actor=world.actor(world.tpn),
        enrolment=e,
        request=kpk,
        resolved_on=DAY,
        note="KPK menyatakan penyelidikan ditutup.",
        today=DAY,
    )
    world.session.commit()
    with pytest.raises(InvalidTransitionError, match="belum diminta kepada APIP instansi"):
        world.act(world.tpn, e, Action.DESIGNATE, on=DAY, **DECREE)  # the round asks all three
    _answer(world, e, _ask(world, e, "APIP instansi"), ClearanceResult.CLEAR)
    world.act(world.tpn, e, Action.DESIGNATE, on=DAY, **DECREE)
    assert e.stage is Stage.DESIGNATED
    tags = world.session.scalars(
        select(AuditEvent.tag).where(AuditEvent.tag.like("accreditation:clearance:%"))
    ).all()
    assert sorted(tags) == sorted(
        ["accreditation:clearance:ask"] * 3
        + ["accreditation:clearance:answer"] * 3
        + ["accreditation:clearance:resolve"]
    )


# --- the card and its forms --------------------------------------------------------------------


def test_the_card_records_the_round_and_refuses_bad_input(client, world: World, proposed) -> None:
    e = proposed
    login_as(client, world.tpn)
    page_url = f"/enrolments/{e.id}"
    card = get_page(client, page_url).one("#clearance")
    assert "Ombudsman RI, KPK, APIP instansi" in card.text
    assert "Belum dimintai klirens: Ombudsman RI, KPK, APIP instansi." in card.text

    # A future date changes nothing and says why.
    bad = post_form(
        client,
        f"{page_url}/clearance",
        {"overseer": "KPK", "asked_on": "2026-12-25", "note": ""},
        page=page_url,
        follow_redirects=True,
    )
    assert "tidak boleh sesudah hari ini" in bad.get_data(as_text=True)
    assert world.session.scalars(select(ClearanceRequest)).all() == []

    post_form(
        client,
        f"{page_url}/clearance",
        {"overseer": "KPK", "asked_on": "2026-12-08"},
        page=page_url,
    )
    row = world.session.scalars(select(ClearanceRequest)).one()
    designate = get_page(client, page_url)
    assert "belum ada jawaban dari KPK" in designate.text
    answered = post_form(
        client,
        f"{page_url}/clearance/{row.id}/answer",
        {
            f"r{row.id}-answered_on": "2026-12-09",
            f"r{row.id}-result": "findings",
            f"r{row.id}-summary": "Laporan gratifikasi sedang ditelaah.",
            f"r{row.id}-link": "https://kpk.example.go.id/jawaban.pdf",
        },
        page=page_url,
    )
    assert answered.status_code == 303
    card = get_page(client, page_url).one("#clearance")
    assert "ada temuan" in card.text and "Laporan gratifikasi sedang ditelaah." in card.text
    assert "temuan KPK belum diselesaikan" in card.text

    short = post_form(
        client,
        f"{page_url}/clearance/override",
        {"reason": "darurat"},
        page=page_url,
        follow_redirects=True,
    )
    assert "Alasan paling sedikit 30 karakter." in short.get_data(as_text=True)
    post_form(client, f"{page_url}/clearance/override", {"reason": REASON}, page=page_url)
    card = get_page(client, page_url).one("#clearance")
    assert "TPN memutuskan tetap menetapkan" in card.text
    assert world.session.scalars(select(ClearanceOverride)).one().reason == REASON
    event = world.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == "accreditation:clearance:override")
    ).one()
    assert event.data["reason"] == REASON and event.data["findings"] == ["KPK"]
    world.act(world.tpn, e, Action.DESIGNATE, on=DAY, **DECREE)
    assert e.stage is Stage.DESIGNATED

    # The unit's leadership sees the round, records nothing.
    login_as(client, world.pimpinan)
    card = get_page(client, page_url).one("#clearance")
    assert "KPK" in card.text and not card.select("form")
    refused = post_form(
        client,
        f"{page_url}/clearance/{row.id}/resolve",
        {f"s{row.id}-resolved_on": "2026-12-01", f"s{row.id}-note": "selesai"},
        page=page_url,
    )
    assert refused.status_code in (303, 403)
    assert world.session.get(ClearanceRequest, row.id).resolved_on is None
