"""One page of a longer list, as the list pages show it (queue, dashboard, registry,
certificates, designations, agencies, users)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.size)

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_count(total: int, size: int) -> int:
    """How many pages ``total`` rows fill, ``size`` a page (one, empty, when there are none)."""
    return max(1, math.ceil(total / size))


def page_number(requested: int, total: int, size: int) -> int:
    """``requested`` within the pages ``total`` rows fill (a page past the end: the last)."""
    return min(max(1, requested), page_count(total, size))


def paged(
    session: Session,
    model: type[T],
    where: Sequence[ColumnElement[bool]],
    order: Sequence[Any],
    page: int,
    size: int,
) -> Page[T]:
    """The ``page``-th page of ``model``'s rows matching ``where`` in ``order``, with their
    count (two queries, whatever the table's size)."""
    total = session.scalar(select(func.count()).select_from(model).where(*where)) or 0
    number = page_number(page, total, size)
    rows = session.scalars(
        select(model).where(*where).order_by(*order).offset((number - 1) * size).limit(size)
    ).all()
    return Page(list(rows), number, size, total)


def holding(q: str, *columns: Any) -> list[ColumnElement[bool]]:
    """A list's search box: the rows where one of ``columns`` holds what was typed (any case,
    spaces collapsed, at most 100 characters, ``%`` and ``_`` taken literally); none if blank."""
    words = " ".join(q.split())[:100]
    if not words:
        return []
    return [or_(*(column.icontains(words, autoescape=True) for column in columns))]
