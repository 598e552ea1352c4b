"""Cycles, enrolments and their stages, tiered answers, reviews, snapshots and designations."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accreditation.predicates import Predicate as Predicate  # re-exported: models.Predicate
from tracker.accreditation.workflow import Action, Deadline, Stage
from tracker.agencies.models import Agency, Unit
from tracker.auth.models import User
from tracker.db import Base, intpk, str200, utcnow
from tracker.evidence.models import EvidenceFile
from tracker.lke import FloorMode
from tracker.lke.models import LkeFramework


def _values(enum_cls: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_cls]


class Cycle(Base):
    """An evaluation year: pins one framework version and sets the calendar."""

    __tablename__ = "cycles"

    id: Mapped[intpk]
    year: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str200]
    framework_id: Mapped[int] = mapped_column(ForeignKey("lke_frameworks.id"))
    self_assessment_start: Mapped[date]
    self_assessment_end: Mapped[date]
    tpi_evaluation_start: Mapped[date]
    tpi_evaluation_end: Mapped[date]
    proposal_deadline: Mapped[date]
    appeal_deadline: Mapped[date | None]
    desk_evaluation_start: Mapped[date | None]
    field_evaluation_start: Mapped[date | None]
    designation_date: Mapped[date | None]
    # Assessment tiers in order (D8): code, label, role, the stages in which the tier decides.
    tiers: Mapped[list[Any]]
    # D5: the per-area floor applies to each area as a whole ("combined") or to its pemenuhan
    # and reform halves separately ("each_half"); the framework's rule block gives the default.
    # Stored by value in the VARCHAR(20) the column always had, so the enum needs no migration.
    area_floor_mode: Mapped[FloorMode] = mapped_column(
        SAEnum(FloorMode, native_enum=False, values_callable=_values, length=20),
        default=FloorMode.COMBINED,
    )
    open: Mapped[bool] = mapped_column(default=True)
    # Issue 17 §1: whom TPN asks for clearance before a designation (None: the default three,
    # ``clearance_rules.DEFAULT_OVERSEERS``).
    overseers: Mapped[list[Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # Loaded on first use, not joined (issue 18 §3): the definition is ~170 KB of JSON, and a
    # join carried it on every enrolment row; a lazy load hits the identity map after the first.
    framework: Mapped[LkeFramework] = relationship()


class DeadlineExtension(Base):
    """An administrator moved a deadline (for everyone, or for one agency). Never edited."""

    __tablename__ = "deadline_extensions"

    id: Mapped[intpk]
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    deadline: Mapped[Deadline]
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    old_date: Mapped[date | None]
    new_date: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    extended_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AgencyQuota(Base):
    __tablename__ = "agency_quotas"
    __table_args__ = (UniqueConstraint("cycle_id", "agency_id"),)

    id: Mapped[intpk]
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    max_proposals: Mapped[int]


class Enrolment(Base):
    """A unit taking part in a cycle toward a target predicate; its stage moves only through
    ``services.advance`` (the state machine in ``workflow``)."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("cycle_id", "unit_id"),
        Index("ix_enrolments_cycle_stage", "cycle_id", "stage"),
        # Issue 18 §3: the review queue (by stage, oldest first) and the home page's latest work.
        Index("ix_enrolments_stage_since", "stage", "stage_since"),
        Index("ix_enrolments_since", "stage_since"),
    )

    id: Mapped[intpk]
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    target: Mapped[Predicate]
    stage: Mapped[Stage] = mapped_column(default=Stage.DECLARED)
    stage_since: Mapped[datetime] = mapped_column(default=utcnow)
    needs_preliminary: Mapped[bool] = mapped_column(default=False)
    appeal_used: Mapped[bool] = mapped_column(default=False)
    declared_on: Mapped[date]
    declaration_note: Mapped[str] = mapped_column(Text, default="")
    # Issue 15 §5: the leadership's SK penetapan unit kerja pembangunan ZI (its signed scan is
    # the enrolment's PAKTA evidence ``sk-penetapan-unit``). None on enrolments made before it
    # was asked for, or by an import that links its documents afterwards.
    unit_decree_number: Mapped[str | None] = mapped_column(String(120))
    unit_decree_date: Mapped[date | None]
    # Optimistic lock: two people moving the same enrolment at once cannot both succeed.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __mapper_args__ = {"version_id_col": version}

    # Joined (a small row), but the cycle's framework is not (issue 18 §3, see Cycle).
    cycle: Mapped[Cycle] = relationship(lazy="joined")
    unit: Mapped[Unit] = relationship(lazy="joined")
    agency: Mapped[Agency] = relationship()
    transitions: Mapped[list[StageTransition]] = relationship(
        back_populates="enrolment", order_by="StageTransition.id"
    )


