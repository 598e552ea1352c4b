"""Evidence over HTTP: streamed uploads (one request per file, so each has its own progress
bar and its own error), links, downloads as attachments, withdrawal and document verdicts.

Every form here is an inline action on accreditation's LKE page: an invalid one is flashed and
redirected back to its item (JSON clients get the errors with status 422); see
``tracker.forms`` for the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO
from urllib.parse import unquote

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    request,
    send_file,
    url_for,
)
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.accreditation import assessments, cycles, proposal, tiers
from tracker.accreditation.access import enrolment_in_scope
from tracker.accreditation.context import Actor
from tracker.accreditation.deployment import Deployment
from tracker.accreditation.models import Enrolment
from tracker.auth.login import current_actor
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.error_handlers import error_page, wants_json
from tracker.errors import ConflictError, NotAllowedError, ValidationError
from tracker.evidence import services
from tracker.evidence.filetypes import (
    UploadPolicy,
    human_size,
    rejected_without_length,
)
from tracker.evidence.models import CheckVerdict, EvidenceFile, EvidencePurpose
from tracker.evidence.naming import display_name, storage_safe_name
from tracker.evidence.services import Target
from tracker.evidence.storage import StorageUnwritableError
from tracker.evidence.uploads import cleanup_on_failure
from tracker.evidence.web import forms
from tracker.extensions import evidence_store, settings
from tracker.forms import error_messages, flash_errors
from tracker.i18n import _
from tracker.sessions import begin_write, get_session

bp = Blueprint("evidence", __name__)

REVIEWER_ROLES = frozenset({Role.PENILAI_PENDAHULUAN, Role.TPI, Role.TPN})


def load_enrolment(enrolment_id: int) -> tuple[Enrolment, Actor]:
    """The enrolment if the user's scope reaches its unit (404 otherwise), and the actor."""
    deployment = Deployment(settings().deployment)  # an agency admin records TPN's checks
    return enrolment_in_scope(get_session(), current_actor(), enrolment_id, deployment)


def _policy() -> UploadPolicy:
    # Read per request: the settings are the app's, and tests may replace them for one case.
    return UploadPolicy.from_settings(settings())


def _item_target(enrolment: Enrolment, item: str, document: str | None) -> Target:
    framework = assessments.framework_for(enrolment)
    if not framework.has_item(item):
        abort(404)
    known = {d.key for d in framework.item(item).documents}
    return Target(EvidencePurpose.ITEM, item, document if document in known else None)


def _ensure_can_upload(actor, enrolment: Enrolment, item: str) -> None:
    assessments.check_edit(get_session(), actor, enrolment, "unit", item)


def _invalid(form: FlaskForm, enrolment: Enrolment, item: str | None):
    """The rule for an inline action's invalid form: flash each error and go back (303)."""
    if wants_json():
        return jsonify(error="; ".join(error_messages(form))), 422
    flash_errors(form)
    if item and forms.CODE.regex.fullmatch(item):
        return _back_to_item(enrolment, item)
    return redirect(url_for("accreditation.lke", enrolment_id=enrolment.id), code=303)


@bp.post("/enrolments/<int:enrolment_id>/evidence/stream")
@login_required
def upload_stream(enrolment_id: int):
    """One file as the raw request body (fetch/XHR with a progress bar)."""
    session = get_session()
    enrolment, actor = load_enrolment(enrolment_id)
    form = forms.StreamUploadForm(formdata=request.args)
    if not form.validate():
        return jsonify(error="; ".join(error_messages(form))), 422
    name = unquote(request.headers.get("X-File-Name", ""))[:500] or "berkas"
    target = _item_target(enrolment, form.item.data, form.document.data)
    _ensure_can_upload(actor, enrolment, form.item.data)
    replaces, target = _replaced(enrolment, target, form.replaces.data)
    declared = request.content_length
    if declared is None:  # chunked: no size to hold the body to (browsers always send one)
        raise rejected_without_length(name)
    # End the checking transaction before the body arrives: on SQLite it holds the write lock,
    # and a slow client would hold it (and every save elsewhere) for as long as it sends.
    # The store reads the body before touching the database; the permission is checked again
    # in the transaction that records the file, since the stage may have moved meanwhile.
    session.commit()

    def still_allowed() -> None:
        session.refresh(enrolment)
        _ensure_can_upload(actor, enrolment, form.item.data)

    # The raw WSGI input, not ``request.stream``: under gunicorn werkzeug hands a body cut off
    # by the client on as if complete. The store reads exactly ``declared`` bytes from it,
    # never past them (PEP 3333), refuses a body that ends sooner, and refuses a declared size
    # over the limit before reading a byte.
    row = _store_one(
        session,
        actor.user,
        enrolment,
        target,
        request.environ["wsgi.input"],
        name,
        form.description.data or "",
        declared_size=declared,
        recheck=still_allowed,
        replaces=replaces,
    )
    return jsonify(
        id=row.public_id,
        name=row.original_name,
        version=row.version,
        size=human_size(row.size or 0),
        replaced=replaces.public_id if replaces is not None else None,
    ), 201


