"""Separation of duties (issue 13 §12).

An admin gave a coordinator the preliminary-assessor role over the parent of their own unit;
that user then approved their own unit. Now nobody reviews (approves or returns items), signs
off areas, answers a reviewing tier's LKE, gives a tier verdict or takes a TPN decision on a
unit they belong to (its coordinator or working-group member): every path refuses with a
message naming the role and the unit. The grant itself still goes through, with a warning.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.accreditation.test_services import approve_all
from tests.helpers import login_as, post_form
from tests.world import YEAR, World
from tracker.accreditation import duties, reviews, worksheet_import
from tracker.accreditation.models import DecisionKind, ItemDecision
from tracker.accreditation.workflow import Action, Stage
from tracker.audit.models import AuditEvent
from tracker.auth import services as auth
from tracker.auth.models import RoleGrant
from tracker.auth.roles import Role
from tracker.errors import NotAllowedError

CODE = "A.I.1.i.a"
CONFLICT = "Pemisahan tugas"


def _decisions(world: World, enrolment, tier: str | None = None) -> int:
    stmt = select(func.count(ItemDecision.id)).where(ItemDecision.enrolment_id == enrolment.id)
    if tier is not None:
        stmt = stmt.where(ItemDecision.tier == tier)
    return world.session.scalar(stmt)


@pytest.fixture
def granted(world: World, client):
    """The issue's grant, given on the admin's page: the Polres coordinator becomes the
    preliminary assessor over the Polda, the Polres' parent. Returns the page shown after."""
    login_as(client, world.admin)
    response = post_form(
        client,
        f"/admin/users/{world.koordinator.id}/grants",
        {"role": Role.PENILAI_PENDAHULUAN.value, "agency_id": 0, "unit_id": world.polda.id},
        page=f"/admin/users/{world.koordinator.id}",
        follow_redirects=True,
    )
    world.session.expire_all()
    return response


def test_the_grant_goes_through_with_a_warning_naming_the_conflict(world: World, granted) -> None:
    assert granted.status_code == 200
    page = granted.get_data(as_text=True)
    assert "Peran ditambahkan." in page
    assert "Peringatan pemisahan tugas" in page and "Polres Uji" in page, page
    assert "flash-warning" in page
    roles = {g.role for g in world.koordinator.grants}
    assert roles == {Role.KOORDINATOR, Role.PENILAI_PENDAHULUAN}
    event = world.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == "auth:grant:add").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and "Polres Uji" in event.data["duty_conflicts"][0]


