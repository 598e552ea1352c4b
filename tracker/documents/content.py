"""What each document says, built from the data frozen at its step. Pure: no Flask, no database.

Every figure comes from the snapshot's payload (``tracker.accreditation.snapshots``) and the few
facts frozen beside it in the document's row (``extra``: who signed off, the agency's proposed
units, the decree); the framework only lends the names of items, areas and rules, which a
framework version never changes. So later edits never change a document.

Documents are official letters in Indonesian: their text is not translated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import format_date

from tracker.accreditation.tiers import AREA_KEYS, area_of
from tracker.accreditation.workflow import ACTION_LABELS, Action
from tracker.documents.kinds import DocumentKind
from tracker.errors import NotFoundError
from tracker.lke import Framework
from tracker.lke.report import format_decimal_id

DECISIONS = {"approved": "Disetujui", "revision": "Perlu perbaikan", "revised": "Sudah diperbaiki"}
MEETS, NOT_YET = "Memenuhi", "Belum memenuhi"
TITLES: Mapping[DocumentKind, str] = {
    DocumentKind.LKE: "Lembar Kerja Evaluasi (LKE) Zona Integritas",
    DocumentKind.LHE_TPI: "Laporan Hasil Evaluasi Internal (LHE) Tim Penilai Internal",
    DocumentKind.PROPOSAL: "Surat Usulan Unit Kerja Zona Integritas",
    DocumentKind.SPTJM: "Surat Pernyataan Tanggung Jawab Mutlak (SPTJM)",
    DocumentKind.LHE_TPN: "Laporan Hasil Evaluasi (LHE) Tim Penilai Nasional",
}


@dataclass(frozen=True)
class Frozen:
    """One document's inputs: the snapshot (payload and hash) and what was frozen beside it."""

    kind: DocumentKind
    payload: Mapping[str, Any]
    snapshot_sha256: str
    extra: Mapping[str, Any]


def number(text: object, places: int = 2) -> str:
    """A stored decimal string the Indonesian way ("75.5" -> "75,50"); other text as it is."""
    try:
        return format_decimal_id(Decimal(str(text)), places)
    except (InvalidOperation, ValueError):
        return str(text)


def day(stamp: str) -> str:
    """An ISO time stamp as an Indonesian long date ("30 November 2026")."""
    return format_date(datetime.fromisoformat(stamp).date(), "long", locale="id")


def answer_text(value: object) -> str:
    """An answer as a reader sees it: a choice as its letter, counts as "label: n" pairs."""
    if value is None or value == "":
        return "-"
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def view(frozen: Frozen, framework: Framework) -> dict[str, Any]:
    """Everything the document's template shows."""
    payload = frozen.payload
    enrolment = payload["enrolment"]
    hand_off = payload["hand_off"]
    common = {
        "kind": frozen.kind.value,
        "title": TITLES[frozen.kind],
        "agency": enrolment["agency"],
        "unit": enrolment["unit"],
        "year": enrolment["cycle"],
        "target": enrolment["target"],
        "step": ACTION_LABELS[Action(hand_off["action"])],
        "by": hand_off["by"],
        "date": day(hand_off["at"]),
        "snapshot_sha256": frozen.snapshot_sha256,
        "framework": f"{payload['framework']['code']} v{payload['framework']['version']}",
    }
    builders = {
        DocumentKind.LKE: _lke,
        DocumentKind.LHE_TPI: _lhe_tpi,
        DocumentKind.PROPOSAL: _proposal,
        DocumentKind.SPTJM: _sptjm,
        DocumentKind.LHE_TPN: _lhe_tpn,
    }
    return common | builders[frozen.kind](frozen, framework)


def _tier_labels(frozen: Frozen) -> dict[str, str]:
    labels = dict(frozen.extra.get("tier_labels", {}))
    return {code: labels.get(code, code.upper()) for code in frozen.payload["tiers"]}


def _area_names(framework: Framework) -> dict[str, str]:
    names = {area.number: area.name for _part, area in framework.areas()}
    names["B"] = "Hasil"
    return names


def _verdict_of(tier: Mapping[str, Any], target: str) -> Mapping[str, Any]:
    verdicts: Mapping[str, Mapping[str, Any]] = tier["eligibility"]
    return verdicts.get(target, {"eligible": False, "rules": []})


def _lke(frozen: Frozen, framework: Framework) -> dict[str, Any]:
    payload, target = frozen.payload, frozen.payload["enrolment"]["target"]
    labels = _tier_labels(frozen)
    tiers = payload["tiers"]
    codes = list(tiers)
    areas = _area_names(framework)
    summary = [
        {
            "label": labels[code],
            "total": number(t["scores"]["total"]),
            "pengungkit": number(t["scores"]["pengungkit"]),
            "hasil": number(t["scores"]["hasil"]),
            "answered": f"{t['scores']['answered']} / {t['scores']['total_items']}",
            "verdict": MEETS if _verdict_of(t, target)["eligible"] else NOT_YET,
        }
        for code, t in tiers.items()
    ]
    area_rows = [
        {
            "name": f"{key}. {areas[key]}" if key != "B" else areas[key],
            "scores": [number(tiers[c]["scores"]["areas"].get(key, "-")) for c in codes],
        }
        for key in AREA_KEYS
        if key in areas and any(key in tiers[c]["scores"]["areas"] for c in codes)
    ]
    items = []
    for item in framework.items():
        notes = [
            f"{labels[c]}: {tiers[c]['notes'][item.code]}"
            for c in codes
            if item.code in tiers[c]["notes"]
        ]
        items.append(
            {
                "code": item.code,
                "text": item.text,
                "cells": [
                    f"{labels[c]}: {answer_text(tiers[c]['answers'].get(item.code))}"
                    f" ({number(tiers[c]['scores']['items'].get(item.code, '-'))})"
                    for c in codes
                ],
                "notes": notes,
            }
        )
    reviews = [
        {
            "tier": labels.get(r["tier"], r["tier"].upper()),
            "item": r["item"],
            "decision": DECISIONS.get(r["decision"], r["decision"]),
            "comment": r["comment"],
        }
        for r in payload["reviews"]
        if r["comment"]
    ]
    evidence = [
        {
            "item": f.get("item") or f.get("document") or "-",
            "name": f.get("name") or f.get("url") or "-",
            "version": f.get("version") or 1,
            "sha256": f.get("sha256") or "",
            "url": f.get("url") or "",
        }
        for f in payload["evidence"]
    ]
    return {
        "tier_labels": [labels[c] for c in codes],
        "summary": summary,
        "area_rows": area_rows,
        "answers": items,
        "reviews": reviews,
        "evidence": evidence,
    }


