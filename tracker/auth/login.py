"""Flask-Login wiring, the current actor, and coarse role checks for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from typing import Any, TypeVar

from flask import Flask, abort
from flask_login import current_user
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from tracker.auth.access import Grant, UnitRef, can_view_unit, has_role
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.extensions import login_manager
from tracker.i18n import N_, _
from tracker.sessions import get_session

F = TypeVar("F", bound=Callable[..., Any])


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Silakan masuk untuk membuka halaman ini.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = _
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)


@cache
def _signed_in() -> Select[User]:
    """The signed-in account with its grants (every page reads them) in one query, not a
    second select-in round trip; a statement built once (issue 18 §3: building a statement
    and its options cost about as much as running a small one)."""
    return select(User).where(User.id == bindparam("user_id")).options(joinedload(User.grants))


def _load_user(user_id: str) -> User | None:
    """Sessions carry ``id:session_version``: a password change ends every older session."""
    try:
        ident, version = (int(part) for part in user_id.split(":", 1))
    except ValueError:
        return None
    user = get_session().scalars(_signed_in(), {"user_id": ident}).unique().first()
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def current_actor() -> User:
    """The logged-in user as a plain model (services never see the Flask-Login proxy)."""
    return current_user._get_current_object()


def actor_grants() -> list[Grant]:
    return current_actor().access_grants()


def role_required(*roles: Role) -> Callable[[F], F]:
    """Allow the view only to users holding one of ``roles`` (any scope); others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_role(actor_grants(), *roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]  # wraps keeps the signature; mypy cannot see it

    return decorator


def ensure_can_view_unit(unit: Any) -> None:
    """404 rather than 403 for a unit outside the user's scope: do not confirm it exists."""
    if not can_view_unit(actor_grants(), UnitRef(unit.id, unit.agency_id, unit.path)):
        abort(404)
