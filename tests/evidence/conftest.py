"""Fixtures for the evidence layer: a local store, an S3 store over real HTTP, and ``store``
parametrized over both. The S3-compatible server is the shared ``s3_endpoint`` fixture of
``tests/servers.py`` (moto's server in a subprocess, one per test session).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.config import Config

from tracker.evidence import LocalEvidenceStore, S3EvidenceStore


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
