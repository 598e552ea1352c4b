"""Accreditation over HTTP: the blueprint's views, their forms, and the page models they render.

A view parses the request with a form, loads what it acts on within the user's scope (404
outside it), calls one service, then commits and redirects, or renders.

**The rule for an invalid form** is the project's (``tracker.forms``), applied here as
follows. Nothing is saved and the user sees every error; where depends on the form:

- A form its page renders field by field (``_macros.field``) is answered by re-rendering that
  page with status 422: each error next to its field, what was typed kept. In accreditation:
  the new cycle (``/cycles``), the deadline extension, quota and KKN forms of a cycle, and the
  declaration (``/units/<id>/zi``).
- The LKE answers of one area are one form (``answer_views``, issue 14 §1): an invalid or
  stale item saves nothing and re-renders the area with status 422, each error at its item
  and everything typed kept (its script gets the errors as JSON, 422, or 409 when stale).
- A small inline action, one form among many on its page (an answer posted to an item's own
  address, a review decision or a resubmission per LKE item, the worksheet import, a stage
  transition, a prerequisite), is answered by ``invalid_form``: each error flashed as
  "Label: message" and a 303 back to the page, at the item when there is one; a client that
  asks for JSON gets 422 with the errors.
  This is also how a service's refusal (a ``DomainError``) reaches the user from those forms,
  and how evidence's inline actions on the same LKE page answer.

Query-string filters (the dashboard) are not submissions: invalid values are dropped and the
page is shown without them.
"""

from __future__ import annotations

from flask import jsonify, redirect
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from tracker.accreditation.access import enrolment_in_scope, unit_in_scope
from tracker.accreditation.context import Actor
from tracker.accreditation.deployment import Deployment
from tracker.accreditation.models import Enrolment
from tracker.agencies.models import Unit
from tracker.auth.login import current_actor
from tracker.error_handlers import wants_json
from tracker.evidence.filetypes import UploadPolicy
from tracker.extensions import settings
from tracker.forms import error_messages, flash_errors
from tracker.sessions import get_session


def upload_policy() -> UploadPolicy:
    """The deployment's evidence upload policy, read per request (tests may replace the
    settings for one case)."""
    return UploadPolicy.from_settings(settings())


def deployment() -> Deployment:
    """Who records TPN's steps here (``config.Settings.deployment``, issue 12)."""
    return Deployment(settings().deployment)


def load_enrolment(enrolment_id: int) -> tuple[Enrolment, Actor]:
    """The enrolment if the user's scope reaches its unit (404 otherwise), and the actor."""
    return enrolment_in_scope(get_session(), current_actor(), enrolment_id, deployment())


def load_unit(unit_id: int) -> tuple[Unit, Actor]:
    """The unit if the user's scope reaches it (404 otherwise), and the actor."""
    return unit_in_scope(get_session(), current_actor(), unit_id, deployment())


def invalid_form(form: FlaskForm, back: str) -> ResponseReturnValue:
    """The answer to an invalid inline action (the rule above): flash each error, 303 back."""
    if wants_json():
        return jsonify(error="; ".join(error_messages(form)), errors=error_messages(form)), 422
    flash_errors(form)
    return redirect(back, code=303)
