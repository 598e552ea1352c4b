"""Issue 15 §4: a lead assigns units to reviewers; the queue shows one's own units first; the
workload page counts units and progress per reviewer; an assigned unit is decided by its
reviewer or the lead. The world's Polres waits in the preliminary assessment of its Polda."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.accreditation.test_page_queries import counted
from tests.factories import Factory
from tests.helpers import csrf_token, login_as
from tests.html import get_page
from tests.world import TODAY, World
from tracker.accreditation import assignments, my_tasks, reviews
from tracker.accreditation.assignment_models import ReviewerAssignment
from tracker.accreditation.models import DecisionKind, Enrolment
from tracker.accreditation.workflow import Action
from tracker.accreditation.worklist import TaskKind
from tracker.audit.models import AuditEvent
from tracker.auth import services as auth
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.errors import NotAllowedError

ITEM = "A.I.1.i.a"
# What the queue and workload pages run with a few units (login, grants, cycles, enrolments,
# decisions, assignments, reviewers and their grants, sign-offs), with a margin; a query per
# unit or per reviewer would grow with the second Polres below.
PAGE_MAX = 20


@pytest.fixture
def team(world: World, factory: Factory) -> dict[str, User]:
    """The Polda's assessors: the world's penilai as their lead, a second reviewer, and one who
    is also the Polres' coordinator (so may never review it)."""
    lead_grant = next(g for g in world.penilai.grants if g.role is Role.PENILAI_PENDAHULUAN)
    auth.set_lead(world.session, by=world.admin, grant=lead_grant, lead=True)
    world.session.commit()
    return {
        "lead": world.penilai,
        "second": factory.user((Role.PENILAI_PENDAHULUAN, world.polda), username="penilai2"),
        "member": factory.user(
            (Role.PENILAI_PENDAHULUAN, world.polda),
            (Role.KOORDINATOR, world.polres),
            username="penilai3",
        ),
    }


def _sibling_submitted(world: World) -> Enrolment:
    """The Polda's other Polres, filled and submitted by its own coordinator."""
    coordinator = Factory(world.session).user((Role.KOORDINATOR, world.sibling))
    enrolment = world.building(world.sibling)
    world.fill(enrolment, user=coordinator)
    world.act(coordinator, enrolment, Action.SUBMIT_PRELIMINARY)
    return enrolment


def _assign(world: World, enrolment: Enrolment, by: User, to: User) -> ReviewerAssignment:
    row = assignments.assign(world.session, actor=by, enrolment=enrolment, reviewer=to)
    world.session.commit()
    return row


def test_the_lead_assigns_and_reassigns_with_the_history_in_the_trail(world, team) -> None:
    e = world.submitted()
    row = _assign(world, e, team["lead"], team["second"])
    assert (row.enrolment_id, row.tier, row.reviewer_id) == (e.id, "preliminary", team["second"].id)
    _assign(world, e, team["lead"], team["lead"])
    rows = world.session.scalars(select(ReviewerAssignment)).all()
    assert [(r.reviewer_id, r.assigned_by_id) for r in rows] == [(team["lead"].id, team["lead"].id)]
    trail = world.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == assignments.TAG).order_by(AuditEvent.seq)
    ).all()
    assert [(t.data["reviewer"], t.data["previous"]) for t in trail] == [
        (team["second"].full_name, None),
        (team["lead"].full_name, team["second"].full_name),
    ]


def test_a_reviewer_who_is_not_a_lead_may_not_assign(world, team) -> None:
    e = world.submitted()
    with pytest.raises(NotAllowedError, match="Hanya ketua penilai"):
        assignments.assign(
            world.session, actor=team["second"], enrolment=e, reviewer=team["second"]
        )


def test_a_reviewer_who_belongs_to_the_unit_is_never_assigned(world, team) -> None:
    e = world.submitted()
    with pytest.raises(NotAllowedError, match="Pemisahan tugas"):
        assignments.assign(world.session, actor=team["lead"], enrolment=e, reviewer=team["member"])
    with pytest.raises(NotAllowedError, match="bukan penilai"):
        assignments.assign(world.session, actor=team["lead"], enrolment=e, reviewer=world.tpi)
    assert world.session.scalars(select(ReviewerAssignment)).first() is None


