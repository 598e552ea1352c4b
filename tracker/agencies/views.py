"""Agencies and units: browse within scope; administrators create, edit and import.

Every form here lives on a page of this package: an invalid one re-renders its page with status
422 and the errors next to the fields, keeping what was typed (the rule in ``tracker.forms``).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from tracker import csvfiles
from tracker.agencies import forms, importer, services
from tracker.agencies.models import Agency, AgencyKind, Unit
from tracker.auth.access import can_view_agency, is_admin, scope_of
from tracker.auth.login import actor_grants, current_actor, ensure_can_view_unit, role_required
from tracker.auth.roles import Role
from tracker.forms import choices
from tracker.i18n import _
from tracker.request_guards import query_int
from tracker.sessions import get_or_404, get_session

bp = Blueprint("agencies", __name__)


def _index_page(
    form: forms.AgencyForm | None = None,
    import_form: forms.ImportForm | None = None,
    status: int = 200,
):
    """The agencies and units in the user's scope, with the administrators' two forms."""
    session = get_session()
    scope = scope_of(actor_grants())
    q = request.args.get("q", "")
    page = services.agency_page(session, scope, q, query_int("page") or 1)
    html = render_template(
        "agencies/index.html",
        page=page,
        q=q,
        units=services.units_by_agency(session, scope, [a.id for a in page.items]),
        can_admin=is_admin(actor_grants()),
        form=form or forms.AgencyForm(formdata=None),
        import_form=import_form or forms.ImportForm(formdata=None),
        kind_labels=forms.AGENCY_KIND_LABELS,
    )
    return html, status


@bp.get("/agencies")
@login_required
def index():
    return _index_page()


@bp.post("/agencies")
@role_required(Role.ADMIN)
def create_agency():
    form = forms.AgencyForm()
    if not form.validate_on_submit():
        return _index_page(form=form, status=422)
    session = get_session()
    agency = services.create_agency(
        session,
        user=current_actor(),
        name=form.name.data,
        short_name=form.short_name.data,
        kind=AgencyKind(form.kind.data),
    )
    session.commit()
    flash(_("Instansi %(name)s dibuat.", name=agency.name), "success")
    return redirect(url_for("agencies.agency", agency_id=agency.id), code=303)


@bp.post("/agencies/import")
@role_required(Role.ADMIN)
def import_csv():
    form = forms.ImportForm()
    if not form.validate_on_submit():
        return _index_page(import_form=form, status=422)
    session = get_session()
    rows = importer.parse_csv(form.file.data.read(csvfiles.MAX_BYTES + 1))
    result = importer.import_rows(session, rows, user=current_actor())
    session.commit()
    flash(
        _(
            "Impor selesai: %(a)s instansi dan %(u)s unit baru, %(s)s sudah ada.",
            a=len(result.agencies_created),
            u=len(result.units_created),
            s=len(result.skipped),
        ),
        "success",
    )
    return redirect(url_for("agencies.index"), code=303)


def _unit_choices(agency: Agency, exclude: Unit | None = None) -> list[SelectChoice]:
    return choices(
        [(0, _("— langsung di bawah instansi —"))]
        + [
            (u.id, "· " * u.depth + u.name)
            for u in agency.units
            if exclude is None or not u.path.startswith(exclude.path)
        ]
    )


def _unit_form(agency: Agency, *, bound: bool = True) -> forms.UnitForm:
    """The new-unit form of ``agency``; ``bound`` to what was posted, or empty."""
    form = forms.UnitForm() if bound else forms.UnitForm(formdata=None)
    form.parent_id.choices = _unit_choices(agency)
    return form


def _agency_page(
    item: Agency,
    form: forms.AgencyForm | None = None,
    unit_form: forms.UnitForm | None = None,
    status: int = 200,
):
    """One agency with its units; administrators get its edit form and the new-unit form."""
    html = render_template(
        "agencies/agency.html",
        agency=item,
        units=item.units,
        can_admin=is_admin(actor_grants()),
        form=form or forms.AgencyForm(formdata=None, obj=item, kind=item.kind.value),
        unit_form=unit_form or _unit_form(item, bound=False),
        kind_labels=forms.AGENCY_KIND_LABELS,
    )
    return html, status


@bp.get("/agencies/<int:agency_id>")
@login_required
def agency(agency_id: int):
    item = get_or_404(get_session(), Agency, agency_id)
    if not can_view_agency(actor_grants(), item.id):
        abort(404)
    return _agency_page(item)


@bp.post("/agencies/<int:agency_id>")
@role_required(Role.ADMIN)
def update_agency(agency_id: int):
    session = get_session()
    item = get_or_404(session, Agency, agency_id)
    form = forms.AgencyForm()
    if not form.validate_on_submit():
        return _agency_page(item, form=form, status=422)
    services.update_agency(
        session,
        item,
        user=current_actor(),
        name=form.name.data,
        short_name=form.short_name.data,
        kind=AgencyKind(form.kind.data),
    )
    session.commit()
    flash(_("Instansi diperbarui."), "success")
    return redirect(url_for("agencies.agency", agency_id=item.id), code=303)


@bp.post("/agencies/<int:agency_id>/units")
@role_required(Role.ADMIN)
def create_unit(agency_id: int):
    session = get_session()
    item = get_or_404(session, Agency, agency_id)
    form = _unit_form(item)
    if not form.validate_on_submit():
        return _agency_page(item, unit_form=form, status=422)
    unit = services.create_unit(
        session,
        user=current_actor(),
        agency=item,
        name=form.name.data,
        kind=form.kind.data,
        parent=_parent(form),
    )
    session.commit()
    flash(_("Unit %(name)s dibuat.", name=unit.name), "success")
    return redirect(url_for("agencies.agency", agency_id=item.id), code=303)


def _parent(form: forms.UnitForm) -> Unit | None:
    """The chosen parent unit (0: directly under the agency). The choices are the agency's own
    units, so a posted id outside them never gets this far."""
    return services.get_unit(get_session(), form.parent_id.data) if form.parent_id.data else None


def _edit_unit_form(item: Unit, *, bound: bool = True) -> forms.UnitForm:
    """The edit form of ``item``; ``bound`` to what was posted, or filled from the unit."""
    if bound:
        form = forms.UnitForm()
    else:
        form = forms.UnitForm(formdata=None, obj=item, parent_id=item.parent_id or 0)
    form.parent_id.choices = _unit_choices(item.agency, exclude=item)
    return form


def _unit_page(item: Unit, form: forms.UnitForm | None = None, status: int = 200):
    html = render_template(
        "agencies/unit.html",
        unit=item,
        form=form or _edit_unit_form(item, bound=False),
        can_admin=is_admin(actor_grants()),
    )
    return html, status


@bp.get("/units/<int:unit_id>")
@login_required
def unit(unit_id: int):
    item = get_or_404(get_session(), Unit, unit_id)
    ensure_can_view_unit(item)
    return _unit_page(item)


@bp.post("/units/<int:unit_id>")
@role_required(Role.ADMIN)
def update_unit(unit_id: int):
    session = get_session()
    item = get_or_404(session, Unit, unit_id)
    form = _edit_unit_form(item)
    if not form.validate_on_submit():
        return _unit_page(item, form=form, status=422)
    services.update_unit(
        session,
        item,
        user=current_actor(),
        name=form.name.data,
        kind=form.kind.data,
        parent=_parent(form),
    )
    session.commit()
    flash(_("Unit diperbarui."), "success")
    return redirect(url_for("agencies.unit", unit_id=item.id), code=303)
