"""Issue 12 §5: in an agency deployment TPN works in PortalRB, and the agency's administrator
records each TPN step from PortalRB's published results through the same transitions (snapshot,
audit record, designation and certificate), each citing the PortalRB result. National mode is
unchanged."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from config import Settings, SettingsError
from tests.accreditation.test_services import record_prerequisites, to_tpi_recommended
from tests.helpers import login_as, post_form
from tests.html import get_page
from tests.world import YEAR, World
from tracker.accreditation import surveys, transitions
from tracker.accreditation.access import enrolment_in_scope
from tracker.accreditation.context import actor_for
from tracker.accreditation.deployment import Deployment, acting_roles
from tracker.accreditation.models import Designation, Enrolment, StageTransition
from tracker.accreditation.workflow import TPN_STEPS, Action, Stage
from tracker.audit.models import AuditEvent
from tracker.auth.roles import Role
from tracker.certificates.models import Certificate
from tracker.errors import InvalidTransitionError, NotAllowedError, NotFoundError

AGENCY = Deployment.AGENCY
REF = "Hasil PortalRB 2026-08-30, pengumuman nomor B/123/RB.06/2026"
DECREE = {"decree_number": "123/2026", "decree_date": date(YEAR, 12, 10)}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The app of this module runs as an agency deployment."""
    return dataclasses.replace(settings, deployment="agency")


def record(world: World, user, e: Enrolment, action: Action, reference: str = REF, **details):
    """Take ``action`` as ``user`` in the agency deployment."""
    details.setdefault("evidence_confirmed", True)
    result = transitions.advance(
        world.session,
        actor=actor_for(user, e.unit, AGENCY),
        enrolment=e,
        action=action,
        details=transitions.Details(portalrb_reference=reference, **details),
        # A decree is signed before it is recorded (issue 15 §3).
        on=details.get("decree_date"),
    )
    world.session.commit()
    return result


def proposed(world: World) -> Enrolment:
    e = world.enrol()
    to_tpi_recommended(world, e)
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=date(YEAR, 5, 20))
    assert e.stage is Stage.PROPOSED
    return e


def record_surveys(world: World, e: Enrolment, reference: str = REF) -> None:
    framework = surveys.assessments.framework_for(e)
    for item in surveys.survey_items(framework):
        row = surveys.states(world.session, e)[item.code].answer
        surveys.record_survey(
            world.session,
            None,
            None,
            actor=actor_for(world.admin, e.unit, AGENCY),
            enrolment=e,
            item_code=item.code,
            given=surveys.SurveyInput(
                "3.90", "BPS Provinsi", "September 2026", "120", portalrb_reference=reference
            ),
            report=None,
            report_link=f"https://bps.example.go.id/survei/{item.code}.pdf",
            expected_version=row.version if row is not None else 0,
        )
    world.session.commit()


def audit_data(world: World, tag: str) -> list[dict]:
    rows = world.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == tag).order_by(AuditEvent.id)
    ).all()
    return [r.data for r in rows]


# --- the rule --------------------------------------------------------------------------------


def test_the_admin_takes_tpns_part_and_tpn_acts_on_nothing_in_an_agency_deployment() -> None:
    assert acting_roles({Role.TPN}, Deployment.NATIONAL) == {Role.TPN}
    assert acting_roles({Role.ADMIN}, Deployment.NATIONAL) == {Role.ADMIN}
    assert acting_roles({Role.TPN}, AGENCY) == frozenset()
    assert acting_roles({Role.ADMIN}, AGENCY) == {Role.ADMIN, Role.TPN}
    assert acting_roles({Role.PIMPINAN, Role.TPI}, AGENCY) == {Role.PIMPINAN, Role.TPI}
    assert Action.DESIGNATE in TPN_STEPS and Action.PROPOSE not in TPN_STEPS
    assert Action.REVOKE not in TPN_STEPS  # the admin records revocations in either mode


def test_the_setting_accepts_the_two_modes_and_refuses_others(tmp_path) -> None:
    env = {"TRACKER_INSTANCE_DIR": str(tmp_path)}
    assert Settings.from_env(env).deployment == "national"
    assert Settings.from_env(env | {"TRACKER_DEPLOYMENT": "agency"}).deployment == "agency"
    with pytest.raises(SettingsError, match="TRACKER_DEPLOYMENT must be one of national, agency"):
        Settings.from_env(env | {"TRACKER_DEPLOYMENT": "instansi"})


# --- the services -----------------------------------------------------------------------------


