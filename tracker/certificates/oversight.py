"""Issue 17 §4, §5 on the public verification page: the unit's Ombudsman results beside its
ZI predicate, and the name the unit goes by now when it was renamed, merged or split (the
certificate keeps the name it was issued with)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.accreditation import ombudsman
from tracker.accreditation.clearance_rules import ZONE_LABELS
from tracker.accreditation.oversight_models import OmbudsmanResult
from tracker.agencies import lineage
from tracker.certificates.models import Certificate


@dataclass(frozen=True)
class PublicOversight:
    current_names: list[str]  # empty: the unit has no successor
    ombudsman: Sequence[OmbudsmanResult]
    zone_labels: dict

    @property
    def zone_badges(self) -> dict:
        return ombudsman.ZONE_BADGES


def of_certificate(session: Session, certificate: Certificate) -> PublicOversight:
    """What the verification page adds for ``certificate``'s unit (three queries at most,
    plus one per generation of its lineage)."""
    unit_id = certificate.designation.unit_id
    names = [u.name for u in lineage.current_units(session, unit_id)]
    return PublicOversight(
        current_names=[n for n in names if n != certificate.unit_name] or [],
        ombudsman=ombudsman.latest_of(session, unit_id),
        zone_labels=dict(ZONE_LABELS),
    )
