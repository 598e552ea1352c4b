"""D15: designations made before the tracker (CSV import, the admin page), what they count for
(eligibility), and revocation with the Minister's decree (the bar, the registry, verification).
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.accreditation.test_services import record_prerequisites, to_tpi_recommended
from tests.evidence.evidence_samples import pdf_bytes
from tests.helpers import login_as, post_form
from tests.html import Page, get_page
from tests.world import TODAY, YEAR, World
from tracker import clock
from tracker.accreditation import designations, history, standing, transitions
from tracker.accreditation.models import Designation, DesignationOrigin, Predicate
from tracker.accreditation.workflow import Action, Stage, barred_until
from tracker.audit.models import AuditEvent
from tracker.auth.roles import Role
from tracker.certificates import services as certificates
from tracker.errors import InvalidTransitionError, ValidationError

HEADER = "instansi,unit,predikat,tahun,nomor_keputusan,tanggal_keputusan"
PROPOSAL_DAY = date(YEAR, 5, 20)


def csv_of(world: World, *lines: str, sep: str = ",") -> bytes:
    header = HEADER.replace(",", sep)
    return ("\n".join([header, *lines]) + "\n").encode()


def good_file(world: World) -> bytes:
    short = world.agency.short_name
    return csv_of(
        world,
        "Kepolisian Uji,Polres Uji,WBK,2019,1245 Tahun 2019,2019-12-10",
        # A decree number with a comma, quoted as spreadsheets write it; the unit by its code.
        f'{short},{world.sibling.code},Menuju WBK,2020,"KEP/10, 2020",2020-12-21',
    )


def count(world: World, model=Designation) -> int:
    return world.session.scalar(select(func.count()).select_from(model)) or 0


def import_bytes(world: World, data: bytes, actor=None) -> history.ImportResult:
    result = history.import_rows(world.session, history.parse_csv(data), user=actor)
    world.session.commit()
    return result


def recorded_wbk(world: World, unit=None, year: int = 2019, predicate=Predicate.WBK):
    past, problems = standing.check_past(
        predicate=predicate.value,
        year=str(year),
        decree_number=f"{100 + year}/{predicate.value}/{year}",
        decree_date=f"{year}-12-10",
        today=date.today(),
    )
    assert past is not None, problems
    designation, created = history.record(
        world.session, user=world.admin, unit=unit or world.polres, past=past
    )
    world.session.commit()
    assert created
    return designation


# --- the CSV import --------------------------------------------------------------------------


def test_a_good_file_records_every_row_as_recorded(world: World) -> None:
    result = import_bytes(world, good_file(world))
    assert len(result.recorded) == 2 and result.unchanged == []
    rows = world.session.scalars(select(Designation).order_by(Designation.year)).all()
    assert [(d.unit_id, d.predicate, d.year, d.decree_number, d.decree_date) for d in rows] == [
        (world.polres.id, Predicate.WBK, 2019, "1245 Tahun 2019", date(2019, 12, 10)),
        (world.sibling.id, Predicate.WBK, 2020, "KEP/10, 2020", date(2020, 12, 21)),
    ]
    for row in rows:
        assert row.origin is DesignationOrigin.RECORDED and row.recorded
        assert row.enrolment_id is None and row.snapshot_id is None and row.active
        assert len(row.snapshot_sha256) == 64
    # Not issued by the tracker: the designated hook was not fired, no certificate exists.
    from tracker.certificates.models import Certificate

    assert count(world, Certificate) == 0
    tags = world.session.scalars(
        select(AuditEvent.tag).where(AuditEvent.tag == "accreditation:designation:record")
    ).all()
    assert len(tags) == 2


def test_importing_the_same_file_again_changes_nothing(world: World) -> None:
    import_bytes(world, good_file(world))
    events = count(world, AuditEvent)
    again = import_bytes(world, good_file(world))
    assert again.recorded == [] and len(again.unchanged) == 2
    assert count(world) == 2 and count(world, AuditEvent) == events


def test_bad_rows_are_all_reported_with_their_line_and_nothing_is_saved(world: World) -> None:
    data = csv_of(
        world,
        "Kepolisian Uji,Polres Uji,WBK,2019,1245 Tahun 2019,2019-12-10",  # good: not saved
        "Instansi Entah,Polres Uji,WBK,2019,1/2019,2019-12-10",
        "Kepolisian Uji,Polres Hilang,WBK,2019,1/2019,2019-12-10",
        "Kepolisian Uji,Polres Tetangga,WBX,2019,1/2019,2019-12-10",
        "Kepolisian Uji,Polres Tetangga,WBK,19,,10-12-2019",
    )
    with pytest.raises(history.ImportFailedError) as caught:
        history.import_rows(world.session, history.parse_csv(data), user=None)
    errors = caught.value.errors
    assert errors[0] == "Baris 3: instansi “Instansi Entah” tidak ditemukan"
    assert errors[1].startswith("Baris 4: unit “Polres Hilang” tidak ditemukan")
    assert errors[2] == "Baris 5: predikat harus WBK atau WBBM, bukan “WBX”"
    assert [e.split(":")[0] for e in errors[3:]] == ["Baris 6"] * 3  # year, number, date
    assert "tahun" in errors[3] and "nomor_keputusan" in errors[4] and "YYYY-MM-DD" in errors[5]
    world.session.commit()
    assert count(world) == 0  # the good first row was not kept either


def test_semicolons_and_a_bom_are_read_too(world: World) -> None:
    data = b"\xef\xbb\xbf" + csv_of(
        world, "Kepolisian Uji;Polres Uji;WBBM;2021;7/2021;2021-12-20", sep=";"
    )
    result = import_bytes(world, data)
    assert len(result.recorded) == 1
    assert world.session.scalars(select(Designation)).one().predicate is Predicate.WBBM


def test_a_different_decree_for_the_same_designation_or_a_second_active_wbk_is_refused(
    world: World,
) -> None:
    import_bytes(world, good_file(world))
    data = csv_of(
        world,
        "Kepolisian Uji,Polres Uji,WBK,2019,9999 Tahun 2019,2019-12-10",
        "Kepolisian Uji,Polres Uji,WBK,2021,5/2021,2021-12-20",
    )
    with pytest.raises(history.ImportFailedError) as caught:
        history.import_rows(world.session, history.parse_csv(data), user=None)
    first, second = caught.value.errors
    assert first.startswith("Baris 2: Menuju WBK 2019 untuk unit ini sudah tercatat dengan")
    assert second.startswith("Baris 3: unit ini sudah tercatat berpredikat Menuju WBK 2019")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"instansi,unit\nA,B\n", "predikat, tahun, nomor_keputusan, tanggal_keputusan"),
        (HEADER.encode() + b",catatan\n", "Kolom tidak dikenal: catatan"),
        (b"\xff\xfe" + HEADER.encode("utf-16-le"), "bukan teks UTF-8"),
        (HEADER.encode() + b"\n", "tidak memuat satu baris data"),
    ],
)
def test_a_file_that_is_not_the_format_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(history.ImportFailedError, match=message):
        history.parse_csv(data)


def test_the_cli_imports_and_reports_every_bad_line(app, world: World, tmp_path) -> None:
    good = tmp_path / "penetapan.csv"
    good.write_bytes(good_file(world))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["designations", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "Penetapan baru tercatat: 2" in result.output
    again = runner.invoke(args=["designations", "import", str(good)])
    assert "Penetapan baru tercatat: 0" in again.output
    assert "Sudah tercatat (dilewati): 2" in again.output
    bad = tmp_path / "salah.csv"
    bad.write_bytes(csv_of(world, "Kepolisian Uji,Polres Tetangga,WBK,2030,1/2030,2030-12-10"))
    failed = runner.invoke(args=["designations", "import", str(bad)])
    assert failed.exit_code == 1
    assert "Impor dibatalkan, tidak ada yang disimpan:" in failed.output
    assert "Baris 2: tahun harus tahun" in failed.output
    assert count(world) == 2


# --- the admin page ------------------------------------------------------------------------


def test_only_administrators_reach_the_page(client, world: World) -> None:
    for user in (world.tpn, world.koordinator, world.pimpinan):
        login_as(client, user)
        assert client.get("/designations").status_code == 403
        response = post_form(
            client,
            "/designations/import",
            {"file": (io.BytesIO(good_file(world)), "penetapan.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 403
        response = post_form(
            client,
            "/designations",
            {
                "unit_id": world.polres.id,
                "predicate": "WBK",
                "year": "2019",
                "decree_number": "1/2019",
                "decree_date": "2019-12-10",
            },
        )
        assert response.status_code == 403
    assert count(world) == 0
    login_as(client, world.admin)
    page = get_page(client, "/designations")
    assert page.one("h1").text == "Riwayat penetapan"
    assert "Riwayat penetapan" in [a.text for a in page.select("nav a")]


def test_the_admin_records_one_with_its_scanned_certificate(client, world: World) -> None:
    login_as(client, world.admin)
    response = post_form(
        client,
        "/designations",
        {
            "unit_id": world.polres.id,
            "predicate": "WBK",
            "year": "2019",
            "decree_number": "1245 Tahun 2019",
            "decree_date": "2019-12-10",
            "scan": (io.BytesIO(pdf_bytes("Piagam WBK")), "piagam-2019.pdf"),
        },
        page="/designations",
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    designation = world.session.scalars(select(Designation)).one()
    assert designation.recorded and designation.scan is not None
    assert designation.scan.enrolment_id is None and designation.scan.storage_key
    scan = client.get(f"/designations/{designation.id}/scan")
    assert scan.status_code == 200 and scan.data == pdf_bytes("Piagam WBK")
    assert scan.headers["Content-Disposition"].startswith("attachment")
    scan.close()
    # The evidence download of a file without an enrolment answers 404, not an error.
    assert client.get(f"/evidence/{designation.scan.public_id}").status_code == 404
    row = get_page(client, "/designations").select("table.designations-table tbody tr")[0]
    assert row.text.startswith("Polres Uji")
    assert "tercatat, penetapan sebelum ZI Tracker" in row.text and "Berlaku" in row.text


def test_a_bad_form_or_file_is_answered_on_the_page_and_saves_nothing(client, world: World) -> None:
    login_as(client, world.admin)
    response = post_form(
        client,
        "/designations",
        {
            "unit_id": world.polres.id,
            "predicate": "WBK",
            "year": "2009",
            "decree_number": "1/2009",
            "decree_date": "2008-12-10",
        },
        page="/designations",
    )
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.texts("#record .flash-error li") == [
        "tanggal_keputusan 2008-12-10 mendahului tahun evaluasi 2009"
    ]
    assert page.one("#record input[name=decree_number]").attr("value") == "1/2009"
    bad = csv_of(
        world,
        "Kepolisian Uji,Polres Uji,WBK,2019,1/2019,2019-12-10",
        "Kepolisian Uji,Polres Uji,WBBM,2021,,2021-12-20",
    )
    response = post_form(
        client,
        "/designations/import",
        {"file": (io.BytesIO(bad), "penetapan.csv")},
        page="/designations",
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.texts(".import-errors li") == ["Baris 3: nomor_keputusan wajib diisi"]
    assert count(world) == 0


def test_the_admin_imports_the_same_csv_on_the_page(client, world: World) -> None:
    login_as(client, world.admin)
    response = post_form(
        client,
        "/designations/import",
        {"file": (io.BytesIO(good_file(world)), "penetapan.csv")},
        page="/designations",
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    flashed = get_page(client, "/designations").flashes("success")
    assert flashed == ["Impor selesai: 2 penetapan baru tercatat, 0 sudah tercatat sebelumnya."]
    assert count(world) == 2


# --- what a recorded designation counts for ----------------------------------------------------


def test_a_wbk_from_2019_lets_the_unit_enrol_and_be_proposed_for_wbbm(world: World) -> None:
    with pytest.raises(ValidationError, match="Menuju WBK yang masih berlaku"):
        world.enrol(target=Predicate.WBBM)
    world.session.rollback()
    recorded_wbk(world, year=2019)
    e = world.enrol(target=Predicate.WBBM)
    to_tpi_recommended(world, e)
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=PROPOSAL_DAY)
    assert e.stage is Stage.PROPOSED


def test_a_unit_with_an_active_wbk_is_not_enrolled_nor_proposed_for_wbk(world: World) -> None:
    e = world.enrol(target=Predicate.WBK)
    to_tpi_recommended(world, e)
    record_prerequisites(world, e)
    recorded_wbk(world, year=2019)  # found while the unit was being evaluated
    with pytest.raises(InvalidTransitionError, match="masih berpredikat Menuju WBK"):
        world.act(world.pimpinan, e, Action.PROPOSE, on=PROPOSAL_DAY)
    assert e.stage is Stage.TPI_RECOMMENDED
    with pytest.raises(ValidationError, match=r"Polres Tetangga masih berpredikat Menuju WBK"):
        recorded_wbk(world, world.sibling, year=2020)
        world.enrol(world.sibling, target=Predicate.WBK)


# --- revocation ------------------------------------------------------------------------------


def revoke(world: World, designation: Designation, **fields) -> list[Designation]:
    values = {
        "decree_number": "88/2024",
        "decree_date": date(YEAR - 2, 7, 5),
        "on": None,
        "reason": "Kepala unit tersangka gratifikasi",
    } | fields
    ended = history.revoke_recorded(
        world.session, user=world.admin, designation=designation, **values
    )
    world.session.commit()
    return ended


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"decree_number": " "}, "Nomor keputusan pencabutan wajib diisi."),
        ({"decree_date": None}, "Tanggal keputusan pencabutan wajib diisi."),
        ({"decree_date": date(2019, 1, 1)}, r"mendahului penetapannya \(2019-12-10\)"),
        ({"reason": ""}, "Alasan pencabutan wajib diisi."),
    ],
)
def test_a_revocation_needs_the_decree(world: World, fields, message: str) -> None:
    designation = recorded_wbk(world)
    with pytest.raises(ValidationError, match=message):
        revoke(world, designation, **fields)
    world.session.rollback()
    world.session.refresh(designation)
    assert designation.active and designation.revocation_decree_number is None


def test_revoking_a_wbbm_ends_the_wbk_it_rested_on(world: World) -> None:
    wbk = recorded_wbk(world, year=2019)
    wbbm = recorded_wbk(world, year=2021, predicate=Predicate.WBBM)
    other = recorded_wbk(world, world.sibling, year=2020)
    ended = revoke(world, wbbm, on=date(YEAR - 2, 2, 3))
    assert ended == [wbbm, wbk]
    for row in (wbbm, wbk):
        assert not row.active and row.revoked_on == date(YEAR - 2, 2, 3)
        assert (row.revocation_decree_number, row.revocation_decree_date) == (
            "88/2024",
            date(YEAR - 2, 7, 5),
        )
    assert wbk.revoked_with_id == wbbm.id and wbbm.revoked_with_id is None
    assert other.active  # another unit's predicate is not touched
    assert designations.active_designation(world.session, world.polres.id, Predicate.WBK) is None
    tags = world.session.scalars(
        select(AuditEvent.subject_id).where(AuditEvent.tag == "accreditation:designation:revoke")
    ).all()
    assert sorted(tags) == sorted([str(wbbm.id), str(wbk.id)])


def test_the_bar_counts_two_years_from_the_decree_and_only_for_wbk(world: World) -> None:
    # The predicate ended on 3 February 2024 by a decree of 5 July 2024: barred until 5 July 2026.
    assert barred_until([date(2024, 7, 5)]) == date(2026, 7, 5)
    e = world.enrol(target=Predicate.WBK)
    to_tpi_recommended(world, e)
    record_prerequisites(world, e)
    designation = recorded_wbk(world, year=2019)
    revoke(world, designation, on=date(YEAR - 2, 2, 3))
    assert designations.revocations(world.session, world.polres.id) == [date(YEAR - 2, 7, 5)]
    with pytest.raises(InvalidTransitionError, match=f"mulai {YEAR}-07-05") as caught:
        world.act(world.pimpinan, e, Action.PROPOSE, on=PROPOSAL_DAY)
    assert "2 tahun sejak tanggal keputusan pencabutan" in str(caught.value)


def test_the_bar_does_not_stop_a_wbbm_proposal_on_a_newer_wbk(world: World) -> None:
    first = recorded_wbk(world, year=2018)
    revoke(world, first, decree_date=date(YEAR - 1, 1, 10))  # barred for WBK until 2027
    recorded_wbk(world, year=YEAR - 1)  # designated WBK again after the revocation
    e = world.enrol(target=Predicate.WBBM)
    to_tpi_recommended(world, e)
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=PROPOSAL_DAY)
    assert e.stage is Stage.PROPOSED


def test_a_designation_made_in_the_tracker_is_revoked_on_its_enrolment(world: World) -> None:
    designation = Designation(
        unit_id=world.polres.id,
        agency_id=world.agency.id,
        predicate=Predicate.WBK,
        year=2022,
        decree_number="5/2022",
        decree_date=date(2022, 12, 10),
        snapshot_sha256="5" * 64,
    )
    world.session.add(designation)
    world.session.commit()
    with pytest.raises(ValidationError, match="halaman siklus"):
        revoke(world, designation)


def test_revoking_a_recorded_wbk_moves_the_wbbm_enrolment_built_on_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    wbk = recorded_wbk(world, year=2019)
    e = world.enrol(target=Predicate.WBBM)
    to_tpi_recommended(world, e)
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=PROPOSAL_DAY)
    world.act(world.tpn, e, Action.ADMIN_PASS)
    world.act(world.tpn, e, Action.DESK_CONTINUE)
    world.tpn_surveys(e)
    world.act(world.tpn, e, Action.DESIGNATE, decree_number="9/2026", decree_date=date(YEAR, 12, 9))
    wbbm = designations.designation_of(world.session, e)
    assert e.stage is Stage.DESIGNATED and wbbm.predicate is Predicate.WBBM
    monkeypatch.setattr(clock, "today", lambda: date(YEAR, 12, 21))  # the decree is signed
    ended = revoke(world, wbk, decree_date=date(YEAR, 12, 20), reason="OTT kepala unit")
    assert ended == [wbk, wbbm] and wbbm.revoked_with_id == wbk.id
    assert e.stage is Stage.REVOKED
    assert e.transitions[-1].action is Action.REVOKE
    assert e.transitions[-1].note == "OTT kepala unit"


def test_a_revocation_on_the_enrolment_page_needs_the_decree(world: World) -> None:
    wbk = recorded_wbk(world, year=2019)
    e = world.enrol(target=Predicate.WBBM)
    to_tpi_recommended(world, e)
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=PROPOSAL_DAY)
    world.act(world.tpn, e, Action.ADMIN_PASS)
    world.act(world.tpn, e, Action.DESK_CONTINUE)
    world.tpn_surveys(e)
    world.act(world.tpn, e, Action.DESIGNATE, decree_number="9/2026", decree_date=date(YEAR, 12, 9))
    with pytest.raises(InvalidTransitionError, match="Nomor dan tanggal keputusan"):
        world.act(world.tpn, e, Action.REVOKE, note="OTT")
    world.session.rollback()
    world.act(
        world.tpn,
        e,
        Action.REVOKE,
        note="OTT",
        decree_number="3/2027",
        decree_date=date(YEAR + 1, 1, 15),
    )
    world.session.refresh(wbk)
    assert e.stage is Stage.REVOKED and not wbk.active and wbk.revoked_on == date(YEAR + 1, 1, 15)
    assert transitions.Details().on_date is None


# --- what the public sees ------------------------------------------------------------------------


def test_the_registry_lists_recorded_and_revoked_designations(client, world: World) -> None:
    wbk = recorded_wbk(world, year=2019)
    wbbm = recorded_wbk(world, year=2021, predicate=Predicate.WBBM)
    recorded_wbk(world, world.sibling, year=2020)
    revoke(world, wbbm, on=date(YEAR - 2, 2, 3))
    page = get_page(client, "/registry")
    assert not page.select("table.registry-table a.mono")  # no certificate, no verify link
    rows = {(r[0], r[2], r[3]): r for r in page.table_rows()}
    assert set(rows) == {
        ("Polres Uji", "Menuju WBK", "2019"),
        ("Polres Uji", "Menuju WBBM", "2021"),
        ("Polres Tetangga", "Menuju WBK", "2020"),
    }
    sibling = rows[("Polres Tetangga", "Menuju WBK", "2020")]
    assert sibling[1] == "Kepolisian Uji"
    assert sibling[4] == (
        "tercatat, penetapan sebelum ZI Tracker Keputusan Menteri PANRB Nomor 2120/WBK/2020 "
        "tanggal 10 Desember 2020"
    )
    assert sibling[5] == "Berlaku"
    for key in (("Polres Uji", "Menuju WBK", "2019"), ("Polres Uji", "Menuju WBBM", "2021")):
        assert rows[key][5] == (
            "Dicabut 3 Feb 2024 Keputusan pencabutan Nomor 88/2024 tanggal 5 Jul 2024"
        )
    assert wbk.revoked_with_id == wbbm.id
    assert [r[0] for r in get_page(client, "/registry?q=tetangga").table_rows()] == [
        "Polres Tetangga"
    ]
    assert len(get_page(client, "/registry?year=2021").table_rows()) == 1


def test_the_verification_page_names_the_revocation_decree(client, world: World) -> None:
    designation = Designation(
        unit_id=world.polres.id,
        agency_id=world.agency.id,
        predicate=Predicate.WBK,
        year=2022,
        decree_number="5/2022",
        decree_date=date(2022, 12, 10),
        snapshot_sha256="5" * 64,
    )
    world.session.add(designation)
    world.session.flush()
    certificate = certificates.issue_for_designation(
        world.session, designation=designation, user=None, issued_on=date(2022, 12, 10)
    )
    world.session.commit()
    designations.revoke(
        world.session,
        user=world.admin,
        designation=designation,
        decree_number="77/2024",
        decree_date=date(2024, 7, 5),
        on=date(2024, 2, 3),
        reason="Kasus gratifikasi",
        today=TODAY,
    )
    world.session.commit()
    response = client.get(f"/verify/{certificate.number}")
    assert response.status_code == 200
    verdict = Page(response.get_data(as_text=True)).one(".verify-verdict")
    assert verdict.texts("p") == [
        "Predikat unit ini telah dicabut.",
        "Piagam ini pernah diterbitkan, tetapi predikatnya dicabut sejak 3 Februari 2024 dan "
        "piagam ini tidak berlaku lagi.",
        "Dicabut dengan Keputusan Menteri PANRB Nomor 77/2024 tanggal 5 Juli 2024.",
        "Alasan pencabutan: Kasus gratifikasi",
    ]
    registry_row = get_page(client, "/registry").table_rows()[0]
    assert registry_row[4] == certificate.number
    assert registry_row[5].startswith("Dicabut 3 Feb 2024 Keputusan pencabutan Nomor 77/2024")


def test_a_recorded_designation_gets_no_tracker_certificate(world: World) -> None:
    designation = recorded_wbk(world)
    from tracker.certificates import queries

    assert queries.designations_without_certificate(world.session) == []
    with pytest.raises(ValidationError, match="tidak menerbitkan piagamnya"):
        certificates.issue_for_designation(world.session, designation=designation, user=None)


def test_the_admin_revokes_on_the_page(client, world: World) -> None:
    designation = recorded_wbk(world)
    url = f"/designations/{designation.id}/revoke"
    login_as(client, world.tpn)
    assert client.get(url).status_code == 403
    assert post_form(client, url, {"decree_number": "1/2024"}).status_code == 403
    login_as(client, world.admin)
    response = post_form(client, url, {"reason": "OTT"}, page=url)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert [e.text for e in page.select(".field-error")] == [
        "Kolom ini wajib diisi.",
        "Kolom ini wajib diisi.",
    ]
    world.session.refresh(designation)
    assert designation.active
    response = post_form(
        client,
        url,
        {"decree_number": "88/2024", "decree_date": "2024-07-05", "reason": "OTT kepala unit"},
        page=url,
    )
    assert response.status_code == 303
    world.session.refresh(designation)
    assert not designation.active and designation.revoked_on == date(2024, 7, 5)
    assert designation.revocation_decree_number == "88/2024"


def test_role_table_has_admin_only_for_the_page() -> None:
    from tracker.navigation import NAV_ITEMS

    (item,) = [i for i in NAV_ITEMS if i.endpoint == "accreditation.designations_admin"]
    assert item.roles == frozenset({Role.ADMIN})
