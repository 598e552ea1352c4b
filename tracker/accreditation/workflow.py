"""The accreditation stages as an explicit state machine. Pure: no Flask, no database.

A unit's enrolment in a cycle moves only through ``advance()``: the transition table says
which action leads where, ``ALLOWED_ROLES`` who may take it, ``DEADLINE_OF`` which calendar
date bounds it, and ``GUARDS`` what else must hold (all answered, areas signed off, scores
above the floors, quota, prerequisites...). Every refusal names its reason.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from datetime import date

from tracker.accreditation import guards
from tracker.accreditation.guards import Context, Fact, Guard, MissingFactError
from tracker.auth.roles import Role
from tracker.errors import InvalidTransitionError, NotAllowedError
from tracker.i18n import N_, _, long_date


class Stage(enum.StrEnum):
    DECLARED = "declared"  # pencanangan recorded with the Pakta Integritas
    BUILDING = "building"  # pembangunan: the unit fills its self-assessment
    PRELIMINARY = "preliminary"  # penilaian pendahuluan by the parent unit
    TPI_EVALUATION = "tpi_evaluation"
    TPI_RECOMMENDED = "tpi_recommended"  # TPI: meets the criteria, may be proposed
    PROPOSED = "proposed"  # sent to TPN by the agency head; awaits administrative selection
    ADMIN_CONDITIONAL = "admin_conditional"  # lulus dengan catatan: corrections due
    ADMIN_REJECTED = "admin_rejected"  # tidak lulus: one appeal allowed
    APPEAL = "appeal"
    DESK_EVALUATION = "desk_evaluation"
    FIELD_EVALUATION = "field_evaluation"
    DESIGNATED = "designated"
    MONITORING = "monitoring"  # designated, with monitoring reports on file
    COACHING = "coaching"  # pembinaan: not designated in this cycle
    NOT_PASSED = "not_passed"  # administrative selection failed for good
    REVOKED = "revoked"
    VOID = "void"  # digugurkan: KKN case against the agency


class Action(enum.StrEnum):
    START_BUILDING = "start_building"
    SUBMIT_PRELIMINARY = "submit_preliminary"
    SUBMIT_TPI = "submit_tpi"
    PRELIMINARY_PASS = "preliminary_pass"  # noqa: S105 - a verdict, not a password
    PRELIMINARY_RETURN = "preliminary_return"
    TPI_MEETS = "tpi_meets"
    TPI_NOT_YET = "tpi_not_yet"
    PROPOSE = "propose"
    ADMIN_PASS = "admin_pass"  # noqa: S105
    ADMIN_PASS_WITH_NOTES = "admin_pass_with_notes"  # noqa: S105
    ADMIN_FAIL = "admin_fail"
    ACCEPT_CORRECTIONS = "accept_corrections"
    REJECT_CORRECTIONS = "reject_corrections"
    APPEAL = "appeal"
    APPEAL_ACCEPT = "appeal_accept"
    APPEAL_REJECT = "appeal_reject"
    CLOSE_SELECTION = "close_selection"  # no appeal filed in time
    DESK_CONTINUE = "desk_continue"
    DESK_STOP = "desk_stop"
    DESIGNATE = "designate"
    COACH = "coach"
    REPORT_MONITORING = "report_monitoring"
    REVOKE = "revoke"
    VOID = "void"


S, A = Stage, Action
PENDING_PROPOSAL = frozenset(
    {
        S.PROPOSED,
        S.ADMIN_CONDITIONAL,
        S.ADMIN_REJECTED,
        S.APPEAL,
        S.DESK_EVALUATION,
        S.FIELD_EVALUATION,
    }
)
FINAL = frozenset({S.COACHING, S.NOT_PASSED, S.REVOKED, S.VOID})

TRANSITIONS: Mapping[tuple[Stage, Action], Stage] = {
    (S.DECLARED, A.START_BUILDING): S.BUILDING,
    (S.BUILDING, A.SUBMIT_PRELIMINARY): S.PRELIMINARY,
    (S.BUILDING, A.SUBMIT_TPI): S.TPI_EVALUATION,
    (S.PRELIMINARY, A.PRELIMINARY_PASS): S.TPI_EVALUATION,
    (S.PRELIMINARY, A.PRELIMINARY_RETURN): S.BUILDING,
    (S.TPI_EVALUATION, A.TPI_MEETS): S.TPI_RECOMMENDED,
    (S.TPI_EVALUATION, A.TPI_NOT_YET): S.BUILDING,
    (S.TPI_RECOMMENDED, A.PROPOSE): S.PROPOSED,
    (S.TPI_RECOMMENDED, A.TPI_NOT_YET): S.BUILDING,
    (S.PROPOSED, A.ADMIN_PASS): S.DESK_EVALUATION,
    (S.PROPOSED, A.ADMIN_PASS_WITH_NOTES): S.ADMIN_CONDITIONAL,
    (S.PROPOSED, A.ADMIN_FAIL): S.ADMIN_REJECTED,
    (S.ADMIN_CONDITIONAL, A.ACCEPT_CORRECTIONS): S.DESK_EVALUATION,
    (S.ADMIN_CONDITIONAL, A.REJECT_CORRECTIONS): S.ADMIN_REJECTED,
    (S.ADMIN_REJECTED, A.APPEAL): S.APPEAL,
    (S.ADMIN_REJECTED, A.CLOSE_SELECTION): S.NOT_PASSED,
    (S.APPEAL, A.APPEAL_ACCEPT): S.DESK_EVALUATION,
    (S.APPEAL, A.APPEAL_REJECT): S.NOT_PASSED,
    (S.DESK_EVALUATION, A.DESK_CONTINUE): S.FIELD_EVALUATION,
    (S.DESK_EVALUATION, A.DESK_STOP): S.COACHING,
    (S.FIELD_EVALUATION, A.DESIGNATE): S.DESIGNATED,
    (S.FIELD_EVALUATION, A.COACH): S.COACHING,
    (S.DESIGNATED, A.REPORT_MONITORING): S.MONITORING,
    (S.MONITORING, A.REPORT_MONITORING): S.MONITORING,
    (S.DESIGNATED, A.REVOKE): S.REVOKED,
    (S.MONITORING, A.REVOKE): S.REVOKED,
    **{(stage, A.VOID): S.VOID for stage in PENDING_PROPOSAL},
}

ALLOWED_ROLES: Mapping[Action, frozenset[Role]] = {
    A.START_BUILDING: frozenset({Role.KOORDINATOR, Role.ADMIN}),
    A.SUBMIT_PRELIMINARY: frozenset({Role.KOORDINATOR}),
    A.SUBMIT_TPI: frozenset({Role.KOORDINATOR}),
    A.PRELIMINARY_PASS: frozenset({Role.PENILAI_PENDAHULUAN}),
    A.PRELIMINARY_RETURN: frozenset({Role.PENILAI_PENDAHULUAN}),
    A.TPI_MEETS: frozenset({Role.TPI}),
    A.TPI_NOT_YET: frozenset({Role.TPI}),
    A.PROPOSE: frozenset({Role.PIMPINAN, Role.ADMIN}),
    A.APPEAL: frozenset({Role.PIMPINAN, Role.ADMIN}),
    # Taken by filing the report on the unit's monitoring page, which TPI or the administrator
    # may do (``complaints.rules.MONITORING_REPORTERS``).
    A.REPORT_MONITORING: frozenset({Role.TPI, Role.ADMIN}),
    A.REVOKE: frozenset({Role.TPN, Role.ADMIN}),
    A.VOID: frozenset({Role.TPN, Role.ADMIN}),
    **{
        a: frozenset({Role.TPN})
        for a in (
            A.ADMIN_PASS,
            A.ADMIN_PASS_WITH_NOTES,
            A.ADMIN_FAIL,
            A.ACCEPT_CORRECTIONS,
            A.REJECT_CORRECTIONS,
            A.APPEAL_ACCEPT,
            A.APPEAL_REJECT,
            A.CLOSE_SELECTION,
            A.DESK_CONTINUE,
            A.DESK_STOP,
            A.DESIGNATE,
            A.COACH,
        )
    },
}


class Deadline(enum.StrEnum):
    """Calendar dates of a cycle that bound actions (an admin may extend each, recorded)."""

    SELF_ASSESSMENT_END = "self_assessment_end"
    TPI_EVALUATION_END = "tpi_evaluation_end"
    PROPOSAL = "proposal_deadline"
    APPEAL = "appeal_deadline"


DEADLINE_OF: Mapping[Action, Deadline] = {
    A.SUBMIT_PRELIMINARY: Deadline.SELF_ASSESSMENT_END,
    A.SUBMIT_TPI: Deadline.SELF_ASSESSMENT_END,
    A.PRELIMINARY_PASS: Deadline.TPI_EVALUATION_END,
    A.PRELIMINARY_RETURN: Deadline.TPI_EVALUATION_END,  # verdicts, either way (issue 15 §3)
    A.TPI_MEETS: Deadline.TPI_EVALUATION_END,
    A.TPI_NOT_YET: Deadline.TPI_EVALUATION_END,
    A.PROPOSE: Deadline.PROPOSAL,
    A.APPEAL: Deadline.APPEAL,
}

# Actions whose reason/note is required: a send-back or a refusal must say why.
NOTE_REQUIRED = frozenset(
    {
        A.PRELIMINARY_RETURN,
        A.TPI_NOT_YET,
        A.ADMIN_PASS_WITH_NOTES,
        A.ADMIN_FAIL,
        A.REJECT_CORRECTIONS,
        A.APPEAL,
        A.APPEAL_REJECT,
        A.DESK_STOP,
        A.COACH,
        A.REVOKE,
        A.VOID,
    }
)

STAGE_LABELS: Mapping[Stage, str] = {
    S.DECLARED: N_("Pencanangan"),
    S.BUILDING: N_("Pembangunan"),
    S.PRELIMINARY: N_("Penilaian pendahuluan"),
    S.TPI_EVALUATION: N_("Evaluasi TPI"),
    S.TPI_RECOMMENDED: N_("Direkomendasikan TPI"),
    S.PROPOSED: N_("Diusulkan ke TPN"),
    S.ADMIN_CONDITIONAL: N_("Lulus seleksi administrasi dengan catatan"),
    S.ADMIN_REJECTED: N_("Tidak lulus seleksi administrasi"),
    S.APPEAL: N_("Sanggahan"),
    S.DESK_EVALUATION: N_("Desk evaluasi TPN"),
    S.FIELD_EVALUATION: N_("Evaluasi lapangan TPN"),
    S.DESIGNATED: N_("Ditetapkan"),
    S.MONITORING: N_("Pemantauan pasca-predikat"),
    S.COACHING: N_("Pembinaan"),
    S.NOT_PASSED: N_("Tidak lolos"),
    S.REVOKED: N_("Predikat dicabut"),
    S.VOID: N_("Digugurkan"),
}

ACTION_LABELS: Mapping[Action, str] = {
    A.START_BUILDING: N_("Mulai pembangunan"),
    A.SUBMIT_PRELIMINARY: N_("Kirim ke penilai pendahuluan"),
    A.SUBMIT_TPI: N_("Kirim ke TPI"),
    A.PRELIMINARY_PASS: N_("Layak dievaluasi TPI"),
    A.PRELIMINARY_RETURN: N_("Kembalikan untuk perbaikan"),
    A.TPI_MEETS: N_("Memenuhi kriteria: rekomendasikan usulan"),
    A.TPI_NOT_YET: N_("Belum memenuhi: kembali ke pembangunan"),
    A.PROPOSE: N_("Usulkan ke TPN"),
    A.ADMIN_PASS: N_("Seleksi administrasi: lulus"),
    A.ADMIN_PASS_WITH_NOTES: N_("Seleksi administrasi: lulus dengan catatan"),
    A.ADMIN_FAIL: N_("Seleksi administrasi: tidak lulus"),
    A.ACCEPT_CORRECTIONS: N_("Perbaikan diterima"),
    A.REJECT_CORRECTIONS: N_("Perbaikan ditolak"),
    A.APPEAL: N_("Ajukan sanggahan"),
    A.APPEAL_ACCEPT: N_("Sanggahan diterima"),
    A.APPEAL_REJECT: N_("Sanggahan ditolak"),
    A.CLOSE_SELECTION: N_("Tutup seleksi (tanpa sanggahan)"),
    A.DESK_CONTINUE: N_("Desk evaluasi: lanjut ke evaluasi lapangan"),
    A.DESK_STOP: N_("Desk evaluasi: tidak dilanjutkan (pembinaan)"),
    A.DESIGNATE: N_("Tetapkan predikat"),
    A.COACH: N_("Rekomendasikan pembinaan"),
    A.REPORT_MONITORING: N_("Catat laporan pemantauan"),
    A.REVOKE: N_("Cabut predikat"),
    A.VOID: N_("Gugurkan usulan (kasus KKN)"),
}


# The hand-offs: the actions that pass one tier's answers on to the next reader (the unit's
# submissions, the preliminary and TPI verdicts, the proposal, the designation). Send-backs
# (PRELIMINARY_RETURN, TPI_NOT_YET, DESK_STOP, COACH) are not: an incomplete or wrong LKE is
# exactly what they may return.
HAND_OFFS = frozenset(
    {A.SUBMIT_PRELIMINARY, A.SUBMIT_TPI, A.PRELIMINARY_PASS, A.TPI_MEETS, A.PROPOSE, A.DESIGNATE}
)
# What every hand-off checks on the answers it passes on: none blank and none in error (D3, D4,
# D13), and any left without evidence handed on knowingly (D16).
_HANDED_ON = (guards.all_answered, guards.no_input_errors, guards.evidence_confirmed)

GUARDS: Mapping[Action, tuple[Guard, ...]] = {
    # Issue 16 §3: the unit hands on no value carried from last cycle unconfirmed.
    A.SUBMIT_PRELIMINARY: (guards.needs_preliminary, *_HANDED_ON, guards.carried_confirmed),
    A.SUBMIT_TPI: (guards.no_preliminary, *_HANDED_ON, guards.carried_confirmed),
    A.PRELIMINARY_PASS: (guards.areas_signed, *_HANDED_ON),
    A.TPI_MEETS: (guards.areas_signed, guards.eligible, *_HANDED_ON),
    A.PROPOSE: (guards.proposal_gate, guards.eligible, *_HANDED_ON),
    A.APPEAL: (guards.appeal_once,),
    A.DESIGNATE: (
        guards.eligible,
        guards.decree,
        guards.tpn_surveys,
        guards.clearance,
        *_HANDED_ON,
    ),
    # D15: a revocation cites the Minister's decree (number and date) like a designation.
    A.REVOKE: (guards.decree,),
}


# The steps TPN takes (nobody else may): in an agency deployment TPN takes them in PortalRB and
# the agency records each here, naming the PortalRB result it copies (issue 12, ``deployment``).
TPN_STEPS = frozenset(a for a, roles in ALLOWED_ROLES.items() if roles == {Role.TPN})
_CITES_PORTALRB = (guards.portalrb_reference,)
GUARDS = {
    action: (*GUARDS.get(action, ()), *(_CITES_PORTALRB if action in TPN_STEPS else ()))
    for action in Action
    if action in GUARDS or action in TPN_STEPS
}


def _facts_of(action: Action) -> frozenset[Fact]:
    """Every fact ``blockers`` reads for ``action``: its guards', its deadline, its note."""
    reads = {fact for guard in GUARDS.get(action, ()) for fact in guard.reads}
    if action in DEADLINE_OF:
        reads.add(Fact.DEADLINES)
    if action in NOTE_REQUIRED:
        reads.add(Fact.NOTE)
    return frozenset(reads)


