"""Reading certificates: by number (verification), the public registry, a user's printable list.

Every list is one bounded query per page plus a count: the designation comes in the same query
(for the revocation status) and the replacing certificate too, and nothing else may load lazily
(``raiseload``), so a template cannot turn a page into one query per row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Select, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload, raiseload

from tracker.accreditation.models import Designation, Predicate
from tracker.agencies.models import Agency
from tracker.auth.access import Scope
from tracker.certificates import numbers
from tracker.certificates.models import Certificate
from tracker.certificates.status import CertificateStatus, status_of

PAGE_SIZE = 25
MAX_PAGE = 10_000  # deeper pages are not browsing but scraping
T = TypeVar("T")


@dataclass(frozen=True)
class Filters:
    """Narrowing a certificate list; every field optional."""

    q: str = ""
    year: int | None = None
    predicate: Predicate | None = None
    agency_id: int | None = None
    include_replaced: bool = False


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


def status(certificate: Certificate) -> CertificateStatus:
    """Derived at read time from the designation and the replacing certificate."""
    return status_of(
        revoked_on=certificate.designation.revoked_on,
        replaced=certificate.replaced_by is not None,
    )


def find_by_number(session: Session, number: str) -> Certificate | None:
    """The certificate with exactly this (canonical) number, with its designation and the
    certificates it replaces and is replaced by, in one query whether found or not."""
    stmt = (
        select(Certificate)
        .where(Certificate.number == number[: numbers.MAX_INPUT_LENGTH])
        .options(
            joinedload(Certificate.designation).raiseload("*"),
            joinedload(Certificate.replaced_by).raiseload("*"),
            joinedload(Certificate.replaces).raiseload("*"),
        )
    )
    return session.scalars(stmt).unique().first()


def registry_page(session: Session, filters: Filters, page: int) -> Page[Certificate]:
    """Certificates in force (one per designation) for the public registry."""
    return _page(session, _listing(filters), page)


def visible_page(session: Session, scope: Scope, filters: Filters, page: int) -> Page[Certificate]:
    """Certificates of the agencies in ``scope`` (all for a global scope)."""
    return _page(session, _listing(filters).where(_in_scope(scope)), page)


def visible_matching(
    session: Session, scope: Scope, filters: Filters, limit: int
) -> list[Certificate]:
    """Up to ``limit`` certificates in ``scope`` matching ``filters``, in list order."""
    stmt = _listing(filters).where(_in_scope(scope)).limit(limit)
    return list(session.scalars(stmt).unique())


def visible_by_numbers(session: Session, scope: Scope, wanted: Sequence[str]) -> list[Certificate]:
    """The certificates in ``scope`` among ``wanted``, in the order asked for."""
    stmt = _listing(Filters(include_replaced=True)).where(
        Certificate.number.in_(set(wanted)), _in_scope(scope)
    )
    found = {c.number: c for c in session.scalars(stmt).unique()}
    return [found[n] for n in dict.fromkeys(wanted) if n in found]


def for_printing(session: Session, wanted: Sequence[str]) -> list[Certificate]:
    """Certificates to render, in the order asked for; nothing else is loaded."""
    stmt = select(Certificate).where(Certificate.number.in_(set(wanted))).options(raiseload("*"))
    found = {c.number: c for c in session.scalars(stmt)}
    return [found[n] for n in wanted if n in found]


def chain_of(session: Session, certificate: Certificate) -> list[Certificate]:
    """Every certificate issued for the same designation, oldest first."""
    stmt = (
        select(Certificate)
        .where(Certificate.designation_id == certificate.designation_id)
        .order_by(Certificate.issued_at, Certificate.id)
        .options(raiseload("*"))
    )
    return list(session.scalars(stmt))


def designations_without_certificate(session: Session) -> list[Designation]:
    """Designations (e.g. recorded before certificates existed) that have no certificate yet."""
    has_one = exists().where(Certificate.designation_id == Designation.id)
    return list(session.scalars(select(Designation).where(~has_one).order_by(Designation.id)))


def registry_years(session: Session) -> list[int]:
    stmt = select(Certificate.year).distinct().order_by(Certificate.year.desc())
    return list(session.scalars(stmt))


def registry_agencies(session: Session, scope: Scope | None = None) -> list[tuple[int, str]]:
    """(id, name) of agencies with at least one certificate (within ``scope``), by name."""
    has_certificate = exists().where(
        Designation.agency_id == Agency.id, Certificate.designation_id == Designation.id
    )
    stmt = select(Agency.id, Agency.name).where(has_certificate).order_by(Agency.name)
    if scope is not None and not scope.everything:
        stmt = stmt.where(Agency.id.in_(scope.agency_ids))
    return [(row.id, row.name) for row in session.execute(stmt)]


def _listing(filters: Filters) -> Select[Certificate]:
    replacement = aliased(Certificate)
    stmt = (
        select(Certificate)
        .join(Certificate.designation)
        .outerjoin(replacement, replacement.replaces_id == Certificate.id)
        .options(
            contains_eager(Certificate.designation).raiseload("*"),
            contains_eager(Certificate.replaced_by.of_type(replacement)).raiseload("*"),
            raiseload("*"),
        )
        .where(*_conditions(filters))
        .order_by(
            Certificate.year.desc(),
            Certificate.predicate,
            Certificate.unit_name,
            Certificate.id,
        )
    )
    if not filters.include_replaced:
        stmt = stmt.where(replacement.id.is_(None))
    return stmt


def _conditions(filters: Filters) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filters.year is not None:
        found.append(Certificate.year == filters.year)
    if filters.predicate is not None:
        found.append(Certificate.predicate == filters.predicate)
    if filters.agency_id is not None:
        found.append(Designation.agency_id == filters.agency_id)
    if query := " ".join(filters.q.split())[:100]:
        found.append(_search(query))
    return found


def _search(query: str) -> ColumnElement[bool]:
    canonical = numbers.normalize(query)
    return or_(
        Certificate.unit_name.icontains(query, autoescape=True),
        Certificate.agency_name.icontains(query, autoescape=True),
        Certificate.number.icontains(query, autoescape=True),
        Certificate.number == canonical if canonical else false(),
    )


def _in_scope(scope: Scope) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    if not scope.agency_ids:
        return false()
    return Designation.agency_id.in_(scope.agency_ids)


def _page(session: Session, stmt: Select[Certificate], page: int) -> Page[Certificate]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    number = min(max(1, page), pages, MAX_PAGE)
    rows = session.scalars(stmt.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).unique()
    return Page(list(rows), number, PAGE_SIZE, total)
