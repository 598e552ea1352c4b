"""D14: IPAK and IPKP on the TPN tier come from the survey run for TPN, with source, period,
respondents (at least 30) and report; the designation is refused until both are in."""

from __future__ import annotations

import io
from datetime import date

import pytest

from tests.accreditation.test_services import record_prerequisites, to_tpi_recommended
from tests.evidence.evidence_samples import pdf_bytes
from tests.helpers import login_as, post_form
from tests.html import Page, get_page
from tests.world import YEAR, World
from tracker.accreditation import assessments, provenance, surveys
from tracker.accreditation.models import Designation, Enrolment
from tracker.accreditation.provenance import SurveyRecord
from tracker.accreditation.workflow import Action, Stage
from tracker.errors import InvalidTransitionError, NotAllowedError, ValidationError

IPAK, IPKP = "B.I.a", "B.II.a"
DECREE = {"decree_number": "123/2026", "decree_date": date(YEAR, 12, 10)}


def field_evaluation(world: World) -> Enrolment:
    """The Polres, proposed and past the desk evaluation: the TPN tier is a copy of TPI's."""
    e = world.enrol()
    to_tpi_recommended(world, e)
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=date(YEAR, 5, 20))
    world.act(world.tpn, e, Action.ADMIN_PASS)
    world.act(world.tpn, e, Action.DESK_CONTINUE)
    assert e.stage is Stage.FIELD_EVALUATION
    return e


def value_of(world: World, e: Enrolment, tier: str, code: str):
    world.session.expire_all()
    assessment = assessments.get_assessment(world.session, e.id, tier)
    row = assessments.answer_rows(world.session, [assessment.id])[assessment.id][code]
    return row.value, row.copied_from


def record(world: World, e: Enrolment, code: str, **given):
    fields = {"index": "3.80", "source": "BPS", "period": "Sep 2026", "respondents": "45"}
    state = surveys.states(world.session, e)[code]
    row, _stored = surveys.record_survey(
        world.session,
        None,  # a report link: no blob store needed
        None,
        actor=world.actor(world.tpn),
        enrolment=e,
        item_code=code,
        given=surveys.SurveyInput(**(fields | given)),
        report=None,
        report_link=f"https://bps.example.go.id/{code}.pdf",
        expected_version=state.answer.version if state.answer else 0,
    )
    world.session.commit()
    return row


# --- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (SurveyRecord(IPAK, answered=False, copied_from=None), ["belum ada nilai survei"]),
        (SurveyRecord(IPAK, True, "TPI"), ["nilai masih salinan dari TPI"]),
        (
            SurveyRecord(IPAK, True, None, "", " ", "12", False),
            [
                "penyelenggara survei belum diisi",
                "periode survei belum diisi",
                "jumlah responden 12, minimal 30",
                "laporan hasil survei belum dilampirkan",
            ],
        ),
        (SurveyRecord(IPAK, True, None, "BPS", "2026", "30,5", True), ["bilangan bulat"]),
        (SurveyRecord(IPAK, True, None, "BPS", "2026", "30", True), []),
    ],
)
def test_what_keeps_a_designation_from_resting_on_a_survey(record, expected) -> None:
    found = provenance.problems(record)
    assert len(found) == len(expected)
    for problem, words in zip(found, expected, strict=True):
        assert problem.startswith(f"{IPAK}: ") and words in problem


# --- through the services -------------------------------------------------------------------


def test_designation_is_refused_while_the_tpn_values_are_copies(world: World) -> None:
    e = field_evaluation(world)
    assert value_of(world, e, "tpn", IPAK)[1] == "unit"  # copied down from the unit's LKE
    with pytest.raises(InvalidTransitionError) as caught:
        world.act(world.tpn, e, Action.DESIGNATE, **DECREE)
    message = str(caught.value)
    assert "Hasil survei IPAK/IPKP untuk TPN belum lengkap" in message
    assert f"{IPAK}: nilai masih salinan dari Penilaian mandiri unit" in message
    assert f"{IPKP}: nilai masih salinan" in message
    assert e.stage is Stage.FIELD_EVALUATION


def test_one_survey_is_not_enough_and_both_let_the_designation_through(world: World) -> None:
    e = field_evaluation(world)
    unit_before = value_of(world, e, "unit", IPAK)
    tpi_before = value_of(world, e, "tpi", IPAK)
    record(world, e, IPAK)
    with pytest.raises(InvalidTransitionError, match=f"{IPKP}: nilai masih salinan") as caught:
        world.act(world.tpn, e, Action.DESIGNATE, **DECREE)
    assert f"{IPAK}:" not in str(caught.value)
    record(world, e, IPKP, index="3.65", respondents="30")
    world.act(world.tpn, e, Action.DESIGNATE, **DECREE)
    assert e.stage is Stage.DESIGNATED
    tpn_value, copied = value_of(world, e, "tpn", IPAK)
    assert copied is None
    assert {k: tpn_value[k] for k in ("index", "source", "period", "respondents")} == {
        "index": "3.80",
        "source": "BPS",
        "period": "Sep 2026",
        "respondents": "45",
    }
    # The unit's and TPI's own values stay as they were (their own surveys, for information).
    assert value_of(world, e, "unit", IPAK) == unit_before
    assert value_of(world, e, "tpi", IPAK) == tpi_before
    designation = world.session.query(Designation).one()
    assert designation.snapshot.payload["tiers"]["tpn"]["answers"][IPAK]["index"] == "3.80"


