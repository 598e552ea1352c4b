"""Fixtures for the evidence layer: a local store, an S3 store over real HTTP, and ``store``
parametrized over both.

The S3-compatible server is moto's standalone server run in a *subprocess* on 127.0.0.1 (a free
port, one per test session). A subprocess rather than ``ThreadedMotoServer`` so that (a) the
objects it keeps do not count in this process's ``tracemalloc`` peak, which the streaming
tests measure, and (b) moto's own warnings cannot trip ``filterwarnings = error``.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.config import Config

from tests.servers import free_port, wait_until_listening
from tracker.evidence import LocalEvidenceStore, S3EvidenceStore

S3_START_TIMEOUT = 30.0


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a moto S3 server on 127.0.0.1, started once per session and stopped after."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        wait_until_listening(process, port, log, name="moto server", timeout=S3_START_TIMEOUT)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def local_store(tmp_path: Path) -> LocalEvidenceStore:
    return LocalEvidenceStore(tmp_path / "evidence")


@pytest.fixture
def s3_store(s3_endpoint: str, tmp_path: Path) -> Iterator[S3EvidenceStore]:
    """A fresh bucket per test; dummy credentials and no proxies passed to the client only
    (``os.environ`` untouched)."""
    spool = tmp_path / "spool"
    spool.mkdir()
    store = S3EvidenceStore(
        f"evidence-{uuid.uuid4().hex[:16]}",
        endpoint_url=s3_endpoint,
        region="us-east-1",
        access_key="testing",
        secret_key="testing",
        prefix="zi-tracker/evidence",
        spool_dir=spool,
        client_config=Config(proxies={}, connect_timeout=5, read_timeout=60),
    )
    store.client.create_bucket(Bucket=store.bucket)
    yield store
    _empty_and_delete_bucket(store)


def _empty_and_delete_bucket(store: S3EvidenceStore) -> None:
    # Keeps the shared server small: the streaming tests put 64 MB objects.
    for page in store.client.get_paginator("list_objects_v2").paginate(Bucket=store.bucket):
        for item in page.get("Contents", ()):
            store.client.delete_object(Bucket=store.bucket, Key=item["Key"])
    store.client.delete_bucket(Bucket=store.bucket)
    store.client.close()


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def store(request: pytest.FixtureRequest) -> LocalEvidenceStore | S3EvidenceStore:
    """Each test using this runs once per backend."""
    return request.getfixturevalue(f"{request.param}_store")


from tests.world import world  # noqa: E402,F401 - the life-cycle world for service and view tests
