"""Issue 16 §4 and §6 on the pages: the charts drawn where people look (the unit's page, its
LKE, the dashboard, the assessor calibration page) and the downloads of the dashboard and the
registry, each holding exactly what the viewer may see."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from defusedxml.ElementTree import fromstring
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from tests.accreditation.test_history import recorded_wbk
from tests.accreditation.test_page_queries import counted
from tests.factories import Factory
from tests.helpers import login_as, post_form
from tests.lke_answers import worst_choice
from tests.world import World
from tracker.accreditation import assessments, statistics, tiers
from tracker.accreditation.models import Answer, Enrolment
from tracker.auth.roles import Role
from tracker.extensions import FIGURES
from tracker.lke import AnswerType
from tracker.memo import TimedMemo

SVG = "{http://www.w3.org/2000/svg}"


def chart_texts(html: str, ident: str) -> list[str]:
    """The texts of the page's chart ``ident``, read from the SVG parsed as XML."""
    match = re.search(rf'<svg [^>]*id="{ident}".*?</svg>', html, re.S)
    assert match, f"no chart {ident}"
    root = fromstring(match.group(0))
    assert root.get("role") == "img" and root.find(f"{SVG}title").text
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def filled(world: World, unit=None, factory: Factory | None = None) -> Enrolment:
    """A unit building its LKE, every answer given (by its own coordinator)."""
    enrolment = world.building(unit)
    coordinator = factory.user((Role.KOORDINATOR, unit)) if unit and factory else None
    world.fill(enrolment, user=coordinator)
    return enrolment


def csv_rows(client: FlaskClient, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/csv" and response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_unit_page_and_its_lke_draw_area_scores_against_the_floors(
    client: FlaskClient, world: World
) -> None:
    enrolment = filled(world)
    login_as(client, world.koordinator)
    html = client.get(f"/enrolments/{enrolment.id}").get_data(as_text=True)
    texts = chart_texts(html, "floors-unit")
    assert "batas WBK 60,00 %" in texts and "batas WBBM 75,00 %" in texts
    assert "Manajemen Perubahan" in texts and texts.count("100,00 %") == 6
    assert '<div class="sr-only"><table>' in html  # the figures for screen readers
    lke = client.get(f"/enrolments/{enrolment.id}/lke").get_data(as_text=True)
    assert "100,00 %" in chart_texts(lke, "floors-unit")


