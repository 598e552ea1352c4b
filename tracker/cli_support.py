"""Shared plumbing for ``flask`` CLI commands: a session, and domain errors as clean exits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import click
from flask import current_app
from sqlalchemy.orm import Session

from tracker.errors import DomainError

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def cli_session() -> Iterator[Session]:
    """A session for one command; anything not committed is rolled back."""
    session = current_app.extensions["sessionmaker"]()
    try:
        yield session
    finally:
        session.close()


def fail_on_domain_error(command: F) -> F:
    """Print a DomainError's message to stderr and exit 1 instead of a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DomainError as err:
            raise click.ClickException(str(err)) from err

    return wrapper  # type: ignore[return-value]  # wraps keeps the signature; mypy cannot see it
