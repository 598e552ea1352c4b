"""Issue 15 §4: who leads a tier, who may be assigned a unit, who decides once it is assigned.
Pure: no app, no database."""

from __future__ import annotations

import pytest

from tracker.accreditation import assignment_rules as rules
from tracker.auth.access import Grant, UnitRef
from tracker.auth.roles import Role

POLRES = UnitRef(id=7, agency_id=1, path="/3/7/")
OTHER_AGENCY = UnitRef(id=9, agency_id=2, path="/9/")
TPI_ROLES = frozenset({Role.TPI})
PRELIMINARY_ROLES = frozenset({Role.PENILAI_PENDAHULUAN})

TPI = Grant(Role.TPI, agency_id=1)
POLDA_ASSESSOR = Grant(Role.PENILAI_PENDAHULUAN, unit_id=3, agency_id=1, unit_path="/3/")
COORDINATOR = Grant(Role.KOORDINATOR, unit_id=7, agency_id=1, unit_path="/3/7/")


def reviewer(*grants: Grant, name: str = "Budi") -> rules.Reviewer:
    return rules.Reviewer(1, name, grants)


@pytest.mark.parametrize(
    ("lead_grants", "roles", "unit", "expected"),
    [
        ([TPI], TPI_ROLES, POLRES, True),
        ([TPI], TPI_ROLES, OTHER_AGENCY, False),  # a lead only within the grant's scope
        ([TPI], PRELIMINARY_ROLES, POLRES, False),  # and only of their own tier
        ([POLDA_ASSESSOR], PRELIMINARY_ROLES, POLRES, True),  # the subtree below the Polda
        ([], TPI_ROLES, POLRES, False),
    ],
)
def test_a_lead_leads_their_tier_in_their_scope(lead_grants, roles, unit, expected) -> None:
    assert rules.is_lead(lead_grants, roles, unit) is expected


def test_only_independent_reviewers_of_the_tier_are_eligible() -> None:
    pool = [
        rules.Reviewer(1, "Wati", (TPI,)),
        rules.Reviewer(2, "agus", (TPI,)),
        rules.Reviewer(3, "Koordinator juga TPI", (TPI, COORDINATOR)),  # belongs to the unit
        rules.Reviewer(4, "Penilai Polda", (POLDA_ASSESSOR,)),  # another tier
    ]
    assert [r.id for r in rules.eligible(pool, TPI_ROLES, POLRES)] == [2, 1]  # by name
    assert [r.id for r in rules.eligible(pool, PRELIMINARY_ROLES, POLRES)] == [4]
    assert rules.eligible(pool, TPI_ROLES, OTHER_AGENCY) == []


def _refusal(actor_is_lead: bool, who: rules.Reviewer, unit: UnitRef = POLRES) -> str | None:
    return rules.assign_refusal(
        actor_is_lead=actor_is_lead,
        tier_label="TPI",
        reviewer=who,
        tier_roles=TPI_ROLES,
        unit=unit,
        unit_name="Polres Uji",
    )


def test_a_lead_assigns_a_reviewer_of_the_tier() -> None:
    assert _refusal(True, reviewer(TPI)) is None


def test_only_a_lead_assigns() -> None:
    assert _refusal(False, reviewer(TPI)) == (
        "Hanya ketua penilai TPI untuk unit ini yang dapat menugaskan penilai."
    )


def test_a_reviewer_who_belongs_to_the_unit_is_refused() -> None:
    message = _refusal(True, reviewer(TPI, COORDINATOR, name="Rina"))
    assert message is not None
    assert message.startswith("Rina tidak dapat ditugaskan. Pemisahan tugas:")
    assert "Polres Uji" in message


def test_someone_outside_the_tier_or_its_scope_is_refused() -> None:
    assert _refusal(True, reviewer(POLDA_ASSESSOR)) == (
        "Budi bukan penilai TPI untuk unit “Polres Uji”, sehingga tidak dapat ditugaskan."
    )
    assert _refusal(True, reviewer(TPI), OTHER_AGENCY) is not None


@pytest.mark.parametrize(
    ("assignee", "actor", "lead", "refused"),
    [
        (None, 5, False, False),  # not assigned: open to every reviewer of the tier
        (5, 5, False, False),  # the assignee
        (6, 5, True, False),  # a lead covers for the assignee
        (6, 5, False, True),  # another reviewer reads only
    ],
)
def test_who_decides_on_an_assigned_unit(assignee, actor, lead, refused) -> None:
    message = rules.decision_refusal(
        assignee_id=assignee, assignee_name="Wati", actor_id=actor, actor_is_lead=lead
    )
    assert (message is not None) is refused
    if refused:
        assert message.startswith("Unit ini ditugaskan kepada Wati.")
