"""tracker.memo: a national aggregate is reused for its seconds, then computed again; a pure
function's result is reused by its key, the least recently used going first."""

from __future__ import annotations

from tracker.memo import MAX_ENTRIES, KeyedMemo, TimedMemo


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_reused_until_its_seconds_pass_then_computed_again() -> None:
    clock, calls = Clock(), []
    memo = TimedMemo(60, clock)

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert memo.get("spread", compute) == 1
    clock.now += 59
    assert memo.get("spread", compute) == 1  # still young: not computed again
    assert memo.get("other filters", compute) == 2  # each key on its own
    clock.now += 1
    assert memo.get("spread", compute) == 3  # a minute old: computed again


def test_zero_seconds_keeps_nothing() -> None:
    calls = []
    memo = TimedMemo(0)
    for _ in range(3):
        memo.get("spread", lambda: calls.append(1))
    assert len(calls) == 3


def test_the_oldest_entry_makes_room() -> None:
    clock = Clock()
    memo = TimedMemo(60, clock)
    for n in range(MAX_ENTRIES):
        clock.now += 0.001
        memo.get(n, lambda n=n: n)
    memo.get("new", lambda: "new")
    assert memo.get(1, lambda: "again") == 1
    assert memo.get(0, lambda: "again") == "again"  # 0 was the oldest: it went


def test_a_keyed_value_is_reused_and_the_least_recently_used_makes_room() -> None:
    calls: list[str] = []
    memo = KeyedMemo(2)

    def compute(key: str) -> str:
        calls.append(key)
        return key.upper()

    assert memo.get("a", lambda: compute("a")) == "A"
    assert memo.get("b", lambda: compute("b")) == "B"
    assert memo.get("a", lambda: compute("a")) == "A"  # kept: not computed again
    assert memo.get("c", lambda: compute("c")) == "C"  # room made: "b" was used least lately
    assert memo.get("a", lambda: compute("a")) == "A"
    assert memo.get("b", lambda: compute("b")) == "B"
    assert calls == ["a", "b", "c", "b"]
