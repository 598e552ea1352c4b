"""The notification settings form (one channel per event kind) and the test mail form."""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any

from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.validators import ValidationError as FieldError

from tracker.forms import L, TrackerForm, choices
from tracker.i18n import _
from tracker.notifications.events import CHANNEL_LABELS, EVENTS, Channel, EventKind


class PreferencesForm(TrackerForm):
    """One radio group per event kind, named by the kind (fields added below)."""

    def kind_fields(self) -> list[tuple[EventKind, Any]]:
        return [(kind, self[kind.value]) for kind in EventKind]

    def chosen(self) -> dict[EventKind, Channel]:
        return {kind: Channel(self[kind.value].data) for kind in EventKind}


for _kind in EventKind:
    setattr(
        PreferencesForm,
        _kind.value,
        RadioField(
            L(EVENTS[_kind].label),
            choices=choices((c.value, L(CHANNEL_LABELS[c])) for c in Channel),
            default=EVENTS[_kind].default.value,
            validators=[DataRequired()],
        ),
    )


class TestMailForm(TrackerForm):
    to = StringField(L("Kirim ke alamat"), validators=[DataRequired(), Length(max=200)])

    def validate_to(self, field: Any) -> None:
        address = parseaddr(field.data or "")[1]
        if "@" not in address or address != (field.data or "").strip():
            raise FieldError(_("Tulis satu alamat e-mail, misalnya nama@instansi.go.id."))
