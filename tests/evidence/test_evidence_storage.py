"""The ``EvidenceStore`` contract, run against both backends (local files and S3 over HTTP)."""

from __future__ import annotations

import errno
import hashlib
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from evidence_samples import (
    ALLOWED_SAMPLES,
    GeneratedStream,
    docx_bytes,
    elf_bytes,
    exe_bytes,
    html_bytes,
    leftovers,
    pdf_bytes,
    plain_zip_bytes,
    png_bytes,
    sized_pdf,
)
from werkzeug.exceptions import ClientDisconnected

from tracker.evidence import (
    DEFAULT_ALLOW_LIST,
    BlobNotFoundError,
    RejectedFileError,
    RejectReason,
    TypeAllowList,
    VerifyStatus,
    find_orphans,
    key_for,
    remove_orphans,
    storage,
    verify_all,
)

MB = 1024 * 1024


def save(store, data: bytes, filename: str = "laporan.pdf", max_bytes: int = MB, **kwargs):
    allowed = kwargs.pop("allowed", DEFAULT_ALLOW_LIST)
    return store.save(io.BytesIO(data), filename=filename, max_bytes=max_bytes, allowed=allowed)


def read_all(store, key: str) -> bytes:
    with store.open(key) as reader:
        return reader.read()


# Every method of the ``EvidenceStore`` protocol, as the round trip below calls it.
ROUND_TRIP = {
    "save",
    "exists",
    "size",
    "modified",
    "open",
    "verify",
    "iter_keys",
    "iter_blobs",
    "iter_temp",
    "purge_stale_temp",
    "delete",
}


def test_the_round_trip_covers_the_whole_protocol():
    declared = {name for name in vars(storage.EvidenceStore) if not name.startswith("_")}
    assert declared <= ROUND_TRIP, f"exercise the new methods: {sorted(declared - ROUND_TRIP)}"


def test_each_backend_keeps_the_protocols_promises(store):
    """Save, read back, list, check and delete one blob through the protocol's methods only."""
    backend: storage.EvidenceStore = store
    data = pdf_bytes("berita acara")
    sha256 = hashlib.sha256(data).hexdigest()
    before = datetime.now(UTC) - timedelta(seconds=5)  # S3 times have one-second resolution

    blob = backend.save(
        io.BytesIO(data), filename="berita acara.pdf", max_bytes=MB, allowed=DEFAULT_ALLOW_LIST
    )
    assert blob == storage.StoredBlob(
        key=storage.key_for(sha256),
        sha256=sha256,
        size=len(data),
        content_type="application/pdf",
        created=True,
    )
    assert backend.exists(blob.key) and backend.size(blob.key) == len(data)
    modified = backend.modified(blob.key)
    assert modified.tzinfo is not None and before <= modified <= datetime.now(UTC)
    with backend.open(blob.key) as reader:
        assert reader.read() == data
    assert backend.verify(blob.key, sha256) is storage.VerifyStatus.OK
    assert backend.verify(blob.key, "0" * 64) is storage.VerifyStatus.ALTERED
    assert list(backend.iter_keys()) == [blob.key]
    assert list(backend.iter_blobs()) == [storage.BlobInfo(blob.key, len(data), modified)]
    assert backend.purge_stale_temp(timedelta(0), dry_run=True) == []  # a save leaves no temp
    assert list(backend.iter_temp()) == []

    backend.delete(blob.key)
    assert not backend.exists(blob.key)
    assert list(backend.iter_keys()) == [] and list(backend.iter_blobs()) == []
    assert backend.verify(blob.key, sha256) is storage.VerifyStatus.MISSING
    for read in (backend.open, backend.size, backend.modified):
        with pytest.raises(storage.BlobNotFoundError):
            read(blob.key)
    again = backend.save(
        io.BytesIO(data), filename="lagi.pdf", max_bytes=MB, allowed=DEFAULT_ALLOW_LIST
    )
    assert (again.key, again.created) == (blob.key, True)  # stored anew after the delete


