"""``flask evidence verify [--orphans] [--remove] [--purge]``: re-hash stored files, list and
sweep orphans and the temporary files of killed uploads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask.cli import AppGroup

from tracker.cli_support import cli_session
from tracker.evidence import services, storage
from tracker.evidence.filetypes import human_size
from tracker.extensions import evidence_store

evidence_cli = AppGroup("evidence", help="Berkas bukti dukung.")


@evidence_cli.command("verify")
@click.option(
    "--orphans",
    is_flag=True,
    help="Juga daftar berkas tanpa baris basis data dan berkas sementara unggahan.",
)
@click.option(
    "--remove",
    is_flag=True,
    help="Hapus berkas yatim yang lebih tua dari masa tenggang (termasuk --orphans).",
)
@click.option(
    "--purge",
    is_flag=True,
    help="Hapus berkas sementara basi dari unggahan yang terhenti (termasuk --orphans).",
)
def verify_command(orphans: bool, remove: bool, purge: bool) -> None:
    """Re-hash every stored file; exit 1 if any is missing or altered.

    With --orphans, also list blobs no row refers to (old ones, and young ones that may belong
    to an upload in progress and are never removed) and every temporary file with its age.
    --remove deletes the old orphans, --purge the stale temporary files; both imply --orphans.
    """
    store = evidence_store()
    now = datetime.now(UTC)
    with cli_session() as session:
        report = services.verify_store(session, store)
        survey = (
            services.survey_orphans(session, store, now=now) if orphans or remove or purge else None
        )
    for key in report.missing:
        click.echo(f"HILANG  {key}")
    for key in report.altered:
        click.echo(f"BERUBAH {key}")
    click.echo(
        f"Utuh: {report.ok_count}, hilang: {len(report.missing)}, berubah: {len(report.altered)}"
    )
    if survey is not None:
        _report_orphans(store, survey, now=now, remove=remove)
        _report_temp(store, survey, now=now, purge=purge)
    if not report.clean:
        raise SystemExit(1)


def _report_orphans(
    store: storage.EvidenceStore, survey: storage.OrphanSurvey, *, now: datetime, remove: bool
) -> None:
    grace = _age(storage.DEFAULT_ORPHAN_MIN_AGE)
    for blob in survey.old:
        click.echo(
            f"YATIM   {blob.key} ({human_size(blob.size)}, umur {_age(now - blob.modified)})"
        )
    for blob in survey.young:
        click.echo(
            f"MUDA    {blob.key} ({human_size(blob.size)}, umur {_age(now - blob.modified)}): "
            f"lebih muda dari {grace}, mungkin milik unggahan yang sedang berjalan; tidak dihapus"
        )
    if remove and survey.old:
        removed = storage.remove_orphans(store, [blob.key for blob in survey.old])
        click.echo(f"Dihapus: {len(removed)} berkas yatim")
    else:
        click.echo(f"Berkas yatim: {len(survey.old)}")
    if survey.young:
        click.echo(
            f"Berkas yatim muda (lebih muda dari {grace}, tidak dihapus): {len(survey.young)}"
        )


def _report_temp(
    store: storage.EvidenceStore, survey: storage.OrphanSurvey, *, now: datetime, purge: bool
) -> None:
    safe_age = storage.DEFAULT_TEMP_MIN_AGE
    for temp in survey.temp:
        age = f"{human_size(temp.size)}, umur {_age(now - temp.modified)}"
        if temp.name in survey.stale:
            click.echo(f"SEMENTARA {temp.name} ({age}): basi, sisa unggahan yang terhenti")
        else:
            click.echo(
                f"SEMENTARA {temp.name} ({age}): lebih muda dari {_age(safe_age)}, "
                "mungkin unggahan yang sedang berjalan; tidak dihapus"
            )
    if purge and survey.stale:
        # Re-checked by the store against the same age: a file written to meanwhile stays.
        purged = store.purge_stale_temp(safe_age)
        click.echo(f"Dihapus: {len(purged)} berkas sementara basi")
    else:
        click.echo(f"Berkas sementara: {len(survey.temp)}, basi: {len(survey.stale)}")


def _age(delta: timedelta) -> str:
    """``"45 detik"``, ``"12 menit"``, ``"3 jam"``, ``"2 hari"``: rounded down, for operators."""
    seconds = max(int(delta.total_seconds()), 0)
    for unit, size in (("hari", 86400), ("jam", 3600), ("menit", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} detik"
