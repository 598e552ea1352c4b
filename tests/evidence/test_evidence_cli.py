"""`flask evidence verify [--orphans] [--remove]` on the app's own store."""

from __future__ import annotations

import io
import os

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
        actor=world.koordinator,
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
