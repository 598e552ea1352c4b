"""One page of a longer list, as the list pages show it (registry, certificates, agencies)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number(requested: int, total: int, size: int) -> int:
    """``requested`` within the pages ``total`` rows fill (a page past the end: the last)."""
    return min(max(1, requested), max(1, math.ceil(total / size)))