@pytest.mark.parametrize("filename", sorted(ALLOWED_SAMPLES))
def test_saves_every_allowed_type_under_its_content_address(store, filename):
    make, content_type = ALLOWED_SAMPLES[filename]
    data = make()
    blob = save(store, data, filename)
    sha256 = hashlib.sha256(data).hexdigest()
    assert blob.sha256 == sha256
    assert blob.key == f"{sha256[:2]}/{sha256}" == key_for(sha256)
    assert (blob.size, blob.content_type, blob.created) == (len(data), content_type, True)
    assert read_all(store, blob.key) == data
    assert store.exists(blob.key) and store.size(blob.key) == len(data)
    assert list(store.iter_keys()) == [blob.key]


def test_identical_content_is_stored_once(store):
    first = save(store, pdf_bytes(), "laporan.pdf")
    second = save(store, pdf_bytes(), "salinan laporan.PDF")
    assert (first.created, second.created) == (True, False)
    assert second.key == first.key and second.size == first.size
    assert list(store.iter_keys()) == [first.key]
    assert read_all(store, first.key) == pdf_bytes()


def test_a_dedupe_hit_refreshes_the_blobs_age(store):
    blob = save(store, pdf_bytes())
    before = store.modified(blob.key)
    time.sleep(1.1)  # S3's LastModified has one-second resolution
    save(store, pdf_bytes(), "lagi.pdf")
    assert store.modified(blob.key) > before


def test_concurrent_saves_of_the_same_content_are_safe(store):
    data = sized_pdf(300_000)
    with ThreadPoolExecutor(max_workers=6) as pool:
        blobs = list(pool.map(lambda i: save(store, data, f"kopi-{i}.pdf"), range(12)))
    assert {blob.key for blob in blobs} == {blobs[0].key}
    assert any(blob.created for blob in blobs)
    assert read_all(store, blobs[0].key) == data
    assert leftovers_except_blobs(store) == []


def stored_name(store, key: str) -> str:
    return key if hasattr(store, "root") else store.prefix + key


def leftovers_except_blobs(store) -> list[str]:
    blobs = {stored_name(store, key) for key in store.iter_keys()}
    return [name for name in leftovers(store) if name not in blobs]


# --- path traversal and hostile names -----------------------------------------------------------


@pytest.mark.parametrize(
    "filename",
    [
        "../../etc/passwd.pdf",
        "..\\..\\x.pdf",
        "/etc/cron.d/job.pdf",
        "laporan\x00.pdf",
        "laporan\u202eexe.pdf",
        "a" * 500 + ".pdf",
        "%2e%2e%2fescape.pdf",
        "~/.ssh/authorized_keys.pdf",
    ],
)
def test_hostile_names_never_reach_storage(store, filename, tmp_path):
    blob = save(store, pdf_bytes(), filename)
    assert blob.key == key_for(hashlib.sha256(pdf_bytes()).hexdigest())
    assert leftovers(store) == [stored_name(store, blob.key)]  # only the blob, under its hash
    if hasattr(store, "root"):
        assert sorted(p.name for p in tmp_path.iterdir()) == ["evidence"]


@pytest.mark.parametrize("key", ["../../etc/passwd", "ab/../../x", "AB/" + "ab" * 32, "", "ab"])
def test_malformed_keys_are_refused(store, key):
    for call in (store.open, store.exists, store.delete, lambda k: store.verify(k, "0" * 64)):
        with pytest.raises(ValueError, match="not an evidence storage key"):
            call(key)


def test_a_key_whose_shard_does_not_match_its_hash_is_refused(store):
    with pytest.raises(ValueError):
        store.open("cd/" + "ab" * 32)


# --- limits -------------------------------------------------------------------------------------


def test_a_file_of_exactly_the_limit_is_accepted(store):
    blob = save(store, sized_pdf(200_000), max_bytes=200_000)
    assert blob.size == 200_000


