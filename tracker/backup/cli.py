"""``flask backup create DEST`` and ``flask backup restore SRC`` (issue 18 §5).

How often and where to keep the archives: the README's "Backups" section.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from tracker.backup import services
from tracker.certificates.storage import PREFIX as PRINT_RESULTS
from tracker.cli_support import fail_on_domain_error
from tracker.evidence.storage import (
    LocalEvidenceStore,
    S3EvidenceStore,
    build_store_from_settings,
)
from tracker.extensions import settings

backup_cli = AppGroup("backup", help="Cadangan: basis data, berkas bukti dan kepala jejak audit.")


def _instance() -> services.Instance:
    config = settings()
    stores: dict[str, LocalEvidenceStore | S3EvidenceStore] = {}
    for area, sub in (("evidence", None), ("print-jobs", PRINT_RESULTS)):
        store = build_store_from_settings(config, area=sub)
        assert isinstance(store, LocalEvidenceStore | S3EvidenceStore)  # the two backends
        stores[area] = store
    return services.Instance(
        engine=current_app.extensions["engine"],
        audit_key=config.audit_key,
        stores=stores,
        storage_backend=config.evidence_backend,
        pg_bin_dir=config.pg_bin_dir,
    )


@backup_cli.command("create")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option(
    "--no-blobs",
    is_flag=True,
    help="Jangan salin berkas bukti; catat kunci dan SHA-256-nya saja (mis. bucket S3 "
    "yang sudah dicadangkan dengan versioning/replikasi).",
)
@fail_on_domain_error
def create_command(dest: Path, no_blobs: bool) -> None:
    """Write one archive (.tar.gz) with the database dump, the blobs, the LKE framework
    versions, the audit head and a manifest of SHA-256 sums. DEST is a file name, or a folder
    to write zi-tracker-<UTC time>.tar.gz into."""
    if dest.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        dest = dest / f"zi-tracker-{stamp}.tar.gz"
    outcome = services.create(_instance(), dest, include_blobs=not no_blobs)
    for warning in outcome.warnings:
        click.echo(f"PERINGATAN {warning}", err=True)
    manifest = outcome.manifest
    copied = sum(1 for blob in manifest.blobs if blob.included)
    click.echo(f"Cadangan: {dest}")
    click.echo(
        f"Basis data {manifest.dialect}, {copied}/{len(manifest.blobs)} berkas disalin, "
        f"kepala audit {manifest.audit_head}"
    )


@backup_cli.command("restore")
@click.argument("src", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@fail_on_domain_error
def restore_command(src: Path) -> None:
    """Verify SRC's manifest, then restore it into this instance, which must be empty (a new
    database, migrated or not, and an empty evidence store). Afterwards run `flask audit
    verify` and `flask evidence verify`."""
    outcome = services.restore(_instance(), src)
    for warning in outcome.warnings:
        click.echo(f"PERINGATAN {warning}", err=True)
    manifest = outcome.manifest
    restored = sum(1 for blob in manifest.blobs if blob.included)
    click.echo(
        f"Dipulihkan dari {src}: basis data {manifest.dialect} ({manifest.created_at}), "
        f"{restored} berkas, jejak audit utuh sampai {manifest.audit_head}"
    )
