"""Page models of issue 17: the clearance card of the enrolment page, the cycle page's
overseers form, the Ombudsman results and lineage of the unit's ZI page, with their forms.
Imported by the pages' views (``views``, ``cycle_views``) and by ``oversight_views``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import clock
from tracker.accreditation import clearance, designations, ombudsman
from tracker.accreditation.clearance_rules import ZONE_LABELS
from tracker.accreditation.context import Actor
from tracker.accreditation.models import Cycle, Designation, Enrolment
from tracker.accreditation.web.oversight_forms import (
    AnswerForm,
    AskForm,
    OmbudsmanForm,
    OverrideForm,
    OverseersForm,
    ResolveForm,
    SuccessionForm,
)
from tracker.agencies import lineage
from tracker.agencies import services as agency_services
from tracker.agencies.models import Unit
from tracker.auth.roles import Role
from tracker.forms import choices
from tracker.i18n import _
from tracker.sessions import get_session


def answer_form(request_id: int, *, bound: bool = True) -> AnswerForm:
    prefix = f"r{request_id}"
    return AnswerForm(prefix=prefix) if bound else AnswerForm(formdata=None, prefix=prefix)


def resolve_form(request_id: int, *, bound: bool = True) -> ResolveForm:
    prefix = f"s{request_id}"
    return ResolveForm(prefix=prefix) if bound else ResolveForm(formdata=None, prefix=prefix)


def ask_form(enrolment: Enrolment, *, bound: bool = True) -> AskForm:
    form = AskForm() if bound else AskForm(formdata=None)
    form.overseer.choices = choices((n, n) for n in clearance.overseers(enrolment.cycle))
    if not bound:
        form.asked_on.data = clock.today()
    return form


def clearance_context(session: Session, actor: Actor, enrolment: Enrolment) -> dict[str, Any]:
    """What the enrolment page's clearance card needs (``accreditation/_clearance.html``)."""
    card = clearance.card(session, actor, enrolment)
    if not card.may_record:
        return {"clearance": card}
    return {
        "clearance": card,
        "clearance_ask": ask_form(enrolment, bound=False),
        "clearance_answer": {r.id: answer_form(r.id, bound=False) for r in card.requests},
        "clearance_resolve": {r.id: resolve_form(r.id, bound=False) for r in card.requests},
        "clearance_override": OverrideForm(formdata=None),
    }


def overseers_form(cycle: Cycle) -> OverseersForm:
    """The cycle page's overseers form, filled with the cycle's list."""
    return OverseersForm(formdata=None, names="\n".join(clearance.overseers(cycle)))


def successor_form(unit: Unit, actor: Actor, *, bound: bool = True) -> SuccessionForm:
    form = SuccessionForm() if bound else SuccessionForm(formdata=None)
    session = get_session()
    if Role.ADMIN in actor.roles:
        options = agency_services.unit_choices(session)
    else:
        options = [(u.id, "· " * u.depth + u.name) for u in unit.agency.units]
    form.successor_id.choices = choices(
        [(0, _("— pilih unit —")), *[(i, n) for i, n in options if i != unit.id]]
    )
    return form


def unit_context(session: Session, actor: Actor, unit: Unit) -> dict[str, Any]:
    """What the unit's ZI page shows of issue 17 (``accreditation/_unit_oversight.html``): its
    Ombudsman results, its predecessors and successors with their predicates (one query for
    all of them), and the forms this user may use."""
    family = lineage.lineage(session, unit.id)
    ids = family.unit_ids
    predicates: dict[int, list[Designation]] = {i: [] for i in ids}
    if ids:
        for row in session.scalars(
            select(Designation)
            .where(Designation.unit_id.in_(ids))
            .order_by(Designation.year.desc(), Designation.id.desc())
        ):
            predicates[row.unit_id].append(row)
    may_record_lineage = lineage.may_record(actor.user, unit)
    return {
        "ombudsman_results": ombudsman.results_of(session, unit.id),
        "zone_labels": ZONE_LABELS,
        "zone_badges": ombudsman.ZONE_BADGES,
        "ombudsman_form": OmbudsmanForm(formdata=None) if ombudsman.may_record(actor) else None,
        "lineage": family,
        "lineage_predicates": predicates,
        # The predicates it carries through a rename or a merge (D9 builds WBBM on them).
        "carried_predicates": designations.carried_designations(session, unit.id),
        "lineage_kinds": lineage.KIND_LABELS,
        "succession_form": successor_form(unit, actor, bound=False) if may_record_lineage else None,
    }
