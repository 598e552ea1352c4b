"""Frozen snapshots of an enrolment at each hand-off (answers, notes, scores, verdicts,
evidence with SHA-256), hashed over their canonical JSON and never changed afterwards."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.accreditation import assessments, reviews
from tracker.accreditation.context import Actor
from tracker.accreditation.models import Enrolment, Snapshot
from tracker.accreditation.workflow import Action, Stage
from tracker.audit.chain import canonical
from tracker.db import utcnow
from tracker.evidence import services as evidence
from tracker.lke import Verdict


def digest(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def take(
    session: Session, *, actor: Actor, enrolment: Enrolment, action: Action, to_stage: Stage
) -> Snapshot:
    """Freeze the evidence and everything every tier has so far into one snapshot."""
    payload = canonical(_payload(session, actor, enrolment, action, to_stage))
    snapshot = Snapshot(
        enrolment_id=enrolment.id,
        kind=action,
        payload=payload,
        sha256=digest(payload),
        created_by_id=actor.id,
    )
    session.add(snapshot)
    session.flush()
    return snapshot


def _payload(
    session: Session, actor: Actor, enrolment: Enrolment, action: Action, to_stage: Stage
) -> dict[str, Any]:
    framework = enrolment.cycle.framework
    return {
        "enrolment": {
            "id": enrolment.id,
            "unit": enrolment.unit.name,
            "agency": enrolment.unit.agency.name,
            "cycle": enrolment.cycle.year,
            "target": enrolment.target.value,
        },
        "hand_off": {
            "action": action.value,
            "from": enrolment.stage.value,
            "to": to_stage.value,
            "by": actor.user.full_name,
            "at": utcnow().isoformat(timespec="microseconds"),
        },
        "framework": {
            "code": framework.code,
            "version": framework.version,
            "sha256": framework.sha256,
        },
        "tiers": _tiers(session, enrolment),
        "reviews": [
            {
                "tier": d.tier,
                "item": d.item_code,
                "decision": d.kind.value,
                "comment": d.comment,
                "seq": d.seq,
            }
            for d in reviews.latest_decisions(session, enrolment.id).values()
        ],
        "evidence": evidence.freeze(session, enrolment),
    }


def _tiers(session: Session, enrolment: Enrolment) -> dict[str, Any]:
    out = {}
    by_tier = assessments.assessments_of(session, enrolment.id)
    rows = assessments.answer_rows(session, [a.id for a in by_tier.values()])
    for tier, assessment in by_tier.items():
        answers = rows[assessment.id]
        result = assessments.result_of(session, enrolment, tier)
        assert result is not None
        out[tier] = {
            "answers": {c: r.value for c, r in sorted(answers.items())},
            "notes": {c: r.note for c, r in sorted(answers.items()) if r.note},
            "scores": {
                **assessments.summary_of(result.report),
                "items": {
                    c: str(i.value) for c, i in result.report.items.items() if i.value is not None
                },
                "answered": result.report.total.answered,
                "total_items": result.report.total.total,
            },
            "eligibility": {p: _verdict(v) for p, v in result.verdicts.items()},
        }
    return out


def _verdict(verdict: Verdict) -> dict[str, Any]:
    return {
        "eligible": verdict.eligible,
        "rules": [
            {
                "id": r.id,
                "value": str(r.value),
                "threshold": str(r.threshold),
                "passed": r.passed,
                "shortfall": str(r.shortfall),
            }
            for r in verdict.rules
        ],
    }


def verify(snapshot: Snapshot) -> bool:
    """Whether the stored payload still hashes to the stored SHA-256."""
    return digest(snapshot.payload) == snapshot.sha256


@event.listens_for(Snapshot, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: Snapshot) -> None:
    raise RuntimeError(f"snapshot {target.id} is immutable")
