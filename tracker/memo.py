"""A per-process memo of computed figures, each kept for a fixed number of seconds.

For aggregates over the whole country that a page draws and nobody needs to the second (the
dashboard's spread of area scores over 5,000 units, issue 18 §3): the first request computes
them, the requests of the next ``seconds`` read them. Every app server keeps its own; nothing
is shared or written, so a figure is at most ``seconds`` old and never wrong for longer. With
``seconds`` 0 nothing is kept (the tests' setting: they change data and look at it at once).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

MAX_ENTRIES = 512  # distinct filter combinations kept at once; the oldest go first


class TimedMemo:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()  # gunicorn's threads share one memo

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value kept under ``key`` if younger than ``seconds``; else ``compute()``'s,
        kept. Computed outside the lock: two threads may compute it once each, never wait."""
        if self.seconds <= 0:
            return compute()
        now = self._clock()
        with self._lock:
            kept = self._entries.get(key)
        if kept is not None and now - kept[0] < self.seconds:
            return kept[1]  # what compute() gave for this key
        value = compute()
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                oldest = min(self._entries, key=lambda k: self._entries[k][0])
                del self._entries[oldest]
            self._entries[key] = (now, value)
        return value
