"""The OpenAPI document itself, and the guide's JSON examples against its schemas; the pure
rules of the exchange."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tracker.accreditation.models import Predicate
from tracker.accreditation.workflow import Stage
from tracker.auth.access import Grant
from tracker.auth.roles import Role
from tracker.lke.framework import get_framework
from tracker.portalrb import api, rules, soal

# The JSON snippets of the ministry's guide (shared/domain/portalrb-api.md), as written there.
GUIDE_UNIT_LIST = {
    "tahun": 2026,
    "units": [{"id": "…", "nama": "…", "kategori": "WBK", "afirmasi": False}],
}
GUIDE_ANSWERS = {
    "unit_id": "…",
    "nama_unit": "…",
    "tahun": 2026,
    "answers": [
        {
            "soal_id": 101,
            "jawaban_unit": "A",
            "jawaban_tpi": "A",
            "catatan_unit": "…",
            "bukti_dukung_unit": "https://…",
            "catatan_tpi": "…",
        }
    ],
}
GUIDE_ERROR = {"error": True, "code": "DATA_NOT_FOUND", "message": "…"}


def schema(name: str) -> Draft202012Validator:
    document = api.openapi_document()
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    )


def test_the_document_is_valid_openapi_3_1() -> None:
    document = api.openapi_document()
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path in ("/pengusulan/unit-wbk", "/pengusulan/unit-wbbm", "/lke/jawaban-unit/{unit_id}"):
        codes = set(document["paths"][path]["get"]["responses"])
        assert codes == {"200", "401", "403", "404", "422", "429", "500"}
        assert document["paths"][path]["post"]["responses"].keys() == {"405"}


@pytest.mark.parametrize(
    ("name", "example"),
    [("UnitList", GUIDE_UNIT_LIST), ("UnitAnswers", GUIDE_ANSWERS), ("Error", GUIDE_ERROR)],
)
def test_the_guides_examples_parse_against_the_schemas(name: str, example: dict) -> None:
    schema(name).validate(example)


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        ("UnitList", {"tahun": "2026", "units": []}),
        ("UnitList", {"tahun": 2026, "units": [{"id": 5, "nama": "x"}]}),
        ("UnitList", {"tahun": 2026, "units": [{"id": "5", "nama": "x", "kategori": "WBX"}]}),
        (
            "UnitAnswers",
            {
                "unit_id": "1",
                "nama_unit": "x",
                "tahun": 2026,
                "answers": [{"soal_id": "1", "jawaban_unit": "A"}],
            },
        ),
        (
            "UnitAnswers",
            {
                "unit_id": "1",
                "nama_unit": "x",
                "tahun": 2026,
                "answers": [{"soal_id": 1, "jawaban_unit": 12}],
            },
        ),
        ("Error", {"error": False, "code": "DATA_NOT_FOUND", "message": "x"}),
        ("Error", {"error": True, "code": "NOT_A_CODE", "message": "x"}),
    ],
)
def test_the_schemas_refuse_what_the_guide_does_not_allow(name: str, wrong: dict) -> None:
    assert list(schema(name).iter_errors(wrong))


def test_the_proposal_period_runs_to_the_deadline_while_the_cycle_is_open() -> None:
    deadline = date(2026, 5, 31)
    assert rules.proposal_open(cycle_open=True, today=deadline, deadline=deadline)
    assert not rules.proposal_open(cycle_open=True, today=date(2026, 6, 1), deadline=deadline)
    assert not rules.proposal_open(cycle_open=False, today=date(2026, 5, 1), deadline=deadline)
    assert not rules.proposal_open(cycle_open=True, today=date(2026, 5, 1), deadline=None)


def test_pulled_stages_are_the_proposals_before_tpns_verdict() -> None:
    assert Stage.PROPOSED in rules.PULLED_STAGES and Stage.FIELD_EVALUATION in rules.PULLED_STAGES
    assert not {Stage.TPI_RECOMMENDED, Stage.DESIGNATED, Stage.ADMIN_REJECTED} & rules.PULLED_STAGES


def test_categories() -> None:
    assert rules.category(Predicate.WBK) == rules.Category("WBK", False)
    assert rules.category(Predicate.WBK, afirmasi=True) == rules.Category("WBK-AFIRMASI", True)
    assert rules.category(Predicate.WBBM) == rules.Category("WBBM", False)


def test_tokens_are_prefixed_random_and_stored_as_their_digest() -> None:
    one, two = rules.new_token(), rules.new_token()
    assert one != two and one.startswith("zit_") and len(one) > 40
    assert rules.looks_like_token(one) and not rules.looks_like_token("zit_\x00" * 5)
    assert rules.token_hash(one) != one and len(rules.token_hash(one)) == 64
    assert rules.shown_prefix(one) == one[:8]


def test_token_state() -> None:
    day = date(2026, 5, 1)
    assert rules.token_state(revoked_at=None, expires_on=None, today=day) is rules.TokenState.ACTIVE
    assert rules.token_state(revoked_at=None, expires_on=day, today=day) is rules.TokenState.ACTIVE
    expired = rules.token_state(revoked_at=None, expires_on=date(2026, 4, 30), today=day)
    assert expired is rules.TokenState.EXPIRED
    revoked = rules.token_state(
        revoked_at=datetime(2026, 4, 1, tzinfo=UTC), expires_on=None, today=day
    )
    assert revoked is rules.TokenState.REVOKED


def test_who_manages_tokens() -> None:
    assert rules.may_manage_tokens([Grant(Role.ADMIN)], 7)
    assert rules.may_manage_tokens([Grant(Role.PIMPINAN, agency_id=7)], 7)
    assert not rules.may_manage_tokens([Grant(Role.PIMPINAN, agency_id=8)], 7)
    assert not rules.may_manage_tokens([Grant(Role.TPI, agency_id=7)], 7)
    assert not rules.may_manage_tokens([Grant(Role.TPN)], 7)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), ("0", None), ("abc", None), ("1٢", None), ("-1", None), ("99999999999", None)],
)
def test_unit_ids_in_the_path(raw: str, expected: int | None) -> None:
    assert rules.parse_unit_id(raw) == expected


def test_answer_values_in_portalrbs_form() -> None:
    framework = get_framework("lke-2021")
    choice = framework.item("A.I.1.i.a")
    assert soal.jawaban(choice, None, "ya") == "Ya"
    assert soal.jawaban(choice, None, None) is None
    assert soal.jawaban(choice, None, "Z") is None  # unreadable: not sent as an answer
    counts = framework.item("A.II.1.i.a")
    first, second = (row.key for row in counts.inputs)
    assert soal.jawaban(counts, first, [12, 7]) == "12"
    assert soal.jawaban(counts, second, [12, 7]) == "7"
    survey = next(i for i in framework.items() if i.answer_type.value == "survey_index")
    assert soal.jawaban(survey, None, {"index": "3.6", "source": "BPS"}) == "3.60"


def test_the_frameworks_soal_ids_are_the_master_lists() -> None:
    from tests.portalrb.conftest import master_list, master_soal_ids
    from tracker.lke.worksheet.portalrb import master_cells

    framework = get_framework("lke-2021")
    cells = soal.soal_cells(framework)
    assert set(cells) == master_soal_ids()
    assert cells == {
        c.soal_id: soal.SoalCell(c.code, c.input_key)
        for c in master_cells(master_list(), framework)
    }