def _replaced(
    enrolment: Enrolment, target: Target, public_id: str | None
) -> tuple[EvidenceFile | None, Target]:
    """The file an upload or link replaces (``replaces``), and where the new version goes: the
    replaced file's own document of the same item. Without ``replaces``: None, and ``target``
    (the upload adds a file). Raises NotFoundError, ValidationError, ConflictError (checked
    again when the new version is recorded)."""
    if not public_id:
        return None, target
    replaced = services.by_public_id(get_session(), public_id)
    target = Target(target.purpose, target.item_code, replaced.document_key)
    services.ensure_replaceable(replaced, enrolment, target)
    return replaced, target


def _store_one(
    session: Session,
    user: User,
    enrolment: Enrolment,
    target: Target,
    stream: IO[bytes],
    name: str,
    description: str,
    *,
    declared_size: int | None = None,
    recheck: Callable[[], None] | None = None,
    replaces: EvidenceFile | None = None,
) -> EvidenceFile:
    """Store one file and commit it on its own: one bad file must not undo the others.
    ``recheck`` runs in the recording transaction, after the body was read (it may refuse).
    A replacement that lost the race for its file's next version is a ConflictError (409)
    that says so; its blob is removed, the winner's version stays."""
    store = evidence_store()
    keys: list[str | None] = []
    try:
        with cleanup_on_failure(session, store, keys):
            row = services.upload(
                session,
                store,
                user=user,
                enrolment=enrolment,
                target=target,
                stream=stream,
                filename=name,
                policy=_policy(),
                description=description,
                declared_size=declared_size,
                replaces=replaces,
                stored_keys=keys,
            )
            if recheck is not None:
                recheck()
            session.commit()
    except IntegrityError as err:  # rolled back by now: the message may read the session
        if replaces is None:
            raise
        raise ConflictError(services.replaced_meanwhile(replaces.original_name)) from err
    return row


@bp.post("/enrolments/<int:enrolment_id>/evidence")
@login_required
def upload_form(enrolment_id: int):
    """Classic multipart upload of several files (works without JavaScript)."""
    session = get_session()
    enrolment, actor = load_enrolment(enrolment_id)
    form = forms.UploadForm()
    if not form.validate_on_submit():
        return _invalid(form, enrolment, form.item.data)
    target = _item_target(enrolment, form.item.data, form.document.data)
    _ensure_can_upload(actor, enrolment, form.item.data)
    replaces, replaced_target = _replaced(enrolment, target, form.replaces.data)
    uploads = [upload for upload in form.files.data or [] if upload.filename]
    # Each file is judged, stored and committed on its own (issue 13 §16): the files are
    # separate documents, and a coordinator who picked five would rather re-send the one that
    # was refused, by name, than all five. A full or read-only disk refuses every file after
    # it too: the upload stops there and says which files were kept.
    # With ``replaces`` the first file is its next version; any further ones are added to the
    # document rather than dropped.
    stored: int = 0
    refused: list[str] = []
    for n, upload in enumerate(uploads):
        try:
            _store_one(
                session,
                actor.user,
                enrolment,
                replaced_target if n == 0 and replaces else target,
                upload.stream,
                upload.filename or "",
                form.description.data or "",
                replaces=replaces if n == 0 else None,
            )
            stored += 1
        except StorageUnwritableError as err:
            _flash_outcome(stored, refused)
            return _storage_failed(err, [display_name(u.filename) for u in uploads[n + 1 :]])
        except (ValidationError, ConflictError) as err:  # one bad file must not stop the others
            refused.append(str(err))
    _flash_outcome(stored, refused)
    return _back_to_item(enrolment, form.item.data)


def _flash_outcome(stored: int, refused: list[str]) -> None:
    for message in refused:
        flash(message, "error")
    if stored:
        flash(_("%(n)s berkas diunggah.", n=stored), "success")


def _storage_failed(err: StorageUnwritableError, not_sent: list[str]):
    """503: the disk could not take the file (the store logged it for the admin)."""
    message = str(err)
    if not_sent:
        message += " " + _(
            "Berkas berikut juga belum disimpan: %(names)s.", names=", ".join(not_sent)
        )
    return error_page(503, message)


def _back_to_item(enrolment: Enrolment, item: str):
    url = url_for("accreditation.lke", enrolment_id=enrolment.id, area=tiers.area_of(item))
    return redirect(f"{url}#item-{item}", code=303)