def test_one_byte_over_the_limit_is_rejected_and_leaves_nothing(store):
    with pytest.raises(RejectedFileError) as caught:
        save(store, sized_pdf(200_001), "scan besar.pdf", max_bytes=200_000)
    assert caught.value.reason is RejectReason.TOO_LARGE
    assert str(caught.value) == "Berkas scan besar.pdf ditolak: ukurannya melebihi batas 195.3 KB."
    assert leftovers(store) == []


def test_reading_stops_as_soon_as_the_limit_is_passed(store):
    endless = GeneratedStream(10**12)  # a terabyte that must never be read
    with pytest.raises(RejectedFileError):
        store.save(endless, filename="x.pdf", max_bytes=3 * MB, allowed=DEFAULT_ALLOW_LIST)
    assert endless.position == 3 * MB + 1
    assert leftovers(store) == []


@pytest.mark.parametrize("max_bytes", [0, -1, 1.5, True, "50"])
def test_an_invalid_limit_is_a_programming_error(store, max_bytes):
    with pytest.raises(ValueError, match="max_bytes"):
        save(store, pdf_bytes(), max_bytes=max_bytes)
    assert leftovers(store) == []


# --- type spoofing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "make", "reason"),
    [
        ("laporan.pdf", elf_bytes, RejectReason.CONTENT_MISMATCH),
        ("laporan.pdf", exe_bytes, RejectReason.CONTENT_MISMATCH),
        ("foto.png", html_bytes, RejectReason.CONTENT_MISMATCH),
        ("sk.docx", plain_zip_bytes, RejectReason.CONTENT_MISMATCH),
        ("foto.jpg", png_bytes, RejectReason.CONTENT_MISMATCH),
        ("kosong.pdf", lambda: b"", RejectReason.EMPTY),
        ("setup.exe", exe_bytes, RejectReason.EXTENSION_NOT_ALLOWED),
        ("laporan.pdf\x00.exe", pdf_bytes, RejectReason.EXTENSION_NOT_ALLOWED),
        ("laporan", pdf_bytes, RejectReason.NO_EXTENSION),
    ],
)
def test_spoofed_or_empty_files_are_rejected_and_leave_nothing(store, filename, make, reason):
    with pytest.raises(RejectedFileError) as caught:
        save(store, make(), filename)
    assert caught.value.reason is reason
    assert caught.value.name in str(caught.value)
    assert leftovers(store) == []


def test_a_disallowed_extension_is_refused_before_reading_the_upload(store):
    stream = GeneratedStream(10 * MB)
    with pytest.raises(RejectedFileError):
        store.save(stream, filename="virus.exe", max_bytes=50 * MB, allowed=DEFAULT_ALLOW_LIST)
    assert stream.position == 0


def test_the_configured_allow_list_is_used(store):
    with pytest.raises(RejectedFileError, match=r"jenis \.docx tidak diizinkan"):
        save(store, docx_bytes(), "sk.docx", allowed=TypeAllowList.from_config("pdf"))


# --- interruption -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        ClientDisconnected(),
        OSError(errno.ECONNRESET, "Connection reset by peer"),
        TimeoutError("read timed out"),
        KeyboardInterrupt(),
        SystemExit(1),  # how gunicorn's worker timeout unwinds a request
    ],
    ids=lambda error: type(error).__name__,
)
def test_an_upload_interrupted_mid_way_leaves_nothing(store, error):
    stream = GeneratedStream(5 * MB, fail_after=2 * MB, error=error)
    with pytest.raises(type(error)):
        store.save(stream, filename="scan.pdf", max_bytes=50 * MB, allowed=DEFAULT_ALLOW_LIST)
    assert stream.position >= 2 * MB
    assert leftovers(store) == []


def test_an_interrupted_reupload_keeps_the_existing_blob(store):
    data = sized_pdf(3 * MB)
    blob = save(store, data, max_bytes=50 * MB)
    stream = GeneratedStream(3 * MB, fail_after=MB, error=ClientDisconnected())
    with pytest.raises(ClientDisconnected):
        store.save(stream, filename="scan.pdf", max_bytes=50 * MB, allowed=DEFAULT_ALLOW_LIST)
    assert store.verify(blob.key, blob.sha256) is VerifyStatus.OK
    assert leftovers_except_blobs(store) == []


