"""Accounts, role grants and login attempts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.access import Grant
from tracker.auth.roles import Role
from tracker.db import Base, intpk, str200, utcnow

if TYPE_CHECKING:
    # Named, not imported: agencies depends on auth, never the reverse. SQLAlchemy finds the
    # classes by name once every model is loaded (``tracker.models``).
    from tracker.agencies.models import Agency, Unit


class User(Base):
    __tablename__ = "users"

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str200]
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    # Bumped on password change: sessions carrying an older value are logged out.
    session_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        foreign_keys="RoleGrant.user_id",
        lazy="selectin",
    )

    # Flask-Login protocol, written out so that models do not import Flask-Login.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def access_grants(self) -> list[Grant]:
        return [g.as_grant() for g in self.grants]


class RoleGrant(Base):
    """A role held by a user, scoped to an agency or a unit as the role requires."""

    __tablename__ = "role_grants"
    __table_args__ = (
        CheckConstraint("NOT (agency_id IS NOT NULL AND unit_id IS NOT NULL)", name="one_scope"),
        Index("ix_role_grants_scope", "role", "agency_id", "unit_id"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role]
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # anggota_pokja may be limited to some LKE areas (list of 1..6); None means all areas.
    areas: Mapped[list[Any] | None]
    # Issue 15 §4: a lead of a reviewing role (TPI, preliminary assessor, TPN) assigns units
    # to the reviewers of that role within the grant's scope.
    lead: Mapped[bool] = mapped_column(default=False, server_default=false())
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    agency: Mapped[Agency | None] = relationship("Agency", lazy="joined")
    unit: Mapped[Unit | None] = relationship("Unit", lazy="joined")

    def as_grant(self) -> Grant:
        return Grant(
            role=self.role,
            agency_id=self.agency_id if self.unit is None else self.unit.agency_id,
            unit_id=self.unit_id,
            unit_path=self.unit.path if self.unit is not None else None,
            areas=frozenset(self.areas) if self.areas is not None else None,
        )


class LoginAttempt(Base):
    """Password checks (logins and password changes), kept in the database so that throttling
    holds across workers. ``succeeded`` is None while the check runs and counts as a failure
    until then (``tracker.auth.attempts``)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(80))
    ip: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool | None]
    at: Mapped[datetime] = mapped_column(default=utcnow)
