"""Issue 17 §1: the clearance round with the overseers before a designation, and the
Ombudsman's service-compliance zones (§4). Pure: no Flask, no database.

Before TPN designates a proposed unit it asks the overseers (Ombudsman RI, KPK, the agency's
APIP and any other the cycle lists) whether they know of anything against it (PermenPANRB
90/2021 Lampiran II Bab III.C.4). Each request is answered "clear" or "findings" (with a
summary and the overseer's letter); findings stay open until TPN records how they were
resolved. ``blocker`` answers "may this unit be designated now": not before every overseer
the cycle lists was asked, nor while a request is unanswered or has unresolved findings,
unless TPN recorded a reasoned override after the latest request. (The round is the point:
the issue was TPN going from field evaluation straight to designation.) Where TPN decides in
PortalRB (an agency deployment, issue 12), the round is TPN's there and ``required`` is empty.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from tracker.i18n import N_, _

# The overseers every cycle asks unless it lists its own (a cycle setting).
DEFAULT_OVERSEERS = ("Ombudsman RI", "KPK", "APIP instansi")
MAX_OVERSEER_LENGTH = 120
MAX_OVERSEERS = 12
MIN_OVERRIDE_REASON = 30  # characters: a reason, not a word


class ClearanceResult(enum.StrEnum):
    CLEAR = "clear"  # nothing against the unit
    FINDINGS = "findings"  # the overseer reports findings (a summary and its letter)


RESULT_LABELS = {
    ClearanceResult.CLEAR: N_("Bersih, tidak ada catatan"),
    ClearanceResult.FINDINGS: N_("Ada temuan"),
}


@dataclass(frozen=True)
class Request:
    """One request to one overseer, as the rule sees it. ``number`` orders requests (the
    row's id): an override covers the requests up to the number it was recorded after."""

    number: int
    overseer: str
    asked_on: date
    answered_on: date | None = None
    result: ClearanceResult | None = None
    resolved_on: date | None = None

    @property
    def open(self) -> bool:
        return self.answered_on is None

    @property
    def unresolved(self) -> bool:
        return self.result is ClearanceResult.FINDINGS and self.resolved_on is None


@dataclass(frozen=True)
class Clearance:
    """The clearance round of one proposed unit: its requests and the latest override (the
    number of the last request it covers; None: no override)."""

    requests: tuple[Request, ...] = ()
    override_covers: int | None = None
    required: tuple[str, ...] = ()  # the overseers the round must ask (the cycle's list)

    @property
    def overridden(self) -> bool:
        latest = max((r.number for r in self.requests), default=0)
        return self.override_covers is not None and self.override_covers >= latest


def blocker(clearance: Clearance) -> str | None:
    """Why the unit may not be designated now because of its clearance round, or None."""
    if clearance.overridden:
        return None
    waiting = [r.overseer for r in clearance.requests if r.open]
    findings = [r.overseer for r in clearance.requests if r.unresolved]
    parts = []
    if missing := not_asked(clearance.required, clearance):
        parts.append(_("belum diminta kepada %(who)s", who=", ".join(missing)))
    if waiting:
        parts.append(_("belum ada jawaban dari %(who)s", who=", ".join(dict.fromkeys(waiting))))
    if findings:
        parts.append(_("temuan %(who)s belum diselesaikan", who=", ".join(dict.fromkeys(findings))))
    if not parts:
        return None
    return _(
        "Klirens pengawas belum selesai: %(why)s. Catat permintaan dan jawabannya atau "
        "penyelesaian temuan, atau catat keputusan TPN untuk tetap menetapkan beserta alasannya.",
        why="; ".join(parts),
    )


def not_asked(overseers: Iterable[str], clearance: Clearance) -> list[str]:
    """The cycle's overseers no request went to yet, in the cycle's order."""
    asked = {r.overseer for r in clearance.requests}
    return [name for name in overseers if name not in asked]


def overseers_of(setting: Sequence[object] | None) -> tuple[str, ...]:
    """The overseers a cycle asks: its own list, or the default three."""
    names = tuple(str(n) for n in setting or () if str(n).strip())
    return names or DEFAULT_OVERSEERS


def parse_overseers(text: str) -> tuple[list[str], list[str]]:
    """The overseer names typed one per line (blank lines and repeats dropped), and what is
    wrong with them."""
    names = list(dict.fromkeys(" ".join(line.split()) for line in text.splitlines()))
    names = [n for n in names if n]
    problems = []
    if not names:
        problems.append(_("Tulis paling sedikit satu pengawas, satu nama per baris."))
    if len(names) > MAX_OVERSEERS:
        problems.append(_("Paling banyak %(n)s pengawas.", n=MAX_OVERSEERS))
    if any(len(n) > MAX_OVERSEER_LENGTH for n in names):
        problems.append(_("Nama pengawas paling panjang %(n)s karakter.", n=MAX_OVERSEER_LENGTH))
    return names, problems


def ask_problems(
    overseer: str,
    asked_on: date | None,
    today: date,
    overseers: Collection[str],
    clearance: Clearance,
) -> list[str]:
    """What keeps TPN from recording a request to ``overseer`` on ``asked_on``."""
    found = []
    if overseer not in overseers:
        found.append(_("Pengawas “%(who)s” tidak ada dalam daftar siklus ini.", who=overseer))
    if any(r.open and r.overseer == overseer for r in clearance.requests):
        found.append(_("Permintaan kepada %(who)s masih menunggu jawaban.", who=overseer))
    if asked_on is None:
        found.append(_("Tanggal permintaan wajib diisi."))
    elif asked_on > today:
        found.append(_("Tanggal permintaan tidak boleh sesudah hari ini."))
    return found


def answer_problems(
    request: Request,
    *,
    answered_on: date | None,
    result: ClearanceResult | None,
    summary: str,
    has_document: bool,
    today: date,
) -> list[str]:
    """What keeps TPN from recording the overseer's answer to ``request``."""
    found = []
    if not request.open:
        found.append(_("Permintaan ini sudah dijawab."))
    if answered_on is None:
        found.append(_("Tanggal jawaban wajib diisi."))
    elif answered_on > today:
        found.append(_("Tanggal jawaban tidak boleh sesudah hari ini."))
    elif answered_on < request.asked_on:
        found.append(_("Tanggal jawaban tidak boleh sebelum tanggal permintaan."))
    if result is None:
        found.append(_("Pilih hasilnya: bersih atau ada temuan."))
    elif result is ClearanceResult.FINDINGS:
        if not summary.strip():
            found.append(_("Ringkasan temuan wajib diisi."))
        if not has_document:
            found.append(_("Lampirkan surat jawaban pengawas yang memuat temuan."))
    return found


def resolve_problems(
    request: Request, *, resolved_on: date | None, note: str, today: date
) -> list[str]:
    """What keeps TPN from recording that the findings of ``request`` were resolved."""
    found = []
    if not request.unresolved:
        found.append(_("Permintaan ini tidak memiliki temuan yang terbuka."))
    if resolved_on is None:
        found.append(_("Tanggal penyelesaian wajib diisi."))
    elif resolved_on > today:
        found.append(_("Tanggal penyelesaian tidak boleh sesudah hari ini."))
    elif request.answered_on is not None and resolved_on < request.answered_on:
        found.append(_("Tanggal penyelesaian tidak boleh sebelum tanggal jawaban."))
    if not note.strip():
        found.append(_("Jelaskan bagaimana temuan diselesaikan."))
    return found


def override_problems(clearance: Clearance, reason: str) -> list[str]:
    """What keeps TPN from recording that it designates despite the open clearance."""
    found = []
    if blocker(clearance) is None:
        found.append(_("Tidak ada klirens yang terbuka; keputusan ini tidak diperlukan."))
    if len(" ".join(reason.split())) < MIN_OVERRIDE_REASON:
        found.append(_("Alasan paling sedikit %(n)s karakter.", n=MIN_OVERRIDE_REASON))
    return found


# --- §4: the Ombudsman's service-compliance assessment (penilaian kepatuhan) -------------------


class OmbudsmanZone(enum.StrEnum):
    """The Ombudsman's zones of compliance with public-service standards."""

    HIJAU = "hijau"  # high compliance
    KUNING = "kuning"  # moderate
    MERAH = "merah"  # low


ZONE_LABELS = {
    OmbudsmanZone.HIJAU: N_("Zona hijau (kepatuhan tinggi)"),
    OmbudsmanZone.KUNING: N_("Zona kuning (kepatuhan sedang)"),
    OmbudsmanZone.MERAH: N_("Zona merah (kepatuhan rendah)"),
}
FIRST_OMBUDSMAN_YEAR = 2013  # the Ombudsman's compliance assessment began in 2013


def parse_score(raw: str) -> Decimal | None:
    """A score 0–100 with at most two decimals ("87,5" or "87.5"), or None."""
    text = raw.strip().replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value > 100:
        return None
    if value != value.quantize(Decimal("0.01")):
        return None
    return value


def ombudsman_problems(year: int | None, score: str, today: date) -> list[str]:
    """What is wrong with an Ombudsman result typed for a unit."""
    found = []
    if year is None or not FIRST_OMBUDSMAN_YEAR <= year <= today.year:
        found.append(
            _(
                "Tahun penilaian harus antara %(first)s dan %(last)s.",
                first=FIRST_OMBUDSMAN_YEAR,
                last=today.year,
            )
        )
    if parse_score(score) is None:
        found.append(_("Nilai harus angka 0 sampai 100, paling banyak dua angka desimal."))
    return found
