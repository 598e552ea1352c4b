"""``flask portalrb pull BASE_URL --token TOKEN``: pull from a deployment as PortalRB would and
print what PortalRB would see (issue 12 §4). It needs no app context: it only speaks HTTP."""

from __future__ import annotations

import time

import click

from tracker.i18n import _
from tracker.portalrb.client import (
    GUIDE_RETRY_DELAYS,
    FetchFailure,
    PortalrbClient,
    Problem,
    PullResult,
    UnitPull,
    seconds,
)

NO_WAIT_DELAYS = (0.0, 0.0, 0.0)


@click.command("pull")
@click.argument("base_url")
@click.option(
    "--token",
    required=True,
    envvar="PORTALRB_TOKEN",
    help="Token Bearer instansi (atau variabel lingkungan PORTALRB_TOKEN).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Batas waktu tiap permintaan, dalam detik.",
)
@click.option(
    "--no-wait",
    is_flag=True,
    help="Ulangi tanpa jeda (0, 0, 0 detik) alih-alih jadwal panduan (0, 60, 120 detik).",
)
def pull_command(base_url: str, token: str, timeout: float, no_wait: bool) -> None:
    """Tarik daftar unit dan jawaban LKE dari BASE_URL (mis. https://zi.instansi.go.id/api/portalrb)
    seperti PortalRB, lalu tampilkan apa yang dilihat PortalRB. Keluar dengan kode 1 bila ada
    pengambilan yang gagal."""
    client = PortalrbClient(
        base_url,
        token,
        timeout=timeout,
        retry_delays=NO_WAIT_DELAYS if no_wait else GUIDE_RETRY_DELAYS,
        sleep=_announced_sleep,
    )
    result = client.pull()
    for line in report_lines(result):
        click.echo(line)
    if not result.ok:
        click.get_current_context().exit(1)


def _announced_sleep(delay: float) -> None:
    """Wait before a retry, saying so on stderr (the guide's waits are minutes long)."""
    if delay > 0:
        click.echo(
            _("Menunggu %(seconds)s detik sebelum mencoba lagi…", seconds=seconds(delay)), err=True
        )
        time.sleep(delay)


def report_lines(result: PullResult) -> list[str]:
    """What PortalRB would see: the year, the units it counts per list, one line per unit, then
    the problems in the shapes and the failed fetches."""
    tahun = str(result.tahun) if result.tahun is not None else _("tidak diketahui")
    lines = [
        _("Tahun: %(tahun)s", tahun=tahun),
        _(
            "Unit diusulkan: WBK %(wbk)s, WBBM %(wbbm)s",
            wbk=result.proposed_wbk,
            wbbm=result.proposed_wbbm,
        ),
    ]
    lines += [_unit_line(unit) for unit in result.units]
    if result.problems:
        lines.append(_("Masalah bentuk data (%(count)s):", count=len(result.problems)))
        lines += [_problem_line(problem) for problem in result.problems]
    if result.failures:
        lines.append(_("Pengambilan gagal (%(count)s):", count=len(result.failures)))
        lines += [_failure_line(failure) for failure in result.failures]
    return lines


def _unit_line(unit: UnitPull) -> str:
    if not unit.fetched:
        return _(
            "- %(id)s · %(nama)s · %(kategori)s · jawaban gagal diambil",
            id=unit.id,
            nama=unit.nama,
            kategori=unit.kategori,
        )
    return _(
        "- %(id)s · %(nama)s · %(kategori)s · %(answered)s/%(total)s soal terjawab · "
        "%(evidence)s dengan bukti dukung",
        id=unit.id,
        nama=unit.nama,
        kategori=unit.kategori,
        answered=unit.answered,
        total=unit.answers,
        evidence=unit.with_evidence,
    )


def _problem_line(problem: Problem) -> str:
    where = f"{problem.path} {problem.field}" if problem.field else problem.path
    return f"- {where}: {problem.message}"


def _failure_line(failure: FetchFailure) -> str:
    status = f"HTTP {failure.status}" if failure.status is not None else "-"
    return _(
        "- %(path)s: %(code)s (%(status)s) %(detail)s · %(attempts)s percobaan",
        path=failure.path,
        code=failure.code,
        status=status,
        detail=failure.message,
        attempts=failure.attempts,
    )