def test_the_dashboard_charts_its_units_and_downloads_what_it_lists(
    client: FlaskClient, world: World, factory: Factory
) -> None:
    filled(world)
    world.building(world.sibling)
    tricky = factory.unit(world.agency, "=2+3 Polsek <Uji> & Co", "Polsek", parent=world.polres)
    world.enrol(tricky)
    other = factory.unit(factory.agency("Kementerian Lain"), "Biro Lain", "Biro")
    world.enrol(other)
    login_as(client, world.tpn)
    html = client.get("/dashboard").get_data(as_text=True)
    stages = chart_texts(html, "chart-stages")
    assert stages[stages.index("Pembangunan") + 1] == "2"
    # Drawn once per set of counts and language: read in English, the same counts' chart is.
    post_form(client, "/language/en", page="/dashboard")
    english = chart_texts(client.get("/dashboard").get_data(as_text=True), "chart-stages")
    assert english[english.index("Building") + 1] == "2" and "Pembangunan" not in english
    post_form(client, "/language/id", page="/dashboard")
    spread = chart_texts(html, "chart-spread")
    assert "median 100,00 % · 1 unit" in spread and "batas WBK 60,00 %" in spread
    assert "Unduh Excel" in html and "Unduh CSV" in html

    rows = csv_rows(client, "/dashboard/export.csv")
    units = {r[0]: r for r in rows[1:]}
    assert rows[0][:6] == ["Unit", "Instansi", "Tahun", "Target", "Tahap", "Sejak"]
    assert set(units) == {"Polres Uji", "Polres Tetangga", "'=2+3 Polsek <Uji> & Co", "Biro Lain"}
    assert units["Polres Uji"][6] == "100.00"  # the unit's own score, then its verdict
    assert units["Polres Uji"][7] == "ya"
    response = client.get("/dashboard/export.csv")
    assert re.fullmatch(
        r'attachment; filename="dasbor-zi-2026-\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["Content-Disposition"],
    )
    # The page's filters hold for its download.
    rows = csv_rows(client, "/dashboard/export.csv?stage=building")
    assert {r[0] for r in rows[1:]} == {"Polres Uji", "Polres Tetangga"}

    # The agency's leadership downloads its own agency only, in Excel too.
    login_as(client, world.pimpinan)
    response = client.get("/dashboard/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"Polres Uji", "Polres Tetangga", "'=2+3 Polsek <Uji> & Co"}
    # A unit's coordinator has no dashboard and no download.
    login_as(client, world.koordinator)
    assert client.get("/dashboard/export.csv").status_code == 403


def test_the_dashboard_runs_as_many_statements_for_many_units_as_for_one(
    client: FlaskClient, world: World, factory: Factory
) -> None:
    filled(world)
    login_as(client, world.tpn)

    def statements() -> int:
        client.get("/dashboard")
        with counted(world) as found:
            assert client.get("/dashboard").status_code == 200
        return len(found)

    one = statements()
    for n in range(3):
        unit = factory.unit(world.agency, f"Polsek {n}", "Polsek", parent=world.polres)
        filled(world, unit, factory)
    assert statements() == one


def _differ(world: World, enrolment: Enrolment) -> None:
    """TPI and TPN tiers copied from the unit's answers; TPI then marks one choice item of
    area 1 down, so TPI scores area 1 lower than TPN does."""
    session = world.session
    tpi = assessments.ensure_assessment(session, enrolment, "tpi")
    assessments.ensure_assessment(session, enrolment, "tpn")
    framework = assessments.framework_for(enrolment)
    item = next(
        i
        for i in framework.items()
        if tiers.area_of(i.code) == "1" and i.answer_type is AnswerType.ABC
    )
    row = session.scalars(
        select(Answer).where(Answer.assessment_id == tpi.id, Answer.item_code == item.code)
    ).one()
    row.value = worst_choice(framework, item.code)
    session.flush()
    assessments.recompute(session, enrolment, tpi)
    session.commit()


def test_calibration_shows_tpi_minus_tpn_per_area_within_scope(
    client: FlaskClient, world: World, factory: Factory
) -> None:
    enrolment = filled(world)
    _differ(world, enrolment)
    login_as(client, world.tpn)
    html = client.get("/dashboard/calibration").get_data(as_text=True)
    texts = chart_texts(html, "chart-calibration")
    differences = [t for t in texts if t.endswith("poin · 1 unit")]
    assert differences and differences[0].startswith("-")  # area 1: TPI lower
    assert "+0,00 poin · 1 unit" not in texts and "0,00 poin · 1 unit" in texts
    unit_row = re.search(r"<tr><td><a [^>]*>Polres Uji</a>.*?</tr>", html, re.S)
    assert unit_row and ">-" in unit_row.group(0)  # the unit's own line in the table
    # TPI of another agency sees none of it.
    login_as(client, factory.user((Role.TPI, factory.agency("Lain"))))
    html = client.get("/dashboard/calibration").get_data(as_text=True)
    assert chart_texts(html, "chart-calibration") == ["Belum ada unit yang dinilai TPI dan TPN."]
    assert "Polres Uji" not in html


def counted_figures(app, monkeypatch, name: str) -> tuple[dict[str, float], list[int]]:
    """A minute-long figures memo on a clock the test moves, and a list that grows by one at
    each call of ``statistics.<name>`` (the computation the memo keeps)."""
    clock = {"now": 1000.0}
    app.extensions[FIGURES] = TimedMemo(60, lambda: clock["now"])
    computed: list[int] = []
    real = getattr(statistics, name)
    monkeypatch.setattr(statistics, name, lambda *args: computed.append(1) or real(*args))
    return clock, computed


def test_calibration_is_reused_for_its_minute_per_scope(
    app, client: FlaskClient, world: World, monkeypatch
) -> None:
    """Issue 18 §3: the calibration covers every unit in scope that TPI and TPN both scored;
    each server computes it once a minute per scope (``FIGURES_CACHE_SECONDS``)."""
    enrolment = filled(world)
    _differ(world, enrolment)
    clock, computed = counted_figures(app, monkeypatch, "calibration")
    login_as(client, world.tpn)
    for _ in range(2):
        html = client.get("/dashboard/calibration").get_data(as_text=True)
        assert any(t.endswith("poin · 1 unit") for t in chart_texts(html, "chart-calibration"))
    assert len(computed) == 1
    login_as(client, world.pimpinan)
    client.get("/dashboard/calibration")
    assert len(computed) == 2  # another scope: its own figures
    clock["now"] += 60
    login_as(client, world.tpn)
    client.get("/dashboard/calibration")
    assert len(computed) == 3  # a minute later: computed again


def test_the_registry_downloads_its_rows_guarded(
    client: FlaskClient, world: World, factory: Factory
) -> None:
    tricky = factory.unit(world.agency, "@Polsek Rumus", "Polsek", parent=world.polres)
    recorded_wbk(world, unit=tricky, year=2019)
    recorded_wbk(world, year=2020)
    html = client.get("/registry").get_data(as_text=True)
    assert "/registry/export.xlsx" in html and "/registry/export.csv" in html
    rows = csv_rows(client, "/registry/export.csv")
    assert rows[0][0] == "Unit kerja"
    assert [(r[0], r[2], r[3], r[7]) for r in rows[1:]] == [
        ("Polres Uji", "Menuju WBK", "2020", "Berlaku"),
        ("'@Polsek Rumus", "Menuju WBK", "2019", "Berlaku"),
    ]
    rows = csv_rows(client, "/registry/export.csv?year=2019")
    assert [r[0] for r in rows[1:]] == ["'@Polsek Rumus"]
    response = client.get("/registry/export.xlsx")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="daftar-zi-')
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.cell(2, 7).value.date() == date(2020, 12, 10)  # the decree's date, a date


def test_charts_and_downloads_speak_english_to_an_english_reader(
    client: FlaskClient, world: World, english: None
) -> None:
    enrolment = filled(world)
    _differ(world, enrolment)
    login_as(client, world.tpn)
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    html = client.get("/dashboard").get_data(as_text=True)
    assert "WBK floor 60.00 %" in chart_texts(html, "chart-spread")
    assert "Download Excel" in html and "Download CSV" in html
    texts = chart_texts(
        client.get(f"/enrolments/{enrolment.id}").get_data(as_text=True), "floors-tpn"
    )
    assert "Change management" in texts and "WBBM floor 75.00 %" in texts
    calibration = client.get("/dashboard/calibration").get_data(as_text=True)
    assert any(
        t.endswith("points · 1 unit(s)") for t in chart_texts(calibration, "chart-calibration")
    )
    rows = csv_rows(client, "/dashboard/export.csv")
    assert rows[0][:6] == ["Unit", "Agency", "Year", "Target", "Stage", "Since"]


def test_the_dashboard_spread_is_reused_for_its_minute_per_scope_and_filters(
    app, client: FlaskClient, world: World, monkeypatch
) -> None:
    """Issue 18 §3: the spread over every unit in scope is computed once a minute per server
    (``FIGURES_CACHE_SECONDS``), per scope and filters but not per page, and then again."""
    filled(world)
    clock, computed = counted_figures(app, monkeypatch, "area_spread")
    login_as(client, world.tpn)
    for url in ("/dashboard", "/dashboard?page=2", "/dashboard"):
        html = client.get(url).get_data(as_text=True)
        assert "median 100,00 % · 1 unit" in chart_texts(html, "chart-spread")
    assert len(computed) == 1  # one computation for the three views (the page is not a key)
    client.get("/dashboard?stage=building")
    assert len(computed) == 2  # other filters: their own figures
    login_as(client, world.pimpinan)
    client.get("/dashboard")
    assert len(computed) == 3  # another scope: its own figures
    clock["now"] += 60
    login_as(client, world.tpn)
    client.get("/dashboard")
    assert len(computed) == 4  # a minute later: computed again