def _rules(framework: Framework, target: str) -> dict[str, Any]:
    try:
        return {r.id: r for r in framework.eligibility.predicate(target).rules}
    except NotFoundError:  # a predicate the framework lacks names no rule
        return {}


def _evaluation(frozen: Frozen, framework: Framework, tier_code: str) -> dict[str, Any]:
    """Per area: its score, its floor and whether it meets it, with the tier's notes; the other
    rules; the verdict on the target predicate."""
    payload, target = frozen.payload, frozen.payload["enrolment"]["target"]
    tier = payload["tiers"][tier_code]
    verdict = _verdict_of(tier, target)
    known = _rules(framework, target)
    areas = _area_names(framework)
    notes: dict[str, list[str]] = {}
    for code, note in tier["notes"].items():
        notes.setdefault(area_of(code), []).append(f"{code}: {note}")
    for review in payload["reviews"]:
        if review["tier"] == tier_code and review["comment"]:
            notes.setdefault(area_of(review["item"]), []).append(
                f"{review['item']}: {review['comment']}"
            )
    by_area: dict[str, list[Mapping[str, Any]]] = {}
    others = []
    for rule in verdict["rules"]:
        spec = known.get(rule["id"].split(".")[0])
        metric = spec.metric if spec is not None else ""
        kind, _sep, where = metric.partition(":")
        if kind == "area_ratio":
            by_area.setdefault(where, []).append(rule)
        else:
            others.append(
                {
                    "label": spec.label if spec is not None else rule["id"],
                    "value": number(rule["value"]),
                    "threshold": number(rule["threshold"]),
                    "verdict": MEETS if rule["passed"] else NOT_YET,
                }
            )
    area_rows = []
    for key in AREA_KEYS:
        if key not in areas or key not in tier["scores"]["areas"]:
            continue
        rules = by_area.get(key, [])
        area_rows.append(
            {
                "name": f"{key}. {areas[key]}" if key != "B" else areas[key],
                "score": number(tier["scores"]["areas"][key]),
                "ratio": ", ".join(f"{number(r['value'])} %" for r in rules) or "-",
                "threshold": ", ".join(f"{number(r['threshold'])} %" for r in rules) or "-",
                "verdict": MEETS if all(r["passed"] for r in rules) else NOT_YET,
                "notes": notes.get(key, []),
            }
        )
    return {
        "total": number(tier["scores"]["total"]),
        "pengungkit": number(tier["scores"]["pengungkit"]),
        "hasil": number(tier["scores"]["hasil"]),
        "eligible": bool(verdict["eligible"]),
        "verdict": MEETS if verdict["eligible"] else NOT_YET,
        "area_rows": area_rows,
        "other_rules": others,
        "result_notes": notes.get("B", []),
    }


def _lhe_tpi(frozen: Frozen, framework: Framework) -> dict[str, Any]:
    tier = str(frozen.extra.get("tier", "tpi"))
    signers = [
        {"area": _area_names(framework).get(s["area"], s["area"]), "name": s["name"]}
        | {"date": day(s["at"])}
        for s in frozen.extra.get("signers", [])
    ]
    return _evaluation(frozen, framework, tier) | {"signers": signers}


def _proposal(frozen: Frozen, _framework: Framework) -> dict[str, Any]:
    units = [
        {
            "name": u["name"],
            "target": u["target"],
            "score": number(u["score"]) if u["score"] else "-",
        }
        for u in frozen.extra.get("units", [])
    ]
    return {"units": units}


def _sptjm(frozen: Frozen, framework: Framework) -> dict[str, Any]:
    tier = str(frozen.extra.get("tier", "tpi"))
    evaluation = _evaluation(frozen, framework, tier)
    return {
        "total": evaluation["total"],
        "verdict": evaluation["verdict"],
        "evidence_count": len(frozen.payload["evidence"]),
    }


def _lhe_tpn(frozen: Frozen, framework: Framework) -> dict[str, Any]:
    tiers = frozen.payload["tiers"]
    tier = str(frozen.extra.get("tier", "tpn"))
    if tier not in tiers:  # stopped at the desk: TPN judged the answers it was handed
        tier = list(tiers)[-1]
    decision = str(frozen.extra.get("decision", ""))
    return _evaluation(frozen, framework, tier) | {
        "tier_label": _tier_labels(frozen).get(tier, tier.upper()),
        "decision": ACTION_LABELS[Action(decision)] if decision else "",
        "designated": decision == Action.DESIGNATE.value,
        "decree_number": frozen.extra.get("decree_number") or "",
        "decree_date": day(frozen.extra["decree_date"]) if frozen.extra.get("decree_date") else "",
        "note": frozen.extra.get("note") or "",
    }
