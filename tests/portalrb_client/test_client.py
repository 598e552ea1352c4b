"""The PortalRB-like client against a real local HTTP server: lists, answers, the guide's retry
schedule, rate limits, final errors and the shape checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tests.portalrb_client.agency_server import (
    DROP,
    HANG,
    AgencyServer,
    Reply,
    answer,
    answers,
    answers_path,
    error,
    script_healthy_agency,
    unit,
    unit_list,
)
from tests.portalrb_client.conftest import RecordingSleep
from tests.servers import free_port
from tracker.portalrb.client import (
    CONNECTION_ERROR,
    GUIDE_RETRY_DELAYS,
    INVALID_JSON,
    INVALID_RESPONSE,
    MAX_RETRY_AFTER,
    TIMEOUT,
    FetchFailure,
    PortalrbClient,
    PullResult,
    UnitPull,
)

WBK_PATH = "/pengusulan/unit-wbk"
WBBM_PATH = "/pengusulan/unit-wbbm"


def pull(
    agency: AgencyServer,
    sleep: RecordingSleep,
    *,
    token: str | None = None,
    timeout: float = 2.0,
    retry_delays: tuple[float, ...] = GUIDE_RETRY_DELAYS,
    max_retry_after: float = MAX_RETRY_AFTER,
) -> PullResult:
    client = PortalrbClient(
        agency.base_url,
        agency.token if token is None else token,
        timeout=timeout,
        retry_delays=retry_delays,
        sleep=sleep,
        max_retry_after=max_retry_after,
    )
    return client.pull()


def by_id(result: PullResult) -> dict[str, UnitPull]:
    return {unit.id: unit for unit in result.units}


def test_pull_counts_lists_and_answers_like_portalrb(agency, sleep):
    script_healthy_agency(agency)

    result = pull(agency, sleep)

    assert (result.tahun, result.proposed_wbk, result.proposed_wbbm) == (2026, 2, 1)
    assert result.units == (
        UnitPull("u-1", "Polres Kota Satu", "WBK", "WBK", False, True, 1, 4, 3, 2),
        UnitPull("u-2", "Polres Dua", "WBK-AFIRMASI", "WBK", True, True, 1, 1, 1, 0),
        UnitPull("u-3", "Polda Tiga", "WBBM", "WBBM", False, True, 1, 2, 1, 1),
    )
    assert result.problems == () and result.failures == () and result.ok
    assert sleep.waits == []
    assert agency.paths() == [WBK_PATH, WBBM_PATH] + [answers_path(f"u-{n}") for n in (1, 2, 3)]
    assert {auth for _path, auth in agency.requests} == {f"Bearer {agency.token}"}


def test_base_url_may_end_with_a_slash_and_unit_ids_are_quoted(agency, sleep):
    agency.script(WBK_PATH, unit_list(unit("unit 7/a", "Polsek Tujuh")))
    agency.script("/lke/jawaban-unit/unit%207%2Fa", answers("unit 7/a", "Polsek Tujuh", answer(1)))

    result = PortalrbClient(agency.base_url + "/", agency.token, timeout=2.0, sleep=sleep).pull()

    assert result.ok and by_id(result)["unit 7/a"].answered == 1


def test_a_server_error_is_retried_at_once(agency, sleep):
    script_healthy_agency(agency)
    agency.script(
        answers_path("u-2"),
        error(500, "INTERNAL_ERROR", "Galat server."),
        answers("u-2", "Polres Dua", answer(101, "B")),
    )

    result = pull(agency, sleep)

    assert result.ok and sleep.waits == [0]
    assert by_id(result)["u-2"].attempts == 2 and by_id(result)["u-2"].answered == 1
    assert agency.hits(answers_path("u-2")) == 2


def test_a_unit_that_always_times_out_fails_after_three_retries_and_the_others_go_on(agency, sleep):
    script_healthy_agency(agency)
    agency.script(answers_path("u-1"), HANG)

    result = pull(agency, sleep, timeout=0.2)

    assert sleep.waits == [0, 60, 120]  # the guide: at once, after 60 s, after 120 s
    assert agency.hits(answers_path("u-1")) == 4
    assert [(f.path, f.code, f.attempts, f.status, f.unit_id) for f in result.failures] == [
        (answers_path("u-1"), TIMEOUT, 4, None, "u-1")
    ]
    assert not result.ok and not by_id(result)["u-1"].fetched
    assert by_id(result)["u-2"].fetched and by_id(result)["u-3"].fetched


def test_injected_delays_replace_the_guide_schedule(agency, sleep):
    script_healthy_agency(agency)
    agency.script(answers_path("u-3"), error(503, "UNAVAILABLE", "Sedang pemeliharaan."))

    result = pull(agency, sleep, retry_delays=(0, 0, 0))

    assert sleep.waits == [0, 0, 0]
    assert [(f.code, f.status, f.attempts) for f in result.failures] == [("UNAVAILABLE", 503, 4)]
    assert result.failures[0].message == "Sedang pemeliharaan."


def test_a_dropped_connection_is_retried(agency, sleep):
    script_healthy_agency(agency)
    agency.script(WBBM_PATH, DROP, DROP, unit_list(unit("u-3", "Polda Tiga", "WBBM")))

    result = pull(agency, sleep)

    assert result.ok and sleep.waits == [0, 60]
    assert agency.hits(WBBM_PATH) == 3 and result.proposed_wbbm == 1


def test_a_connection_always_dropped_fails_with_its_attempts(agency, sleep):
    script_healthy_agency(agency)
    agency.script(answers_path("u-2"), DROP)

    result = pull(agency, sleep)

    assert [(f.code, f.attempts, f.unit_id) for f in result.failures] == [
        (CONNECTION_ERROR, 4, "u-2")
    ]


def test_no_server_at_all_fails_both_lists_after_the_retries(sleep):
    base_url = f"http://127.0.0.1:{free_port()}/api/portalrb"

    result = PortalrbClient(base_url, "t", timeout=1.0, sleep=sleep).pull()

    assert [(f.path, f.code, f.attempts) for f in result.failures] == [
        (WBK_PATH, CONNECTION_ERROR, 4),
        (WBBM_PATH, CONNECTION_ERROR, 4),
    ]
    assert sleep.waits == [0, 60, 120, 0, 60, 120]
    assert (result.tahun, result.units) == (None, ())


def test_a_rate_limit_is_retried_after_its_retry_after(agency, sleep):
    script_healthy_agency(agency)
    agency.script(
        WBK_PATH,
        error(429, "RATE_LIMITED", "Terlalu banyak permintaan.", **{"Retry-After": "7"}),
        unit_list(unit("u-1", "Polres Kota Satu", "WBK")),
    )

    result = pull(agency, sleep)

    assert result.ok and sleep.waits == [7]
    assert agency.hits(WBK_PATH) == 2 and result.proposed_wbk == 1


def test_retry_after_is_bounded_and_read_as_a_date_too(agency, sleep):
    script_healthy_agency(agency)
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    agency.script(
        answers_path("u-1"),
        error(429, "RATE_LIMITED", "Terlalu banyak permintaan.", **{"Retry-After": "3600"}),
        error(429, "RATE_LIMITED", "Terlalu banyak permintaan.", **{"Retry-After": later}),
        error(429, "RATE_LIMITED", "Terlalu banyak permintaan."),  # no Retry-After: the schedule
        error(429, "RATE_LIMITED", "Terlalu banyak permintaan.", **{"Retry-After": "1"}),
    )

    result = pull(agency, sleep, max_retry_after=90)

    assert sleep.waits[0] == 90 and 25 <= sleep.waits[1] <= 30 and sleep.waits[2] == 120
    assert [(f.code, f.status, f.attempts) for f in result.failures] == [("RATE_LIMITED", 429, 4)]


def test_a_wbbm_list_not_found_means_no_wbbm_unit(agency, sleep):
    script_healthy_agency(agency)
    agency.script(WBBM_PATH, error(404, "DATA_NOT_FOUND", "Tidak ada usulan WBBM."))

    result = pull(agency, sleep)

    assert result.ok and result.problems == ()
    assert (result.proposed_wbk, result.proposed_wbbm) == (2, 0)
    assert [unit.id for unit in result.units] == ["u-1", "u-2"]
    assert agency.hits(WBBM_PATH) == 1 and sleep.waits == []


def test_the_wbk_list_is_required(agency, sleep):
    script_healthy_agency(agency)
    agency.script(WBK_PATH, error(404, "DATA_NOT_FOUND", "Di luar periode pengusulan."))

    result = pull(agency, sleep)

    assert result.failures == (
        FetchFailure(WBK_PATH, "DATA_NOT_FOUND", "Di luar periode pengusulan.", 1, 404, None),
    )
    assert (result.proposed_wbk, result.proposed_wbbm, result.tahun) == (0, 1, 2026)


def test_a_wrong_token_is_final(agency, sleep):
    script_healthy_agency(agency)

    result = pull(agency, sleep, token="bukan-token-ini")

    assert [(f.path, f.code, f.status, f.attempts) for f in result.failures] == [
        (WBK_PATH, "UNAUTHORIZED", 401, 1),
        (WBBM_PATH, "UNAUTHORIZED", 401, 1),
    ]
    assert result.failures[0].message == "Token tidak ada atau tidak sah."
    assert sleep.waits == [] and result.units == ()
    assert agency.paths() == [WBK_PATH, WBBM_PATH]


@pytest.mark.parametrize(
    ("status", "code"), [(403, "FORBIDDEN"), (404, "DATA_NOT_FOUND"), (422, "INVALID_REQUEST")]
)
def test_other_client_errors_on_a_unit_are_final(agency, sleep, status, code):
    script_healthy_agency(agency)
    agency.script(answers_path("u-3"), error(status, code, "Ditolak."))

    result = pull(agency, sleep)

    assert result.failures == (
        FetchFailure(answers_path("u-3"), code, "Ditolak.", 1, status, "u-3"),
    )
    assert sleep.waits == [] and agency.hits(answers_path("u-3")) == 1


def test_an_error_body_outside_the_guide_is_a_problem(agency, sleep):
    script_healthy_agency(agency)
    agency.script(answers_path("u-2"), Reply(500, raw=b"<h1>Internal Server Error</h1>"))

    result = pull(agency, sleep, retry_delays=(0,))

    assert [(f.code, f.attempts) for f in result.failures] == [("HTTP_500", 2)]
    assert [(p.path, p.field) for p in result.problems] == [(answers_path("u-2"), "")]
    assert "error" in result.problems[0].message


def test_a_body_that_is_not_json_fails_its_fetch_without_retry(agency, sleep):
    script_healthy_agency(agency)
    agency.script(answers_path("u-1"), Reply(200, raw=b"<html>masuk dulu</html>"))
    agency.script(answers_path("u-2"), Reply(200, ["bukan", "objek"]))
    agency.script(answers_path("u-3"), Reply(200, {"unit_id": "u-3", "answers": "semua"}))

    result = pull(agency, sleep)

    assert [(f.unit_id, f.code, f.attempts) for f in result.failures] == [
        ("u-1", INVALID_JSON, 1),
        ("u-2", INVALID_RESPONSE, 1),
        ("u-3", INVALID_RESPONSE, 1),
    ]
    assert sleep.waits == []


def test_malformed_answers_are_reported_field_by_field(agency, sleep):
    script_healthy_agency(agency)
    agency.script(
        answers_path("u-1"),
        answers(
            "u-9",  # another unit's answers
            "Polres Kota Satu",
            answer(101, "A", "https://drive.example/1"),
            answer("102", "B"),  # soal_id as a string
            answer(103, 4),  # jawaban_unit as a number
            {"soal_id": 104},  # jawaban_unit missing
            answer(101, "C", 12),  # soal_id again; bukti as a number
            "A",  # not an object
            tahun="2026",
        ),
    )

    result = pull(agency, sleep)

    path = answers_path("u-1")
    assert [(p.path, p.field) for p in result.problems] == [
        (path, "unit_id"),
        (path, "tahun"),
        (path, "answers[1].soal_id"),
        (path, "answers[2].jawaban_unit"),
        (path, "answers[3].jawaban_unit"),
        (path, "answers[4].soal_id"),
        (path, "answers[4].bukti_dukung_unit"),
        (path, "answers[5]"),
    ]
    messages = {p.field: p.message for p in result.problems}
    assert messages["answers[1].soal_id"] == "harus berupa bilangan bulat"
    assert messages["answers[2].jawaban_unit"] == "harus berupa teks atau null"
    assert messages["answers[3].jawaban_unit"] == "wajib ada"
    assert "101" in messages["answers[4].soal_id"]
    assert "u-9" in messages["unit_id"] and "u-1" in messages["unit_id"]
    unit_1 = by_id(result)["u-1"]
    assert (unit_1.fetched, unit_1.answers, unit_1.answered, unit_1.with_evidence) == (
        True,
        6,
        3,
        1,
    )
    assert result.ok  # problems are reported; the fetch itself succeeded


def test_malformed_list_entries_are_reported_and_unusable_ones_skipped(agency, sleep):
    agency.script(
        WBK_PATH,
        unit_list(
            unit("u-1", "Polres Kota Satu", "WBBM"),  # not a kategori of this list
            {"nama": "Tanpa id"},
            unit("", "Id kosong"),
            unit("u-2", "Polres Dua", "WBK", afirmasi=True),  # flag contradicts kategori
            unit("u-4", 5, afirmasi="ya"),
            unit("u-1", "Polres Kota Satu lagi"),
        ),
    )
    agency.script(WBBM_PATH, unit_list(unit("u-2", "Polres Dua"), tahun=2025))
    for unit_id, nama in (("u-1", "Polres Kota Satu"), ("u-2", "Polres Dua"), ("u-4", "")):
        agency.script(answers_path(unit_id), answers(unit_id, nama, answer(1)))

    result = pull(agency, sleep)

    assert [(p.path, p.field) for p in result.problems] == [
        (WBK_PATH, "units[0].kategori"),
        (WBK_PATH, "units[1].id"),
        (WBK_PATH, "units[2].id"),
        (WBK_PATH, "units[3].afirmasi"),
        (WBK_PATH, "units[4].nama"),
        (WBK_PATH, "units[4].afirmasi"),
        (WBBM_PATH, "tahun"),
        (WBK_PATH, "units[5].id"),
        (WBBM_PATH, "units[0].id"),
    ]
    assert (result.proposed_wbk, result.proposed_wbbm, result.tahun) == (4, 1, 2026)
    assert [(u.id, u.kategori) for u in result.units] == [
        ("u-1", "WBK"),
        ("u-2", "WBK"),
        ("u-4", "WBK"),
    ]
    assert agency.hits(answers_path("u-1")) == 1 and result.ok


def test_kategori_follows_the_afirmasi_flag_and_the_answers_must_match_the_list(agency, sleep):
    agency.script(WBK_PATH, unit_list(unit("u-5", "Polres Lima", afirmasi=True)))
    agency.script(answers_path("u-5"), answers("u-5", "Polres Lima Baru"))

    result = pull(agency, sleep)

    assert [(u.kategori, u.afirmasi, u.answers) for u in result.units] == [
        ("WBK-AFIRMASI", True, 0)
    ]
    assert [(p.field, p.message) for p in result.problems] == [
        ("nama_unit", "Polres Lima Baru berbeda dengan nama di daftar unit (Polres Lima)"),
        ("answers", "tidak ada jawaban satu pun"),
    ]
