"""Reading certificates: by number (verification), the public registry, a user's printable list.

Every list is one bounded query per page plus a count: the designation comes in the same query
(for the revocation status) and the replacing certificate too, and nothing else may load lazily
(``raiseload``), so a template cannot turn a page into one query per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Load, Session, aliased, contains_eager, joinedload, raiseload

from tracker.accreditation.models import Designation, DesignationOrigin, Predicate
from tracker.agencies.models import Agency, Unit
from tracker.auth.access import Scope
from tracker.certificates import numbers, search
from tracker.certificates.models import Certificate
from tracker.certificates.status import CertificateStatus, status_of
from tracker.paging import Page, page_count, page_number

PAGE_SIZE = 25
MAX_PAGE = 10_000  # deeper pages are not browsing but scraping
MAX_QUERY_LENGTH = 100  # characters of a search that count (the search box allows 100)
AnySelect = TypeVar("AnySelect", bound=Select)  # a select of any row shape


@dataclass(frozen=True)
class Filters:
    """Narrowing a certificate list; every field optional."""

    q: str = ""
    year: int | None = None
    predicate: Predicate | None = None
    agency_id: int | None = None
    include_replaced: bool = False


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


@dataclass(frozen=True)
class RegistryEntry:
    """One designation in the public registry: with the certificate in force when the tracker
    issued one, or without any when it was made before the tracker and recorded (D15)."""

    designation: Designation
    certificate: Certificate | None
    unit_name: str  # as printed on the certificate; the unit's name for a recorded one
    agency_name: str

    @property
    def status(self) -> CertificateStatus:
        return status_of(revoked_on=self.designation.revoked_on, replaced=False)


def registry_page(session: Session, filters: Filters, page: int) -> Page[RegistryEntry]:
    """The public registry: each designation once, with its certificate in force, and the
    designations recorded from before the tracker, which have none. One query for the page and
    its count; a second only for a page past the end, which shows the last one.

    The matching designations are counted and ordered as narrow rows (ids and sort keys), and
    only the page's 25 are read in full: ordering and counting whole rows (every column of the
    designation and its certificate) made the page grow with the country (issue 18 §3)."""
    number = min(max(1, page), MAX_PAGE)
    rows = _page_rows(session, filters, number)
    if not rows and number > 1:
        replacement = aliased(Certificate)
        total = (
            session.scalar(
                _in_registry(
                    select(func.count(Designation.id)), replacement, filters, _dialect(session)
                )
            )
            or 0
        )
        number = min(page_count(total, PAGE_SIZE), MAX_PAGE)
        rows = _page_rows(session, filters, number)
    total = rows[0][-1] if rows else 0
    return Page(_registry_items(row[:-1] for row in rows), number, PAGE_SIZE, total)


def _page_rows(session: Session, filters: Filters, number: int) -> list[Any]:
    replacement = aliased(Certificate)
    picked = (
        _in_registry(
            select(
                Designation.id,
                Certificate.id.label("certificate_id"),
                func.count().over().label("total"),
            ),
            replacement,
            filters,
            _dialect(session),
        )
        .order_by(*_registry_order())
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
        .subquery()
    )
    stmt = (
        select(Designation, Certificate, Unit.name, Agency.name, picked.c.total)
        .select_from(picked)
        .join(Designation, Designation.id == picked.c.id)
        .join(Unit, Unit.id == Designation.unit_id)
        .join(Agency, Agency.id == Designation.agency_id)
        .outerjoin(Certificate, Certificate.id == picked.c.certificate_id)
        .options(Load(Designation).raiseload("*"), Load(Certificate).raiseload("*"))
        .order_by(*_registry_order())
    )
    return list(session.execute(stmt))


def registry_all(session: Session, filters: Filters, limit: int) -> list[RegistryEntry]:
    """The registry under ``filters``, every page at once up to ``limit`` rows, in the page's
    order (its download, issue 16 §6). One query."""
    ordered = _registry_entries(aliased(Certificate), filters, _dialect(session))
    return _registry_items(session.execute(ordered.limit(limit)))


def _registry_entries(replacement: Any, filters: Filters, dialect: str) -> Select:
    entries = _in_registry(
        select(Designation, Certificate, Unit.name, Agency.name), replacement, filters, dialect
    ).options(Load(Designation).raiseload("*"), Load(Certificate).raiseload("*"))
    return entries.order_by(*_registry_order())


def _registry_order() -> tuple[Any, ...]:
    """Newest year first, then the predicate, then the name printed (the unit's when none)."""
    return (
        Designation.year.desc(),
        Designation.predicate,
        func.coalesce(Certificate.unit_name, Unit.name),
        Designation.id,
    )


def _registry_items(rows: Any) -> list[RegistryEntry]:
    return [
        RegistryEntry(
            designation,
            certificate,
            certificate.unit_name if certificate is not None else unit_name,
            certificate.agency_name if certificate is not None else agency_name,
        )
        for designation, certificate, unit_name, agency_name in rows
    ]


def _in_registry(stmt: AnySelect, replacement: Any, filters: Filters, dialect: str) -> AnySelect:
    """``stmt`` over the registry's designations: those with a certificate (the one in force,
    not replaced) and those recorded from before the tracker, narrowed by ``filters``."""
    stmt = (
        stmt.select_from(Designation)
        .join(Unit, Unit.id == Designation.unit_id)
        .join(Agency, Agency.id == Designation.agency_id)
        .outerjoin(Certificate, Certificate.designation_id == Designation.id)
        .outerjoin(replacement, replacement.replaces_id == Certificate.id)
        .where(
            replacement.id.is_(None),
            or_(Certificate.id.is_not(None), Designation.origin == DesignationOrigin.RECORDED),
        )
    )
    if filters.year is not None:
        stmt = stmt.where(Designation.year == filters.year)
    if filters.predicate is not None:
        stmt = stmt.where(Designation.predicate == filters.predicate)
    if filters.agency_id is not None:
        stmt = stmt.where(Designation.agency_id == filters.agency_id)
    if query := " ".join(filters.q.split())[:MAX_QUERY_LENGTH]:
        # The search index (search.py) holds each entry's text: the certificate in force, or
        # the recorded designation's names and decree.
        canonical = numbers.normalize(query)
        stmt = stmt.where(Designation.id.in_(search.matching(dialect, query, canonical)))
    return stmt


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


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
    """Designations made in the tracker (e.g. before certificates existed) that have no
    certificate yet. Those recorded from before the tracker (D15) never get one here."""
    has_one = exists().where(Certificate.designation_id == Designation.id)
    stmt = select(Designation).where(~has_one, Designation.origin == DesignationOrigin.TRACKER)
    return list(session.scalars(stmt.order_by(Designation.id)))


def _listed_in_registry() -> ColumnElement[bool]:
    """A designation the registry lists: it has a certificate, or it was recorded (D15)."""
    return or_(
        exists().where(Certificate.designation_id == Designation.id),
        Designation.origin == DesignationOrigin.RECORDED,
    )


def registry_years(session: Session, *, include_recorded: bool = False) -> list[int]:
    if include_recorded:
        stmt = select(Designation.year).where(_listed_in_registry())
        return list(session.scalars(stmt.distinct().order_by(Designation.year.desc())))
    stmt = select(Certificate.year).distinct().order_by(Certificate.year.desc())
    return list(session.scalars(stmt))


def registry_agencies(
    session: Session, scope: Scope | None = None, *, include_recorded: bool = False
) -> list[tuple[int, str]]:
    """(id, name) of agencies with at least one certificate (within ``scope``), by name; with
    ``include_recorded``, also those with a designation recorded from before the tracker."""
    has_certificate: ColumnElement[bool] = exists().where(
        Designation.agency_id == Agency.id, Certificate.designation_id == Designation.id
    )
    if include_recorded:
        has_certificate = or_(
            has_certificate,
            exists().where(
                Designation.agency_id == Agency.id,
                Designation.origin == DesignationOrigin.RECORDED,
            ),
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
    if query := " ".join(filters.q.split())[:MAX_QUERY_LENGTH]:
        found.append(_search(query))
    return found


def _search(query: str) -> ColumnElement[bool]:
    """A certificate whose number is ``query`` (as people type numbers), or whose unit name,
    agency name and number between them contain every word of it."""
    canonical = numbers.normalize(query)
    searched = (Certificate.unit_name, Certificate.agency_name, Certificate.number)
    return or_(
        _every_word(query, searched),
        Certificate.number == canonical if canonical else false(),
    )


def _every_word(query: str, columns: Sequence[Any]) -> ColumnElement[bool]:
    """Each word of ``query`` (case-insensitively, LIKE wildcards literal) in one of
    ``columns``: "polres bekasi" finds "Polres Metro Bekasi Kota". At most
    ``search.MAX_WORDS`` words count, so a pasted paragraph cannot grow the query without
    bound."""
    return and_(
        true(),
        *(
            or_(*(column.icontains(word, autoescape=True) for column in columns))
            for word in search.words(query)
        ),
    )


def _in_scope(scope: Scope) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    if not scope.agency_ids:
        return false()
    return Designation.agency_id.in_(scope.agency_ids)


def _page(session: Session, stmt: Select[Certificate], page: int) -> Page[Certificate]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    number = min(page_number(page, total, PAGE_SIZE), MAX_PAGE)
    rows = session.scalars(stmt.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).unique()
    return Page(list(rows), number, PAGE_SIZE, total)
