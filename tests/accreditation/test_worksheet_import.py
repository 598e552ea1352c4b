"""The official worksheet on the LKE page (issue 11 §1, issue 13 §1, §5, §13): permission before
the file is read, a preview that saves nothing, the confirmation that saves exactly what was
previewed (answers, notes, evidence links, one audit record), and the export in both layouts.

The workbooks are built by the project's own helpers (``tests.lke.agency``): an agency's
Lampiran III sheet (one Jawaban column, free-form notes and links) and a bare PortalRB
``Jawaban`` sheet, so nothing here needs ``../shared``."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import login_as, post_form
from tests.html import Page, page_of
from tests.lke.agency import AgencySheet, bare_portalrb, portal_cells
from tests.world import World
from tracker.accreditation import assessments, import_rules, worksheet_import
from tracker.accreditation.models import Answer, Assessment, Enrolment
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.workflow import Action, Stage
from tracker.audit.models import AuditEvent
from tracker.auth.roles import Role
from tracker.evidence import services as evidence
from tracker.evidence.models import EvidencePurpose
from tracker.evidence.storage import build_store_from_settings
from tracker.lke import read_worksheet
from tracker.lke.services import framework_of

DRIVE = "https://drive.google.com/file/d/sk-tim-zi/view"
MULTIPART = {"content_type": "multipart/form-data"}


def lke_url(e: Enrolment) -> str:
    return f"/enrolments/{e.id}/lke"


def agency_file(world: World, answers: dict, **extras) -> bytes:
    return AgencySheet(framework_of(world.cycle.framework), answers, **extras).to_bytes()


def upload(client, e: Enrolment, data: bytes, tier: str = "unit", name: str = "LKE Polres.xlsx"):
    return post_form(
        client,
        f"{lke_url(e)}/import",
        {"tier": tier, "file": (io.BytesIO(data), name)},
        page=lke_url(e),
        **MULTIPART,
    )


def confirm(client, e: Enrolment, preview: Page):
    # The same form sits above and below the preview.
    token = preview.select('form[action$="/lke/import/confirm"] input[name=token]')[0].attr("value")
    return post_form(client, f"{lke_url(e)}/import/confirm", {"token": token}, page=lke_url(e))


def stored(world: World, e: Enrolment, tier: str = TierCode.UNIT) -> dict[str, Answer]:
    assessment = assessments.get_assessment(world.session, e.id, tier)
    if assessment is None:
        return {}
    return assessments.answer_rows(world.session, [assessment.id])[assessment.id]


def imports(world: World) -> int:
    return world.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.tag == "accreditation:answers:import")
    )


def links(world: World, e: Enrolment) -> dict[str, list[str]]:
    return worksheet_import.item_links(world.session, e.id)


def staged(app) -> list[str]:
    from tracker.extensions import settings

    with app.app_context():
        store = build_store_from_settings(settings(app), area=worksheet_import.STAGED_AREA)
        return [blob.key for blob in store.iter_blobs()]


@pytest.fixture
def building(world: World) -> Enrolment:
    """The Polres building its LKE, with one answer and one note already stored."""
    e = world.building()
    koordinator = world.actor(world.koordinator)
    world.answer(koordinator, e, "A.I.1.i.a", "Tidak", version=0, note="catatan lama")
    world.answer(koordinator, e, "A.I.1.iii.a", "B", version=0)
    world.session.commit()
    return e


FILE_ANSWERS = {
    "A.I.1.i.a": "Ya",  # changed (was Tidak)
    "A.I.1.i.b": "B",  # new
    "A.II.4.i.a": [4, 3],  # new, a % item with its counts
}


def the_file(world: World) -> bytes:
    # A.I.1.iii.a is blank in the file: kept, never cleared (D13).
    return agency_file(
        world,
        FILE_ANSWERS,
        notes={"A.I.1.i.a": "SK ditandatangani Kapolres", "A.I.1.i.b": "Rapat 3 Januari"},
        links={"A.I.1.i.a": [DRIVE]},
    )


# --- step 1: the preview -----------------------------------------------------------------------


def test_the_preview_shows_what_would_change_and_saves_nothing(
    client, app, world: World, building: Enrolment
) -> None:
    login_as(client, world.koordinator)
    before = {code: (row.value, row.note) for code, row in stored(world, building).items()}
    page = page_of(upload(client, building, the_file(world)))

    facts = page.text_of(".import-facts")
    assert "Lampiran III (LKE ZI)" in facts and "lembar LKE ZI" in facts
    assert "LKE Polres.xlsx" in facts and "Penilaian mandiri unit" in facts
    areas = {row[0].split(".")[0]: row[1:] for row in page.table_rows("table.import-areas")}
    # Area 1: one new (A.I.1.i.b), one changed (A.I.1.i.a), one kept (A.I.1.iii.a blank in
    # the file); area 4: the % item is new.
    assert areas["1"] == ["1", "1", "–", "1"]
    assert areas["4"] == ["1", "–", "–", "–"]
    assert areas["Jumlah"] == ["2", "1", "0", "1"]
    changes = {row[0].split()[0]: row[1:] for row in page.table_rows("table.import-answers")}
    assert changes["A.I.1.i.a"] == ["Tidak", "Ya"]
    assert changes["A.I.1.i.b"] == ["belum dijawab", "B"]
    assert changes["A.II.4.i.a"][1] == (
        "Jumlah Sasaran Kinerja: 4; Jumlah Sasaran Kinerja yang tercapai 100% atau lebih: 3"
    )
    notes = page.table_rows("table.import-notes")
    assert ["A.I.1.i.a", "catatan lama", "SK ditandatangani Kapolres"] in notes
    assert ["A.I.1.i.b", "–", "Rapat 3 Januari"] in notes
    assert page.texts(".import-links a") == [DRIVE]
    # Every issue of the reader, with its row.
    issues = page.table_rows("table.import-issues")
    assert issues and all(len(row) == 2 for row in issues)
    assert page.select("button[type=submit]")[-1].text == "Simpan perubahan"

    # Nothing saved: answers, notes, links, audit; the file waits in its own store.
    after = {code: (row.value, row.note) for code, row in stored(world, building).items()}
    assert after == before
    assert links(world, building) == {} and imports(world) == 0
    assert len(staged(app)) == 1


def test_a_portalrb_sheet_is_named_on_the_preview(client, world: World, building) -> None:
    login_as(client, world.koordinator)
    framework = framework_of(world.cycle.framework)
    data = bare_portalrb(portal_cells(framework, {"A.I.1.i.b": "C"}))
    page = page_of(upload(client, building, data))
    assert "Templat PortalRB (Jawaban)" in page.text_of(".import-facts")
    assert page.table_rows("table.import-areas")[-1] == ["Jumlah", "1", "0", "0", "2"]


def test_a_file_that_is_no_lke_is_refused_with_the_readers_message(
    client, world: World, building
) -> None:
    login_as(client, world.koordinator)
    response = upload(client, building, b"PK\x03\x04 not really a workbook")
    assert response.status_code == 303
    flashes = page_of(client.get(response.headers["Location"])).flashes("error")
    assert flashes == ["Berkas bukan buku kerja Excel (.xlsx) yang dapat dibaca"]


# --- step 2: the confirmation ------------------------------------------------------------------


def test_confirming_saves_answers_notes_and_links_with_one_audit_record(
    client, app, world: World, building: Enrolment
) -> None:
    login_as(client, world.koordinator)
    preview = page_of(upload(client, building, the_file(world)))
    response = confirm(client, building, preview)
    assert response.status_code == 303
    lke = page_of(client.get(response.headers["Location"]))
    assert lke.flashes("success") == [
        "LKE diimpor dari LKE Polres.xlsx: 3 jawaban, 2 catatan dan 1 tautan bukti disimpan."
    ]

    rows = stored(world, building)
    assert {c: r.value for c, r in rows.items() if r.value is not None} == {
        "A.I.1.i.a": "Ya",
        "A.I.1.i.b": "B",
        "A.I.1.iii.a": "B",  # blank in the file: kept (D13)
        "A.II.4.i.a": [4, 3],
    }
    assert rows["A.I.1.i.a"].note == "SK ditandatangani Kapolres"
    assert rows["A.I.1.i.b"].note == "Rapat 3 Januari"
    assert links(world, building) == {"A.I.1.i.a": [DRIVE]}
    (record,) = world.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == "accreditation:answers:import")
    ).all()
    assert record.data["source"] == "LKE Polres.xlsx"
    assert sorted(record.data["changed"]) == ["A.I.1.i.a", "A.I.1.i.b", "A.II.4.i.a"]
    assert record.data["notes"] == ["A.I.1.i.a", "A.I.1.i.b"]
    assert record.data["links"] == ["A.I.1.i.a"]
    assert staged(app) == []  # the staged file is gone once saved

    # Importing the same file again changes nothing and adds no second link.
    again = page_of(upload(client, building, the_file(world)))
    assert again.table_rows("table.import-areas")[-1] == ["Jumlah", "0", "0", "3", "1"]
    assert not again.select('form[action$="/import/confirm"]')
    assert "Berkas ini tidak mengubah apa pun" in again.text_of(".lead")


def test_a_change_to_the_lke_after_the_preview_refuses_the_confirmation(
    client, world: World, building: Enrolment
) -> None:
    login_as(client, world.koordinator)
    preview = page_of(upload(client, building, the_file(world)))
    # Someone saves an answer the preview compared, before the coordinator confirms.
    world.answer(world.actor(world.koordinator), building, "A.I.1.i.b", "A", version=0)
    world.session.commit()
    response = confirm(client, building, preview)
    assert response.status_code == 303
    flashes = page_of(client.get(response.headers["Location"])).flashes("error")
    assert flashes == [
        "LKE berubah sejak pratinjau; unggah ulang berkasnya untuk melihat perubahan terbaru. "
        "Tidak ada yang disimpan."
    ]
    values = {c: r.value for c, r in stored(world, building).items()}
    assert values["A.I.1.i.a"] == "Tidak" and values["A.I.1.i.b"] == "A"
    assert "A.II.4.i.a" not in values
    assert links(world, building) == {} and imports(world) == 0


def test_a_token_from_another_enrolment_or_user_is_refused(
    client, world: World, building: Enrolment, factory
) -> None:
    login_as(client, world.koordinator)
    preview = page_of(upload(client, building, the_file(world)))
    other_coordinator = factory.user((Role.KOORDINATOR, world.polres))
    login_as(client, other_coordinator)
    response = confirm(client, building, preview)
    assert response.status_code == 400
    assert "Pratinjau impor tidak sah" in response.get_data(as_text=True)
    assert imports(world) == 0


def test_an_expired_staged_file_asks_for_a_new_upload(
    client, app, world: World, building: Enrolment
) -> None:
    login_as(client, world.koordinator)
    preview = page_of(upload(client, building, the_file(world)))
    from tracker.extensions import settings

    with app.app_context():
        store = build_store_from_settings(settings(app), area=worksheet_import.STAGED_AREA)
        later = datetime.now(UTC) + worksheet_import.STAGED_TTL + timedelta(minutes=1)
        assert len(worksheet_import.sweep_staged(store, now=later)) == 1
    response = confirm(client, building, preview)
    assert response.status_code == 303
    flashes = page_of(client.get(response.headers["Location"])).flashes("error")
    assert flashes == [
        "Berkas pratinjau sudah tidak tersimpan (kedaluwarsa); unggah ulang berkas LKE."
    ]
    assert imports(world) == 0


# --- permission before the file (issue 13 §1, §5) -----------------------------------------------


@pytest.fixture
def never_read(monkeypatch):
    """Fails the test if the workbook reader is ever called."""
    calls: list[str] = []

    def refuse(*_args, **kwargs):
        calls.append(kwargs.get("column_group", ""))
        raise AssertionError("the workbook was read")

    monkeypatch.setattr(import_rules, "read_worksheet", refuse)
    return calls


@pytest.mark.parametrize("tier", [TierCode.UNIT, TierCode.TPI])
@pytest.mark.parametrize(
    "data",
    [b"not a workbook at all", b"PK\x05\x06" + b"\x00" * 18, b"<html><!--%PDF-1.4-->"],
    ids=["garbage", "empty-zip", "html"],
)
def test_a_read_only_leader_gets_403_and_the_file_is_never_read(
    client, app, world: World, building: Enrolment, never_read, tier: str, data: bytes
) -> None:
    login_as(client, world.pimpinan)
    response = upload(client, building, data, tier=tier)
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "Peran Anda tidak mengisi jawaban tingkat" in body
    assert "buku kerja" not in body  # no parse message: the file was not looked at
    assert never_read == [] and staged(app) == []


def test_an_unknown_tier_is_a_400_with_a_message(
    client, world: World, building: Enrolment, never_read
) -> None:
    login_as(client, world.koordinator)
    response = upload(client, building, the_file(world), tier="zzz")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Tingkat penilaian tidak dikenal. Pilih salah satu tingkat siklus ini:" in body
    assert "Penilaian mandiri unit, Penilaian pendahuluan, TPI, TPN" in body
    assert never_read == []


def test_the_coordinator_cannot_import_into_the_tpi_tier_while_building(
    client, world: World, building: Enrolment, never_read
) -> None:
    login_as(client, world.koordinator)
    response = upload(client, building, the_file(world), tier=TierCode.TPI)
    assert response.status_code == 403
    assert "Peran Anda tidak mengisi jawaban tingkat TPI" in response.get_data(as_text=True)
    assert never_read == []
    tiers_present = world.session.scalars(
        select(Assessment.tier).where(Assessment.enrolment_id == building.id)
    ).all()
    assert tiers_present == [TierCode.UNIT]


def test_an_import_with_nothing_to_write_creates_no_tier(world: World, building) -> None:
    # Issue 13 §5, at the service: no answers, no notes, no links: no TPI LKE, whoever asks.
    changed = assessments.import_answers(
        world.session,
        actor=world.actor(world.koordinator),
        enrolment=building,
        tier=TierCode.TPI,
        raw_answers={"A.I.1.i.a": ""},
        source="kosong.xlsx",
    )
    assert changed == []
    assert assessments.get_assessment(world.session, building.id, TierCode.TPI) is None
    assert imports(world) == 0


def test_the_workbook_is_read_with_no_transaction_open(
    client, world: World, building: Enrolment, monkeypatch
) -> None:
    """On SQLite a POST's transaction holds the write lock: it is ended before the file is
    read, and the saving transaction begins after it (issue 13 §1)."""
    open_while_reading: list[bool] = []
    real = import_rules.read_worksheet

    def watched(*args, **kwargs):
        open_while_reading.append(world.session.in_transaction())
        return real(*args, **kwargs)

    monkeypatch.setattr(import_rules, "read_worksheet", watched)
    login_as(client, world.koordinator)
    preview = page_of(upload(client, building, the_file(world)))
    assert confirm(client, building, preview).status_code == 303
    assert open_while_reading == [False, False]  # preview, then confirmation
    assert stored(world, building)["A.I.1.i.b"].value == "B"


def test_a_working_group_member_imports_only_their_areas(
    client, world: World, building: Enrolment
) -> None:
    login_as(client, world.pokja)  # areas 5 and 6
    data = agency_file(world, {"A.I.1.i.b": "B", "A.II.5.i.a": "A"}, links={"A.I.1.i.b": [DRIVE]})
    preview = page_of(upload(client, building, data))
    blocked = preview.texts(".import-blocked-list li")
    assert [text.split()[0] for text in blocked] == ["A.I.1.i.b"]
    assert "Anda hanya dapat mengisi area yang ditugaskan kepada Anda." in blocked[0]
    response = confirm(client, building, preview)
    lke = page_of(client.get(response.headers["Location"]))
    assert lke.flashes("warning") == ["1 butir di luar hak Anda tidak diubah."]
    values = {c: r.value for c, r in stored(world, building).items()}
    assert values["A.II.5.i.a"] == "A" and "A.I.1.i.b" not in values
    assert links(world, building) == {}


# --- the TPI tier and an agency's single Jawaban column -----------------------------------------


def test_tpi_reads_an_agency_sheets_single_answer_column_as_its_own(
    client, world: World, factory
) -> None:
    coordinator = factory.user((Role.KOORDINATOR, world.polda))
    e = world.building(world.polda)
    world.fill(e, user=coordinator)  # a complete LKE, A.I.1.i.b answered "A"
    world.act(coordinator, e, Action.SUBMIT_TPI)
    assert e.stage is Stage.TPI_EVALUATION
    login_as(client, world.tpi)
    data = agency_file(world, {"A.I.1.i.b": "C"}, links={"A.I.1.i.b": [DRIVE]})
    preview = page_of(upload(client, e, data, tier=TierCode.TPI))
    assert "hanya memiliki satu kolom Jawaban; kolom itu dibaca sebagai jawaban TPI" in (
        preview.text_of(".import-summary")
    )
    # The TPI tier starts from the unit's answers (D8): A.I.1.i.b changes, the rest is kept.
    assert preview.table_rows("table.import-areas")[-1] == ["Jumlah", "0", "1", "0", "112"]
    assert "hanya dicatat saat mengimpor LKE penilaian mandiri unit" in preview.text
    confirm(client, e, preview)
    unit = {c: r.value for c, r in stored(world, e).items()}
    tpi = {c: r.value for c, r in stored(world, e, TierCode.TPI).items()}
    assert tpi == {**unit, "A.I.1.i.b": "C"}
    assert unit["A.I.1.i.b"] == "A"  # the unit's own answer is untouched
    assert links(world, e) == {}


# --- the export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["lampiran3", "portalrb"])
def test_the_export_round_trips_through_the_reader_in_both_layouts(
    client, world: World, building: Enrolment, layout: str
) -> None:
    evidence.add_link(
        world.session,
        user=world.koordinator,
        enrolment=building,
        target=evidence.Target(EvidencePurpose.ITEM, "A.I.1.i.a"),
        url=DRIVE,
        title="SK",
    )
    world.answer(world.actor(world.koordinator), building, "A.II.4.i.a", [4, 3], version=0)
    world.session.commit()
    login_as(client, world.koordinator)
    response = client.get(f"/enrolments/{building.id}/lke.xlsx?tier=unit&layout={layout}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    unit_code = "".join(ch for ch in world.polres.code if ch.isalnum() or ch in "-_")
    assert f"LKE-{unit_code}-2026-unit-{layout}.xlsx" in disposition
    result = read_worksheet(response.data, framework_of(world.cycle.framework))
    assert result.layout.value == layout
    assert result.answers == {"A.I.1.i.a": "Tidak", "A.I.1.iii.a": "B", "A.II.4.i.a": [4, 3]}
    assert result.notes == {"A.I.1.i.a": "catatan lama"}
    assert result.links == {"A.I.1.i.a": [DRIVE]}


def test_an_exported_tpi_lke_comes_back_into_the_tpi_tier(world: World, factory) -> None:
    """Our export writes the downloaded tier's answers in its first column group; for TPI the
    reader's empty TPI group falls back to it, and says so."""
    framework = framework_of(world.cycle.framework)
    from tracker.lke import write_worksheet

    data = write_worksheet(framework, {"A.I.1.i.a": "Tidak"})
    read = import_rules.read_for_tier(data, framework, TierCode.TPI)
    assert read.column is import_rules.AnswerColumn.FIRST
    assert read.result.answers == {"A.I.1.i.a": "Tidak"}
    portal = bare_portalrb({}, tpi=portal_cells(framework, {"A.I.1.i.a": "Ya"}))
    read = import_rules.read_for_tier(portal, framework, TierCode.TPI)
    assert read.column is import_rules.AnswerColumn.OWN
    assert read.result.answers == {"A.I.1.i.a": "Ya"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("layout=xls", "Format LKE tidak dikenal. Pilih lampiran3 (Lampiran III) atau portalrb"),
        ("layout=%22%0d%0aX-Evil:%201", "Format LKE tidak dikenal."),
        ("tier=zzz", "Tingkat penilaian tidak dikenal."),
        ("tier=unit%22%0d%0aX-Evil:%201", "Tingkat penilaian tidak dikenal."),
    ],
)
def test_the_export_parameters_are_validated(
    client, world: World, building: Enrolment, query: str, message: str
) -> None:
    login_as(client, world.koordinator)
    response = client.get(f"/enrolments/{building.id}/lke.xlsx?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "Content-Disposition" not in response.headers
    assert "X-Evil" not in response.headers