class StageTransition(Base):
    """One hand-off: from, to, who, why. Doubles as the sign-off record of the stage."""

    __tablename__ = "stage_transitions"

    id: Mapped[intpk]
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    action: Mapped[Action]
    from_stage: Mapped[Stage]
    to_stage: Mapped[Stage]
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # Issue 12: a TPN step recorded by the agency from PortalRB names the result it copies
    # (None: taken in the tracker itself).
    portalrb_reference: Mapped[str | None] = mapped_column(String(500))

    enrolment: Mapped[Enrolment] = relationship(back_populates="transitions")
    actor: Mapped[User] = relationship()


class Assessment(Base):
    """One tier's own copy of the LKE for an enrolment (D8), with its scores cached so that
    dashboards read one row per unit instead of re-scoring every answer."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("enrolment_id", "tier"),)

    id: Mapped[intpk]
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    tier: Mapped[str] = mapped_column(String(40))
    seeded_from: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    score_total: Mapped[str | None] = mapped_column(String(40))  # Decimal as text: exact
    answered: Mapped[int] = mapped_column(default=0)
    item_count: Mapped[int] = mapped_column(default=0)
    eligible_wbk: Mapped[bool] = mapped_column(default=False)
    eligible_wbbm: Mapped[bool] = mapped_column(default=False)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)

    enrolment: Mapped[Enrolment] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="assessment", order_by="Answer.id")


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("assessment_id", "item_code"),)

    id: Mapped[intpk]
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    item_code: Mapped[str] = mapped_column(String(40))
    # "Ya" / "B" for choices, [n, m] for percentage counts, and for survey indices
    # {"index": "3.61", "source": ..., "period": ..., "respondents": ...} (D7 provenance).
    value: Mapped[Any | None] = mapped_column(JSON)
    # D8: a tier starts from a copy of the previous tier's answers. This names the tier whose
    # own value the row still holds, until this tier changes the value; D14 refuses a
    # designation on a survey index the TPN did not record itself.
    copied_from: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    assessment: Mapped[Assessment] = relationship(back_populates="answers")


class DecisionKind(enum.StrEnum):
    APPROVED = "approved"
    REVISION = "revision"  # sent back to the unit with a required comment
    REVISED = "revised"  # the unit fixed it and resubmits


class ItemDecision(Base):
    """Review history of one item by one reviewing tier; the latest row is the state.

    ``seq`` numbers the rows per (enrolment, tier, item); the unique constraint makes the
    second of two simultaneous decisions fail instead of silently overwriting the first.
    ``latest`` marks the row with the highest ``seq`` (the one that stands), kept by the one
    writer (``reviews._append``): the lists count the standing decisions of their units from
    an index of those rows alone, not by ranking every item's history (issue 18 §3). At most
    one row of an item is latest (a partial unique index).
    """

    __tablename__ = "item_decisions"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "tier", "item_code", "seq"),
        Index(
            "uq_item_decisions_latest",
            "enrolment_id",
            "tier",
            "item_code",
            unique=True,
            postgresql_where=text("latest"),
            postgresql_include=["kind"],  # the counts read it from the index alone
            sqlite_where=text("latest"),
        ),
    )

    id: Mapped[intpk]
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    tier: Mapped[str] = mapped_column(String(40))
    item_code: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int]
    kind: Mapped[DecisionKind]
    comment: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    latest: Mapped[bool] = mapped_column(default=True, server_default=false())

    actor: Mapped[User] = relationship()


class AreaSignOff(Base):
    __tablename__ = "area_sign_offs"
    __table_args__ = (UniqueConstraint("enrolment_id", "tier", "area"),)

    id: Mapped[intpk]
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    tier: Mapped[str] = mapped_column(String(40))
    area: Mapped[str] = mapped_column(String(8))  # "1".."6", or "B" for the results items
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Snapshot(Base):
    """Answers, notes, scores, verdicts and the evidence list frozen at a hand-off.

    Never updated: ``sha256`` is the hash of the canonical JSON ``payload``.
    """

    __tablename__ = "snapshots"

    id: Mapped[intpk]
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    kind: Mapped[Action]
    payload: Mapped[dict[str, Any]]
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class DesignationOrigin(enum.StrEnum):
    TRACKER = "tracker"  # designated through the tracker's own life cycle: it issues the piagam
    RECORDED = "recorded"  # made before the tracker was adopted, recorded by an admin (D15)


class Designation(Base):
    """A unit's predicate by decree of the Minister. Designations recorded from before the
    tracker (D15) have no enrolment, no snapshot and no tracker certificate; their
    ``snapshot_sha256`` is the digest of the recorded facts (``records.digest``)."""

    __tablename__ = "designations"

    id: Mapped[intpk]
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    predicate: Mapped[Predicate]
    year: Mapped[int] = mapped_column(index=True)
    decree_number: Mapped[str] = mapped_column(String(120))
    decree_date: Mapped[date]
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))
    snapshot_sha256: Mapped[str] = mapped_column(String(64))
    designated_at: Mapped[datetime] = mapped_column(default=utcnow)
    designated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    origin: Mapped[DesignationOrigin] = mapped_column(default=DesignationOrigin.TRACKER)
    # The scanned certificate of a recorded designation (optional): an evidence file without
    # an enrolment, kept in the evidence store so its maintenance sees the blob as used.
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_files.id"))
    # The date the predicate ended. D15: the Minister's decree revokes it; the decree's number
    # and date are recorded, and the 2-year bar on a new WBK proposal counts from that date.
    revoked_on: Mapped[date | None]
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    revocation_decree_number: Mapped[str | None] = mapped_column(String(120))
    revocation_decree_date: Mapped[date | None]
    # Set on a predicate that ended because another one of the unit was revoked (a revoked
    # WBBM also ends the WBK it rested on): the revocation it ended with.
    revoked_with_id: Mapped[int | None] = mapped_column(ForeignKey("designations.id"))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the public registry searches this entry by, kept by tracker.certificates.search
    # (issue 18 §3); never read as a field (deferred), only matched by the index.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)

    unit: Mapped[Unit] = relationship(lazy="joined")
    agency: Mapped[Agency] = relationship(lazy="joined")
    snapshot: Mapped[Snapshot | None] = relationship()
    scan: Mapped[EvidenceFile | None] = relationship()
    revoked_with: Mapped[Designation | None] = relationship(remote_side="Designation.id")

    @property
    def recorded(self) -> bool:
        """Made before the tracker (D15): recorded, not issued here; no tracker certificate."""
        return self.origin is DesignationOrigin.RECORDED

    @property
    def bar_from(self) -> date | None:
        """Where the 2-year bar on a new WBK proposal starts (D15): the revocation decree's
        date; revocations recorded before decrees were kept count from their own date."""
        return self.revocation_decree_date or self.revoked_on

    @property
    def active(self) -> bool:
        return self.revoked_on is None


class MonitoringResult(enum.StrEnum):
    STILL_MEETS = "still_meets"
    NO_LONGER_MEETS = "no_longer_meets"


class MonitoringReport(Base):
    """TPI's post-designation report, due at least every two years."""

    __tablename__ = "monitoring_reports"

    id: Mapped[intpk]
    designation_id: Mapped[int] = mapped_column(ForeignKey("designations.id"), index=True)
    reported_on: Mapped[date]
    result: Mapped[MonitoringResult]
    note: Mapped[str] = mapped_column(Text, default="")
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Prerequisite(Base):
    """A §3.2 proposal prerequisite recorded for a cycle (D10): agency-level when ``unit_id``
    is None, unit-level otherwise, with the value found and its evidence."""

    __tablename__ = "prerequisites"
    __table_args__ = (UniqueConstraint("cycle_id", "agency_id", "unit_id", "code"),)

    id: Mapped[intpk]
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    code: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_files.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class KknCase(Base):
    """A corruption/collusion/nepotism case against an agency: voids its pending proposals."""

    __tablename__ = "kkn_cases"

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    occurred_on: Mapped[date]
    description: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
