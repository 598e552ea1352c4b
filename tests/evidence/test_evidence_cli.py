"""`flask evidence verify [--orphans] [--remove]` on the app's own store."""

from __future__ import annotations

import io
import os
import re
import time

from tests.evidence.evidence_samples import pdf_bytes, png_bytes
from tests.world import World
from tracker.evidence import services
from tracker.evidence.filetypes import DEFAULT_ALLOW_LIST
from tracker.evidence.models import EvidencePurpose
from tracker.evidence.storage import LocalEvidenceStore


def test_verify_reports_altered_files_and_removes_orphans(app, world: World, settings) -> None:
    store = LocalEvidenceStore(settings.evidence_dir)
    e = world.building()
    row = services.upload(
        world.session,
        store,
        user=world.koordinator,
        enrolment=e,
        target=services.Target(EvidencePurpose.ITEM, "A.I.1.i.a"),
        stream=io.BytesIO(pdf_bytes("asli")),
        filename="sk.pdf",
        policy=services.UploadPolicy(10**6, DEFAULT_ALLOW_LIST),
    )
    world.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["evidence", "verify"])
    assert result.exit_code == 0 and "Utuh: 1" in result.output

    orphan = store.save(
        io.BytesIO(png_bytes()), filename="yatim.png", max_bytes=10**6, allowed=DEFAULT_ALLOW_LIST
    )
    os.utime(store.root / orphan.key, (0, 0))  # old enough to be an orphan, not an upload
    result = runner.invoke(args=["evidence", "verify", "--orphans"])
    assert f"YATIM   {orphan.key}" in result.output
    result = runner.invoke(args=["evidence", "verify", "--orphans", "--remove"])
    assert "Dihapus: 1" in result.output and not store.exists(orphan.key)

    path = store.root / row.storage_key
    path.chmod(0o600)
    path.write_bytes(pdf_bytes("dipalsukan"))
    result = runner.invoke(args=["evidence", "verify"])
    assert result.exit_code == 1 and f"BERUBAH {row.storage_key}" in result.output


def test_verify_lists_temporary_files_with_their_age_and_purges_only_stale_ones(app, settings):
    """A process killed mid-upload leaves its temporary file (issue 13, point 9)."""
    store = LocalEvidenceStore(settings.evidence_dir)
    store.temp_dir.mkdir(parents=True)
    stale, live = store.temp_dir / "upload-mati.part", store.temp_dir / "upload-jalan.part"
    stale.write_bytes(b"%PDF-1.4 setengah")
    live.write_bytes(b"%PDF-1.4 sedang")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(stale, (two_hours_ago, two_hours_ago))
    runner = app.test_cli_runner()

    result = runner.invoke(args=["evidence", "verify", "--orphans"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (
        "SEMENTARA upload-mati.part (17 B, umur 2 jam): basi, sisa unggahan yang terhenti" in lines
    )
    assert any(
        re.fullmatch(
            r"SEMENTARA upload-jalan\.part \(15 B, umur \d+ detik\): lebih muda dari 1 jam, "
            r"mungkin unggahan yang sedang berjalan; tidak dihapus",
            line,
        )
        for line in lines
    ), lines
    assert "Berkas sementara: 2, basi: 1" in lines
    assert stale.exists()  # listing removes nothing

    result = runner.invoke(args=["evidence", "verify", "--purge"])
    assert "Dihapus: 1 berkas sementara basi" in result.output.splitlines()
    assert not stale.exists() and live.exists()


def test_verify_reports_young_orphans_without_removing_them(app, settings):
    """An unreferenced blob younger than an hour may belong to an upload whose row is not
    committed yet: listed, never removed (issue 13, point 9)."""
    store = LocalEvidenceStore(settings.evidence_dir)
    young = store.save(
        io.BytesIO(png_bytes()), filename="baru.png", max_bytes=10**6, allowed=DEFAULT_ALLOW_LIST
    )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["evidence", "verify", "--remove"])
    lines = result.output.splitlines()
    assert any(
        re.fullmatch(
            rf"MUDA    {young.key} \({young.size} B, umur \d+ detik\): lebih muda dari 1 jam, "
            r"mungkin milik unggahan yang sedang berjalan; tidak dihapus",
            line,
        )
        for line in lines
    ), lines
    assert "Berkas yatim: 0" in lines
    assert "Berkas yatim muda (lebih muda dari 1 jam, tidak dihapus): 1" in lines
    assert store.exists(young.key)
