"""PortalRB tokens: created for one agency (the plain token is returned once), listed, revoked,
and checked on each request; every change audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.agencies.models import Agency
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.db import utcnow
from tracker.errors import ConflictError, NotAllowedError, NotFoundError, ValidationError
from tracker.i18n import _
from tracker.portalrb import rules
from tracker.portalrb.models import PortalrbToken


@dataclass(frozen=True)
class IssuedToken:
    row: PortalrbToken
    token: str  # the plain token: shown once, never stored


def _check_manager(user: User | None, agency_id: int) -> None:
    """``user`` None: the command line (whoever runs it runs the server)."""
    if user is not None and not rules.may_manage_tokens(user.access_grants(), agency_id):
        raise NotAllowedError(_("Anda tidak berwenang mengelola token PortalRB instansi ini."))


def create_token(
    session: Session,
    *,
    user: User | None,
    agency: Agency,
    name: str,
    expires_on: date | None,
    today: date,
) -> IssuedToken:
    """A new token for ``agency``. Raises NotAllowedError, ValidationError."""
    _check_manager(user, agency.id)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("Nama token wajib diisi."))
    if len(name) > rules.MAX_NAME_LENGTH:
        raise ValidationError(
            _("Nama token paling panjang %(n)s karakter.", n=rules.MAX_NAME_LENGTH)
        )
    if expires_on is not None and expires_on < today:
        raise ValidationError(
            _("Tanggal berlaku tidak boleh sebelum hari ini."), field="expires_on"
        )
    token = rules.new_token()
    row = PortalrbToken(
        agency_id=agency.id,
        name=name,
        prefix=rules.shown_prefix(token),
        hash=rules.token_hash(token),
        created_by_id=user.id if user else None,
        expires_on=expires_on,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="portalrb:token:create",
        subject=row,
        agency_id=agency.id,
        data={"name": name, "prefix": row.prefix, "expires_on": expires_on},
    )
    return IssuedToken(row, token)


def tokens_of(session: Session, agency_id: int) -> Sequence[PortalrbToken]:
    """The agency's tokens, newest first (revoked ones too: they are history)."""
    return session.scalars(
        select(PortalrbToken)
        .where(PortalrbToken.agency_id == agency_id)
        .order_by(PortalrbToken.id.desc())
    ).all()


def get_token(session: Session, token_id: int) -> PortalrbToken:
    row = session.get(PortalrbToken, token_id)
    if row is None:
        raise NotFoundError(_("Token PortalRB tidak ditemukan."))
    return row


def revoke_token(session: Session, *, user: User | None, token: PortalrbToken) -> PortalrbToken:
    """Raises NotAllowedError, ConflictError (already revoked)."""
    _check_manager(user, token.agency_id)
    if token.revoked_at is not None:
        raise ConflictError(_("Token %(name)s sudah dicabut.", name=token.name))
    token.revoked_at = utcnow()
    token.revoked_by_id = user.id if user else None
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="portalrb:token:revoke",
        subject=token,
        agency_id=token.agency_id,
        data={"name": token.name, "prefix": token.prefix},
    )
    return token


def find_by_secret(session: Session, presented: str) -> PortalrbToken | None:
    """The token row a bearer secret names, whatever its state; None for anything else."""
    if not rules.looks_like_token(presented):
        return None
    return session.scalars(
        select(PortalrbToken).where(PortalrbToken.hash == rules.token_hash(presented))
    ).first()


def state_of(token: PortalrbToken, today: date) -> rules.TokenState:
    return rules.token_state(revoked_at=token.revoked_at, expires_on=token.expires_on, today=today)
