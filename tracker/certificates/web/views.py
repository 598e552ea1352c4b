"""Certificate pages: public verification and registry; printing for leadership; settings.

Public pages (``/verify/<number>``, ``/registry``) need no login and show only what is printed on
a certificate, plus its status. Everything under ``/certificates`` is for ``pimpinan`` (own
agency), ``tpn`` and ``admin``; a certificate outside the user's scope answers 404.
An invalid form re-renders its page with status 422 (the rule in ``tracker.forms``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from werkzeug.datastructures import MultiDict

import tracker.certificates as renderer
from config import Settings
from tracker import exports
from tracker.agencies import services as agency_services
from tracker.agencies.models import Agency
from tracker.auth.access import is_admin
from tracker.auth.login import actor_grants, current_actor, role_required
from tracker.auth.roles import Role
from tracker.certificates import assembly, numbers, printing, queries, services, tasks
from tracker.certificates import oversight as public_oversight
from tracker.certificates.images import MAX_UPLOAD_BYTES, clean_image
from tracker.certificates.models import Certificate, PrintFormat, PrintJob, PrintStatus
from tracker.certificates.status import (
    PREDICATE_LONG_LABELS,
    PRINT_ROLES,
    STATUS_BADGES,
    STATUS_LABELS,
    CertificateStatus,
    can_print,
    can_reissue,
    print_scope,
)
from tracker.certificates.storage import CONTENT_TYPES
from tracker.certificates.web import forms
from tracker.downloads import send_table
from tracker.error_handlers import too_many_requests
from tracker.errors import NotFoundError, ValidationError
from tracker.extensions import figures, result_store
from tracker.extensions import settings as tracker_settings
from tracker.forms import EmptyForm
from tracker.i18n import N_, _
from tracker.ratelimit import rate_limits
from tracker.request_guards import query_int
from tracker.sessions import begin_write, get_or_404, get_session

bp = Blueprint("certificates", __name__)
PRINTERS = tuple(PRINT_ROLES)
FRESH = "no-cache"  # caches must revalidate: a revocation shows at once


def _page_number() -> int:
    return query_int("page", 1) or 1


@bp.app_context_processor
def _status_helpers() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "status_badges": STATUS_BADGES,
        "predicate_long_labels": PREDICATE_LONG_LABELS,
    }


# --- public ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PublicLimit:
    """Public requests counted per client address: the counter's name, its setting and what a
    refused client reads."""

    counter: str
    per_minute: Callable[[Settings], int]
    refusal: str


_CHECKS = _PublicLimit(
    "verify",
    lambda settings: settings.verify_rate_per_minute,
    N_("Terlalu banyak pemeriksaan piagam dari alamat Anda. Coba lagi dalam %(seconds)s detik."),
)
_DOWNLOADS = _PublicLimit(
    "registry-export",
    lambda settings: settings.registry_export_rate_per_minute,
    N_("Terlalu banyak unduhan daftar dari alamat Anda. Coba lagi dalam %(seconds)s detik."),
)
_PUBLIC_LIMITS = {
    "certificates.verify": _CHECKS,
    "certificates.verify_lookup": _CHECKS,
    "certificates.registry_export": _DOWNLOADS,
}


@bp.before_request
def _limit_public_requests():
    """Certificate checks and the registry's downloads are public, so they are counted per
    client address: a person scanning a QR code (issue 13 §16) or downloading the registry
    never meets the limit; a script trying numbers, or looping on a download that builds the
    whole registry each time, does."""
    limit = _PUBLIC_LIMITS.get(request.endpoint or "")
    if limit is None:
        return None
    verdict = rate_limits().hit(
        f"{limit.counter}:{request.remote_addr or '-'}",
        per_minute=limit.per_minute(tracker_settings()),
    )
    if verdict.allowed:
        return None
    return too_many_requests(_(limit.refusal, seconds=verdict.retry_after), verdict.retry_after)


@bp.get("/verify/<path:number>")
def verify(number: str):
    """One lookup and one template whether the number exists or not: a miss differs only in
    its status code (404) and in having no fields to show."""
    canonical = numbers.normalize(number)
    certificate = queries.find_by_number(get_session(), canonical or number)
    html = render_template(
        "certificates/verify.html",
        asked=(canonical or number)[: numbers.MAX_INPUT_LENGTH],
        certificate=certificate,
        status=queries.status(certificate) if certificate else None,
        # Issue 17 §4, §5: the unit's Ombudsman results and the name it goes by now.
        oversight=public_oversight.of_certificate(get_session(), certificate)
        if certificate
        else None,
    )
    response = make_response(html, 200 if certificate else 404)
    response.headers["Cache-Control"] = FRESH
    return response


@bp.get("/verify")
def verify_lookup():
    """The registry's "check a number" box: on to the number's own page."""
    typed = (request.args.get("number") or "").strip()[: numbers.MAX_INPUT_LENGTH]
    if not typed:
        return redirect(url_for("certificates.registry"))
    return redirect(url_for("certificates.verify", number=numbers.normalize(typed) or typed))


@bp.get("/registry")
def registry():
    session = get_session()
    form = forms.FilterForm(request.args)
    # D15: designations recorded from before the tracker are listed too (without a piagam).
    # The filter's years and agencies are the country's (600 agencies): read once a minute
    # per app server, as the dashboard's figures (a new designation's agency joins the list
    # within FIGURES_CACHE_SECONDS; the list itself is always read live).
    form.set_choices(
        *figures().get(
            ("registry-filter-options",),
            lambda: (
                queries.registry_years(session, include_recorded=True),
                queries.registry_agencies(session, include_recorded=True),
            ),
        )
    )
    page = queries.registry_page(session, queries.Filters(**form.values()), _page_number())
    html = render_template("certificates/registry.html", form=form, page=page)
    response = make_response(html)
    response.headers["Cache-Control"] = FRESH
    return response


@bp.get("/registry/export.<any(csv, xlsx):kind>")
def registry_export(kind: str):
    """The registry under the page's filters, every page at once (issue 16 §6): public, like
    the page, and holding only what the page shows."""
    form = forms.FilterForm(request.args)
    filters = queries.Filters(**form.values())
    entries = queries.registry_all(get_session(), filters, exports.MAX_ROWS)
    return send_table(registry_table(entries), "daftar-zi", exports.Format(kind))


def registry_table(entries: list[queries.RegistryEntry]) -> exports.Table:
    headers = [
        _("Unit kerja"),
        _("Instansi"),
        _("Predikat"),
        _("Tahun"),
        _("Nomor piagam"),
        _("Nomor keputusan"),
        _("Tanggal keputusan"),
        _("Status"),
        _("Dicabut pada"),
    ]
    rows: list[list[exports.Cell]] = [
        [
            e.unit_name,
            e.agency_name,
            "Menuju " + e.designation.predicate.value,
            e.designation.year,
            e.certificate.number if e.certificate else _("tercatat, penetapan sebelum ZI Tracker"),
            e.designation.decree_number,
            e.designation.decree_date,
            _("Dicabut") if e.designation.revoked_on else _("Berlaku"),
            e.designation.revoked_on,
        ]
        for e in entries
    ]
    return exports.Table(_("Daftar unit berpredikat ZI"), headers, rows)


# --- leadership: list, single PDF, batch printing -----------------------------------------------


def _certificate_in_scope(number: str) -> Certificate:
    certificate = queries.find_by_number(get_session(), numbers.normalize(number) or number)
    if certificate is None or not can_print(actor_grants(), certificate.designation.agency_id):
        abort(404)
    return certificate


@bp.get("/certificates")
@role_required(*PRINTERS)
def index():
    return _index_page(request.args, forms.PrintForm(formdata=None, **request.args.to_dict()))


def _index_page(filters: MultiDict[str, str], print_form: forms.PrintForm, status: int = 200):
    """The certificate list narrowed by ``filters``, with ``print_form`` (and its errors)."""
    session = get_session()
    scope = print_scope(actor_grants())
    form = forms.FilterForm(filters)
    form.set_choices(queries.registry_years(session), queries.registry_agencies(session, scope))
    chosen = queries.Filters(**form.values(), include_replaced=bool(form.replaced.data))
    page = queries.visible_page(session, scope, chosen, _page_number())
    return render_template(
        "certificates/index.html",
        form=form,
        page=page,
        statuses={c.id: queries.status(c).value for c in page.items},
        print_form=print_form,
        jobs=[(job, job_state(job)) for job in printing.recent_jobs(session, current_actor())],
        max_batch=printing.MAX_BATCH,
        can_configure=is_admin(actor_grants()),
    ), status


@bp.get("/certificates/<number>")
@role_required(*PRINTERS)
def detail(number: str):
    return _detail_page(_certificate_in_scope(number), forms.ReissueForm())


def _detail_page(certificate: Certificate, form: forms.ReissueForm, status: int = 200):
    """One certificate, its chain of reissues, and the reissue ``form`` (with its errors)."""
    current = queries.status(certificate)
    return render_template(
        "certificates/detail.html",
        certificate=certificate,
        status=current,
        chain=queries.chain_of(get_session(), certificate),
        form=form,
        can_reissue=can_reissue(actor_grants()) and current is CertificateStatus.VALID,
        verification_url=services.verification_url(certificate),
    ), status


@bp.get("/certificates/<number>.pdf")
@role_required(*PRINTERS)
def pdf(number: str):
    certificate = _certificate_in_scope(number)
    images = services.load_images(get_session(), [certificate])
    data = services.certificate_data(certificate, images)
    response = make_response(renderer.render_pdf(data))
    response.headers["Content-Type"] = "application/pdf"
    name = assembly.pdf_name(certificate.number)
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/certificates/<number>/reissue")
@role_required(Role.TPN, Role.ADMIN)
def reissue(number: str):
    certificate = _certificate_in_scope(number)
    form = forms.ReissueForm()
    if not form.validate_on_submit():
        return _detail_page(certificate, form, 422)
    session = get_session()
    new = services.reissue(
        session, certificate=certificate, user=current_actor(), reason=form.reason.data
    )
    session.commit()
    flash(_("Piagam baru %(number)s diterbitkan.", number=new.number), "success")
    return redirect(url_for("certificates.detail", number=new.number), code=303)


@bp.post("/certificates/print")
@role_required(*PRINTERS)
def print_batch():
    form = forms.PrintForm()
    if not form.validate_on_submit():
        return _index_page(MultiDict(form.filter_args()), form, 422)
    session = get_session()
    chosen = _chosen_certificates(form)
    job = printing.request_print(
        session, user=current_actor(), certificates=chosen, fmt=PrintFormat(form.format.data)
    )
    session.commit()
    tasks.enqueue_job(session, job)
    return redirect(url_for("certificates.job", public_id=job.public_id), code=303)


def _chosen_certificates(form: forms.PrintForm) -> list[Certificate]:
    session = get_session()
    scope = print_scope(actor_grants())
    if form.everything.data:
        filters = queries.Filters(**form.values())
        return queries.visible_matching(session, scope, filters, printing.MAX_BATCH + 1)
    wanted = list(dict.fromkeys(form.numbers.data or []))
    if len(wanted) > printing.MAX_BATCH:
        raise ValidationError(_("Paling banyak %(n)s piagam sekali cetak.", n=printing.MAX_BATCH))
    chosen = queries.visible_by_numbers(session, scope, wanted)
    if len(chosen) != len(wanted):  # tampered with, or out of scope: confirm nothing
        raise NotFoundError(_("Piagam tidak ditemukan."))
    return chosen


# --- print jobs ----------------------------------------------------------------------------------


def _own_job(public_id: str) -> PrintJob:
    """The job, if the user may see it; a job abandoned by its worker is swept first, so the
    page (and the progress poll) shows its retry or failure at once (``tasks.retry_stale``)."""
    session = get_session()
    grants = actor_grants()
    job = printing.job_for(session, public_id, user=current_actor(), is_admin=is_admin(grants))
    if printing.is_stale(job, stale_before=tasks.stale_before(current_app)):
        begin_write(session)
        tasks.retry_stale(current_app, session, job.public_id)
        job = printing.job_for(session, public_id, user=current_actor(), is_admin=True)
    return job


def job_state(job: PrintJob) -> dict[str, Any]:
    """What the progress bar shows (the page and its JSON endpoint say the same)."""
    done = job.status is PrintStatus.DONE
    return {
        "status": job.status.value,
        "done": job.done,
        "total": job.total,
        "ratio": round(job.done / job.total, 4) if job.total else 0,
        "label": _job_label(job),
        "attempt": job.attempt,
        "error": _job_error(job),
        "download_url": url_for("certificates.download", public_id=job.public_id) if done else None,
    }


def _job_label(job: PrintJob) -> str:
    labels = {
        PrintStatus.QUEUED: _("Menunggu giliran"),
        PrintStatus.RUNNING: _("Mencetak %(done)s dari %(total)s", done=job.done, total=job.total),
        PrintStatus.DONE: _("Selesai: %(total)s piagam", total=job.total),
        PrintStatus.FAILED: _("Gagal"),
    }
    return labels[job.status]


def _job_error(job: PrintJob) -> str | None:
    if job.status is not PrintStatus.FAILED:
        return None
    if job.failed_number:
        return _(
            "Piagam %(number)s gagal dicetak (%(detail)s). Tidak ada piagam yang dilewati: "
            "perbaiki lalu ulangi permintaan.",
            number=job.failed_number,
            detail=job.error or "?",
        )
    return _("Pencetakan gagal (%(detail)s). Ulangi permintaan.", detail=job.error or "?")


@bp.get("/certificates/jobs/<public_id>")
@role_required(*PRINTERS)
def job(public_id: str):
    item = _own_job(public_id)
    can_retry = item.status is PrintStatus.FAILED and is_admin(actor_grants())
    return render_template(
        "certificates/job.html",
        job=item,
        state=job_state(item),
        retry_form=EmptyForm() if can_retry else None,
    )


@bp.post("/certificates/jobs/<public_id>/retry")
@role_required(Role.ADMIN)
def retry_job(public_id: str):
    """Queue a failed job again (administrators: a job abandoned twice, or a failure fixed)."""
    item = _own_job(public_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        page = render_template(
            "certificates/job.html", job=item, state=job_state(item), retry_form=form
        )
        return page, 422
    session = get_session()
    item = printing.retry(session, item, user=current_actor())
    session.commit()
    tasks.enqueue_job(session, item)
    flash(_("Permintaan cetak diulang."), "success")
    return redirect(url_for("certificates.job", public_id=item.public_id), code=303)


@bp.get("/certificates/jobs/<public_id>.json")
@role_required(*PRINTERS)
def job_status(public_id: str):
    response = jsonify(job_state(_own_job(public_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/certificates/jobs/<public_id>/download")
@role_required(*PRINTERS)
def download(public_id: str):
    item = _own_job(public_id)
    if item.status is not PrintStatus.DONE or not item.result_key:
        abort(404)
    stream = result_store().open(item.result_key)
    name = f"piagam-{item.created_at:%Y%m%d}-{item.total}.{item.format.value}"
    return send_file(
        stream, mimetype=CONTENT_TYPES[item.format], as_attachment=True, download_name=name
    )


# --- settings (administrators) ------------------------------------------------------------------


def _settings_page(signatory_form=None, emblem_form=None, status: int = 200):
    session = get_session()
    signatory = services.current_signatory(session)
    if signatory_form is None:
        signatory_form = forms.SignatoryForm(obj=signatory) if signatory else forms.SignatoryForm()
    if emblem_form is None:
        emblem_form = forms.EmblemForm()
    emblem_form.agency.choices = agency_services.agency_choices(session)
    html = render_template(
        "certificates/settings.html",
        signatory=signatory,
        signatory_form=signatory_form,
        emblem_form=emblem_form,
        agencies_with_emblem=services.agencies_with_emblem(session),
    )
    return html, status


@bp.get("/certificates/settings")
@role_required(Role.ADMIN)
def settings():
    return _settings_page()


def _uploaded_image(field) -> Any:
    upload = field.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    return clean_image(upload.read(MAX_UPLOAD_BYTES + 1))


@bp.post("/certificates/settings/signatory")
@role_required(Role.ADMIN)
def save_signatory():
    form = forms.SignatoryForm()
    if not form.validate_on_submit():
        return _settings_page(signatory_form=form, status=422)
    session = get_session()
    services.set_signatory(
        session,
        user=current_actor(),
        name=form.name.data,
        title=form.title.data,
        signature=_uploaded_image(form.signature),
        keep_signature=not form.remove_signature.data,
    )
    session.commit()
    flash(
        _("Penandatangan piagam disimpan. Berlaku untuk piagam yang terbit berikutnya."), "success"
    )
    return redirect(url_for("certificates.settings"), code=303)


@bp.post("/certificates/settings/emblem")
@role_required(Role.ADMIN)
def save_emblem():
    form = forms.EmblemForm()
    if not form.validate_on_submit():
        return _settings_page(emblem_form=form, status=422)
    session = get_session()
    agency = get_or_404(session, Agency, form.agency.data)
    image = None if form.remove.data else _uploaded_image(form.emblem)
    if image is None and not form.remove.data:
        raise ValidationError(_("Pilih berkas gambar lambang."))
    services.set_agency_logo(session, user=current_actor(), agency=agency, image=image)
    session.commit()
    flash(_("Lambang %(agency)s disimpan.", agency=agency.name), "success")
    return redirect(url_for("certificates.settings"), code=303)


@bp.get("/certificates/settings/emblems/<int:agency_id>")
@role_required(Role.ADMIN)
def emblem(agency_id: int) -> Response:
    agency = get_or_404(get_session(), Agency, agency_id)
    if not agency.logo or agency.logo_mime not in ("image/png", "image/jpeg"):
        abort(404)
    response = make_response(agency.logo)
    response.headers["Content-Type"] = agency.logo_mime
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/certificates/settings/signature")
@role_required(Role.ADMIN)
def signature_image() -> Response:
    signatory = services.current_signatory(get_session())
    if signatory is None or signatory.signature is None:
        abort(404)
    response = make_response(signatory.signature.data)
    response.headers["Content-Type"] = signatory.signature.mime
    response.headers["Cache-Control"] = "private, no-cache"
    return response
