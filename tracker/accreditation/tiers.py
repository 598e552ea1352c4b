"""Assessment tiers as configuration (D8). Pure: no Flask, no database.

A cycle stores its tier list as data; the defaults follow PermenPANRB 90/2021: the unit's
self-assessment, the optional preliminary assessment by the parent unit, TPI, then TPN. Each
tier says which roles fill it and in which stages it is the deciding (editing) tier.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tracker.accreditation.workflow import PENDING_PROPOSAL, Stage
from tracker.auth.roles import Role


class TierCode(enum.StrEnum):
    """The codes of the regulation's tiers, the ones the code names (the unit fills the LKE,
    TPI and TPN judge the proposal). A cycle's tier list stays data (D8): a cycle may add a
    tier of its own, whose code is then a plain string."""

    UNIT = "unit"
    PRELIMINARY = "preliminary"
    TPI = "tpi"
    TPN = "tpn"


@dataclass(frozen=True)
class Tier:
    code: str  # a TierCode for the regulation's tiers
    label: str
    label_en: str
    roles: frozenset[Role]
    active_in: frozenset[Stage]  # stages in which this tier fills its answers and decides
    reviews: bool  # True for tiers that approve or send back the unit's items

    def to_data(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "label_en": self.label_en,
            "roles": sorted(r.value for r in self.roles),
            "active_in": sorted(s.value for s in self.active_in),
            "reviews": self.reviews,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Tier:
        return cls(
            code=data["code"],
            label=data["label"],
            label_en=data.get("label_en", data["label"]),
            roles=frozenset(Role(r) for r in data["roles"]),
            active_in=frozenset(Stage(s) for s in data["active_in"]),
            reviews=bool(data.get("reviews", True)),
        )


DEFAULT_TIERS: tuple[Tier, ...] = (
    Tier(
        TierCode.UNIT,
        "Penilaian mandiri unit",
        "Unit self-assessment",
        frozenset({Role.KOORDINATOR, Role.ANGGOTA_POKJA}),
        frozenset({Stage.DECLARED, Stage.BUILDING}),
        reviews=False,
    ),
    Tier(
        TierCode.PRELIMINARY,
        "Penilaian pendahuluan",
        "Preliminary assessment",
        frozenset({Role.PENILAI_PENDAHULUAN}),
        frozenset({Stage.PRELIMINARY}),
        reviews=True,
    ),
    Tier(
        TierCode.TPI,
        "TPI",
        "TPI (internal)",
        frozenset({Role.TPI}),
        frozenset({Stage.TPI_EVALUATION}),
        reviews=True,
    ),
    # TPN decides from the proposal until its verdict: the stages a proposal is pending in.
    Tier(
        TierCode.TPN,
        "TPN",
        "TPN (national)",
        frozenset({Role.TPN}),
        PENDING_PROPOSAL,
        reviews=True,
    ),
)


# Parsed tier lists by the identity of the stored list (a cycle's ``tiers`` column value). A
# national page asks for its one cycle's tiers once per enrolment, hundreds of times (issue 18
# §3). The entry keeps the list itself, so its id cannot be reused while cached, and is only
# taken when it is that very list; a cycle's tiers are replaced, never changed in place.
_PARSED: dict[int, tuple[Sequence[Mapping[str, Any]], tuple[Tier, ...]]] = {}
_PARSED_MAX = 64


def parse_tiers(data: Sequence[Mapping[str, Any]]) -> tuple[Tier, ...]:
    kept = _PARSED.get(id(data))
    if kept is not None and kept[0] is data:
        return kept[1]
    parsed = tuple(Tier.from_data(d) for d in data)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[id(data)] = (data, parsed)
    return parsed


def tier_for_stage(tiers: Sequence[Tier], stage: Stage) -> Tier | None:
    """The tier that fills its answers and decides while the enrolment is in ``stage``."""
    return next((t for t in tiers if stage in t.active_in), None)


def by_code(tiers: Sequence[Tier], code: str) -> Tier:
    for tier in tiers:
        if tier.code == code:
            return tier
    raise KeyError(code)


def previous_tier(tiers: Sequence[Tier], code: str, present: set[str]) -> str | None:
    """The closest earlier tier that has answers (``present``): a new tier starts from it."""
    codes = [t.code for t in tiers]
    for earlier in reversed(codes[: codes.index(code)]):
        if earlier in present:
            return earlier
    return None


def area_of(item_code: str) -> str:
    """The area an item belongs to: "1".."6" for enablers (pemenuhan and reform together),
    "B" for the results items."""
    parts = item_code.split(".")
    return parts[2] if parts[0] == "A" and len(parts) > 2 else "B"


AREA_KEYS = ("1", "2", "3", "4", "5", "6", "B")