def test_an_assigned_unit_is_decided_by_its_reviewer_or_the_lead(world, team) -> None:
    e = world.submitted()
    # Unassigned: every reviewer of the tier decides, as before assignments.
    world.decide(world.actor(team["second"]), e, ITEM, DecisionKind.APPROVED, seq=0)
    world.session.commit()
    _assign(world, e, team["lead"], team["lead"])
    with pytest.raises(NotAllowedError, match="ditugaskan kepada"):
        world.decide(world.actor(team["second"]), e, "A.I.1.i.b", DecisionKind.APPROVED, seq=0)
    with pytest.raises(NotAllowedError, match="ditugaskan kepada"):
        reviews.sign_off_area(
            world.session, actor=world.actor(team["second"]), enrolment=e, area="1", item_codes=[]
        )
    world.session.rollback()
    _assign(world, e, team["lead"], team["second"])
    world.decide(world.actor(team["second"]), e, "A.I.1.i.b", DecisionKind.APPROVED, seq=0)
    world.decide(world.actor(team["lead"]), e, "A.I.1.i.c", DecisionKind.APPROVED, seq=0)
    world.session.commit()


def test_the_queue_shows_ones_own_units_first_and_the_lead_assigns(client, world, team) -> None:
    e = world.submitted()
    other = _sibling_submitted(world)
    _assign(world, other, team["lead"], team["second"])

    login_as(client, team["second"])
    page = get_page(client, "/review/queue")
    assert page.texts("h2") == ["Ditugaskan kepada Anda", "Belum ditugaskan"]
    mine, unassigned = page.select("table.card-table")
    assert [r.texts("td")[0].startswith("Polres Tetangga") for r in mine.select("tbody tr")] == [
        True
    ]
    assert "ditugaskan kepada Anda" in mine.select("tbody tr")[0].texts("td")[0]
    assert unassigned.select("tbody tr")[0].texts("td")[0].startswith("Polres Uji")
    assert page.select("form.assign-form") == []  # no lead: no assign form, no workload link

    # An assessor of the sibling Polres' subtree does not reach the Polres (nor does an
    # inactive one of the Polda): neither is offered for it.
    Factory(world.session).user((Role.PENILAI_PENDAHULUAN, world.sibling), username="penilai4")
    gone = Factory(world.session).user((Role.PENILAI_PENDAHULUAN, world.polda), username="penilai5")
    gone.active = False
    world.session.commit()
    login_as(client, team["lead"])
    page = get_page(client, "/review/queue")
    assert page.texts("h2") == ["Belum ditugaskan", "Ditugaskan kepada penilai lain"]
    form = page.one(f'form[action="/enrolments/{e.id}/assign"]')
    # The coordinator-assessor is not offered for the Polres; the lead and the second are.
    assert form.texts("option") == sorted(
        [team["lead"].full_name, team["second"].full_name], key=str.casefold
    )
    response = client.post(
        f"/enrolments/{e.id}/assign",
        data={"csrf_token": csrf_token(client, "/review/queue"), "reviewer_id": team["second"].id},
    )
    assert response.status_code == 303
    assert (
        world.session.scalars(
            select(ReviewerAssignment.reviewer_id).where(ReviewerAssignment.enrolment_id == e.id)
        ).one()
        == team["second"].id
    )
    # Assigning the unit's own coordinator is refused with the reason, nothing saved.
    response = client.post(
        f"/enrolments/{e.id}/assign",
        data={"csrf_token": csrf_token(client, "/review/queue"), "reviewer_id": team["member"].id},
    )
    assert response.status_code == 403
    assert "Pemisahan tugas" in response.get_data(as_text=True)

    login_as(client, team["second"])
    page = get_page(client, "/review/queue")
    assert page.texts("h2") == ["Ditugaskan kepada Anda"]


def test_a_non_lead_is_refused_the_assign_form_and_the_workload(client, world, team) -> None:
    e = world.submitted()
    login_as(client, team["second"])
    response = client.post(
        f"/enrolments/{e.id}/assign",
        data={"csrf_token": csrf_token(client, "/review/queue"), "reviewer_id": team["second"].id},
    )
    assert response.status_code == 403
    assert client.get("/review/workload").status_code == 403
    assert world.session.scalars(select(ReviewerAssignment)).first() is None


