"""tracker.ratelimit: a named limit shared by every worker (the SQLite file, or Redis)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tracker.ratelimit import RateLimits


def test_two_workers_share_the_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "ratelimit.sqlite3"
    first, second = RateLimits(sqlite_path=path), RateLimits(sqlite_path=path)
    try:
        assert first.hit("portalrb:1", per_minute=3).allowed
        assert second.hit("portalrb:1", per_minute=3).allowed
        assert first.hit("portalrb:1", per_minute=3).allowed
        refused = second.hit("portalrb:1", per_minute=3)
        assert not refused.allowed and 1 <= refused.retry_after <= 60
        # Another name has its own count.
        assert second.hit("portalrb:2", per_minute=3).allowed
    finally:
        first.close()
        second.close()


def test_a_name_is_never_sql(tmp_path: Path) -> None:
    limits = RateLimits(sqlite_path=tmp_path / "rl.sqlite3")
    try:
        assert limits.hit("x'; DROP TABLE y; --", per_minute=1).allowed
        assert not limits.hit("x'; DROP TABLE y; --", per_minute=1).allowed
    finally:
        limits.close()


@pytest.mark.redis
def test_redis_shares_the_limit(redis_url: str) -> None:
    name = f"portalrb:{uuid.uuid4()}"
    first, second = RateLimits(redis_url=redis_url), RateLimits(redis_url=redis_url)
    try:
        assert first.hit(name, per_minute=2).allowed
        assert second.hit(name, per_minute=2).allowed
        refused = first.hit(name, per_minute=2)
        assert not refused.allowed and 1 <= refused.retry_after <= 60
    finally:
        first.close()
        second.close()
