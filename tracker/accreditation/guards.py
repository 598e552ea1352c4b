"""What must hold before an action besides the table and the roles. Pure: no Flask, no DB.

Each guard reads named facts about an enrolment (``Fact``) from a ``Context`` and answers
with the reason the action cannot be taken, or None. Guards fail closed: a Context knows only
the facts it was given, and reading any other raises MissingFactError. ``workflow.FACTS``
collects, per action, the facts its guards declare, which is what the service gathers.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Generic, TypeVar, cast, overload

from tracker.accreditation import carry_rules, clearance_rules, deployment, provenance, signed_dates
from tracker.accreditation.clearance_rules import Clearance
from tracker.accreditation.deployment import Deployment
from tracker.accreditation.provenance import SurveyRecord
from tracker.i18n import _


class Fact(enum.StrEnum):
    """Something a guard needs to know about an enrolment; the service layer gathers it."""

    NEEDS_PRELIMINARY = "needs_preliminary"  # a preliminary assessor sits above the unit
    UNANSWERED_ITEMS = "unanswered_items"  # blank items of the tier a hand-off passes on
    ITEMS_IN_ERROR = "items_in_error"  # its answers in error (D4), by item code
    EVIDENCE_GAP = "evidence_gap"  # its answered items short of evidence (D16)
    EVIDENCE_CONFIRMED = "evidence_confirmed"  # the sender confirmed handing them on anyway
    UNSIGNED_AREAS = "unsigned_areas"  # areas the deciding tier has not signed off
    JUDGEMENT = "judgement"  # the judging tier's verdict on the target predicate
    DEADLINES = "deadlines"
    APPEAL_USED = "appeal_used"
    QUOTA_LEFT = "quota_left"  # proposals still allowed for the agency; None = no quota
    UNMET_PREREQUISITES = "unmet_prerequisites"
    BARRED_UNTIL = "barred_until"
    HAS_ACTIVE_WBK = "has_active_wbk"  # relevant for WBBM targets only
    TARGET_IS_WBBM = "target_is_wbbm"
    KKN_CASE = "kkn_case"
    NOTE = "note"
    DECREE_GIVEN = "decree_given"
    DECREE_DATE = "decree_date"  # issue 15 §3: a decree already signed is not dated ahead
    TPN_SURVEYS = "tpn_surveys"  # D14: the TPN tier's survey indices and their provenance
    DEPLOYMENT = "deployment"  # issue 12: national (TPN acts here) or agency (from PortalRB)
    PORTALRB_REFERENCE = "portalrb_reference"  # the PortalRB result a recorded TPN step cites
    CLEARANCE = "clearance"  # issue 17 §1: the overseers' clearance round of a proposed unit
    # Issue 16 §3: answers carried from last cycle that the coordinator has not confirmed yet.
    CARRIED_UNCONFIRMED = "carried_unconfirmed"


class MissingFactError(LookupError):
    """A guard read a fact the service did not gather. A programming error, so it is not a
    DomainError: the request fails and the action is refused, never let through."""


@dataclass(frozen=True)
class Judgement:
    """The judging tier's verdict on the enrolment's target predicate (D5, D9)."""

    eligible: bool
    shortfalls: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvidenceGap:
    """D16: what the answers a hand-off passes on lack. ``items``: answered items without any
    file or link; ``documents``: (item code, document key) of the required documents missing
    on the other answered items (an item in ``items`` is not repeated here)."""

    items: tuple[str, ...] = ()
    documents: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.items or self.documents)


T = TypeVar("T")


class _FactOf(Generic[T]):
    """A Context attribute holding one fact: reading it when not gathered raises."""

    fact: Fact

    def __set_name__(self, owner: type, name: str) -> None:
        self.fact = Fact(name)

    @overload
    def __get__(self, ctx: None, owner: type) -> _FactOf[T]: ...
    @overload
    def __get__(self, ctx: Context, owner: type) -> T: ...
    def __get__(self, ctx: Context | None, owner: type) -> T | _FactOf[T]:
        if ctx is None:
            return self
        return cast(T, ctx.fact(self.fact))


class Context:
    """What the guards of one action know about an enrolment, gathered by the service layer.

    Guards fail closed: no fact has a default. Only the facts given are known; reading any
    other raises MissingFactError, so a fact a service forgets to gather refuses the action
    instead of letting it through. ``FACTS[action]`` names the facts an action reads.
    """

    __slots__ = ("_facts", "today")

    needs_preliminary: _FactOf[bool] = _FactOf()
    unanswered_items: _FactOf[int] = _FactOf()
    items_in_error: _FactOf[tuple[str, ...]] = _FactOf()
    evidence_gap: _FactOf[EvidenceGap] = _FactOf()
    evidence_confirmed: _FactOf[bool] = _FactOf()
    unsigned_areas: _FactOf[Collection[str]] = _FactOf()
    judgement: _FactOf[Judgement] = _FactOf()
    deadlines: _FactOf[Mapping[str, date | None]] = _FactOf()  # by workflow.Deadline
    appeal_used: _FactOf[bool] = _FactOf()
    quota_left: _FactOf[int | None] = _FactOf()
    unmet_prerequisites: _FactOf[tuple[str, ...]] = _FactOf()
    barred_until: _FactOf[date | None] = _FactOf()
    has_active_wbk: _FactOf[bool] = _FactOf()
    target_is_wbbm: _FactOf[bool] = _FactOf()
    kkn_case: _FactOf[bool] = _FactOf()
    note: _FactOf[str] = _FactOf()
    decree_given: _FactOf[bool] = _FactOf()
    decree_date: _FactOf[date | None] = _FactOf()
    tpn_surveys: _FactOf[tuple[SurveyRecord, ...]] = _FactOf()
    deployment: _FactOf[Deployment] = _FactOf()
    portalrb_reference: _FactOf[str] = _FactOf()
    clearance: _FactOf[Clearance] = _FactOf()
    carried_unconfirmed: _FactOf[int] = _FactOf()

    today: date
    _facts: Mapping[Fact, object]

    def __init__(self, today: date, **facts: object) -> None:
        """``facts`` by name (``note="..."``). Raises TypeError for a name that is no Fact."""
        if unknown := sorted(set(facts) - set(Fact)):
            raise TypeError(f"not a workflow fact: {', '.join(unknown)}")
        object.__setattr__(self, "today", today)
        object.__setattr__(self, "_facts", MappingProxyType({Fact(k): v for k, v in facts.items()}))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a workflow Context is immutable")

    @property
    def given(self) -> frozenset[Fact]:
        return frozenset(self._facts)

    def fact(self, fact: Fact) -> object:
        """The value of ``fact``. Raises MissingFactError when it was not gathered."""
        try:
            return self._facts[fact]
        except KeyError:
            raise MissingFactError(f"the workflow fact {fact.value!r} was not gathered") from None

    def __repr__(self) -> str:
        facts = ", ".join(f"{k.value}={v!r}" for k, v in self._facts.items())
        return f"Context(today={self.today!r}, {facts})"


@dataclass(frozen=True)
class Guard:
    """One condition of an action: the facts it reads, and its reason when unmet (or None)."""

    reads: frozenset[Fact]
    check: Callable[[Context], str | None]

    def __call__(self, ctx: Context) -> str | None:
        return self.check(ctx)


def reads(*facts: Fact) -> Callable[[Callable[[Context], str | None]], Guard]:
    """Declare the facts a guard reads: they become part of FACTS for its actions."""

    def declare(check: Callable[[Context], str | None]) -> Guard:
        return Guard(frozenset(facts), check)

    return declare


@reads(Fact.UNANSWERED_ITEMS)
def all_answered(ctx: Context) -> str | None:
    if ctx.unanswered_items:
        return _("Masih ada %(n)s butir LKE yang belum dijawab.", n=ctx.unanswered_items)
    return None


@reads(Fact.ITEMS_IN_ERROR)
def no_input_errors(ctx: Context) -> str | None:
    """D4: an answer in error counts as unanswered, but ``all_answered`` counts blanks only, so
    that the sender is told what to correct rather than what to fill in."""
    if ctx.items_in_error:
        return _(
            "Ada %(n)s butir LKE dengan isian salah yang harus diperbaiki dulu: %(items)s",
            n=len(ctx.items_in_error),
            items=", ".join(ctx.items_in_error),
        )
    return None


@reads(Fact.EVIDENCE_GAP, Fact.EVIDENCE_CONFIRMED)
def evidence_confirmed(ctx: Context) -> str | None:
    """D16: answers short of evidence may be handed on, but only knowingly: the sender confirms
    the list the form shows. Both facts are read first, so neither can go ungathered."""
    gap, confirmed = ctx.evidence_gap, ctx.evidence_confirmed
    if not gap or confirmed:
        return None
    parts = []
    if gap.items:
        parts.append(
            _(
                "%(n)s butir terjawab tanpa bukti dukung (%(items)s)",
                n=len(gap.items),
                items=", ".join(gap.items),
            )
        )
    if gap.documents:
        codes = ", ".join(dict.fromkeys(code for code, _key in gap.documents))
        parts.append(
            _(
                "%(n)s dokumen wajib belum ada (butir %(items)s)",
                n=len(gap.documents),
                items=codes,
            )
        )
    return _(
        "Penyerahan ini memuat %(gap)s. Centang “Saya mengerti” pada formulir untuk tetap "
        "menyerahkan.",
        gap="; ".join(parts),
    )


@reads(Fact.UNSIGNED_AREAS)
def areas_signed(ctx: Context) -> str | None:
    if ctx.unsigned_areas:
        areas = ", ".join(str(a) for a in sorted(ctx.unsigned_areas))
        return _("Area berikut belum ditandatangani penilai: %(areas)s.", areas=areas)
    return None


@reads(Fact.JUDGEMENT)
def eligible(ctx: Context) -> str | None:
    if not ctx.judgement.eligible:
        return _(
            "Nilai belum memenuhi syarat predikat: %(why)s",
            why="; ".join(ctx.judgement.shortfalls) or "-",
        )
    return None


@reads(Fact.NEEDS_PRELIMINARY)
def needs_preliminary(ctx: Context) -> str | None:
    if not ctx.needs_preliminary:
        return _("Unit ini tidak memiliki penilai pendahuluan; kirim langsung ke TPI.")
    return None


@reads(Fact.NEEDS_PRELIMINARY)
def no_preliminary(ctx: Context) -> str | None:
    if ctx.needs_preliminary:
        return _("Unit ini harus melalui penilaian pendahuluan lebih dulu.")
    return None


@reads(
    Fact.KKN_CASE,
    Fact.BARRED_UNTIL,
    Fact.TARGET_IS_WBBM,
    Fact.HAS_ACTIVE_WBK,
    Fact.QUOTA_LEFT,
    Fact.UNMET_PREREQUISITES,
)
def proposal_gate(ctx: Context) -> str | None:
    """D10: quota, prerequisites, no KKN; D15: the 2-year bar after a revocation applies to WBK
    proposals (a WBBM proposal needs an active WBK, which a revocation ends), a unit holding an
    active WBK is not proposed for WBK again, and WBBM rests on an active WBK (D9)."""
    if ctx.kkn_case:
        return _(
            "Instansi tercatat memiliki kasus KKN pada tahun usulan; usulan tidak dapat diajukan."
        )
    barred = ctx.barred_until
    if not ctx.target_is_wbbm and barred is not None and ctx.today < barred:
        return _(
            "Predikat unit ini dicabut; unit baru dapat diusulkan lagi menuju WBK mulai "
            "%(date)s (2 tahun sejak tanggal keputusan pencabutan).",
            date=barred.isoformat(),
        )
    if not ctx.target_is_wbbm and ctx.has_active_wbk:
        return _(
            "Unit ini masih berpredikat Menuju WBK yang berlaku; usulan WBK tidak dapat "
            "diajukan lagi. Usulkan menuju WBBM."
        )
    if ctx.target_is_wbbm and not ctx.has_active_wbk:
        return _("Usulan WBBM memerlukan predikat Menuju WBK yang masih berlaku.")
    quota = ctx.quota_left
    if quota is not None and quota <= 0:
        return _("Kuota usulan instansi untuk siklus ini sudah habis.")
    if ctx.unmet_prerequisites:
        return _(
            "Persyaratan usulan belum terpenuhi: %(items)s.",
            items="; ".join(ctx.unmet_prerequisites),
        )
    return None


@reads(Fact.APPEAL_USED)
def appeal_once(ctx: Context) -> str | None:
    if ctx.appeal_used:
        return _("Sanggahan hanya dapat diajukan satu kali.")
    return None


@reads(Fact.DECREE_GIVEN, Fact.DECREE_DATE)
def decree(ctx: Context) -> str | None:
    if not ctx.decree_given:
        return _("Nomor dan tanggal keputusan menteri wajib diisi.")
    return signed_dates.future_date_reason(ctx.decree_date, ctx.today, _("Tanggal keputusan"))


@reads(Fact.TPN_SURVEYS)
def tpn_surveys(ctx: Context) -> str | None:
    """D14: the designation rests on IPAK and IPKP from the survey run for TPN, each with its
    source, period, respondents (at least 30) and report, and neither still a copied value."""
    found = [problem for record in ctx.tpn_surveys for problem in provenance.problems(record)]
    if found:
        return _("Hasil survei IPAK/IPKP untuk TPN belum lengkap: %(why)s.", why="; ".join(found))
    return None


@reads(Fact.DEPLOYMENT, Fact.PORTALRB_REFERENCE)
def portalrb_reference(ctx: Context) -> str | None:
    """Issue 12: in an agency deployment a TPN step is a record of PortalRB's published result,
    and names it. Both facts are read first, so neither can go ungathered."""
    given, mode = ctx.portalrb_reference, ctx.deployment
    if mode is Deployment.AGENCY:
        return deployment.reference_problem(given)
    return None


@reads(Fact.CARRIED_UNCONFIRMED)
def carried_confirmed(ctx: Context) -> str | None:
    """Issue 16 §3: a value carried from last cycle is handed on only once the coordinator has
    confirmed it (or changed it, making it this year's own answer)."""
    return carry_rules.unconfirmed_reason(ctx.carried_unconfirmed)


@reads(Fact.CLEARANCE)
def clearance(ctx: Context) -> str | None:
    """Issue 17 §1: no designation while an overseer's answer is awaited or its findings are
    unresolved, unless TPN recorded its reasoned decision to designate anyway."""
    return clearance_rules.blocker(ctx.clearance)
