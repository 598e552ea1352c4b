"""Per-process memos: computed figures kept for a fixed number of seconds (``TimedMemo``), and
the results of pure functions kept by a key naming every input (``KeyedMemo``).

For aggregates over the whole country that a page draws and nobody needs to the second (the
dashboard's spread of area scores over 5,000 units, issue 18 §3): the first request computes
them, the requests of the next ``seconds`` read them. Every app server keeps its own; nothing
is shared or written, so a figure is at most ``seconds`` old and never wrong for longer. With
``seconds`` 0 nothing is kept (the tests' setting: they change data and look at it at once).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
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


class KeyedMemo:
    """The results of a pure function by a key that names all of its inputs, the ``size`` most
    recently used kept. A result never goes stale (other inputs, other key), so unlike
    ``TimedMemo`` it needs no age and no setting: it only spares computing the same thing twice
    (issue 18 §3: the gap plan of an LKE whose answers did not change, asked again by every
    area tab). What it keeps is shared by every request of the process: immutable values only."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()  # gunicorn's threads share one memo

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value kept under ``key``, else ``compute()``'s, kept. Computed outside the lock."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = compute()
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value