def test_the_admin_records_every_tpn_step_up_to_the_certificate(world: World) -> None:
    e = proposed(world)
    record(world, world.admin, e, Action.ADMIN_PASS_WITH_NOTES, note="SPTJM diperbaiki")
    record(world, world.admin, e, Action.ACCEPT_CORRECTIONS)
    record(world, world.admin, e, Action.DESK_CONTINUE)
    assert e.stage is Stage.FIELD_EVALUATION
    record_surveys(world, e)
    record(world, world.admin, e, Action.DESIGNATE, **DECREE)
    assert e.stage is Stage.DESIGNATED
    designation = world.session.scalars(select(Designation)).one()
    assert designation.decree_number == "123/2026" and designation.snapshot is not None
    assert designation.snapshot.payload["tiers"]["tpn"]["answers"]["B.I.a"]["index"] == "3.90"
    certificate = world.session.scalars(select(Certificate)).one()
    assert certificate.designation_id == designation.id
    steps = world.session.scalars(
        select(StageTransition).where(StageTransition.from_stage != Stage.TPI_RECOMMENDED)
    ).all()
    tpn = [t for t in steps if t.action in TPN_STEPS]
    assert [t.action for t in tpn] == [
        Action.ADMIN_PASS_WITH_NOTES,
        Action.ACCEPT_CORRECTIONS,
        Action.DESK_CONTINUE,
        Action.DESIGNATE,
    ]
    assert {t.portalrb_reference for t in tpn} == {REF}
    assert {t.actor_id for t in tpn} == {world.admin.id}
    recorded = [
        d for d in audit_data(world, "accreditation:stage:advance") if d.get("recorded_from")
    ]
    assert [d["action"] for d in recorded] == [t.action.value for t in tpn]
    assert {(d["recorded_from"], d["portalrb_reference"]) for d in recorded} == {("PortalRB", REF)}
    assert recorded[-1]["snapshot"] == designation.snapshot_sha256
    survey_records = audit_data(world, "accreditation:survey:portalrb")
    assert [d["item"] for d in survey_records] == ["B.I.a", "B.II.a"]
    assert {d["portalrb_reference"] for d in survey_records} == {REF}


def test_the_appeal_outcome_is_recorded_too(world: World) -> None:
    e = proposed(world)
    record(world, world.admin, e, Action.ADMIN_FAIL, note="SPTJM tidak ada")
    world.act(world.pimpinan, e, Action.APPEAL, note="SPTJM terlampir", on=date(YEAR, 6, 1))
    record(world, world.admin, e, Action.APPEAL_ACCEPT)
    assert e.stage is Stage.DESK_EVALUATION
    assert e.transitions[-1].portalrb_reference == REF
    assert e.transitions[-2].portalrb_reference is None  # the agency's own appeal


def test_a_step_without_its_portalrb_reference_is_refused_and_changes_nothing(
    world: World,
) -> None:
    e = proposed(world)
    version = e.version
    with pytest.raises(InvalidTransitionError, match="Referensi hasil PortalRB wajib diisi"):
        record(world, world.admin, e, Action.ADMIN_PASS, reference="   ")
    world.session.rollback()
    assert (e.stage, e.version) == (Stage.PROPOSED, version)


def test_a_tpn_member_acts_on_nothing_in_an_agency_deployment(world: World) -> None:
    e = proposed(world)
    with pytest.raises(NotAllowedError):
        record(world, world.tpn, e, Action.ADMIN_PASS)
    world.session.rollback()
    assert e.stage is Stage.PROPOSED


def test_nobody_records_for_a_unit_of_another_agency(world: World, factory) -> None:
    e = proposed(world)
    other = factory.agency("Kementerian Lain")
    outsiders = [factory.user((Role.PIMPINAN, other)), factory.user((Role.TPI, other))]
    for user in outsiders:
        assert actor_for(user, e.unit, AGENCY).roles == frozenset()
        with pytest.raises(NotFoundError):
            enrolment_in_scope(world.session, user, e.id, AGENCY)
        with pytest.raises(NotAllowedError):
            record(world, user, e, Action.ADMIN_PASS)
        world.session.rollback()
    assert e.stage is Stage.PROPOSED


def test_the_national_mode_is_unchanged(world: World) -> None:
    e = proposed(world)
    with pytest.raises(NotAllowedError):  # the administrator never acts for TPN nationally
        world.act(world.admin, e, Action.ADMIN_PASS)
    world.session.rollback()
    world.act(world.tpn, e, Action.ADMIN_PASS)  # no reference asked
    assert e.stage is Stage.DESK_EVALUATION
    assert e.transitions[-1].portalrb_reference is None
    assert "recorded_from" not in audit_data(world, "accreditation:stage:advance")[-1]


# --- the pages -------------------------------------------------------------------------------


def test_the_admin_records_the_selection_on_the_enrolment_page(client, world: World) -> None:
    e = proposed(world)
    url = f"/enrolments/{e.id}"
    login_as(client, world.tpn)
    page = get_page(client, url)
    assert "TPN menilai di PortalRB" in page.text
    assert page.select("form.action-form") == []  # TPN members act in PortalRB
    login_as(client, world.admin)
    page = get_page(client, url)
    forms = page.select("form.action-form")
    actions = {f.one("input[name=action]").attr("value") for f in forms}
    assert {"admin_pass", "admin_pass_with_notes", "admin_fail"} <= actions
    admin_pass = next(f for f in forms if f.one("input[name=action]").attr("value") == "admin_pass")
    assert "Catat hasil TPN dari PortalRB" in admin_pass.text
    assert admin_pass.one("input[name=portalrb_reference]").attr("required") is not None
    fields = {"action": "admin_pass", "version": e.version}
    response = post_form(client, f"{url}/advance", fields, page=url)
    assert response.status_code == 303
    assert "Referensi hasil PortalRB wajib diisi" in " ".join(
        get_page(client, url).flashes("error")
    )
    world.session.expire_all()
    assert e.stage is Stage.PROPOSED
    response = post_form(client, f"{url}/advance", fields | {"portalrb_reference": REF}, page=url)
    assert response.status_code == 303
    world.session.expire_all()
    assert e.stage is Stage.DESK_EVALUATION
    history = get_page(client, url).one(".timeline").text
    assert f"Dicatat dari PortalRB: {REF}" in history
