"""The catalogue of notification events and the rules around them. Pure: no Flask, no database.

Each event kind has a label (the preferences page), a subject and a body written in Indonesian
(the message ids; English is in this package's catalogue) with ``%(name)s`` placeholders, the
parameters whose values are themselves message ids (stage labels: translated in the reader's
language, not the sender's), and the channel a user gets until they choose one.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from tracker.i18n import N_


class EventKind(enum.StrEnum):
    ITEM_SENT_BACK = "item_sent_back"
    ITEM_RESUBMITTED = "item_resubmitted"
    AREA_SIGNED_OFF = "area_signed_off"
    STAGE_CHANGED = "stage_changed"
    PROPOSAL_DECIDED = "proposal_decided"
    DESIGNATED = "designated"
    REVOKED = "revoked"
    TOKEN_EXPIRING = "token_expiring"  # noqa: S105 - an event name, not a secret
    DEADLINE_REMINDER = "deadline_reminder"


class Channel(enum.StrEnum):
    """How a user hears of an event kind."""

    IN_APP = "in_app"  # only the bell and the list
    EMAIL = "email"  # an e-mail at once (sent by the job queue)
    DIGEST = "digest"  # one e-mail a day with everything of the kind since the last one


CHANNEL_LABELS: Mapping[Channel, str] = {
    Channel.IN_APP: N_("Hanya di aplikasi"),
    Channel.EMAIL: N_("E-mail segera"),
    Channel.DIGEST: N_("Ringkasan harian"),
}


@dataclass(frozen=True)
class EventSpec:
    label: str
    subject: str
    body: str
    default: Channel
    translated: tuple[str, ...] = ()  # parameters holding message ids (stage labels)


EVENTS: Mapping[EventKind, EventSpec] = {
    EventKind.ITEM_SENT_BACK: EventSpec(
        N_("Butir dikembalikan untuk perbaikan"),
        N_("Butir %(item)s %(unit)s dikembalikan untuk perbaikan"),
        N_(
            "%(actor)s mengembalikan butir %(item)s LKE %(unit)s untuk perbaikan. "
            "Catatan penilai: %(comment)s"
        ),
        Channel.EMAIL,
    ),
    EventKind.ITEM_RESUBMITTED: EventSpec(
        N_("Butir dikirim ulang oleh unit"),
        N_("Butir %(item)s %(unit)s dikirim ulang"),
        N_("%(actor)s mengirim ulang butir %(item)s LKE %(unit)s setelah perbaikan."),
        Channel.DIGEST,
    ),
    EventKind.AREA_SIGNED_OFF: EventSpec(
        N_("Area ditandatangani penilai"),
        N_("Area %(area)s %(unit)s ditandatangani"),
        N_("%(actor)s menandatangani area %(area)s LKE %(unit)s."),
        Channel.DIGEST,
    ),
    EventKind.STAGE_CHANGED: EventSpec(
        N_("Tahap unit berubah"),
        N_("%(unit)s kini pada tahap %(stage)s"),
        N_("%(actor)s memindahkan %(unit)s dari tahap %(from_stage)s ke tahap %(stage)s."),
        Channel.EMAIL,
        ("stage", "from_stage"),
    ),
    EventKind.PROPOSAL_DECIDED: EventSpec(
        N_("Keputusan atas usulan"),
        N_("Usulan %(unit)s diputuskan: %(stage)s"),
        N_("TPN memutuskan usulan %(unit)s: tahap kini %(stage)s."),
        Channel.EMAIL,
        ("stage",),
    ),
    EventKind.DESIGNATED: EventSpec(
        N_("Unit ditetapkan"),
        N_("%(unit)s ditetapkan sebagai %(predicate)s"),
        N_("%(unit)s ditetapkan sebagai %(predicate)s dengan keputusan nomor %(decree)s."),
        Channel.EMAIL,
    ),
    EventKind.REVOKED: EventSpec(
        N_("Predikat dicabut"),
        N_("Predikat %(unit)s dicabut"),
        N_("Predikat %(predicates)s %(unit)s dicabut."),
        Channel.EMAIL,
    ),
    EventKind.TOKEN_EXPIRING: EventSpec(
        N_("Token PortalRB akan kedaluwarsa"),
        N_("Token PortalRB %(token)s kedaluwarsa dalam %(days)s hari"),
        N_(
            "Token PortalRB %(token)s milik %(agency)s kedaluwarsa pada %(date)s. "
            "Buat token baru dan daftarkan di PortalRB sebelum tanggal itu."
        ),
        Channel.EMAIL,
    ),
    EventKind.DEADLINE_REMINDER: EventSpec(
        N_("Pengingat tenggat siklus"),
        N_("%(deadline)s %(unit)s: %(days)s hari lagi"),
        N_("Tenggat %(deadline)s untuk %(unit)s jatuh pada %(date)s, %(days)s hari lagi."),
        Channel.EMAIL,
        ("deadline",),
    ),
}

# TPN's administrative selection: its decisions on a proposal (the rest are stage changes).
PROPOSAL_DECISIONS = frozenset(
    {
        "admin_pass",
        "admin_pass_with_notes",
        "admin_fail",
        "accept_corrections",
        "reject_corrections",
        "appeal_accept",
        "appeal_reject",
        "desk_stop",
        "coach",
    }
)
# Days before a deadline (or a token's expiry) on which a reminder goes out.
DEADLINE_OFFSETS = (14, 7, 3, 1)
TOKEN_OFFSETS = (7, 3, 1)
# Delivery: attempts before a message is given up, and the wait before each retry.
MAX_ATTEMPTS = 6
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 6 * 3600
# A message claimed for sending whose worker never reported back (killed mid-send): after this
# long it is queued again (at worst once more; its Message-ID lets mail servers spot the copy).
STALE_SENDING_SECONDS = 15 * 60


def event_kind_for_action(action: str) -> EventKind | None:
    """The event a stage change is told as: a proposal decision, a plain stage change, or
    nothing (designation and revocation are told by their own events)."""
    if action in ("designate", "revoke"):
        return None
    if action in PROPOSAL_DECISIONS:
        return EventKind.PROPOSAL_DECIDED
    return EventKind.STAGE_CHANGED


def channel_for(kind: EventKind, chosen: Mapping[EventKind, Channel], has_email: bool) -> Channel:
    """The channel ``kind`` reaches a user on: their choice or the default; in-app when they
    have no e-mail address."""
    channel = chosen.get(kind, EVENTS[kind].default)
    return channel if has_email else Channel.IN_APP


def reminder_offset(days_left: int, offsets: Iterable[int]) -> int | None:
    """The reminder due with ``days_left`` days to go: the smallest offset not below it, so a
    day the reminders did not run is caught up the next day under the same offset (and so told
    once); None when the date is past or further away than every offset."""
    if days_left < 0:
        return None
    due = [offset for offset in offsets if offset >= days_left]
    return min(due) if due else None


def retry_delay(attempts: int) -> int | None:
    """Seconds to wait before attempt ``attempts + 1`` (doubling from a minute, capped), or
    None when ``attempts`` used them all up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return int(min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def render(kind: EventKind, params: Mapping[str, str], translate: Callable[[str], str]) -> Rendered:
    """The subject and body of ``kind`` in the language ``translate`` speaks. A missing
    parameter shows as "-" rather than failing: a message must never break its delivery."""
    spec = EVENTS[kind]
    values = _Params(
        {k: translate(v) if k in spec.translated and v else v for k, v in params.items()}
    )
    return Rendered(translate(spec.subject) % values, translate(spec.body) % values)


class _Params(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "-"
