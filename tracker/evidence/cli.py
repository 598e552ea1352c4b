"""``flask evidence verify [--orphans] [--remove]``: re-hash stored files, find orphans."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.cli_support import cli_session
from tracker.evidence import services, storage
from tracker.extensions import evidence_store

evidence_cli = AppGroup("evidence", help="Berkas bukti dukung.")


@evidence_cli.command("verify")
@click.option("--orphans", is_flag=True, help="Juga daftar berkas tanpa baris basis data.")
@click.option("--remove", is_flag=True, help="Hapus berkas yatim (dengan --orphans).")
def verify_command(orphans: bool, remove: bool) -> None:
    """Re-hash every stored file; exit 1 if any is missing or altered."""
    store = evidence_store()
    with cli_session() as session:
        report = services.verify_store(session, store)
        orphan_keys = services.orphans(session, store) if orphans else []
    for key in report.missing:
        click.echo(f"HILANG  {key}")
    for key in report.altered:
        click.echo(f"BERUBAH {key}")
    click.echo(
        f"Utuh: {report.ok_count}, hilang: {len(report.missing)}, berubah: {len(report.altered)}"
    )
    if orphans:
        for key in orphan_keys:
            click.echo(f"YATIM   {key}")
        if remove and orphan_keys:
            removed = storage.remove_orphans(store, orphan_keys)
            click.echo(f"Dihapus: {len(removed)} berkas yatim")
        else:
            click.echo(f"Berkas yatim: {len(orphan_keys)}")
    if not report.clean:
        raise SystemExit(1)
