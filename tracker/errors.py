"""Domain errors: pure, safe to show to users.

Every error a user can cause carries a message that is safe to display. Messages are written in
Indonesian and translated by the raising module with ``tracker.i18n._`` when it raises;
``tracker.error_handlers`` maps the tree to HTTP responses in one place.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user's action can cause. ``str(err)`` is safe to show."""

    http_status = 400

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return str(self.message)


class ValidationError(DomainError):
    """Input that breaks a rule (bad value, unknown code, negative count)."""

    http_status = 422


class NotFoundError(DomainError):
    http_status = 404


class NotAllowedError(DomainError):
    """The actor's roles or scope do not permit the action."""

    http_status = 403


class ConflictError(DomainError):
    """Someone else changed the thing first (optimistic concurrency) or a uniqueness clash."""

    http_status = 409


class DeadlinePassedError(DomainError):
    """The window of the cycle that bounds this work has closed, or has not opened yet (issue
    15 §3); the message names the date and, when late, who may extend it. Flashed back like a
    conflict: the user may act, only not now."""

    http_status = 409


class ServiceUnavailableError(DomainError):
    """The app cannot do it now for a reason on the operator's side (a full or read-only
    disk), not the user's: answered 503 with an error page, and logged where it arises."""

    http_status = 503


class InvalidTransitionError(DomainError):
    """A workflow action that the current stage does not allow."""

    http_status = 409
