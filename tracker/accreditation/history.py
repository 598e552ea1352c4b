"""D15: designations made before the tracker was adopted, recorded by an administrator one by
one or from a CSV file, and the revocation of a recorded one.

A recorded designation is a ``Designation`` with ``origin = recorded``: no enrolment, no
snapshot, no certificate (the ``designated`` hook is not fired, so the tracker issues none),
and it counts as active like any other (D9: a unit designated Menuju WBK in 2019 may be
proposed for WBBM). The registry shows it as recorded.

The CSV file (header row, ``,`` or ``;``, UTF-8 with or without BOM) has the columns
``instansi`` (agency short name or name), ``unit`` (name or code), ``predikat`` (WBK or
WBBM), ``tahun``, ``nomor_keputusan`` and ``tanggal_keputusan`` (YYYY-MM-DD). The import is
all or nothing: every bad row is reported with its line number and nothing is saved. It is
idempotent: a row already recorded with the same decree is left as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from tracker import clock
from tracker.accreditation import designations, standing, transitions
from tracker.accreditation.models import Designation, DesignationOrigin, Predicate
from tracker.accreditation.standing import PastDesignation
from tracker.agencies import services as agencies
from tracker.agencies.models import Unit
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.csvfiles import ImportFailedError, Row, read_rows
from tracker.errors import ConflictError, NotFoundError, ValidationError
from tracker.evidence import services as evidence
from tracker.evidence.filetypes import UploadPolicy
from tracker.evidence.models import EvidenceFile, EvidencePurpose
from tracker.evidence.storage import BlobStore
from tracker.evidence.uploads import Upload
from tracker.i18n import _
from tracker.paging import Page, page_number

COLUMNS = ("instansi", "unit", "predikat", "tahun", "nomor_keputusan", "tanggal_keputusan")
MAX_ROWS = 5000  # a national list of designations is a few thousand rows
PAGE_SIZE = 50


@dataclass
class ImportResult:
    recorded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def parse_csv(data: bytes) -> list[Row]:
    """The rows of a CSV file. Raises ImportFailedError for an unreadable file or header."""
    return read_rows(data, columns=COLUMNS, required=COLUMNS, max_rows=MAX_ROWS)


def import_rows(session: Session, rows: Sequence[Row], *, user: User | None) -> ImportResult:
    """Record every row, or nothing: raises ImportFailedError listing every bad row (its
    savepoint rolled back, so nothing of the file stays in the session either)."""
    result, errors = ImportResult(), []
    on = clock.today()
    with session.begin_nested():
        for row in rows:
            try:
                with session.begin_nested():
                    label, created = _import_row(session, row, user, on)
            except ValidationError as exc:
                details = exc.details.get("problems")
                problems = details if isinstance(details, list) else [exc.message]
                errors += [_("Baris %(line)s: %(msg)s", line=row.line, msg=p) for p in problems]
                continue
            (result.recorded if created else result.unchanged).append(label)
        if errors:
            raise ImportFailedError(errors)
    return result


def _import_row(session: Session, row: Row, user: User | None, on: date) -> tuple[str, bool]:
    values = row.values
    problems = []
    unit = None
    agency = agencies.find_agency(session, values["instansi"]) if values["instansi"] else None
    if not values["instansi"]:
        problems.append(_("kolom instansi kosong"))
    elif agency is None:
        problems.append(_("instansi “%(v)s” tidak ditemukan", v=values["instansi"]))
    elif not values["unit"]:
        problems.append(_("kolom unit kosong"))
    else:
        unit = agencies.find_unit(session, agency, values["unit"])
        if unit is None:
            problems.append(
                _(
                    "unit “%(v)s” tidak ditemukan di %(agency)s",
                    v=values["unit"],
                    agency=agency.short_name,
                )
            )
    past, found = standing.check_past(
        predicate=values["predikat"],
        year=values["tahun"],
        decree_number=values["nomor_keputusan"],
        decree_date=values["tanggal_keputusan"],
        today=on,
    )
    problems += found
    if problems or unit is None or past is None:
        raise ValidationError("; ".join(problems), problems=problems)
    _designation, created = record(session, user=user, unit=unit, past=past, source="csv")
    label = f"{unit.agency.short_name} / {unit.name}: Menuju {past.predicate.value} {past.year}"
    return label, created


def record(
    session: Session,
    *,
    user: User | None,
    unit: Unit,
    past: PastDesignation,
    scan: EvidenceFile | None = None,
    source: str = "form",
) -> tuple[Designation, bool]:
    """Record one designation made before the tracker; returns it and whether it is new.

    The same unit, predicate and year already on file with the same decree is left as it is
    (importing a file twice changes nothing). Raises ValidationError when it is on file with
    another decree, or when the unit already holds an active WBK and this is a WBK (D15).
    """
    existing = session.scalars(
        select(Designation).where(
            Designation.unit_id == unit.id,
            Designation.predicate == past.predicate,
            Designation.year == past.year,
        )
    ).first()
    if existing is not None:
        if past.same_decree(existing.decree_number, existing.decree_date):
            return existing, False
        raise ValidationError(
            _(
                "Menuju %(p)s %(year)s untuk unit ini sudah tercatat dengan keputusan nomor "
                "%(no)s tanggal %(date)s",
                p=past.predicate.value,
                year=past.year,
                no=existing.decree_number,
                date=existing.decree_date.isoformat(),
            )
        )
    active_wbk = designations.active_designation(session, unit.id, Predicate.WBK)
    if reason := standing.past_blocker(past, active_wbk.year if active_wbk else None):
        raise ValidationError(reason)
    designation = Designation(
        enrolment_id=None,
        unit_id=unit.id,
        agency_id=unit.agency_id,
        predicate=past.predicate,
        year=past.year,
        decree_number=past.decree_number,
        decree_date=past.decree_date,
        snapshot_sha256=standing.digest(unit.code, past),
        designated_by_id=user.id if user is not None else None,
        origin=DesignationOrigin.RECORDED,
        scan_id=scan.id if scan is not None else None,
    )
    session.add(designation)
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="accreditation:designation:record",
        subject=designation,
        unit_id=unit.id,
        agency_id=unit.agency_id,
        data={
            "predicate": past.predicate.value,
            "year": past.year,
            "decree_number": past.decree_number,
            "decree_date": past.decree_date,
            "scan": scan.sha256 if scan is not None else None,
            "source": source,
        },
    )
    return designation, True


def record_one(
    session: Session,
    store: BlobStore,
    policy: UploadPolicy,
    *,
    user: User,
    unit: Unit,
    past: PastDesignation,
    scan: Upload | None,
) -> tuple[Designation, EvidenceFile | None]:
    """Record one designation typed in the admin form, with its optional scanned certificate.
    Returns it and the scan stored now (the caller discards its blob if the commit fails).
    Raises what ``record`` raises, ConflictError when it is on file already, and
    RejectedFileError for a scan the upload policy refuses."""
    stored = None
    if scan is not None and scan.filename:
        stored = evidence.store_unattached(
            session,
            store,
            user=user,
            purpose=EvidencePurpose.DESIGNATION,
            stream=scan.stream,
            filename=scan.filename,
            policy=policy,
            unit_id=unit.id,
            agency_id=unit.agency_id,
        )
    designation, created = record(session, user=user, unit=unit, past=past, scan=stored)
    if not created:
        raise ConflictError(
            _(
                "Menuju %(p)s %(year)s untuk %(unit)s sudah tercatat.",
                p=past.predicate.value,
                year=past.year,
                unit=unit.name,
            )
        )
    return designation, stored


def revoke_recorded(
    session: Session,
    *,
    user: User,
    designation: Designation,
    decree_number: str,
    decree_date: date | None,
    on: date | None,
    reason: str,
) -> list[Designation]:
    """Revoke a designation recorded from before the tracker (D15): the decree number and date
    are required, every active predicate of the unit ends with it, and an enrolment whose
    designation ends too moves to "revoked". A designation the tracker made is revoked on its
    enrolment's page (its stage moves with it): ValidationError here."""
    if not designation.recorded:
        raise ValidationError(
            _("Penetapan ini dibuat di ZI Tracker; cabut melalui halaman siklus unitnya.")
        )
    day = clock.today()
    ended = designations.revoke(
        session,
        user=user,
        designation=designation,
        decree_number=decree_number,
        decree_date=decree_date,
        on=on,
        reason=reason,
        today=day,
    )
    transitions.end_enrolments(
        session,
        user,
        ended,
        transitions.Details(
            note=reason, decree_number=decree_number, decree_date=decree_date, on_date=on
        ),
        day,
    )
    return ended


def designations_page(session: Session, page: int, *, recorded_only: bool) -> Page[Designation]:
    """Designations for the admin page, newest first, one page (two queries)."""
    stmt = select(Designation)
    if recorded_only:
        stmt = stmt.where(Designation.origin == DesignationOrigin.RECORDED)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    number = page_number(page, total, PAGE_SIZE)
    rows = session.scalars(
        stmt.options(joinedload(Designation.revoked_with))
        .order_by(Designation.year.desc(), Designation.id.desc())
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
    ).all()
    return Page(list(rows), number, PAGE_SIZE, total)


def get(session: Session, designation_id: int) -> Designation:
    row = session.get(Designation, designation_id)
    if row is None:
        raise NotFoundError(_("Penetapan tidak ditemukan."))
    return row
