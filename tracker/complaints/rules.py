"""The complaints register and post-designation monitoring, as rules (issue 17 §2, §3). Pure:
no Flask, no SQLAlchemy.

- A complaint moves received → verified → clarified → resolved, or to unfounded from received,
  verified or clarified (``TRANSITIONS``); each status has a working-day-free due date
  (``due_on``).
- Who may read the register, who may handle it (``may_read``, ``may_handle``).
- The public form's spam checks: the honeypot and the signed form time (``form_time_problem``).
- Monitoring (Lampiran II Bab IV): a "no longer meets" report or a verified serious complaint
  opens a verification task, due ``VERIFICATION_DAYS`` later; its outcome is "still meets",
  "coaching with deadline" or "propose revocation" (``VerificationOutcome``). The pause of the
  2-yearly duty is accreditation's (``workflow.monitoring_paused``): "Tugas saya" asks it too.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, timedelta

from tracker.auth.access import Grant
from tracker.auth.roles import Role
from tracker.i18n import N_


class Category(enum.StrEnum):
    MALADMINISTRATION = "maladministration"
    EXTORTION = "extortion"  # pungli / gratifikasi
    SERVICE_QUALITY = "service_quality"
    OTHER = "other"


class Channel(enum.StrEnum):
    PUBLIC_FORM = "public_form"  # this tracker's own public form
    OMBUDSMAN = "ombudsman"
    LAPOR = "lapor"  # SP4N-LAPOR!
    MEDIA = "media"
    OTHER = "other"


class Status(enum.StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    CLARIFIED = "clarified"
    RESOLVED = "resolved"
    UNFOUNDED = "unfounded"


CATEGORY_LABELS = {
    Category.MALADMINISTRATION: N_("Maladministrasi"),
    Category.EXTORTION: N_("Pungli atau gratifikasi"),
    Category.SERVICE_QUALITY: N_("Kualitas layanan"),
    Category.OTHER: N_("Lainnya"),
}
CHANNEL_LABELS = {
    Channel.PUBLIC_FORM: N_("Formulir publik"),
    Channel.OMBUDSMAN: N_("Laporan Ombudsman"),
    Channel.LAPOR: N_("SP4N-LAPOR!"),
    Channel.MEDIA: N_("Media"),
    Channel.OTHER: N_("Saluran lain"),
}
STATUS_LABELS = {
    Status.RECEIVED: N_("Diterima"),
    Status.VERIFIED: N_("Diverifikasi"),
    Status.CLARIFIED: N_("Diklarifikasi"),
    Status.RESOLVED: N_("Selesai"),
    Status.UNFOUNDED: N_("Tidak terbukti"),
}
# Channels the agency records by hand (the public form files its own).
RECORDED_CHANNELS = tuple(c for c in Channel if c is not Channel.PUBLIC_FORM)

FINAL = frozenset({Status.RESOLVED, Status.UNFOUNDED})
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.VERIFIED, Status.UNFOUNDED}),
    Status.VERIFIED: frozenset({Status.CLARIFIED, Status.UNFOUNDED}),
    Status.CLARIFIED: frozenset({Status.RESOLVED, Status.UNFOUNDED}),
    Status.RESOLVED: frozenset(),
    Status.UNFOUNDED: frozenset(),
}
# Days allowed in each open status before the complaint is late.
DAYS_IN_STATUS = {Status.RECEIVED: 5, Status.VERIFIED: 14, Status.CLARIFIED: 14}

# Pungli / gratification: verified, it puts the predicate itself in question (Bab IV.C).
SERIOUS = frozenset({Category.EXTORTION})

READERS = frozenset(
    {Role.ADMIN, Role.TPN, Role.TPI, Role.PIMPINAN, Role.KOORDINATOR, Role.ANGGOTA_POKJA}
)
HANDLERS = frozenset({Role.ADMIN, Role.TPN, Role.TPI, Role.PIMPINAN, Role.KOORDINATOR})
MONITORING_REPORTERS = frozenset({Role.ADMIN, Role.TPI})
VERIFIERS = frozenset({Role.ADMIN, Role.TPN, Role.TPI})

# Length limits of the public form.
DESCRIPTION_MIN, DESCRIPTION_MAX = 20, 4000
CONTACT_MAX = 200
NOTE_MAX = 2000

# The public form must be open at least this long before it is sent, and no longer than this.
MIN_FORM_SECONDS = 3
MAX_FORM_SECONDS = 2 * 60 * 60
PUBLIC_FORM_PER_MINUTE = 5  # per client address, through the named limits

VERIFICATION_DAYS = 30


def next_statuses(status: Status) -> frozenset[Status]:
    return TRANSITIONS[status]


def may_move(current: Status, to: Status) -> bool:
    return to in TRANSITIONS[current]


def due_on(status: Status, since: date) -> date | None:
    """When a complaint that entered ``status`` on ``since`` must move on; None once closed."""
    days = DAYS_IN_STATUS.get(status)
    return None if days is None else since + timedelta(days=days)


def is_late(status: Status, since: date, today: date) -> bool:
    due = due_on(status, since)
    return due is not None and today > due


def is_serious(category: Category, status: Status) -> bool:
    """A serious complaint that has been verified (or got further without being unfounded)."""
    return category in SERIOUS and status in {Status.VERIFIED, Status.CLARIFIED, Status.RESOLVED}


def may_read(roles: Iterable[Role]) -> bool:
    return bool(READERS & set(roles))


def may_handle(roles: Iterable[Role]) -> bool:
    return bool(HANDLERS & set(roles))


def may_report_monitoring(roles: Iterable[Role]) -> bool:
    return bool(MONITORING_REPORTERS & set(roles))


def may_verify(roles: Iterable[Role]) -> bool:
    return bool(VERIFIERS & set(roles))


def verification_desk(grants: Iterable[Grant]) -> tuple[bool, frozenset[int]]:
    """Whose open verification tasks land on this person's desk ("Tugas saya"): every unit's
    for TPN and administrators (True), else the units of the agencies where they are TPI."""
    grants = list(grants)
    if any(g.role in {Role.TPN, Role.ADMIN} for g in grants):
        return True, frozenset()
    return False, frozenset(
        g.agency_id for g in grants if g.role is Role.TPI and g.agency_id is not None
    )


def form_time_problem(issued_at: float, now: float) -> str | None:
    """Why a public form sent ``now`` (seconds) after being shown at ``issued_at`` is refused:
    too fast for a person, or shown too long ago; None when it may be accepted."""
    age = now - issued_at
    if age < MIN_FORM_SECONDS:
        return N_("Formulir dikirim terlalu cepat. Tunggu beberapa detik, lalu kirim lagi.")
    if age > MAX_FORM_SECONDS:
        return N_("Formulir ini sudah terlalu lama dibuka. Muat ulang halaman, lalu kirim lagi.")
    return None


# --- monitoring ---------------------------------------------------------------------------------


class VerificationReason(enum.StrEnum):
    NO_LONGER_MEETS = "no_longer_meets"  # the monitoring report says so
    SERIOUS_COMPLAINT = "serious_complaint"  # a verified pungli / gratification complaint


class VerificationOutcome(enum.StrEnum):
    STILL_MEETS = "still_meets"
    COACHING = "coaching"  # coaching, with a deadline
    PROPOSE_REVOCATION = "propose_revocation"


REASON_LABELS = {
    VerificationReason.NO_LONGER_MEETS: N_("Laporan pemantauan: tidak lagi memenuhi kriteria"),
    VerificationReason.SERIOUS_COMPLAINT: N_("Pengaduan pungli atau gratifikasi terverifikasi"),
}
OUTCOME_LABELS = {
    VerificationOutcome.STILL_MEETS: N_("Masih memenuhi kriteria"),
    VerificationOutcome.COACHING: N_("Pembinaan dengan tenggat"),
    VerificationOutcome.PROPOSE_REVOCATION: N_("Usulkan pencabutan predikat"),
}


def verification_due(opened_on: date) -> date:
    return opened_on + timedelta(days=VERIFICATION_DAYS)


def outcome_problems(
    outcome: VerificationOutcome, *, coaching_until: date | None, note: str, today: date
) -> list[str]:
    """What is missing for ``outcome``: coaching needs a deadline after today; every outcome
    needs its reasons written down."""
    problems = []
    if outcome is VerificationOutcome.COACHING and (
        coaching_until is None or coaching_until <= today
    ):
        problems.append(N_("Pembinaan perlu tenggat sesudah hari ini."))
    if not note.strip():
        problems.append(N_("Tuliskan dasar hasil verifikasi."))
    return problems


def opens_verification(*, no_longer_meets: bool) -> bool:
    """A monitoring report that says "no longer meets" always asks for verification."""
    return no_longer_meets
