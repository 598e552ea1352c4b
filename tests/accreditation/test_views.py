"""Enrolment pages through HTTP: scope, the LKE page, answers, reviews, transitions."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select

from tests.evidence.evidence_samples import pdf_bytes
from tests.helpers import login_as, post_form
from tests.world import World
from tracker.accreditation.models import Answer, Enrolment, ItemDecision
from tracker.accreditation.workflow import Stage
from tracker.auth.roles import Role
from tracker.lke import write_worksheet
from tracker.lke.services import framework_of


def test_coordinator_declares_with_the_pakta_integritas(client, world: World) -> None:
    login_as(client, world.koordinator)
    page = f"/units/{world.polres.id}/zi"
    assert "Catat pencanangan" in client.get(page).get_data(as_text=True)
    response = post_form(
        client,
        f"/units/{world.polres.id}/enrol",
        {
            "cycle_id": world.cycle.id,
            "target": "WBK",
            "declared_on": "2026-01-15",
            "note": "Apel pagi",
            "pakta": (io.BytesIO(pdf_bytes("pakta")), "pakta.pdf"),
        },
        page=page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    enrolment = world.session.scalars(select(Enrolment)).one()
    assert enrolment.declared_on == date(2026, 1, 15) and enrolment.stage is Stage.DECLARED
    assert "Pakta Integritas" in client.get(f"/enrolments/{enrolment.id}").get_data(as_text=True)


def test_declaration_without_the_pakta_is_refused(client, world: World) -> None:
    login_as(client, world.koordinator)
    page = f"/units/{world.polres.id}/zi"
    response = post_form(
        client,
        f"/units/{world.polres.id}/enrol",
        {"cycle_id": world.cycle.id, "target": "WBK", "declared_on": "2026-01-15"},
        page=page,
        headers={"Referer": f"http://localhost{page}"},
    )
    assert response.status_code == 303
    assert "Lampirkan Pakta Integritas" in client.get(page).get_data(as_text=True)
    assert world.session.scalars(select(Enrolment)).first() is None


def test_lke_page_answers_the_coordinators_questions(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    html = client.get(f"/enrolments/{e.id}/lke?area=1").get_data(as_text=True)
    assert "A.I.1.i.a" in html and "Manajemen Perubahan" in html
    assert "113 butir LKE yang belum dijawab" in html  # what blocks the next stage
    assert "A.I.2.i.a" not in html  # one area at a time


def test_saving_an_answer_and_a_stale_form(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    url = f"/enrolments/{e.id}/lke/unit/A.I.1.i.b"
    page = f"/enrolments/{e.id}/lke"
    response = post_form(
        client, url, {"value": "B", "note": "SK tanpa seleksi", "version": 0}, page=page
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("#item-A.I.1.i.b")
    row = world.session.scalars(select(Answer).where(Answer.item_code == "A.I.1.i.b")).one()
    assert (row.value, row.note, row.version) == ("B", "SK tanpa seleksi", 1)
    response = post_form(
        client,
        url,
        {"value": "A", "version": 0},
        page=page,
        headers={"Referer": f"http://localhost{page}"},
    )
    assert response.status_code == 303
    assert "baru saja diubah oleh pengguna lain" in client.get(page).get_data(as_text=True)
    world.session.expire_all()
    assert (
        world.session.scalars(select(Answer).where(Answer.item_code == "A.I.1.i.b")).one().value
        == "B"
    )


def test_percent_and_survey_items_are_posted_as_their_inputs(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    page = f"/enrolments/{e.id}/lke"
    post_form(
        client,
        f"/enrolments/{e.id}/lke/unit/A.II.4.i.a",
        {"count_0": "5", "count_1": "3", "version": 0},
        page=page,
    )
    post_form(
        client,
        f"/enrolments/{e.id}/lke/unit/B.I.a",
        {"index": "3,61", "prov_source": "BPS", "version": 0},
        page=page,
    )
    values = dict(world.session.execute(select(Answer.item_code, Answer.value)).all())
    assert values["A.II.4.i.a"] == [5, 3]
    assert values["B.I.a"] == {"index": "3.61", "source": "BPS"}


def test_a_bad_answer_gets_a_message_and_changes_nothing(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    page = f"/enrolments/{e.id}/lke"
    response = post_form(
        client,
        f"/enrolments/{e.id}/lke/unit/A.II.4.i.a",
        {"count_0": "5", "count_1": "-2", "version": 0},
        page=page,
        headers={"Referer": f"http://localhost{page}"},
    )
    assert response.status_code == 303
    assert "A.II.4.i.a" in client.get(page).get_data(as_text=True)
    assert world.session.scalars(select(Answer)).first() is None


def test_other_units_and_agencies_see_nothing(client, world: World, factory) -> None:
    e = world.building()
    sibling_coordinator = factory.user((Role.KOORDINATOR, world.sibling))
    other_tpi = factory.user((Role.TPI, factory.agency()))
    for user in (sibling_coordinator, other_tpi):
        login_as(client, user)
        for url in (
            f"/enrolments/{e.id}",
            f"/enrolments/{e.id}/lke",
            f"/enrolments/{e.id}/compare",
            f"/enrolments/{e.id}/lke.xlsx",
            f"/units/{world.polres.id}/zi",
        ):
            assert client.get(url).status_code == 404, url
        assert (
            post_form(
                client, f"/enrolments/{e.id}/lke/unit/A.I.1.i.a", {"value": "Ya", "version": 0}
            ).status_code
            == 404
        )


def test_working_group_member_cannot_edit_other_areas(client, world: World) -> None:
    e = world.building()
    login_as(client, world.pokja)
    response = post_form(
        client,
        f"/enrolments/{e.id}/lke/unit/A.I.1.i.a",
        {"value": "Ya", "version": 0},
        page=f"/enrolments/{e.id}/lke",
    )
    assert response.status_code == 403
    assert world.session.scalars(select(Answer)).first() is None
    response = post_form(
        client,
        f"/enrolments/{e.id}/lke/unit/A.I.5.i.a",
        {"value": "A", "version": 0},
        page=f"/enrolments/{e.id}/lke",
    )
    assert response.status_code == 303


def test_reviewer_sends_back_and_coordinator_sees_why(client, world: World) -> None:
    e = world.submitted()
    login_as(client, world.penilai)
    page = f"/enrolments/{e.id}/lke"
    assert "Simpan keputusan" in client.get(page).get_data(as_text=True)
    response = post_form(
        client,
        f"/enrolments/{e.id}/items/A.I.1.i.a/decision",
        {"kind": "revision", "comment": "SK belum bertanda tangan", "seq": 0},
        page=page,
    )
    assert response.status_code == 303
    login_as(client, world.koordinator)
    html = client.get(f"/enrolments/{e.id}/lke?area=1").get_data(as_text=True)
    assert "SK belum bertanda tangan" in html and "Kirim ulang ke penilai" in html
    response = post_form(
        client,
        f"/enrolments/{e.id}/items/A.I.1.i.a/resubmit",
        {"comment": "SK baru", "seq": 1},
        page=page,
    )
    assert response.status_code == 303
    kinds = [
        d.kind.value for d in world.session.scalars(select(ItemDecision).order_by(ItemDecision.seq))
    ]
    assert kinds == ["revision", "revised"]


def test_transitions_through_the_page(client, world: World) -> None:
    e = world.enrol()
    login_as(client, world.koordinator)
    page = f"/enrolments/{e.id}"
    assert "Mulai pembangunan" in client.get(page).get_data(as_text=True)
    response = post_form(
        client,
        f"/enrolments/{e.id}/advance",
        {"action": "start_building", "version": e.version},
        page=page,
    )
    assert response.status_code == 303
    world.session.expire_all()
    assert world.session.get(Enrolment, e.id).stage is Stage.BUILDING
    # A stale page (old version) cannot move it again.
    response = post_form(
        client,
        f"/enrolments/{e.id}/advance",
        {"action": "submit_preliminary", "version": 1},
        page=page,
        headers={"Referer": f"http://localhost{page}"},
    )
    assert response.status_code == 303
    assert "baru saja diubah" in client.get(page).get_data(as_text=True)


def test_compare_shows_every_tier_and_the_difference(client, world: World) -> None:
    e = world.submitted()

    world.answer(
        world.actor(world.penilai),
        e,
        "A.I.1.i.b",
        "C",
        version=1,
        tier="preliminary",
        note="Tim tidak diseleksi",
    )
    world.session.commit()
    login_as(client, world.koordinator)
    html = client.get(f"/enrolments/{e.id}/compare?area=1").get_data(as_text=True)
    assert "Penilaian pendahuluan" in html and "Tim tidak diseleksi" in html and "differs" in html
    assert "-0,25" in html  # sub-area A.I.1.i (0.50) lost half: one of its two items A -> C


def test_audit_trail_is_for_admins_and_reviewers(client, world: World) -> None:
    e = world.building()
    login_as(client, world.tpi)
    html = client.get(f"/enrolments/{e.id}/audit").get_data(as_text=True)
    assert "Mulai pembangunan" in html and "Pencanangan ZI siklus" in html
    login_as(client, world.koordinator)
    assert client.get(f"/enrolments/{e.id}/audit").status_code == 403


def test_dashboard_shows_only_the_leaders_agency(client, world: World, factory) -> None:
    world.enrol()
    other = factory.unit(factory.agency("Badan Lain"), "Kantor Lain")
    world.enrol(other)
    login_as(client, world.pimpinan)
    html = client.get(f"/dashboard?cycle={world.cycle.id}").get_data(as_text=True)
    assert "Polres Uji" in html and "Kantor Lain" not in html
    login_as(client, world.tpn)
    html = client.get(f"/dashboard?cycle={world.cycle.id}&stage=declared&q=kantor").get_data(
        as_text=True
    )
    assert "Kantor Lain" in html and "Polres Uji" not in html
    login_as(client, world.koordinator)
    assert client.get("/dashboard").status_code == 403


def test_review_queue_for_the_parent_assessor(client, world: World) -> None:
    world.submitted()
    login_as(client, world.penilai)
    html = client.get("/review/queue").get_data(as_text=True)
    assert "Polres Uji" in html and "113" in html


def test_worksheet_round_trip_through_the_page(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    framework = framework_of(world.cycle.framework)
    data = write_worksheet(framework, {"A.I.1.i.a": "Ya", "A.II.4.i.a": [4, 4]})
    response = post_form(
        client,
        f"/enrolments/{e.id}/lke/import",
        {"tier": "unit", "file": (io.BytesIO(data), "lke.xlsx")},
        page=f"/enrolments/{e.id}/lke",
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    values = dict(world.session.execute(select(Answer.item_code, Answer.value)).all())
    assert values == {"A.I.1.i.a": "Ya", "A.II.4.i.a": [4, 4]}
    exported = client.get(f"/enrolments/{e.id}/lke.xlsx")
    assert exported.status_code == 200 and exported.data[:2] == b"PK"
    assert "attachment" in exported.headers["Content-Disposition"]


def test_cycle_admin_pages(client, world: World) -> None:
    login_as(client, world.admin)
    assert "Buka siklus baru" in client.get("/cycles").get_data(as_text=True)
    page = f"/cycles/{world.cycle.id}"
    response = post_form(
        client,
        f"/cycles/{world.cycle.id}/extensions",
        {
            "deadline": "proposal_deadline",
            "agency_id": 0,
            "new_date": "2026-06-30",
            "reason": "Surat edaran KemenPANRB",
        },
        page=page,
    )
    assert response.status_code == 303
    assert "Surat edaran KemenPANRB" in client.get(page).get_data(as_text=True)
    login_as(client, world.tpi)
    assert client.get("/cycles").status_code == 403


def test_prerequisites_page_records_with_evidence(client, world: World) -> None:
    e = world.enrol()
    login_as(client, world.pimpinan)
    page = f"/enrolments/{e.id}/prerequisites"
    html = client.get(page).get_data(as_text=True)
    assert "Opini BPK" in html and "belum dicatat" in html
    response = post_form(
        client,
        page,
        {"code": "agency.bpk_opinion", "value": "wdp", "link": "https://bpk.example.go.id/lhp"},
        page=page,
    )
    assert response.status_code == 303
    html = client.get(page).get_data(as_text=True)
    assert "Opini BPK atas laporan keuangan instansi: WDP, minimal WTP" in html
    login_as(client, world.koordinator)
    html = client.get(page).get_data(as_text=True)
    assert html.count('class="prereq-form"') == 6  # the unit-level ones only


def test_the_to_do_filter_shows_only_items_needing_action(client, world: World) -> None:
    e = world.building()
    world.fill(e)
    login_as(client, world.koordinator)
    html = client.get(f"/enrolments/{e.id}/lke?area=1&todo=1").get_data(as_text=True)
    # Every item is answered; the ones still listed miss a required document.
    assert "belum dijawab" not in html and "dok" in html


def test_designated_units_show_when_monitoring_is_due(client, world: World) -> None:
    from tracker.accreditation.models import Designation, Predicate

    e = world.enrol()
    world.session.add(
        Designation(
            enrolment_id=e.id,
            unit_id=world.polres.id,
            agency_id=world.agency.id,
            predicate=Predicate.WBK,
            year=2020,
            decree_number="1/2020",
            decree_date=date(2020, 12, 10),
            snapshot_sha256="b" * 64,
        )
    )
    world.session.commit()
    login_as(client, world.koordinator)
    html = client.get(f"/enrolments/{e.id}").get_data(as_text=True)
    assert "10 Desember 2022" in html and "terlambat" in html
