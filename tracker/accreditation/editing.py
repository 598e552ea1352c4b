"""Who may change which answers, when. Pure: no Flask, no database.

Each tier edits only its own answers (D8). The unit's self-assessment is open while it is
being built; once submitted it is locked except for items a reviewer sent back. Working-group
members edit only the areas of their grant. Reviewing tiers edit while they are the deciding
tier of the current stage.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from tracker.accreditation import duties
from tracker.accreditation.tiers import Tier, TierCode
from tracker.accreditation.workflow import STAGE_LABELS, Stage
from tracker.auth.roles import Role
from tracker.i18n import _


@dataclass(frozen=True)
class EditRequest:
    stage: Stage
    tier: Tier
    roles: frozenset[Role]  # the actor's roles that reach this unit
    area: str  # "1".."6" or "B"
    editable_areas: frozenset[int]  # from access.editable_areas (unit tier)
    sent_back: bool  # the item's latest review decision asks for revision
    # Issue 13 §12: the roles by which the actor belongs to the unit, and its name; a reviewing
    # tier's answers are a judgement, never given on one's own unit.
    memberships: frozenset[Role]
    unit_name: str


def edit_blocker(req: EditRequest) -> str | None:
    """Why the actor may not change this item of this tier now; None when they may."""
    if not req.roles & req.tier.roles:
        return _("Peran Anda tidak mengisi jawaban tingkat %(tier)s.", tier=req.tier.label)
    if req.tier.code != TierCode.UNIT:
        if conflict := duties.review_conflict(req.memberships, req.unit_name):
            return conflict
        if req.stage not in req.tier.active_in:
            return _(
                "Jawaban %(tier)s hanya dapat diubah pada tahap penilaiannya (sekarang: "
                "%(stage)s).",
                tier=req.tier.label,
                stage=_(STAGE_LABELS[req.stage]),
            )
        return None
    if not _area_allowed(req):
        return _("Anda hanya dapat mengisi area yang ditugaskan kepada Anda.")
    if req.stage in req.tier.active_in or req.sent_back:
        return None
    return _(
        "LKE unit sudah dikirim untuk dinilai; hanya butir yang dikembalikan untuk "
        "perbaikan yang dapat diubah."
    )


def blank_blocker(tier: Tier, item_code: str, unit_answered: bool) -> str | None:
    """D13: why this tier may not leave this item blank; None when it may.

    A reviewing tier may change any answer but never blank one the unit gave: a blank answer
    is left out of the sub-area mean (D3), so blanking a weak answer would raise the score.
    """
    if tier.code == TierCode.UNIT or not unit_answered:
        return None
    return _(
        "Butir %(code)s sudah dijawab unit, sehingga jawaban %(tier)s tidak dapat dikosongkan: "
        "butir kosong tidak ikut dihitung dan nilai bisa naik. Pilih jawaban yang menurut "
        "penilai benar.",
        code=item_code,
        tier=tier.label,
    )


def _area_allowed(req: EditRequest) -> bool:
    if Role.KOORDINATOR in req.roles:
        return True
    return req.area.isdigit() and int(req.area) in req.editable_areas


def can_upload(stage: Stage, unit_tier: Tier, sent_back: bool, roles: Collection[Role]) -> bool:
    """Evidence follows the unit's answers: while building, or for items sent back."""
    return bool(set(roles) & unit_tier.roles) and (stage in unit_tier.active_in or sent_back)
