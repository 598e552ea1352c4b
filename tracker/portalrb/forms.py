"""The form that creates a PortalRB token."""

from __future__ import annotations

from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, Optional

from tracker.forms import L, TrackerForm
from tracker.portalrb.rules import MAX_NAME_LENGTH


class TokenForm(TrackerForm):
    name = StringField(
        L("Nama token (mis. PortalRB produksi)"),
        validators=[DataRequired(), Length(max=MAX_NAME_LENGTH)],
    )
    expires_on = DateField(L("Berlaku sampai (opsional)"), validators=[Optional()])
