"""Behaviour specific to ``S3EvidenceStore``, against the moto server over HTTP."""

from __future__ import annotations

import base64
import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import EndpointConnectionError
from evidence_samples import GeneratedStream, leftovers, pdf_bytes, png_bytes

from tracker.evidence import DEFAULT_ALLOW_LIST, S3EvidenceStore, build_store

pytestmark = pytest.mark.s3
MB = 1024 * 1024


def save(store, data=None, filename="laporan.pdf", max_bytes=MB):
    data = pdf_bytes() if data is None else data
    return store.save(
        io.BytesIO(data), filename=filename, max_bytes=max_bytes, allowed=DEFAULT_ALLOW_LIST
    )


def test_objects_carry_the_sha256_checksum_type_and_metadata(s3_store):
    blob = save(s3_store, png_bytes(), "bagan.png")
    head = s3_store.client.head_object(
        Bucket=s3_store.bucket, Key=s3_store.prefix + blob.key, ChecksumMode="ENABLED"
    )
    assert head["ChecksumSHA256"] == base64.b64encode(bytes.fromhex(blob.sha256)).decode()
    assert head["ContentType"] == "image/png"
    assert head["Metadata"] == {"sha256": blob.sha256}
    assert head["ContentLength"] == len(png_bytes())


def test_keys_live_under_the_prefix_and_other_objects_are_ignored(s3_store):
    blob = save(s3_store)
    assert s3_store.prefix == "zi-tracker/evidence/"
    client, bucket = s3_store.client, s3_store.bucket
    client.put_object(Bucket=bucket, Key="elsewhere/" + blob.key, Body=b"x")
    client.put_object(Bucket=bucket, Key=s3_store.prefix + "README.txt", Body=b"x")
    client.put_object(Bucket=bucket, Key=s3_store.prefix + "ab/not-a-hash", Body=b"x")
    assert list(s3_store.iter_keys()) == [blob.key]


def test_an_object_without_our_checksum_is_replaced_not_trusted(s3_store):
    data = pdf_bytes()
    blob_key = save(s3_store, data).key
    # Same bytes written by another tool: no checksum, so dedupe cannot vouch for it.
    s3_store.client.put_object(Bucket=s3_store.bucket, Key=s3_store.prefix + blob_key, Body=data)
    again = save(s3_store, data)
    assert again.created
    head = s3_store.client.head_object(
        Bucket=s3_store.bucket, Key=s3_store.prefix + blob_key, ChecksumMode="ENABLED"
    )
    assert "ChecksumSHA256" in head


def test_a_failed_put_leaves_no_object_and_no_spool_file(s3_store, monkeypatch):
    def unreachable(**kwargs):
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

    monkeypatch.setattr(s3_store.client, "put_object", unreachable)
    with pytest.raises(EndpointConnectionError):
        save(s3_store)
    monkeypatch.undo()
    assert leftovers(s3_store) == []


def test_the_spool_file_has_no_name_to_leak(s3_store):
    """The spool is an anonymous temporary file: even a killed worker leaves no file behind."""
    started, release = threading.Event(), threading.Event()
    spool_listing = []

    class Slow(GeneratedStream):
        def read(self, n=-1):
            if self.position >= MB and not started.is_set():
                spool_listing.extend(p.name for p in s3_store.spool_dir.iterdir())
                started.set()
                release.wait(10)
            return super().read(n)

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(
            s3_store.save,
            Slow(2 * MB),
            filename="a.pdf",
            max_bytes=50 * MB,
            allowed=DEFAULT_ALLOW_LIST,
        )
        assert started.wait(10)
        release.set()
        future.result(timeout=30)
    assert spool_listing == []


def test_limits_above_a_single_put_are_refused(s3_store):
    with pytest.raises(ValueError, match="5 GiB"):
        save(s3_store, max_bytes=6 * 1024**3)


def test_purge_stale_temp_has_nothing_to_do(s3_store):
    from datetime import timedelta

    assert s3_store.purge_stale_temp(timedelta(0)) == []


def test_build_store_s3(s3_endpoint):
    store = build_store(
        "s3",
        bucket="zi-evidence",
        endpoint_url=s3_endpoint,
        region="ap-southeast-3",
        access_key="testing",
        secret_key="testing",
        prefix="/x/",
    )
    assert isinstance(store, S3EvidenceStore)
    assert store.prefix == "x/"
    assert store.client.meta.endpoint_url == s3_endpoint
    assert store.client.meta.region_name == "ap-southeast-3"
    store.client.close()


def test_empty_settings_mean_aws_defaults():
    """Settings read from an environment arrive as empty strings, not None."""
    store = S3EvidenceStore("zi-evidence", endpoint_url="", region="", access_key="", secret_key="")
    assert store.client.meta.endpoint_url == "https://s3.amazonaws.com"
    assert store.client.meta.region_name == "us-east-1"
    assert store.prefix == ""
    store.client.close()