@pytest.mark.parametrize(
    ("respondents", "message"),
    [("25", "jumlah responden 25, minimal 30"), ("tiga puluh", "bilangan bulat"), ("", "")],
)
def test_too_few_respondents_are_refused_and_change_nothing(
    world: World, respondents: str, message: str
) -> None:
    e = field_evaluation(world)
    before = value_of(world, e, "tpn", IPAK)
    with pytest.raises(ValidationError, match=message or "Jumlah responden"):
        record(world, e, IPAK, respondents=respondents)
    world.session.rollback()
    assert value_of(world, e, "tpn", IPAK) == before


def test_a_report_is_required_and_a_typed_one_is_not_a_report(world: World) -> None:
    e = field_evaluation(world)
    state = surveys.states(world.session, e)[IPAK]
    with pytest.raises(ValidationError, match="Lampirkan laporan hasil survei"):
        surveys.record_survey(
            world.session,
            None,
            None,
            actor=world.actor(world.tpn),
            enrolment=e,
            item_code=IPAK,
            given=surveys.SurveyInput("3.80", "BPS", "Sep 2026", "45"),
            report=None,
            report_link=None,
            expected_version=state.answer.version,
        )
    world.session.rollback()
    # The TPN types the provenance into the plain answer form, naming a report it never filed:
    # the value is its own now, but the designation still finds no report.
    world.answer(
        world.actor(world.tpn),
        e,
        IPAK,
        {"index": "3.80", "source": "BPS", "period": "2026", "respondents": "45", "report": "x"},
        version=state.answer.version,
        tier="tpn",
    )
    record(world, e, IPKP)
    with pytest.raises(InvalidTransitionError) as caught:
        world.act(world.tpn, e, Action.DESIGNATE, **DECREE)
    assert f"{IPAK}: laporan hasil survei belum dilampirkan" in str(caught.value)


def test_only_the_tpn_records_its_survey_and_only_in_its_turn(world: World) -> None:
    e = field_evaluation(world)
    with pytest.raises(NotAllowedError):
        surveys.record_survey(
            world.session,
            None,
            None,
            actor=world.actor(world.tpi),
            enrolment=e,
            item_code=IPAK,
            given=surveys.SurveyInput("3.80", "BPS", "Sep 2026", "45"),
            report=None,
            report_link="https://bps.example.go.id/r.pdf",
            expected_version=1,
        )
    with pytest.raises(ValidationError, match="bukan butir survei"):
        surveys.record_survey(
            world.session,
            None,
            None,
            actor=world.actor(world.tpn),
            enrolment=e,
            item_code="B.I.b",
            given=surveys.SurveyInput("3.80", "BPS", "Sep 2026", "45"),
            report=None,
            report_link="https://bps.example.go.id/r.pdf",
            expected_version=1,
        )


# --- the LKE page ------------------------------------------------------------------------------


def test_the_tpn_records_the_survey_on_the_lke_page(client, world: World) -> None:
    e = field_evaluation(world)
    url = f"/enrolments/{e.id}/lke?tier=tpn&area=B"
    login_as(client, world.tpn)
    page = get_page(client, url)
    box = page.one(f'[id="survey-{IPAK}"]')
    assert "nilai masih salinan dari Penilaian mandiri unit" in box.one(".blockers").text
    assert box.one("form.survey-form input[name=respondents]").attr("min") == "30"
    state = surveys.states(world.session, e)[IPAK]
    action = f"/enrolments/{e.id}/lke/tpn/{IPAK}/survey"
    fields = {
        "version": state.answer.version,
        "index": "3,75",
        "source": "BPS Provinsi Jawa Barat",
        "period": "Agustus–September 2026",
        "respondents": "12",
    }
    response = post_form(
        client,
        action,
        fields | {"report": (io.BytesIO(pdf_bytes("Laporan SPAK")), "spak.pdf")},
        page=url,
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert "minimal 30" in " ".join(get_page(client, url).flashes("error"))
    assert value_of(world, e, "tpn", IPAK)[1] == "unit"  # nothing saved
    response = post_form(
        client,
        action,
        fields
        | {"respondents": "120", "report": (io.BytesIO(pdf_bytes("Laporan SPAK")), "spak.pdf")},
        page=url,
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page = get_page(client, url)
    box = page.one(f'[id="survey-{IPAK}"]')
    assert box.select(".blockers") == [] and "survei TPN tercatat" in box.text
    facts = dict(zip(box.texts("dt"), box.texts("dd"), strict=True))
    assert facts["Indeks"] == "3,75"  # the Indonesian way (issue 14 §4)
    assert facts["Jumlah responden"] == "120"
    assert facts["Laporan hasil survei"] == "spak.pdf"
    value, copied = value_of(world, e, "tpn", IPAK)
    report = surveys.states(world.session, e)[IPAK].report
    assert copied is None and report is not None and value["report"] == report.public_id
    assert (report.purpose.value, report.item_code, report.document_key) == (
        "survey",
        IPAK,
        surveys.REPORT_DOCUMENT,
    )


def test_others_cannot_record_the_tpn_survey(client, world: World) -> None:
    e = field_evaluation(world)
    action = f"/enrolments/{e.id}/lke/tpn/{IPAK}/survey"
    before = value_of(world, e, "tpn", IPAK)
    for user in (world.tpi, world.koordinator):
        login_as(client, user)
        response = post_form(
            client,
            action,
            {
                "version": 1,
                "index": "4",
                "source": "x",
                "period": "y",
                "respondents": "300",
                "report_link": "https://example.go.id/r.pdf",
            },
        )
        assert response.status_code == 403
    assert value_of(world, e, "tpn", IPAK) == before
    # The survey form is the TPN tier's: the unit's LKE page shows the ordinary answer.
    login_as(client, world.koordinator)
    page = get_page(client, f"/enrolments/{e.id}/lke?tier=unit&area=B")
    assert page.select(".tpn-survey") == []
    assert Page(page.html).select(f'[id="item-{IPAK}"] .readonly-answer')