# What the service must gather for each action: exactly these facts, no more.
FACTS: Mapping[Action, frozenset[Fact]] = {action: _facts_of(action) for action in Action}


def next_stage(current: Stage, action: Action) -> Stage:
    """The stage ``action`` leads to from ``current``. Raises InvalidTransitionError."""
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise InvalidTransitionError(
            _(
                "Tindakan “%(action)s” tidak dapat dilakukan pada tahap “%(stage)s”.",
                action=_(ACTION_LABELS[action]),
                stage=_(STAGE_LABELS[current]),
            )
        ) from None


def available_actions(current: Stage) -> list[Action]:
    """Actions the table allows from ``current`` (before roles and guards), in table order."""
    return [action for (stage, action) in TRANSITIONS if stage is current]


def ensure_allowed(roles: Collection[Role], action: Action) -> None:
    """Raises NotAllowedError unless one of ``roles`` (already scoped to the unit) may act."""
    if not set(roles) & ALLOWED_ROLES[action]:
        raise NotAllowedError(
            _(
                "Peran Anda tidak berwenang untuk \u201c%(action)s\u201d.",
                action=_(ACTION_LABELS[action]),
            )
        )


def blockers(action: Action, ctx: Context) -> list[str]:
    """Every reason ``action`` cannot be taken now (empty when it can).

    Raises MissingFactError when ``ctx`` lacks a fact the action reads (``FACTS``): checked
    before any guard, so a guard that returns early cannot hide a fact nobody gathered.
    """
    if missing := FACTS[action] - ctx.given:
        raise MissingFactError(
            f"{action.value} reads facts that were not gathered: {', '.join(sorted(missing))}"
        )
    reasons = [r for guard in GUARDS.get(action, ()) if (r := guard(ctx))]
    if (deadline := DEADLINE_OF.get(action)) and (
        late := late_reason(deadline, ctx.deadlines.get(deadline), ctx.today)
    ):
        reasons.append(late)
    if action in NOTE_REQUIRED and not ctx.note.strip():
        reasons.append(_("Catatan/alasan wajib diisi untuk tindakan ini."))
    return reasons