# --- reading, deleting, listing -----------------------------------------------------------------


def test_missing_blobs(store):
    key = key_for("ab" * 32)
    assert not store.exists(key)
    for call in (store.open, store.size, store.modified):
        with pytest.raises(BlobNotFoundError) as caught:
            call(key)
        assert caught.value.key == key
        assert str(caught.value) == "Berkas bukti tidak ditemukan di penyimpanan."
        assert caught.value.http_status == 404


def test_delete_is_idempotent(store):
    blob = save(store, pdf_bytes())
    store.delete(blob.key)
    store.delete(blob.key)
    assert not store.exists(blob.key)
    assert list(store.iter_keys()) == []


def test_open_streams_in_chunks(store):
    data = sized_pdf(2 * MB + 17)
    blob = save(store, data, max_bytes=50 * MB)
    with store.open(blob.key) as reader:
        parts = iter(lambda: reader.read(64 * 1024), b"")
        assert hashlib.sha256(b"".join(parts)).hexdigest() == blob.sha256


def test_listing_is_sorted_and_carries_size_and_age(store):
    blobs = [save(store, pdf_bytes(f"bukti {i}")) for i in range(5)]
    listed = list(store.iter_blobs())
    assert [info.key for info in listed] == sorted(blob.key for blob in blobs)
    now = datetime.now(UTC)
    for info in listed:
        assert info.size == len(pdf_bytes("bukti 0"))
        assert now - timedelta(minutes=5) < info.modified <= now + timedelta(seconds=5)


# --- verify -------------------------------------------------------------------------------------


def corrupt(store, key: str, data: bytes) -> None:
    """Replace a blob's bytes behind the store's back (bit rot, an admin's mistake)."""
    if hasattr(store, "root"):
        (store.root / key).write_bytes(data)
    else:
        store.client.put_object(Bucket=store.bucket, Key=store.prefix + key, Body=data)


def test_verify_reports_ok_altered_and_missing(store):
    ok, altered, missing = (save(store, pdf_bytes(f"bukti {i}")) for i in range(3))
    original = pdf_bytes("bukti 1")
    corrupt(store, altered.key, original.replace(b"bukti 1", b"bukti X"))  # same size
    store.delete(missing.key)
    assert store.verify(ok.key, ok.sha256) is VerifyStatus.OK
    assert store.verify(ok.key, ok.sha256.upper()) is VerifyStatus.OK
    assert store.verify(altered.key, altered.sha256) is VerifyStatus.ALTERED
    assert store.verify(missing.key, missing.sha256) is VerifyStatus.MISSING

    expected = {blob.key: blob.sha256 for blob in (ok, altered, missing)}
    report = verify_all(store, expected)
    assert (report.ok_count, report.altered, report.missing) == (1, [altered.key], [missing.key])
    assert not report.clean
    assert verify_all(store, {ok.key: ok.sha256}).clean


@pytest.mark.parametrize("damage", ["truncated", "same size"])
def test_saving_again_repairs_a_damaged_copy(store, damage):
    data = pdf_bytes()
    blob = save(store, data)
    broken = data[:20] if damage == "truncated" else data.replace(b"Bukti", b"Palsu")
    assert broken != data and (len(broken) == len(data)) == (damage == "same size")
    corrupt(store, blob.key, broken)
    again = save(store, data, "ulang.pdf")
    assert again.created
    assert store.verify(blob.key, blob.sha256) is VerifyStatus.OK


# --- orphans ------------------------------------------------------------------------------------


