"""Who may change which answers, when (D8), alone: no app, no database."""

from __future__ import annotations

import pytest

from tracker.accreditation.editing import EditRequest, can_upload, edit_blocker
from tracker.accreditation.tiers import DEFAULT_TIERS, by_code
from tracker.accreditation.workflow import Stage
from tracker.auth.roles import Role

UNIT_TIER, PRELIMINARY, TPI, TPN = (
    by_code(DEFAULT_TIERS, c) for c in ("unit", "preliminary", "tpi", "tpn")
)
ALL_AREAS = frozenset(range(1, 7))
COORDINATOR = frozenset({Role.KOORDINATOR})
MEMBER = frozenset({Role.ANGGOTA_POKJA})

WRONG_ROLE = "Peran Anda tidak mengisi jawaban tingkat {tier}."
OUT_OF_STAGE = "Jawaban {tier} hanya dapat diubah pada tahap penilaiannya (sekarang: {stage})."
NOT_YOUR_AREA = "Anda hanya dapat mengisi area yang ditugaskan kepada Anda."
LOCKED = (
    "LKE unit sudah dikirim untuk dinilai; hanya butir yang dikembalikan untuk perbaikan yang "
    "dapat diubah."
)


def request(
    tier=UNIT_TIER,
    stage: Stage = Stage.BUILDING,
    roles: frozenset[Role] = COORDINATOR,
    area: str = "1",
    editable_areas: frozenset[int] = ALL_AREAS,
    sent_back: bool = False,
    memberships: frozenset[Role] = frozenset(),
) -> EditRequest:
    return EditRequest(
        stage=stage,
        tier=tier,
        roles=roles,
        area=area,
        editable_areas=editable_areas,
        sent_back=sent_back,
        memberships=memberships,
        unit_name="Polres Uji",
    )


# --- the unit's self-assessment -----------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.DECLARED, Stage.BUILDING])
@pytest.mark.parametrize("area", ["1", "6", "B"])
def test_the_coordinator_edits_every_area_while_building(stage: Stage, area: str) -> None:
    assert edit_blocker(request(stage=stage, area=area)) is None


@pytest.mark.parametrize(
    ("area", "allowed"),
    [("5", True), ("6", True), ("1", False), ("4", False), ("B", False)],
)
def test_a_working_group_member_edits_only_the_areas_of_the_grant(area: str, allowed: bool) -> None:
    req = request(roles=MEMBER, area=area, editable_areas=frozenset({5, 6}))
    assert edit_blocker(req) == (None if allowed else NOT_YOUR_AREA)


def test_a_member_without_areas_edits_nothing() -> None:
    assert edit_blocker(request(roles=MEMBER, editable_areas=frozenset())) == NOT_YOUR_AREA


def test_a_member_who_is_also_coordinator_is_not_limited_to_the_grant() -> None:
    req = request(roles=MEMBER | COORDINATOR, area="B", editable_areas=frozenset({5}))
    assert edit_blocker(req) is None


@pytest.mark.parametrize(
    "stage",
    [Stage.PRELIMINARY, Stage.TPI_EVALUATION, Stage.PROPOSED, Stage.DESIGNATED],
)
def test_once_submitted_the_unit_edits_only_items_sent_back(stage: Stage) -> None:
    assert edit_blocker(request(stage=stage)) == LOCKED
    assert edit_blocker(request(stage=stage, sent_back=True)) is None


def test_the_area_rule_comes_before_the_sent_back_exception() -> None:
    req = request(
        stage=Stage.PRELIMINARY,
        roles=MEMBER,
        area="1",
        editable_areas=frozenset({5}),
        sent_back=True,
    )
    assert edit_blocker(req) == NOT_YOUR_AREA


