"""Agencies and units: browse within scope; administrators create, edit and import."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from tracker.agencies import forms, importer, services
from tracker.agencies.models import Agency, AgencyKind, Unit
from tracker.auth.access import can_view_agency, is_admin, scope_of
from tracker.auth.login import actor_grants, current_actor, ensure_can_view_unit, role_required
from tracker.auth.roles import Role
from tracker.db import get_or_404, get_session
from tracker.forms import choices
from tracker.i18n import _

bp = Blueprint("agencies", __name__)


@bp.get("/agencies")
@login_required
def index():
    session = get_session()
    scope = scope_of(actor_grants())
    return render_template(
        "agencies/index.html",
        agencies=services.visible_agencies(session, scope),
        units=services.visible_units(session, scope),
        can_admin=is_admin(actor_grants()),
        form=forms.AgencyForm(),
        import_form=forms.ImportForm(),
        kind_labels=forms.AGENCY_KIND_LABELS,
    )


@bp.post("/agencies")
@role_required(Role.ADMIN)
def create_agency():
    form = forms.AgencyForm()
    if not form.validate_on_submit():
        flash(_("Periksa kembali isian instansi."), "error")
        return redirect(url_for("agencies.index"), code=303)
    session = get_session()
    agency = services.create_agency(
        session,
        actor=current_actor(),
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
        flash(_("Pilih berkas CSV untuk diimpor."), "error")
        return redirect(url_for("agencies.index"), code=303)
    session = get_session()
    rows = importer.parse_csv(form.file.data.read(importer.MAX_BYTES + 1))
    result = importer.import_rows(session, rows, actor=current_actor())
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


@bp.get("/agencies/<int:agency_id>")
@login_required
def agency(agency_id: int):
    session = get_session()
    item = get_or_404(session, Agency, agency_id)
    grants = actor_grants()
    if not can_view_agency(grants, item.id):
        abort(404)
    unit_form = forms.UnitForm()
    unit_form.parent_id.choices = _unit_choices(item)
    return render_template(
        "agencies/agency.html",
        agency=item,
        units=item.units,
        can_admin=is_admin(grants),
        form=forms.AgencyForm(obj=item, kind=item.kind.value),
        unit_form=unit_form,
        kind_labels=forms.AGENCY_KIND_LABELS,
    )


@bp.post("/agencies/<int:agency_id>")
@role_required(Role.ADMIN)
def update_agency(agency_id: int):
    session = get_session()
    item = get_or_404(session, Agency, agency_id)
    form = forms.AgencyForm()
    if form.validate_on_submit():
        services.update_agency(
            session,
            item,
            actor=current_actor(),
            name=form.name.data,
            short_name=form.short_name.data,
            kind=AgencyKind(form.kind.data),
        )
        session.commit()
        flash(_("Instansi diperbarui."), "success")
    else:
        flash(_("Periksa kembali isian instansi."), "error")
    return redirect(url_for("agencies.agency", agency_id=item.id), code=303)


@bp.post("/agencies/<int:agency_id>/units")
@role_required(Role.ADMIN)
def create_unit(agency_id: int):
    session = get_session()
    item = get_or_404(session, Agency, agency_id)
    form = forms.UnitForm()
    form.parent_id.choices = _unit_choices(item)
    if not form.validate_on_submit():
        flash(_("Periksa kembali isian unit."), "error")
        return redirect(url_for("agencies.agency", agency_id=item.id), code=303)
    parent = session.get(Unit, form.parent_id.data) if form.parent_id.data else None
    unit = services.create_unit(
        session,
        actor=current_actor(),
        agency=item,
        name=form.name.data,
        kind=form.kind.data,
        parent=parent,
    )
    session.commit()
    flash(_("Unit %(name)s dibuat.", name=unit.name), "success")
    return redirect(url_for("agencies.agency", agency_id=item.id), code=303)


@bp.get("/units/<int:unit_id>")
@login_required
def unit(unit_id: int):
    session = get_session()
    item = get_or_404(session, Unit, unit_id)
    ensure_can_view_unit(item)
    form = forms.UnitForm(obj=item, parent_id=item.parent_id or 0)
    form.parent_id.choices = _unit_choices(item.agency, exclude=item)
    return render_template(
        "agencies/unit.html", unit=item, form=form, can_admin=is_admin(actor_grants())
    )


@bp.post("/units/<int:unit_id>")
@role_required(Role.ADMIN)
def update_unit(unit_id: int):
    session = get_session()
    item = get_or_404(session, Unit, unit_id)
    form = forms.UnitForm()
    form.parent_id.choices = _unit_choices(item.agency, exclude=item)
    if form.validate_on_submit():
        parent = session.get(Unit, form.parent_id.data) if form.parent_id.data else None
        services.update_unit(
            session,
            item,
            actor=current_actor(),
            name=form.name.data,
            kind=form.kind.data,
            parent=parent,
        )
        session.commit()
        flash(_("Unit diperbarui."), "success")
    else:
        flash(_("Periksa kembali isian unit."), "error")
    return redirect(url_for("agencies.unit", unit_id=item.id), code=303)
