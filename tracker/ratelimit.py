"""Named request limits shared by every worker, with pyrate-limiter.

A limit is a name ("portalrb:12") and a number of requests per minute. The counts live where
every app server sees them: in a SQLite file under the instance folder in the embedded setup
(gunicorn's workers share it, a file lock serialises them), in Redis when ``REDIS_URL`` is set.
A refused request learns how long to wait (``Verdict.retry_after``, whole seconds), for the
``Retry-After`` header.

    verdict = rate_limits().hit("portalrb:12", per_minute=60)

``RateLimits`` itself knows nothing of Flask; ``rate_limits()`` builds one per app on first use.
"""

from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app
from pyrate_limiter import (
    AbstractBucket,
    Decision,
    Duration,
    Rate,
    RateItem,
    RedisBucket,
    SQLiteBucket,
)

from tracker.extensions import settings as tracker_settings

if TYPE_CHECKING:
    from redis import Redis

    from config import Settings

EXTENSION_KEY = "tracker.rate_limits"
SQLITE_FILE = "ratelimit.sqlite3"
REDIS_PREFIX = "tracker:ratelimit:"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until a request under this limit would pass; 0 when allowed


class RateLimits:
    """One bucket per (name, rate), created on first use and kept for the process."""

    def __init__(self, *, sqlite_path: Path | None = None, redis_url: str = "") -> None:
        if not redis_url and sqlite_path is None:
            raise ValueError("a rate limit needs a SQLite file or a Redis URL")
        self.sqlite_path, self.redis_url = sqlite_path, redis_url
        self._buckets: dict[tuple[str, int], AbstractBucket] = {}
        self._lock = threading.Lock()
        self._redis: Redis | None = None

    def hit(self, name: str, *, per_minute: int) -> Verdict:
        """Count one request under ``name``; refused once ``per_minute`` requests were let
        through in the last 60 seconds (a sliding window)."""
        if per_minute <= 0:
            return Verdict(True)
        bucket = self._bucket(name, per_minute)
        item = RateItem(name, bucket.now(), 1)
        decision = bucket.put_decision(item)
        assert isinstance(decision, Decision)  # both buckets used here are synchronous
        if decision.allowed:
            return Verdict(True)
        wait_ms = decision.retry_after_ms
        if wait_ms is None:
            waited = bucket.waiting(item)
            wait_ms = waited if isinstance(waited, int) and waited >= 0 else 60_000
        return Verdict(False, max(1, math.ceil(wait_ms / 1000)))

    def _bucket(self, name: str, per_minute: int) -> AbstractBucket:
        key = (name, per_minute)
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._new_bucket(name, [Rate(per_minute, Duration.MINUTE)])
                self._buckets[key] = bucket
        if isinstance(bucket, SQLiteBucket):
            # The SQLite bucket keeps one row per request: drop the ones past the window.
            bucket.leak(bucket.now())
        return bucket

    def _new_bucket(self, name: str, rates: list[Rate]) -> AbstractBucket:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:24]
        if self.redis_url:
            from redis import Redis

            if self._redis is None:
                self._redis = Redis.from_url(self.redis_url)
            bucket = RedisBucket.init(rates, self._redis, f"{REDIS_PREFIX}{digest}")
            assert isinstance(bucket, RedisBucket)  # a synchronous client gives a bucket now
            return bucket
        assert self.sqlite_path is not None  # checked in __init__
        self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        # A table per limit (the bucket counts every row of its table), named by a digest so
        # that any name is a safe identifier; the file lock makes the count-then-insert atomic
        # across processes.
        return SQLiteBucket.init_from_file(
            rates, table=f"rl_{digest}", db_path=str(self.sqlite_path), use_file_lock=True
        )

    def close(self) -> None:
        with self._lock:
            for bucket in self._buckets.values():
                bucket.close()
            self._buckets.clear()


def build(settings: Settings) -> RateLimits:
    """Redis when the deployment has it, else the SQLite file under the instance folder."""
    if settings.redis_url:
        return RateLimits(redis_url=settings.redis_url)
    return RateLimits(sqlite_path=settings.instance_dir / SQLITE_FILE)


_build_lock = threading.Lock()


def rate_limits(app: Flask | None = None) -> RateLimits:
    """The app's limits, built on first use (most requests never need one)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]  # werkzeug's LocalProxy hides the method from type checkers
    limits = app.extensions.get(EXTENSION_KEY)
    if limits is None:
        with _build_lock:
            limits = app.extensions.get(EXTENSION_KEY)
            if limits is None:
                limits = build(tracker_settings(app))
                app.extensions[EXTENSION_KEY] = limits
    return limits