def late_reason(deadline: Deadline, due: date | None, today: date) -> str | None:
    """Why an action bounded by ``deadline`` (its effective date ``due``, after extensions)
    cannot be taken on ``today``, naming the date and who may extend it; None while it is open
    (the day itself included) or without a date (issue 15 §3)."""
    if due is None or today <= due:
        return None
    return _(
        "Batas waktu sudah lewat: %(deadline)s, %(date)s. Perpanjangan dicatat oleh administrator.",
        deadline=_(DEADLINE_LABELS[deadline]),
        date=long_date(due),
    )


def advance(current: Stage, action: Action, roles: Collection[Role], ctx: Context) -> Stage:
    """Apply ``action``: check the table, the roles, then every guard.

    Raises InvalidTransitionError (not from this stage, or a guard fails), NotAllowedError,
    or MissingFactError (``ctx`` lacks a fact of ``FACTS[action]``).
    """
    target = next_stage(current, action)
    ensure_allowed(roles, action)
    if reasons := blockers(action, ctx):
        raise InvalidTransitionError(" ".join(reasons), reasons=reasons)
    return target


DEADLINE_LABELS: Mapping[Deadline, str] = {
    Deadline.SELF_ASSESSMENT_END: N_("Akhir penilaian mandiri"),
    Deadline.TPI_EVALUATION_END: N_("Akhir evaluasi TPI"),
    Deadline.PROPOSAL: N_("Batas pengusulan ke TPN"),
    Deadline.APPEAL: N_("Batas sanggahan"),
}


