"""``portalrb pull`` through click's CliRunner against the agency's stand-in server: what it
prints, and its exit code."""

from __future__ import annotations

import click
from click.testing import CliRunner
from flask.cli import AppGroup

from tests.portalrb_client.agency_server import (
    HANG,
    AgencyServer,
    answer,
    answers,
    answers_path,
    error,
    script_healthy_agency,
)
from tracker.portalrb.pull_cli import pull_command


def run(agency: AgencyServer, *args: str, command: click.Command = pull_command):
    return CliRunner().invoke(command, [*args, agency.base_url, "--timeout", "0.3", "--no-wait"])


def test_prints_what_portalrb_sees(agency):
    script_healthy_agency(agency)

    result = run(agency, "--token", agency.token)

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Tahun: 2026",
        "Unit diusulkan: WBK 2, WBBM 1",
        "- u-1 · Polres Kota Satu · WBK · 3/4 soal terjawab · 2 dengan bukti dukung",
        "- u-2 · Polres Dua · WBK-AFIRMASI · 1/1 soal terjawab · 0 dengan bukti dukung",
        "- u-3 · Polda Tiga · WBBM · 1/2 soal terjawab · 1 dengan bukti dukung",
    ]


def test_a_failed_fetch_is_listed_with_its_code_and_exits_non_zero(agency):
    script_healthy_agency(agency)
    agency.script(answers_path("u-1"), HANG)
    agency.script(answers_path("u-3"), error(403, "FORBIDDEN", "Bukan unit instansi ini."))
    agency.script(answers_path("u-2"), answers("u-2", "Polres Dua", answer("101", "B")))

    result = run(agency, "--token", agency.token)

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "Tahun: 2026",
        "Unit diusulkan: WBK 2, WBBM 1",
        "- u-1 · Polres Kota Satu · WBK · jawaban gagal diambil",
        "- u-2 · Polres Dua · WBK-AFIRMASI · 1/1 soal terjawab · 0 dengan bukti dukung",
        "- u-3 · Polda Tiga · WBBM · jawaban gagal diambil",
        "Masalah bentuk data (1):",
        "- /lke/jawaban-unit/u-2 answers[0].soal_id: harus berupa bilangan bulat",
        "Pengambilan gagal (2):",
        "- /lke/jawaban-unit/u-1: TIMEOUT (-) Tidak ada jawaban dalam 0,3 detik · 4 percobaan",
        "- /lke/jawaban-unit/u-3: FORBIDDEN (HTTP 403) Bukan unit instansi ini. · 1 percobaan",
    ]
    assert agency.hits(answers_path("u-1")) == 4
    assert "Menunggu" not in result.output  # --no-wait: the retries came at once


def test_a_wrong_token_read_from_the_environment_fails_at_once(agency, monkeypatch):
    script_healthy_agency(agency)
    monkeypatch.setenv("PORTALRB_TOKEN", "bukan-token-ini")

    result = run(agency)

    assert result.exit_code == 1
    assert result.stdout.splitlines()[-3:] == [
        "Pengambilan gagal (2):",
        "- /pengusulan/unit-wbk: UNAUTHORIZED (HTTP 401) Token tidak ada atau tidak sah. · "
        "1 percobaan",
        "- /pengusulan/unit-wbbm: UNAUTHORIZED (HTTP 401) Token tidak ada atau tidak sah. · "
        "1 percobaan",
    ]
    assert result.stdout.splitlines()[0] == "Tahun: tidak diketahui"


def test_works_as_a_command_of_a_flask_group_without_an_app(agency):
    script_healthy_agency(agency)
    group = AppGroup("portalrb")
    group.add_command(pull_command)

    result = CliRunner().invoke(
        group, ["pull", agency.base_url, "--token", agency.token, "--no-wait"]
    )

    assert result.exit_code == 0, result.output
    assert "Unit diusulkan: WBK 2, WBBM 1" in result.stdout.splitlines()


def test_the_token_is_required(agency):
    result = CliRunner().invoke(pull_command, [agency.base_url], env={"PORTALRB_TOKEN": None})

    assert result.exit_code == 2 and "--token" in result.output
    assert agency.requests == []


def test_without_no_wait_it_honours_retry_after_and_says_it_waits(agency):
    script_healthy_agency(agency)
    agency.script(
        answers_path("u-2"),
        error(429, "RATE_LIMITED", "Terlalu banyak permintaan.", **{"Retry-After": "1"}),
        answers("u-2", "Polres Dua", answer(101, "B")),
    )

    result = CliRunner().invoke(pull_command, [agency.base_url, "--token", agency.token])

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["Menunggu 1 detik sebelum mencoba lagi…"]
    assert agency.hits(answers_path("u-2")) == 2
