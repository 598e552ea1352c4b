"""The world's Polres holding a Menuju WBK recorded from before the tracker (D15), for the
complaints register and monitoring (issue 17 §2, §3)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.world import World, world  # noqa: F401 - fixture
from tracker.accreditation.models import Designation, DesignationOrigin, Predicate


@pytest.fixture
def designated(world: World, session) -> Designation:  # noqa: F811
    designation = Designation(
        unit_id=world.polres.id,
        agency_id=world.agency.id,
        predicate=Predicate.WBK,
        year=2023,
        decree_number="12/2023",
        decree_date=date(2023, 12, 11),
        snapshot_sha256="b" * 64,
        origin=DesignationOrigin.RECORDED,
    )
    session.add(designation)
    session.commit()
    return designation