@pytest.mark.parametrize(
    "roles",
    [frozenset(), frozenset({Role.PENILAI_PENDAHULUAN}), frozenset({Role.TPI, Role.PIMPINAN})],
    ids=["no role", "assessor", "tpi and leader"],
)
def test_reviewers_and_leaders_never_write_the_units_answers(roles: frozenset[Role]) -> None:
    req = request(roles=roles, sent_back=True)
    assert edit_blocker(req) == WRONG_ROLE.format(tier="Penilaian mandiri unit")


# --- the reviewing tiers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "roles", "stage"),
    [
        (PRELIMINARY, {Role.PENILAI_PENDAHULUAN}, Stage.PRELIMINARY),
        (TPI, {Role.TPI}, Stage.TPI_EVALUATION),
        (TPN, {Role.TPN}, Stage.DESK_EVALUATION),
        (TPN, {Role.TPN}, Stage.APPEAL),
    ],
    ids=lambda v: getattr(v, "code", None),
)
def test_a_reviewing_tier_edits_its_own_answers_in_its_stage(tier, roles, stage) -> None:
    req = request(tier=tier, roles=frozenset(roles), stage=stage, area="B")
    assert edit_blocker(req) is None


@pytest.mark.parametrize(
    ("tier", "roles", "stage", "stage_label"),
    [
        (PRELIMINARY, {Role.PENILAI_PENDAHULUAN}, Stage.BUILDING, "Pembangunan"),
        (PRELIMINARY, {Role.PENILAI_PENDAHULUAN}, Stage.TPI_EVALUATION, "Evaluasi TPI"),
        (TPI, {Role.TPI}, Stage.PRELIMINARY, "Penilaian pendahuluan"),
        (TPN, {Role.TPN}, Stage.DESIGNATED, "Ditetapkan"),
    ],
)
def test_a_reviewing_tier_is_closed_outside_its_stage(tier, roles, stage, stage_label) -> None:
    # An item sent back reopens the unit's answer, never a reviewer's.
    req = request(tier=tier, roles=frozenset(roles), stage=stage, sent_back=True)
    assert edit_blocker(req) == OUT_OF_STAGE.format(tier=tier.label, stage=stage_label)


@pytest.mark.parametrize(
    ("tier", "roles"),
    [
        (PRELIMINARY, COORDINATOR),
        (PRELIMINARY, frozenset({Role.TPI})),
        (TPI, frozenset({Role.PENILAI_PENDAHULUAN})),
        (TPN, frozenset({Role.ADMIN, Role.TPI})),
    ],
)
def test_nobody_writes_into_another_tier(tier, roles) -> None:
    stage = next(iter(tier.active_in))
    assert edit_blocker(request(tier=tier, roles=roles, stage=stage)) == WRONG_ROLE.format(
        tier=tier.label
    )


def test_a_reviewer_is_not_bound_to_the_areas_of_a_working_group_grant() -> None:
    req = request(
        tier=TPI,
        roles=frozenset({Role.TPI}),
        stage=Stage.TPI_EVALUATION,
        area="3",
        editable_areas=frozenset(),
    )
    assert edit_blocker(req) is None


# --- uploads ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "sent_back", "roles", "expected"),
    [
        (Stage.DECLARED, False, {Role.KOORDINATOR}, True),
        (Stage.BUILDING, False, {Role.ANGGOTA_POKJA}, True),
        (Stage.PRELIMINARY, False, {Role.KOORDINATOR}, False),  # submitted: locked
        (Stage.PRELIMINARY, True, {Role.KOORDINATOR}, True),  # ...except items sent back
        (Stage.TPI_EVALUATION, True, {Role.ANGGOTA_POKJA}, True),
        (Stage.BUILDING, False, {Role.TPI}, False),  # reviewers do not upload the unit's proof
        (Stage.BUILDING, True, {Role.PENILAI_PENDAHULUAN, Role.PIMPINAN}, False),
        (Stage.BUILDING, False, set(), False),
    ],
)
def test_evidence_follows_the_units_answers(stage, sent_back, roles, expected) -> None:
    assert can_upload(stage, UNIT_TIER, sent_back, roles) is expected