def test_the_workload_counts_units_items_and_areas_per_reviewer(client, world, team) -> None:
    e = world.submitted()
    _assign(world, e, team["lead"], team["second"])
    for code in ["A.I.1.i.a", "A.I.1.i.b"]:
        world.decide(world.actor(team["second"]), e, code, DecisionKind.APPROVED, seq=0)
    world.decide(
        world.actor(team["second"]),
        e,
        "A.I.1.i.c",
        DecisionKind.REVISION,
        seq=0,
        comment="Lengkapi SK",
    )
    world.session.commit()
    login_as(client, team["lead"])
    page = get_page(client, "/review/workload")
    rows = {r[0]: r for r in page.table_rows("table.workload")}
    second = rows[team["second"].full_name]
    assert second[1:3] == ["Penilaian pendahuluan", "1"]
    assert second[3].endswith("3 dari 113")
    assert second[4] == "0 / 7"
    assert rows[team["lead"].full_name][2] == "0"  # eligible, nothing assigned
    assert team["member"].full_name not in rows  # belongs to the unit: never eligible
    assert "Semua unit sudah ditugaskan." in page.texts("p")


def test_queue_and_workload_run_a_bounded_number_of_statements(client, world, team) -> None:
    e = world.submitted()
    _assign(world, e, team["lead"], team["second"])
    login_as(client, team["lead"])
    counts = []
    for url in ("/review/queue", "/review/workload"):
        client.get(url)
        with counted(world) as found:
            assert client.get(url).status_code == 200
        counts.append(len(found))
    # A second unit waiting, and more reviewers: the counts stay where they are.
    other = _sibling_submitted(world)
    _assign(world, other, team["lead"], team["lead"])
    Factory(world.session).user((Role.PENILAI_PENDAHULUAN, world.polda))
    for url, before in zip(("/review/queue", "/review/workload"), counts, strict=True):
        with counted(world) as found:
            assert client.get(url).status_code == 200
        assert len(found) <= before <= PAGE_MAX, url


def test_the_administrator_makes_a_reviewer_the_lead_on_the_user_page(client, world) -> None:
    grant = next(g for g in world.tpi.grants if g.role is Role.TPI)
    login_as(client, world.admin)
    page = f"/admin/users/{world.tpi.id}"
    form = get_page(client, page).one(f'form[action="{page}/grants/{grant.id}/lead"]')
    assert form.text_of("button") == "Jadikan ketua"
    response = client.post(
        f"{page}/grants/{grant.id}/lead", data={"csrf_token": csrf_token(client, page)}
    )
    assert response.status_code == 303
    world.session.refresh(grant)
    assert grant.lead is True
    assert (
        get_page(client, page)
        .one(f'form[action="{page}/grants/{grant.id}/lead"]')
        .text_of("button")
        == "Bukan ketua lagi"
    )
    tags = world.session.scalars(
        select(AuditEvent.tag).where(AuditEvent.tag.like("auth:grant:lead%"))
    ).all()
    assert tags == ["auth:grant:lead_on"]
    # A coordinator's grant judges nothing: it has no lead switch.
    coordinator_grant = world.koordinator.grants[0]
    assert (
        get_page(client, f"/admin/users/{world.koordinator.id}").select(
            f'form[action$="/grants/{coordinator_grant.id}/lead"]'
        )
        == []
    )


def test_tugas_saya_puts_ones_assigned_units_first_and_drops_others(world, team) -> None:
    """Issue 15 §4 in "Tugas saya": a unit assigned to another reviewer is theirs to decide,
    so it leaves a plain reviewer's list; the lead keeps it; one's own is marked and first."""
    e = world.submitted()
    other = _sibling_submitted(world)
    _assign(world, other, team["lead"], team["second"])

    def reviews_of(user: User) -> list[tuple[int, bool]]:
        found = my_tasks.my_tasks(world.session, user, TODAY).tasks
        return [(t.enrolment_id, t.assigned) for t in found if t.kind is TaskKind.REVIEW]

    assert reviews_of(team["second"]) == [(other.id, True), (e.id, False)]
    _assign(world, e, team["lead"], team["lead"])
    assert reviews_of(team["second"]) == [(other.id, True)]  # e is the lead's now
    assert reviews_of(team["lead"]) == [(e.id, True), (other.id, False)]
    (mine,) = my_tasks.my_tasks(world.session, team["second"], TODAY).tasks
    assert mine.detail.startswith("ditugaskan kepada Anda")