def _plus_two_years(day: date) -> date:
    try:
        return day.replace(year=day.year + 2)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 2, day=28)


def monitoring_due(designated_on: date, report_dates: Collection[date]) -> date:
    """TPI reports on a designated unit at least every two years (Lampiran II Bab IV.A):
    the next report is due two years after the latest one, or after the designation."""
    return _plus_two_years(max([designated_on, *report_dates]))


# The stages in which a unit's proposal is in TPN's hands: "proposed" for the pause rule.
PROPOSED_STAGES = frozenset(
    {
        Stage.PROPOSED,
        Stage.ADMIN_CONDITIONAL,
        Stage.ADMIN_REJECTED,
        Stage.APPEAL,
        Stage.DESK_EVALUATION,
        Stage.FIELD_EVALUATION,
    }
)


def monitoring_paused(*, holds_wbk_only: bool, proposed_for_wbbm: bool) -> bool:
    """Bab IV.A: TPI reports every 2 years on a WBK unit *not* proposed for WBBM; while it is
    proposed (a WBBM enrolment in ``PROPOSED_STAGES``), its WBBM evaluation stands in for the
    report and the duty pauses. The monitoring page and "Tugas saya" both ask this."""
    return holds_wbk_only and proposed_for_wbbm


def barred_until(revocation_dates: Collection[date]) -> date | None:
    """D10, D15: a unit whose predicate was revoked may not be proposed for WBK for 2 years.
    ``revocation_dates`` are the dates of the revocation decrees (``Designation.bar_from``):
    the bar counts from the latest, and the proposal gate applies it to WBK targets only."""
    if not revocation_dates:
        return None
    return _plus_two_years(max(revocation_dates))
