"""Issued certificates, the images and signatory they were printed with, and print jobs."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accreditation.models import Designation, Predicate
from tracker.auth.models import User
from tracker.db import Base, intpk, str200, utcnow


class CertificateImage(Base):
    """An uploaded picture (agency emblem, signature), stored once per content and never changed,
    so a certificate re-rendered years later shows exactly what it was issued with."""

    __tablename__ = "certificate_images"

    id: Mapped[intpk]
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    mime: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Signatory(Base):
    """Who signs certificates from now on. Append-only: the newest row is the setting in force,
    older rows are its history."""

    __tablename__ = "signatories"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str200]
    signature_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_images.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    signature: Mapped[CertificateImage | None] = relationship()


class Certificate(Base):
    """One issued piagam: the D11 fields exactly as printed, frozen at issue.

    A correction is a new certificate whose ``replaces_id`` points here; nothing is deleted or
    edited. ``replaces_id`` is unique (a certificate is replaced at most once) and only one
    certificate per designation may replace nothing, so each designation has one chain and its
    last link is the certificate in force.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        Index(
            "uq_certificates_first_of_designation",
            "designation_id",
            unique=True,
            sqlite_where=text("replaces_id IS NULL"),
            postgresql_where=text("replaces_id IS NULL"),
        ),
        Index("ix_certificates_year_predicate", "year", "predicate"),
    )

    id: Mapped[intpk]
    number: Mapped[str] = mapped_column(String(32), unique=True)
    designation_id: Mapped[int] = mapped_column(ForeignKey("designations.id"), index=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"), unique=True)
    unit_name: Mapped[str200]
    agency_name: Mapped[str200]
    predicate: Mapped[Predicate]
    year: Mapped[int]
    decree_number: Mapped[str] = mapped_column(String(120))
    decree_date: Mapped[date]
    snapshot_sha256: Mapped[str] = mapped_column(String(64))
    signatory_name: Mapped[str] = mapped_column(String(120))
    signatory_title: Mapped[str200]
    place: Mapped[str] = mapped_column(String(60))
    emblem_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_images.id"))
    signature_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_images.id"))
    issued_on: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reissue_reason: Mapped[str | None] = mapped_column(Text)
    # The public address in force at issue (tracker.system): its QR code and printed URL read
    # <public_base_url>/verify/<number> for ever, whatever the setting says later.
    public_base_url: Mapped[str200]

    designation: Mapped[Designation] = relationship()
    replaces: Mapped[Certificate | None] = relationship(
        remote_side="Certificate.id", foreign_keys=[replaces_id], back_populates="replaced_by"
    )
    replaced_by: Mapped[Certificate | None] = relationship(
        foreign_keys=[replaces_id], back_populates="replaces", uselist=False
    )
    emblem: Mapped[CertificateImage | None] = relationship(foreign_keys=[emblem_id])
    signature: Mapped[CertificateImage | None] = relationship(foreign_keys=[signature_id])
    issued_by: Mapped[User | None] = relationship()


class PrintFormat(enum.StrEnum):
    PDF = "pdf"  # one merged PDF, a page per certificate
    ZIP = "zip"  # one PDF file per certificate


class PrintStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PrintJob(Base):
    """A batch of certificates rendered in the background, in parts that run in parallel.

    ``done``/``total`` count certificates (the progress bar); ``parts_done``/``parts_total``
    count parts, and the worker that brings ``parts_done`` to ``parts_total`` claims the merge
    (``merge_claimed``) with one conditional UPDATE, so exactly one worker assembles the result.

    While a part renders, its worker writes ``heartbeat_at`` every few seconds; a running job
    whose heartbeat stopped (its worker was killed) is stale, and the sweep retries it once
    (``attempt`` 0 → 1) or marks it failed (``tracker.certificates.printing``). Every task
    carries the attempt it belongs to, so a part left over from an earlier attempt changes nothing.
    """

    __tablename__ = "print_jobs"

    id: Mapped[intpk]
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    format: Mapped[PrintFormat]
    numbers: Mapped[list[Any]]
    status: Mapped[PrintStatus] = mapped_column(default=PrintStatus.QUEUED)
    total: Mapped[int]
    done: Mapped[int] = mapped_column(default=0)
    parts_total: Mapped[int]
    parts_done: Mapped[int] = mapped_column(default=0)
    merge_claimed: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str | None] = mapped_column(Text)  # technical detail, for the log and the user
    failed_number: Mapped[str | None] = mapped_column(String(32))  # the certificate that failed
    result_key: Mapped[str | None] = mapped_column(String(80))
    result_size: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    attempt: Mapped[int] = mapped_column(default=0, server_default="0")

    requested_by: Mapped[User] = relationship()


class PrintJobPart(Base):
    """One rendered part of a print job, kept only until the parts are merged."""

    __tablename__ = "print_job_parts"
    __table_args__ = (UniqueConstraint("job_id", "seq"),)

    id: Mapped[intpk]
    job_id: Mapped[int] = mapped_column(ForeignKey("print_jobs.id", ondelete="CASCADE"))
    seq: Mapped[int]
    count: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
