"""The pure rules of notifications: the catalogue, channels, reminder offsets, retry waits."""

from __future__ import annotations

import pytest

from tracker.notifications.events import (
    DEADLINE_OFFSETS,
    EVENTS,
    MAX_ATTEMPTS,
    TOKEN_OFFSETS,
    Channel,
    EventKind,
    channel_for,
    event_kind_for_action,
    reminder_offset,
    render,
    retry_delay,
)
from tracker.notifications.language import translator


def test_every_event_kind_has_a_subject_body_and_default() -> None:
    assert set(EVENTS) == set(EventKind)
    for spec in EVENTS.values():
        assert spec.subject and spec.body and spec.label
        assert spec.default in Channel


def test_rendering_fills_the_placeholders_in_indonesian() -> None:
    params = {"item": "A.I.1.i.a", "unit": "Polres Uji", "actor": "Budi", "comment": "SK belum ada"}
    text = render(EventKind.ITEM_SENT_BACK, params, lambda s: s)
    assert text.subject == "Butir A.I.1.i.a Polres Uji dikembalikan untuk perbaikan"
    assert "Catatan penilai: SK belum ada" in text.body


def test_rendering_in_english_translates_the_text_and_the_stage_labels(
    compiled_catalogues,
) -> None:
    if compiled_catalogues is not None:
        pytest.skip(compiled_catalogues)
    params = {"unit": "Polres Uji", "actor": "Budi", "stage": "Pembangunan", "from_stage": ""}
    text = render(EventKind.STAGE_CHANGED, params, translator("en"))
    assert text.subject == "Polres Uji is now at stage Building"


def test_a_missing_parameter_never_breaks_a_message() -> None:
    text = render(EventKind.DESIGNATED, {"unit": "Polres Uji"}, lambda s: s)
    assert text.subject == "Polres Uji ditetapkan sebagai -"


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (15, None),
        (14, 14),
        (13, 14),
        (8, 14),
        (7, 7),
        (6, 7),
        (4, 7),
        (3, 3),
        (2, 3),
        (1, 1),
        (0, 1),
        (-1, None),
    ],
)
def test_each_day_before_a_deadline_falls_under_one_reminder(days_left, expected) -> None:
    assert reminder_offset(days_left, DEADLINE_OFFSETS) == expected


def test_tokens_are_reminded_within_seven_days_only() -> None:
    assert reminder_offset(8, TOKEN_OFFSETS) is None
    assert reminder_offset(7, TOKEN_OFFSETS) == 7


def test_retries_wait_longer_each_time_and_end() -> None:
    waits = [retry_delay(n) for n in range(1, MAX_ATTEMPTS)]
    assert waits == sorted(waits) and waits[0] == 60
    assert retry_delay(MAX_ATTEMPTS) is None


def test_a_user_without_e_mail_is_told_in_the_app_only() -> None:
    chosen = {EventKind.ITEM_SENT_BACK: Channel.DIGEST}
    assert channel_for(EventKind.ITEM_SENT_BACK, chosen, has_email=True) is Channel.DIGEST
    assert channel_for(EventKind.ITEM_SENT_BACK, chosen, has_email=False) is Channel.IN_APP
    assert (
        channel_for(EventKind.DESIGNATED, {}, has_email=True)
        is EVENTS[EventKind.DESIGNATED].default
    )


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        ("submit_preliminary", EventKind.STAGE_CHANGED),
        ("admin_pass", EventKind.PROPOSAL_DECIDED),
        ("coach", EventKind.PROPOSAL_DECIDED),
        ("designate", None),
        ("revoke", None),
    ],
)
def test_stage_changes_are_told_as_what_they_are(action, kind) -> None:
    assert event_kind_for_action(action) == kind
