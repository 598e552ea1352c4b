"""Saving the answers of one LKE area at once (issue 14 §1): every changed item, or none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tracker.accreditation import assessments
from tracker.accreditation.context import Actor
from tracker.accreditation.models import Answer, Enrolment
from tracker.errors import ConflictError, ValidationError
from tracker.i18n import _


@dataclass(frozen=True)
class AnswerChange:
    """One item as the user left it: the raw answer, the note, the version they edited."""

    code: str
    raw: Any
    note: str
    version: int


class AnswersRefusedError(ValidationError):
    """Some items of an area's save were refused. The caller rolls back: the items saved
    before the refusal must not be kept either."""

    def __init__(self, problems: Mapping[str, str], stale: frozenset[str]) -> None:
        super().__init__(
            _("%(n)s butir belum dapat disimpan; tidak ada yang disimpan.", n=len(problems)),
            problems=dict(problems),
        )
        self.problems = dict(problems)
        self.stale = stale


def save_answers(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    tier: str,
    changes: Sequence[AnswerChange],
) -> dict[str, Answer]:
    """Save each changed answer (``assessments.save_answer``: same checks, same audit record
    per item); returns the rows that changed by code, so an answer equal to the stored one
    is no save.

    Raises AnswersRefusedError naming every refused item (an invalid answer, or a version
    someone else saved meanwhile: ``stale``) after trying them all, NotAllowedError outside
    the actor's rights.
    """
    saved: dict[str, Answer] = {}
    problems: dict[str, str] = {}
    stale: set[str] = set()
    for change in changes:
        try:
            row = assessments.save_answer(
                session,
                actor=actor,
                enrolment=enrolment,
                tier=tier,
                item_code=change.code,
                raw=change.raw,
                note=change.note,
                expected_version=change.version,
            )
        except ConflictError as exc:
            problems[change.code] = exc.message
            stale.add(change.code)
        except ValidationError as exc:
            problems[change.code] = exc.message
        else:
            if row is not None and row.version != change.version:
                saved[change.code] = row
    if problems:
        raise AnswersRefusedError(problems, frozenset(stale))
    return saved
