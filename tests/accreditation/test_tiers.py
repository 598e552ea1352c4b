"""Assessment tiers as data (D8), alone: no app, no database."""

from __future__ import annotations

import pytest

from tracker.accreditation import tiers
from tracker.accreditation.tiers import (
    AREA_KEYS,
    DEFAULT_TIERS,
    Tier,
    TierCode,
    area_of,
    by_code,
    parse_tiers,
    previous_tier,
    tier_for_stage,
)
from tracker.accreditation.workflow import Stage
from tracker.auth.roles import Role
from tracker.lke import framework_path, load_framework_file

CODES = ["unit", "preliminary", "tpi", "tpn"]


def test_the_default_tiers_follow_permenpanrb_90_2021() -> None:
    assert [t.code for t in DEFAULT_TIERS] == CODES == [code.value for code in TierCode]
    assert [t.code for t in DEFAULT_TIERS] == list(TierCode)
    assert {t.code: t.roles for t in DEFAULT_TIERS} == {
        "unit": {Role.KOORDINATOR, Role.ANGGOTA_POKJA},
        "preliminary": {Role.PENILAI_PENDAHULUAN},
        "tpi": {Role.TPI},
        "tpn": {Role.TPN},
    }
    # The unit answers; every later tier reviews the unit's items.
    assert [t.reviews for t in DEFAULT_TIERS] == [False, True, True, True]


def test_no_stage_has_two_deciding_tiers() -> None:
    seen: list[Stage] = [stage for t in DEFAULT_TIERS for stage in t.active_in]
    assert len(seen) == len(set(seen))


# The tier that fills its answers and decides in each stage; None: nobody scores then.
DECIDING_TIER: dict[Stage, str | None] = {
    Stage.DECLARED: "unit",
    Stage.BUILDING: "unit",
    Stage.PRELIMINARY: "preliminary",
    Stage.TPI_EVALUATION: "tpi",
    Stage.TPI_RECOMMENDED: None,  # between TPI's verdict and the proposal
    Stage.PROPOSED: "tpn",
    Stage.ADMIN_CONDITIONAL: "tpn",
    Stage.ADMIN_REJECTED: "tpn",
    Stage.APPEAL: "tpn",
    Stage.DESK_EVALUATION: "tpn",
    Stage.FIELD_EVALUATION: "tpn",
    Stage.DESIGNATED: None,
    Stage.MONITORING: None,
    Stage.COACHING: None,
    Stage.NOT_PASSED: None,
    Stage.REVOKED: None,
    Stage.VOID: None,
}


def test_the_table_names_every_stage() -> None:
    assert set(DECIDING_TIER) == set(Stage)


@pytest.mark.parametrize(("stage", "expected"), DECIDING_TIER.items())
def test_the_deciding_tier_of_every_stage(stage: Stage, expected: str | None) -> None:
    tier = tier_for_stage(DEFAULT_TIERS, stage)
    assert (tier.code if tier else None) == expected


def test_a_cycle_without_a_tier_for_a_stage_has_no_deciding_tier() -> None:
    without_preliminary = tuple(t for t in DEFAULT_TIERS if t.code != "preliminary")
    assert tier_for_stage(without_preliminary, Stage.PRELIMINARY) is None
    assert tier_for_stage((), Stage.BUILDING) is None


@pytest.mark.parametrize("tier", DEFAULT_TIERS, ids=lambda t: t.code)
def test_to_data_and_back_is_the_same_tier(tier: Tier) -> None:
    data = tier.to_data()
    assert Tier.from_data(data) == tier
    assert data["roles"] == sorted(r.value for r in tier.roles)  # stable, diff-friendly data
    assert data["active_in"] == sorted(s.value for s in tier.active_in)


def test_parse_tiers_reads_a_cycles_stored_list() -> None:
    stored = [t.to_data() for t in DEFAULT_TIERS]
    assert parse_tiers(stored) == DEFAULT_TIERS
    assert parse_tiers([]) == ()


def test_from_data_fills_the_optional_fields() -> None:
    tier = Tier.from_data(
        {"code": "apip", "label": "APIP", "roles": ["tpi"], "active_in": ["tpi_evaluation"]}
    )
    assert tier == Tier(
        code="apip",
        label="APIP",
        label_en="APIP",  # no English label: the Indonesian one
        roles=frozenset({Role.TPI}),
        active_in=frozenset({Stage.TPI_EVALUATION}),
        reviews=True,  # a tier reviews unless it says otherwise
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"roles": ["lurah"]},
        {"active_in": ["selesai"]},
    ],
)
def test_from_data_refuses_unknown_roles_and_stages(bad: dict) -> None:
    data = {"code": "x", "label": "X", "roles": ["tpi"], "active_in": ["building"], **bad}
    with pytest.raises(ValueError):
        Tier.from_data(data)


def test_by_code() -> None:
    assert by_code(DEFAULT_TIERS, "tpi") is DEFAULT_TIERS[2]
    with pytest.raises(KeyError):
        by_code(DEFAULT_TIERS, "bpk")


@pytest.mark.parametrize(
    ("code", "present", "expected"),
    [
        ("unit", {"unit", "preliminary", "tpi", "tpn"}, None),  # the first tier starts empty
        ("preliminary", {"unit"}, "unit"),
        ("tpi", {"unit", "preliminary"}, "preliminary"),
        ("tpi", {"unit"}, "unit"),  # no preliminary assessment: TPI starts from the unit
        ("tpn", {"unit", "tpi"}, "tpi"),
        ("tpn", {"unit", "preliminary"}, "preliminary"),
        ("tpn", set(), None),
        ("preliminary", {"tpi", "tpn"}, None),  # later tiers never seed earlier ones
    ],
)
def test_a_new_tier_starts_from_the_closest_earlier_one(
    code: str, present: set[str], expected: str | None
) -> None:
    assert previous_tier(DEFAULT_TIERS, code, present) == expected


def test_previous_tier_of_an_unknown_tier_is_an_error() -> None:
    with pytest.raises(ValueError):
        previous_tier(DEFAULT_TIERS, "bpk", {"unit"})


@pytest.mark.parametrize(
    ("item_code", "area"),
    [
        ("A.I.1.i.a", "1"),  # pemenuhan, area 1
        ("A.II.1.i.a", "1"),  # reform half of the same area
        ("A.I.6.iv.b", "6"),
        ("A.II.5.iii.a.1", "5"),  # nested sub-area
        ("B.I.a", "B"),
        ("B.II.a", "B"),
    ],
)
def test_area_of(item_code: str, area: str) -> None:
    assert area_of(item_code) == area


def test_every_item_of_the_framework_falls_in_a_known_area() -> None:
    framework = load_framework_file(framework_path("lke-2021")).framework
    areas = [tiers.area_of(item.code) for item in framework.items()]
    assert set(areas) == set(AREA_KEYS)
    assert areas.count("B") == 3 and len(areas) == 113