def test_the_grant_warns_in_english_too(world: World, client, english) -> None:
    login_as(client, world.admin)
    with client.session_transaction() as cookie:
        cookie["lang"] = "en"
    response = post_form(
        client,
        f"/admin/users/{world.koordinator.id}/grants",
        {"role": Role.PENILAI_PENDAHULUAN.value, "agency_id": 0, "unit_id": world.polda.id},
        page=f"/admin/users/{world.koordinator.id}",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Separation of duties" in page and "Polres Uji" in page, page


def test_the_assessor_cannot_approve_or_return_their_own_units_items(world: World, granted) -> None:
    e = world.submitted()
    actor = world.actor(world.koordinator)
    assert Role.PENILAI_PENDAHULUAN in actor.roles  # the grant reaches the unit...
    for kind, comment in ((DecisionKind.APPROVED, ""), (DecisionKind.REVISION, "perbaiki")):
        with pytest.raises(NotAllowedError, match=CONFLICT) as refused:
            world.decide(actor, e, CODE, kind, seq=0, comment=comment)
        assert "Polres Uji" in str(refused.value) and "Koordinator unit" in str(refused.value)
    with pytest.raises(NotAllowedError, match=CONFLICT):
        reviews.approve_pending(world.session, actor=actor, enrolment=e, item_codes=[CODE])
    with pytest.raises(NotAllowedError, match=CONFLICT):
        reviews.sign_off_area(world.session, actor=actor, enrolment=e, area="1", item_codes=[])
    world.session.rollback()
    assert _decisions(world, e) == 0  # ...but nothing of theirs was written


def test_the_assessor_cannot_pass_or_return_their_own_units_preliminary(
    world: World, granted
) -> None:
    e = world.submitted()
    approve_all(world, e, world.penilai)  # everything else is ready for the verdict
    for action in (Action.PRELIMINARY_PASS, Action.PRELIMINARY_RETURN):
        with pytest.raises(NotAllowedError, match=CONFLICT) as refused:
            world.act(world.koordinator, e, action, note="layak")
        assert "Polres Uji" in str(refused.value)
        world.session.rollback()
    world.session.expire_all()
    assert e.stage is Stage.PRELIMINARY
    world.act(world.penilai, e, Action.PRELIMINARY_PASS)  # an independent assessor still may
    assert e.stage is Stage.TPI_EVALUATION


def test_the_web_refuses_the_decision_and_the_verdict_with_the_reason(
    world: World, granted, client
) -> None:
    e = world.submitted()
    login_as(client, world.koordinator)
    lke = f"/enrolments/{e.id}/lke?tier=preliminary&area=1"
    decided = post_form(
        client, f"/enrolments/{e.id}/items/{CODE}/decision", {"kind": "approved", "seq": 0},
        page=lke,
    )  # fmt: skip
    assert decided.status_code == 403 and CONFLICT in decided.get_data(as_text=True)
    page = client.get(f"/enrolments/{e.id}").get_data(as_text=True)
    assert CONFLICT in page  # the next steps say why before anyone tries
    world.session.expire_all()
    assert _decisions(world, e) == 0


def test_the_assessor_can_still_review_a_sibling_unit(world: World, factory, granted) -> None:
    sibling_coordinator = factory.user((Role.KOORDINATOR, world.sibling))
    e = world.building(world.sibling)
    world.fill(e, user=sibling_coordinator)
    world.act(sibling_coordinator, e, Action.SUBMIT_PRELIMINARY)
    actor = world.actor(world.koordinator, world.sibling)
    assert actor.memberships == frozenset()
    row = world.decide(actor, e, CODE, DecisionKind.APPROVED, seq=0)
    world.session.commit()
    assert row.kind is DecisionKind.APPROVED and _decisions(world, e) == 1


def test_a_tpi_member_who_coordinates_a_unit_cannot_judge_it(world: World, factory) -> None:
    tpi_coordinator = factory.user((Role.KOORDINATOR, world.polres), (Role.TPI, world.agency))
    e = world.submitted()
    approve_all(world, e, world.penilai)
    world.act(world.penilai, e, Action.PRELIMINARY_PASS)
    actor = world.actor(tpi_coordinator)
    with pytest.raises(NotAllowedError, match=CONFLICT):
        world.decide(actor, e, CODE, DecisionKind.APPROVED, seq=0)
    with pytest.raises(NotAllowedError, match=CONFLICT):  # nor answer the TPI's LKE...
        world.answer(actor, e, CODE, "Ya", version=1, tier="tpi")
    with pytest.raises(NotAllowedError, match=CONFLICT):  # ...nor import into it
        worksheet_import.tier_to_import(world.session, actor, e, "tpi")
    for action in (Action.TPI_MEETS, Action.TPI_NOT_YET):
        with pytest.raises(NotAllowedError, match=CONFLICT):
            world.act(tpi_coordinator, e, action, on=date(YEAR, 5, 1), note="belum")
        world.session.rollback()
    world.session.expire_all()
    assert e.stage is Stage.TPI_EVALUATION and _decisions(world, e, "tpi") == 0
    # Their own unit's self-assessment stays theirs: coordinating is not refused.
    assert actor.areas == frozenset(range(1, 7))
    # The agency's other TPI members judge the unit as before.
    approve_all(world, e, world.tpi)
    world.act(world.tpi, e, Action.TPI_MEETS, on=date(YEAR, 5, 1))
    assert e.stage is Stage.TPI_RECOMMENDED


def test_a_tpn_member_who_coordinates_a_unit_is_warned_when_made_coordinator(
    world: World, factory
) -> None:
    """The warning goes both ways: a coordinator's grant given to a TPN member warns too."""
    user = factory.user(Role.TPN)
    grant = auth.grant_role(
        world.session, by=world.admin, user=user, role=Role.KOORDINATOR, unit=world.polres
    )
    warnings = auth.duty_conflicts(user, grant)
    assert len(warnings) == 1 and "Polres Uji" in warnings[0] and "TPN" in warnings[0]
    assert world.session.get(RoleGrant, grant.id) is not None


def test_no_warning_where_the_judge_does_not_reach_the_unit(world: World, factory) -> None:
    other_agency = factory.agency("Instansi Lain")
    user = factory.user((Role.KOORDINATOR, world.polres))
    grant = auth.grant_role(
        world.session, by=world.admin, user=user, role=Role.TPI, agency=other_agency
    )
    assert auth.duty_conflicts(user, grant) == []
    pimpinan = auth.grant_role(
        world.session, by=world.admin, user=user, role=Role.PIMPINAN, agency=world.agency
    )
    assert auth.duty_conflicts(user, pimpinan) == []  # the agency head judges no tier


def test_every_assessor_action_is_a_judgement_but_voiding() -> None:
    for action in (
        Action.PRELIMINARY_PASS,
        Action.PRELIMINARY_RETURN,
        Action.TPI_MEETS,
        Action.TPI_NOT_YET,
        Action.DESIGNATE,
        Action.COACH,
        Action.ADMIN_PASS,
        Action.REVOKE,
    ):
        assert action in duties.JUDGING_ACTIONS
        assert duties.action_conflict(action, frozenset(), "U") is None
        assert duties.action_conflict(action, frozenset({Role.ANGGOTA_POKJA}), "U")
    for action in (Action.SUBMIT_PRELIMINARY, Action.SUBMIT_TPI, Action.PROPOSE, Action.VOID):
        assert duties.action_conflict(action, frozenset({Role.KOORDINATOR}), "U") is None