def test_orphans_are_unreferenced_blobs_past_the_grace_period(store):
    kept, orphan_a, orphan_b = (save(store, pdf_bytes(f"bukti {i}")) for i in range(3))
    referenced = {kept.key}
    assert find_orphans(store, referenced) == []  # all younger than the default hour
    later = datetime.now(UTC) + timedelta(hours=2)
    orphans = find_orphans(store, referenced, now=later)
    assert orphans == sorted([orphan_a.key, orphan_b.key])
    assert find_orphans(store, referenced, min_age=timedelta(0), now=later) == orphans

    assert remove_orphans(store, orphans, now=later) == orphans
    assert list(store.iter_keys()) == [kept.key]
    assert remove_orphans(store, orphans, now=later) == []  # already gone: not an error


def test_remove_orphans_rechecks_the_age_just_before_deleting(store):
    blob = save(store, pdf_bytes())
    listed = find_orphans(store, set(), now=datetime.now(UTC) + timedelta(hours=2))
    assert listed == [blob.key]
    # An upload reused the blob after the listing: its age is fresh again, so it survives.
    assert remove_orphans(store, listed) == []
    assert store.exists(blob.key)


def test_a_temporary_file_of_an_upload_in_progress_is_not_listed(store):
    started, release = threading.Event(), threading.Event()

    class SlowStream(GeneratedStream):
        def read(self, n=-1):
            if self.position >= MB:
                started.set()
                release.wait(10)
            return super().read(n)

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(
            store.save,
            SlowStream(2 * MB),
            filename="a.pdf",
            max_bytes=50 * MB,
            allowed=DEFAULT_ALLOW_LIST,
        )
        assert started.wait(10)
        assert list(store.iter_keys()) == []
        assert find_orphans(store, set(), min_age=timedelta(0)) == []
        release.set()
        blob = future.result(timeout=30)
    assert list(store.iter_keys()) == [blob.key]


# --- a declared size (a request's Content-Length; issue 13, point 4) ----------------------------


def test_a_body_shorter_than_declared_is_refused_and_leaves_nothing(store):
    data = pdf_bytes()
    third = len(data) // 3
    with pytest.raises(RejectedFileError) as caught:
        store.save(
            io.BytesIO(data[:third]),
            filename="sk.pdf",
            max_bytes=MB,
            allowed=DEFAULT_ALLOW_LIST,
            declared_size=len(data),
        )
    err = caught.value
    assert err.reason is RejectReason.INCOMPLETE
    assert (err.details["received"], err.details["declared"]) == (third, len(data))
    assert str(err).startswith("Berkas sk.pdf ditolak: unggahan terputus sebelum selesai")
    assert leftovers(store) == []


def test_exactly_the_declared_bytes_are_read_and_never_more(store):
    data = pdf_bytes()
    stream = io.BytesIO(data + b"the next request on the connection")
    blob = store.save(
        stream, filename="sk.pdf", max_bytes=MB, allowed=DEFAULT_ALLOW_LIST, declared_size=len(data)
    )
    assert stream.tell() == len(data)  # PEP 3333: what follows is not this request's body
    assert (blob.size, blob.sha256) == (len(data), hashlib.sha256(data).hexdigest())


def test_a_declared_size_over_the_limit_is_refused_before_reading(store):
    stream = GeneratedStream(2 * MB)
    with pytest.raises(RejectedFileError) as caught:
        store.save(
            stream,
            filename="scan.pdf",
            max_bytes=MB,
            allowed=DEFAULT_ALLOW_LIST,
            declared_size=2 * MB,
        )
    assert caught.value.reason is RejectReason.TOO_LARGE and stream.position == 0
    assert leftovers(store) == []


def test_a_declared_prefix_of_a_longer_file_is_refused_as_cut_off(store):
    """A client that sends more than it declared: the body is the declared bytes, the start of
    the file, which is refused because its end is missing."""
    data = sized_pdf(MB)
    with pytest.raises(RejectedFileError) as caught:
        store.save(
            io.BytesIO(data),
            filename="scan.pdf",
            max_bytes=2 * MB,
            allowed=DEFAULT_ALLOW_LIST,
            declared_size=len(data) // 3,
        )
    assert caught.value.reason is RejectReason.TRUNCATED
    assert leftovers(store) == []