@bp.post("/enrolments/<int:enrolment_id>/evidence/link")
@login_required
def add_link(enrolment_id: int):
    session = get_session()
    enrolment, actor = load_enrolment(enrolment_id)
    form = forms.LinkForm()
    if not form.validate_on_submit():
        return _invalid(form, enrolment, form.item.data)
    target = _item_target(enrolment, form.item.data, form.document.data)
    _ensure_can_upload(actor, enrolment, form.item.data)
    replaces, target = _replaced(enrolment, target, form.replaces.data)
    try:
        services.add_link(
            session,
            user=actor.user,
            enrolment=enrolment,
            target=target,
            url=form.url.data,
            title=form.title.data or "",
            replaces=replaces,
        )
        session.commit()
    except IntegrityError as err:  # another replacement of the same file won the race
        session.rollback()
        if replaces is None:
            raise
        raise ConflictError(services.replaced_meanwhile(replaces.original_name)) from err
    flash(_("Tautan bukti dicatat."), "success")
    return _back_to_item(enrolment, form.item.data)


def _file_in_scope(public_id: str) -> tuple[EvidenceFile, Enrolment, frozenset[Role]]:
    """The file, its enrolment and the user's roles there; 404 outside the user's scope."""
    row = services.by_public_id(get_session(), public_id)
    if row.enrolment_id is None:  # a recorded designation's scan: served by its admin page
        abort(404)
    enrolment, actor = load_enrolment(row.enrolment_id)
    return row, enrolment, actor.roles


@bp.get("/evidence/<public_id>")
@login_required
def download(public_id: str):
    row, _enrolment, roles = _file_in_scope(public_id)
    return _send(row, roles)


@bp.get("/enrolments/<int:enrolment_id>/prerequisites/files/<file_id>")
@login_required
def prerequisite_download(enrolment_id: int, file_id: str):
    """A file of a prerequisite the enrolment's page lists: an agency-level one may have been
    recorded from another unit's enrolment, which the reader's scope need not reach."""
    enrolment, actor = load_enrolment(enrolment_id)
    row = proposal.evidence_file(get_session(), enrolment, file_id)
    return _send(row, actor.roles)


def _send(row: EvidenceFile, roles: frozenset[Role]):
    session = get_session()
    if row.link_url is not None or row.storage_key is None:
        abort(404)
    if roles & REVIEWER_ROLES:
        begin_write(session)
        services.record_download(session, user=current_actor(), file=row, as_reviewer=True)
        session.commit()
    # Always an attachment with the type we detected on upload: never rendered inline.
    return send_file(
        evidence_store().open(row.storage_key),
        mimetype=_safe_type(row),
        as_attachment=True,
        download_name=row.original_name or storage_safe_name(row.original_name),
        max_age=0,
        conditional=False,
        etag=row.sha256 or True,  # a stored file always has its digest
    )


def _safe_type(row: EvidenceFile) -> str:
    allowed = _policy().allowed
    if row.content_type and any(t.accepts(row.content_type) for t in allowed.types.values()):
        return row.content_type
    return "application/octet-stream"


@bp.post("/evidence/<public_id>/withdraw")
@login_required
def withdraw(public_id: str):
    session = get_session()
    row, enrolment, _roles = _file_in_scope(public_id)
    services.withdraw(session, user=current_actor(), file=row)
    session.commit()
    flash(_("Berkas %(name)s ditarik.", name=row.original_name), "success")
    return (
        _back_to_item(enrolment, row.item_code or "")
        if row.item_code
        else redirect(url_for("accreditation.enrolment", enrolment_id=enrolment.id), code=303)
    )


@bp.post("/enrolments/<int:enrolment_id>/items/<code>/documents/<key>/check")
@login_required
def check_document(enrolment_id: int, code: str, key: str):
    session = get_session()
    enrolment, actor = load_enrolment(enrolment_id)
    target = _item_target(enrolment, code, key)
    tier = tiers.tier_for_stage(cycles.cycle_tiers(enrolment.cycle), enrolment.stage)
    if tier is None or not tier.reviews or not actor.roles & tier.roles or not target.document_key:
        raise NotAllowedError(_("Anda bukan penilai pada tahap ini."))
    form = forms.CheckForm()
    if not form.validate_on_submit():
        return _invalid(form, enrolment, code)
    services.check_document(
        session,
        user=actor.user,
        enrolment=enrolment,
        tier=tier.code,
        item_code=code,
        document_key=key,
        verdict=CheckVerdict(form.verdict.data),
        comment=form.comment.data or "",
        expected_seq=form.seq.data or 0,
    )
    session.commit()
    message = _("Penilaian dokumen disimpan.")
    if wants_json():
        # lke-review.js fetches the re-rendered item from ``fragment`` and swaps it in (issue
        # 14 §5); the LKE page's own views render it, evidence does not reach into them.
        tier_shown = request.form.get("tier") or tier.code
        fragment = url_for(
            "accreditation.item_fragment", enrolment_id=enrolment.id, tier=tier_shown, code=code
        )
        return jsonify(message=message, fragment=fragment)
    flash(message, "success")
    return _back_to_item(enrolment, code)
