"""Enrolment pages through HTTP: scope, the LKE page, answers, reviews, transitions."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select

from tests.evidence.evidence_samples import pdf_bytes
from tests.helpers import login_as, post_form
from tests.html import get_page, page_of
from tests.world import World
from tracker.accreditation import assessments, cycles, tiers
from tracker.accreditation.models import Answer, DecisionKind, Enrolment, ItemDecision
from tracker.accreditation.workflow import Deadline, Stage
from tracker.audit.models import AuditEvent
from tracker.auth.roles import Role
from tracker.evidence import services as evidence
from tracker.evidence.models import EvidenceFile, EvidencePurpose
from tracker.lke import write_worksheet
from tracker.lke.services import framework_of


def _declaration(**extra) -> dict:
    return {
        "cycle_id": extra.pop("cycle_id"),
        "target": "WBK",
        "decree_number": "KEP/12/I/2026",
        "decree_date": "2026-01-10",
        "declared_on": "2026-01-15",
        "note": "Apel pagi",
        **extra,
    }


def test_leadership_declares_with_the_decree_and_the_pakta(client, world: World) -> None:
    login_as(client, world.pimpinan)
    page = f"/units/{world.polres.id}/zi"
    form = get_page(client, page).one(f'form[action="/units/{world.polres.id}/enrol"]')
    assert form.text_of("button[type=submit]") == "Catat pencanangan"
    response = post_form(
        client,
        f"/units/{world.polres.id}/enrol",
        _declaration(
            cycle_id=world.cycle.id,
            decree=(io.BytesIO(pdf_bytes("sk")), "sk-penetapan.pdf"),
            pakta=(io.BytesIO(pdf_bytes("pakta")), "pakta.pdf"),
        ),
        page=page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    enrolment = world.session.scalars(select(Enrolment)).one()
    assert enrolment.declared_on == date(2026, 1, 15) and enrolment.stage is Stage.DECLARED
    assert enrolment.created_by_id == world.pimpinan.id
    files = world.session.scalars(
        select(EvidenceFile).where(EvidenceFile.purpose == EvidencePurpose.PAKTA)
    ).all()
    by_key = {f.document_key: f for f in files}
    assert set(by_key) == {"sk-penetapan-unit", "pakta-integritas"}
    assert by_key["pakta-integritas"].original_name == "pakta.pdf"
    decree = by_key["sk-penetapan-unit"]
    assert decree.original_name == "sk-penetapan.pdf"
    assert decree.description == "Nomor KEP/12/I/2026 tanggal 2026-01-10"
    assert (enrolment.unit_decree_number, enrolment.unit_decree_date) == (
        "KEP/12/I/2026",
        date(2026, 1, 10),
    )
    shown = get_page(client, f"/enrolments/{enrolment.id}")
    assert shown.one(f'a[href="/evidence/{decree.public_id}"]').text == "SK penetapan unit kerja"
    assert "Nomor KEP/12/I/2026, 10 Januari 2026" in shown.one(".timeline li").text
    pakta = by_key["pakta-integritas"]
    assert shown.one(f'a[href="/evidence/{pakta.public_id}"]').text == "Pakta Integritas"
    (event,) = world.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == "accreditation:enrolment:declare")
    ).all()
    assert event.data["decree_number"] == "KEP/12/I/2026"
    assert event.data["decree_date"] == "2026-01-10"
    assert event.data["on_behalf_of_leadership"] is False


def test_the_administrator_declares_on_the_leaderships_behalf(client, world: World) -> None:
    login_as(client, world.admin)
    page = f"/units/{world.polres.id}/zi"
    assert "atas nama pimpinan" in get_page(client, page).text_of(".declare-on-behalf")
    response = post_form(
        client,
        f"/units/{world.polres.id}/enrol",
        _declaration(
            cycle_id=world.cycle.id,
            decree_link="https://polres.example.go.id/sk-penetapan",
            pakta_link="https://polres.example.go.id/pakta",
        ),
        page=page,
    )
    assert response.status_code == 303
    (event,) = world.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == "accreditation:enrolment:declare")
    ).all()
    assert event.data["on_behalf_of_leadership"] is True


def test_a_coordinator_sees_the_declaration_waits_for_the_leadership(client, world: World) -> None:
    login_as(client, world.koordinator)
    page = get_page(client, f"/units/{world.polres.id}/zi")
    assert not page.select(f'form[action="/units/{world.polres.id}/enrol"]')
    waiting = page.text_of(".declare-waiting")
    assert "menunggu pimpinan instansi" in waiting
    assert world.pimpinan.full_name in waiting and world.pimpinan.username in waiting
    response = post_form(
        client,
        f"/units/{world.polres.id}/enrol",
        _declaration(cycle_id=world.cycle.id, pakta_link="https://polres.example.go.id/pakta"),
    )
    assert response.status_code == 403
    assert world.session.scalars(select(Enrolment)).first() is None


def test_declaration_without_the_pakta_is_refused(client, world: World) -> None:
    login_as(client, world.pimpinan)
    page = f"/units/{world.polres.id}/zi"
    response = post_form(
        client,
        f"/units/{world.polres.id}/enrol",
        _declaration(
            cycle_id=world.cycle.id, decree=(io.BytesIO(pdf_bytes("sk")), "sk-penetapan.pdf")
        ),
        page=page,
        content_type="multipart/form-data",
        headers={"Referer": f"http://localhost{page}"},
    )
    assert response.status_code == 303
    (error,) = get_page(client, page).flashes("error")
    assert error.startswith("Lampirkan Pakta Integritas")
    assert world.session.scalars(select(Enrolment)).first() is None
    assert world.session.scalars(select(EvidenceFile)).first() is None


def test_a_decree_dated_after_today_is_refused(client, world: World) -> None:
    login_as(client, world.pimpinan)
    page = f"/units/{world.polres.id}/zi"
    response = post_form(
        client,
        f"/units/{world.polres.id}/enrol",
        _declaration(
            cycle_id=world.cycle.id,
            decree_date="2026-03-02",  # the world's today is 1 March 2026
            decree_link="https://polres.example.go.id/sk-penetapan",
            pakta_link="https://polres.example.go.id/pakta",
        ),
        page=page,
        headers={"Referer": f"http://localhost{page}"},
    )
    # Refused at the field (issue 15 §3); enrolment.declare refuses it too.
    assert response.status_code == 422
    assert "Tanggal SK penetapan tidak boleh sesudah hari ini (1 Maret 2026)." in (
        response.get_data(as_text=True)
    )
    assert world.session.scalars(select(Enrolment)).first() is None


def test_lke_page_answers_the_coordinators_questions(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    page = get_page(client, f"/enrolments/{e.id}/lke?area=1")
    area_1 = [i.code for i in assessments.framework_for(e).items() if tiers.area_of(i.code) == "1"]
    assert len(area_1) == 16
    # One area at a time: exactly the items of area 1, in the framework's order.
    assert [item.attr("id") for item in page.select("article.item")] == [
        f"item-{code}" for code in area_1
    ]
    assert page.text_of("nav.area-tabs a[aria-current=page] .area-name") == "1 Manajemen Perubahan"
    # What blocks the next stage: every one of the 113 items is still unanswered.
    assert "Masih ada 113 butir LKE yang belum dijawab." in page.texts(".blockers li")


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
    (error,) = get_page(client, page).flashes("error")
    assert error.startswith("Butir A.I.1.i.b baru saja diubah oleh pengguna lain.")
    world.session.expire_all()
    row = world.session.scalars(select(Answer).where(Answer.item_code == "A.I.1.i.b")).one()
    assert (row.value, row.note, row.version) == ("B", "SK tanpa seleksi", 1)


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
    assert get_page(client, page).flashes("error") == [
        "Butir A.II.4.i.a: Jumlah Sasaran Kinerja yang tercapai 100% atau lebih harus bilangan "
        "bulat tidak negatif, bukan -2"
    ]
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
    assert world.session.scalars(select(Answer)).first() is None  # the refused post saved nothing


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
    row = world.session.scalars(select(Answer)).one()
    assert (row.item_code, row.value, row.updated_by_id) == ("A.I.5.i.a", "A", world.pokja.id)


def test_reviewer_sends_back_and_coordinator_sees_why(client, world: World) -> None:
    e = world.submitted()
    login_as(client, world.penilai)
    page = f"/enrolments/{e.id}/lke"
    decide = get_page(client, page).one(
        f'form[action="/enrolments/{e.id}/items/A.I.1.i.a/decision"]'
    )
    assert decide.text_of("button") == "Simpan keputusan"
    response = post_form(
        client,
        f"/enrolments/{e.id}/items/A.I.1.i.a/decision",
        {"kind": "revision", "comment": "SK belum bertanda tangan", "seq": 0},
        page=page,
    )
    assert response.status_code == 303
    login_as(client, world.koordinator)
    item = get_page(client, f"/enrolments/{e.id}/lke?area=1").one('article[id="item-A.I.1.i.a"]')
    assert "item-sent-back" in item.classes
    assert item.text_of(".flash-error").startswith(
        "Dikembalikan oleh penilai: SK belum bertanda tangan —"
    )
    resubmit = item.one(f'form[action="/enrolments/{e.id}/items/A.I.1.i.a/resubmit"]')
    assert resubmit.text_of("button") == "Kirim ulang ke penilai"
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


def test_two_reviewers_deciding_at_once_through_the_page(
    app, client, world: World, factory
) -> None:
    """Two assessors of the parent unit open the same item, each in their own browser; the
    second to save is told the first decided meanwhile, and the first decision stands."""
    e = world.submitted()
    second_reviewer = factory.user((Role.PENILAI_PENDAHULUAN, world.polda))
    other_client = app.test_client()
    login_as(client, world.penilai)
    login_as(other_client, second_reviewer)
    page = f"/enrolments/{e.id}/lke?area=2"
    action = f"/enrolments/{e.id}/items/A.I.2.i.a/decision"
    seq_field = f'form[action="{action}"] input[name=seq]'
    seen = [get_page(c, page).one(seq_field).attr("value") for c in (client, other_client)]
    assert seen == ["0", "0"]  # both forms loaded before anyone decided

    first = post_form(client, action, {"kind": "approved", "seq": seen[0]}, page=page)
    assert first.status_code == 303
    second = post_form(
        other_client,
        action,
        {"kind": "revision", "comment": "beda pendapat", "seq": seen[1]},
        page=page,
        headers={"Referer": f"http://localhost{page}"},
    )
    assert second.status_code == 303
    reloaded = get_page(other_client, page)
    (error,) = reloaded.flashes("error")
    assert "baru saja diputuskan" in error
    assert reloaded.one(seq_field).attr("value") == "1"  # a retry now builds on the first
    history = world.session.scalars(
        select(ItemDecision).where(ItemDecision.item_code == "A.I.2.i.a")
    ).all()
    assert [(d.kind, d.actor_id, d.seq) for d in history] == [
        (DecisionKind.APPROVED, world.penilai.id, 1)
    ]


def test_transitions_through_the_page(client, world: World) -> None:
    e = world.enrol()
    login_as(client, world.koordinator)
    page = f"/enrolments/{e.id}"
    (form,) = get_page(client, page).select("form.action-form")
    assert form.one("input[name=action]").attr("value") == "start_building"
    assert form.text_of("button[type=submit]") == "Mulai pembangunan"
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
    (error,) = get_page(client, page).flashes("error")
    assert "baru saja diubah" in error
    world.session.expire_all()
    assert world.session.get(Enrolment, e.id).stage is Stage.BUILDING  # not moved again


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
    page = get_page(client, f"/enrolments/{e.id}/compare?area=1")
    scores, items = page.select("table.compare")
    assert scores.texts("thead th") == [
        "Area",
        "Penilaian mandiri unit",
        "Penilaian pendahuluan",
        "Selisih",
    ]
    rows = {row[0]: row[1:] for row in (r.texts("td") for r in scores.select("tbody tr"))}
    # Sub-area A.I.1.i (0.50) lost half: one of its two items went from A to C.
    assert rows["1. Manajemen Perubahan"] == ["8,00", "7,75", "-0,25"]
    assert rows["Nilai total"] == ["100,00", "99,75", "-0,25"]
    assert rows["2. Penataan Tatalaksana"] == ["7,00", "7,00", "0,00"]
    # Exactly one answer differs between the tiers, and it carries the assessor's note.
    (differs,) = items.select("td.differs")
    assert differs.text == "C(0 %) Tim tidak diseleksi"  # the answer, its value, the note
    assert items.select('tbody tr a[href$="#item-A.I.1.i.b"]')


def test_audit_trail_is_for_admins_and_reviewers(client, world: World) -> None:
    e = world.building()
    login_as(client, world.tpi)
    changes = [row[3] for row in get_page(client, f"/enrolments/{e.id}/audit").table_rows()]
    # Newest first: the start of building, then the declaration.
    assert changes[:2] == [
        "Mulai pembangunan: Pencanangan → Pembangunan",
        f"Pencanangan ZI siklus {world.cycle.year}, target Menuju WBK",
    ]
    login_as(client, world.koordinator)
    assert client.get(f"/enrolments/{e.id}/audit").status_code == 403


def test_dashboard_shows_only_the_leaders_agency(client, world: World, factory) -> None:
    world.enrol()
    other = factory.unit(factory.agency("Badan Lain"), "Kantor Lain")
    world.enrol(other)
    login_as(client, world.pimpinan)
    page = get_page(client, f"/dashboard?cycle={world.cycle.id}")
    assert [row[0] for row in page.table_rows("table.card-table")] == ["Polres Uji"]
    login_as(client, world.tpn)
    page = get_page(client, f"/dashboard?cycle={world.cycle.id}&stage=declared&q=kantor")
    assert [row[0] for row in page.table_rows("table.card-table")] == ["Kantor Lain"]
    login_as(client, world.koordinator)
    assert client.get("/dashboard").status_code == 403


def test_review_queue_for_the_parent_assessor(client, world: World) -> None:
    world.submitted()
    login_as(client, world.penilai)
    ((unit, _agency, stage, _since, undecided, revised),) = get_page(
        client, "/review/queue"
    ).table_rows()
    assert unit == f"Polres Uji {world.cycle.year} · WBK"
    # The stage with its deadline and days left (issue 15 §3).
    assert stage == "Penilaian pendahuluan Akhir evaluasi TPI: 20 Mei 2026 80 hari lagi"
    assert (undecided, revised) == ("113", "0")  # no item decided yet, none revised


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
    # The upload shows a preview and saves nothing; "Simpan perubahan" saves it (more in
    # test_worksheet_import).
    assert response.status_code == 200
    assert world.session.scalars(select(Answer)).first() is None
    token = page_of(response).select("input[name=token]")[0].attr("value")
    response = post_form(
        client,
        f"/enrolments/{e.id}/lke/import/confirm",
        {"token": token},
        page=f"/enrolments/{e.id}/lke",
    )
    assert response.status_code == 303
    values = dict(world.session.execute(select(Answer.item_code, Answer.value)).all())
    assert values == {"A.I.1.i.a": "Ya", "A.II.4.i.a": [4, 4]}
    exported = client.get(f"/enrolments/{e.id}/lke.xlsx")
    assert exported.status_code == 200 and exported.data[:2] == b"PK"
    assert "attachment" in exported.headers["Content-Disposition"]


def test_cycle_admin_pages(client, world: World) -> None:
    login_as(client, world.admin)
    cycles_page = get_page(client, "/cycles")
    create = cycles_page.one('form[action="/cycles"][method=post]')
    assert create.text_of("button[type=submit]") == "Buka siklus"
    assert [row[0] for row in cycles_page.table_rows("table")] == [str(world.cycle.year)]
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
    assert cycles.effective_deadlines(world.session, world.cycle, None)[Deadline.PROPOSAL] == date(
        2026, 6, 30
    )
    cycle_page = get_page(client, page)
    assert cycle_page.flashes("success") == ["Batas waktu diperpanjang."]
    assert [
        "Batas pengusulan ke TPN",
        "semua",
        "31 Mei 2026",
        "30 Juni 2026",
        "Surat edaran KemenPANRB",
    ] in [row.texts("td") for row in cycle_page.select("table tbody tr")]
    login_as(client, world.tpi)
    assert client.get("/cycles").status_code == 403


def test_prerequisites_page_records_with_evidence(client, world: World) -> None:
    e = world.enrol()
    login_as(client, world.pimpinan)
    page = f"/enrolments/{e.id}/prerequisites"
    unmet = get_page(client, page).texts(".blockers li")
    assert len(unmet) == 10 and all(line.endswith(" belum dicatat") for line in unmet)
    assert unmet[0] == "Opini BPK atas laporan keuangan instansi belum dicatat"
    response = post_form(
        client,
        page,
        {"code": "agency.bpk_opinion", "value": "wdp", "link": "https://bpk.example.go.id/lhp"},
        page=page,
    )
    assert response.status_code == 303
    recorded = get_page(client, page)
    unmet = recorded.texts(".blockers li")
    assert unmet[0] == "Opini BPK atas laporan keuangan instansi: WDP, minimal WTP"
    assert len(unmet) == 10  # recorded, with evidence, but below the minimum
    bpk = recorded.table_rows("table.card-table")[0]
    assert bpk[:5] == [
        "Opini BPK atas laporan keuangan instansi",
        "instansi",
        "WTP",
        "WDP",
        "belum",
    ]
    login_as(client, world.koordinator)
    forms = get_page(client, page).select("form.prereq-form")
    codes = [form.one("input[name=code]").attr("value") for form in forms]
    assert len(codes) == 6 and all(code.startswith("unit.") for code in codes)  # unit level only


def test_the_to_do_filter_shows_only_items_needing_action(client, world: World) -> None:
    e = world.building()
    world.fill(e)
    framework = assessments.framework_for(e)
    (required,) = [d for d in framework.item("A.I.1.i.a").documents if d.required]
    evidence.add_link(
        world.session,
        user=world.koordinator,
        enrolment=e,
        target=evidence.Target(EvidencePurpose.ITEM, "A.I.1.i.a", required.key),
        url="https://polres.example.go.id/sk-tim",
        title="SK Tim",
    )
    world.session.commit()
    login_as(client, world.koordinator)
    items = get_page(client, f"/enrolments/{e.id}/lke?area=1&todo=1").select("article.item")
    # Every item is answered; A.I.1.i.a has its document, so it drops out of the to-do list;
    # each one still listed misses its required document, and has no evidence at all (D16).
    area_1 = [i.code for i in framework.items() if tiers.area_of(i.code) == "1"]
    assert [item.attr("id") for item in items] == [
        f"item-{code}" for code in area_1 if code != "A.I.1.i.a"
    ]
    for item in items:
        assert item.texts(".item-badges .badge") == ["100,00 %", "tanpa bukti"]


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
    page = get_page(client, f"/enrolments/{e.id}")
    (due,) = [p for p in page.select("p") if p.text.startswith("Laporan pemantauan berikutnya")]
    # Designated 10 December 2020, no report since: due two years later, and overdue now.
    assert due.text == "Laporan pemantauan berikutnya paling lambat 10 Desember 2022 — terlambat"
    assert {"bad-text", "strong"} <= due.classes
