"""Uploads larger than the memory budget stream through both backends in bounded memory."""

from __future__ import annotations

import tracemalloc

import pytest
from evidence_samples import GeneratedStream, generated_sha256

from tracker.evidence import DEFAULT_ALLOW_LIST, VerifyStatus
from tracker.evidence.storage import CHUNK_SIZE

MB = 1024 * 1024
UPLOAD_SIZE = 64 * MB
# What this process may allocate while handling it: 1/8 of the file. The chunk buffers take
# well under 1 MB; the rest is headroom for botocore's request machinery.
MEMORY_BUDGET = 8 * MB


@pytest.fixture
def traced():
    tracemalloc.start()
    yield
    tracemalloc.stop()


def peak_since_reset() -> int:
    return tracemalloc.get_traced_memory()[1]


def test_a_file_larger_than_the_memory_budget_streams_through(store, traced):
    stream = GeneratedStream(UPLOAD_SIZE)
    tracemalloc.reset_peak()
    blob = store.save(
        stream, filename="scan.pdf", max_bytes=UPLOAD_SIZE, allowed=DEFAULT_ALLOW_LIST
    )
    save_peak = peak_since_reset()

    tracemalloc.reset_peak()
    status = store.verify(blob.key, blob.sha256)
    verify_peak = peak_since_reset()

    print(f"peak: save {save_peak / MB:.2f} MB, verify {verify_peak / MB:.2f} MB")  # -rP shows it
    assert (blob.size, blob.content_type, status) == (
        UPLOAD_SIZE,
        "application/pdf",
        VerifyStatus.OK,
    )
    assert blob.sha256 == generated_sha256(UPLOAD_SIZE)
    assert stream.largest_read <= CHUNK_SIZE
    assert save_peak < MEMORY_BUDGET, f"save peaked at {save_peak / MB:.1f} MB"
    assert verify_peak < MEMORY_BUDGET, f"verify peaked at {verify_peak / MB:.1f} MB"


def test_reading_a_large_blob_back_is_streamed(store, traced):
    blob = store.save(
        GeneratedStream(UPLOAD_SIZE // 2),
        filename="scan.pdf",
        max_bytes=UPLOAD_SIZE,
        allowed=DEFAULT_ALLOW_LIST,
    )
    tracemalloc.reset_peak()
    total = 0
    with store.open(blob.key) as reader:
        while chunk := reader.read(CHUNK_SIZE):
            total += len(chunk)
    assert total == blob.size
    assert peak_since_reset() < MEMORY_BUDGET
