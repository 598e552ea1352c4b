"""The documents of a unit's steps: the page listing them with their signed scans, the PDFs,
the LKE as PDF beside the worksheet export, and the upload of a signed scan.

Every route loads the enrolment within the user's scope (404 outside it, as the unit's pages),
then reads or calls one service. The upload form is one of several on the page: an invalid one
re-renders the page with status 422, its error beside its document, and changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from werkzeug.wrappers import Response

from tracker.accreditation.access import enrolment_in_scope
from tracker.accreditation.context import Actor
from tracker.accreditation.deployment import Deployment
from tracker.accreditation.models import Enrolment
from tracker.accreditation.workflow import ACTION_LABELS
from tracker.auth.login import current_actor
from tracker.documents import kinds, services
from tracker.documents.forms import ScanForm
from tracker.documents.models import ProcessDocument
from tracker.errors import ValidationError
from tracker.evidence.storage import EvidenceStore, build_store_from_settings
from tracker.extensions import settings
from tracker.forms import error_messages
from tracker.i18n import _
from tracker.sessions import begin_write, get_session

bp = Blueprint("documents", __name__)
SCAN_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def _store() -> EvidenceStore:
    """The documents' blob store: the evidence backend, in a folder (prefix) of its own. Built
    per request: a store is a path or an S3 client."""
    return build_store_from_settings(settings(), area=services.AREA)


def _load(enrolment_id: int) -> tuple[Enrolment, Actor]:
    return enrolment_in_scope(
        get_session(), current_actor(), enrolment_id, Deployment(settings().deployment)
    )


def _page(enrolment: Enrolment, actor: Actor, errors: dict[int, list[str]] | None = None) -> str:
    documents = services.documents_of(get_session(), enrolment)
    return render_template(
        "documents/index.html",
        enrolment=enrolment,
        documents=documents,
        labels=kinds.LABELS,
        step_labels=ACTION_LABELS,
        may_sign={d.id: kinds.may_sign(d.kind, actor.roles) for d in documents},
        form=ScanForm(),
        errors=errors or {},
    )


@bp.get("/enrolments/<int:enrolment_id>/documents")
@login_required
def index(enrolment_id: int) -> ResponseReturnValue:
    enrolment, actor = _load(enrolment_id)
    return _page(enrolment, actor)


def _pdf_response(document: ProcessDocument) -> Response:
    session = get_session()
    if document.storage_key is None:
        # The first download renders (seconds) in the read transaction, then records the PDF
        # in a write transaction: SQLite's write lock is not held while WeasyPrint works.
        rendered = services.render(document)
        begin_write(session)
        data = services.store_rendered(session, _store(), document, rendered)
        session.commit()
    else:
        data = services.pdf_of(session, _store(), document)
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{services.file_name(document)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/enrolments/<int:enrolment_id>/lke.pdf")
@login_required
def lke_pdf(enrolment_id: int) -> ResponseReturnValue:
    """The LKE frozen at the unit's latest step: every tier, scores, notes, evidence hashes."""
    enrolment, _actor = _load(enrolment_id)
    return _pdf_response(services.latest_lke(get_session(), enrolment))


@bp.get("/enrolments/<int:enrolment_id>/documents/<int:process_document_id>.pdf")
@login_required
def pdf(enrolment_id: int, process_document_id: int) -> ResponseReturnValue:
    enrolment, _actor = _load(enrolment_id)
    return _pdf_response(services.document_of(get_session(), enrolment, process_document_id))


@bp.post("/enrolments/<int:enrolment_id>/documents/<int:process_document_id>/scans")
@login_required
def upload_scan(enrolment_id: int, process_document_id: int) -> ResponseReturnValue:
    session = get_session()
    enrolment, actor = _load(enrolment_id)
    document = services.document_of(session, enrolment, process_document_id)
    form = ScanForm()
    if not form.validate_on_submit():
        return _page(enrolment, actor, {document.id: error_messages(form)}), 422
    upload = form.file.data
    store = _store()
    key: str | None = None
    try:
        scan = services.upload_scan(
            session,
            store,
            user=actor.user,
            roles=actor.roles,
            document=document,
            stream=upload.stream,
            filename=upload.filename or "",
            max_bytes=settings().max_upload_bytes,
        )
        key = scan.storage_key
        session.commit()
    except ValidationError as err:  # a refused type or size: nothing was stored
        session.rollback()
        return _page(enrolment, actor, {document.id: [str(err)]}), 422
    except BaseException:  # the change failed after the blob was written: remove it again
        session.rollback()
        if key is not None:
            services.discard_scan(session, store, key)
        raise
    flash(_("Pindaian %(name)s tersimpan.", name=scan.original_name), "success")
    return redirect(
        url_for("documents.index", enrolment_id=enrolment.id, _anchor=f"document-{document.id}"),
        code=303,
    )


@bp.get("/enrolments/<int:enrolment_id>/documents/scans/<int:signed_scan_id>")
@login_required
def scan(enrolment_id: int, signed_scan_id: int) -> ResponseReturnValue:
    enrolment, _actor = _load(enrolment_id)
    row = services.scan_of(get_session(), enrolment, signed_scan_id)
    with _store().open(row.storage_key) as blob:
        data = blob.read()
    response = make_response(data)
    response.headers["Content-Type"] = row.content_type
    name = f"Pindaian-{row.id}.{SCAN_EXTENSIONS.get(row.content_type, 'bin')}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
