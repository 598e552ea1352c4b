"""The administrator's form for the public address."""

from __future__ import annotations

from typing import Any

from wtforms import StringField
from wtforms.validators import ValidationError as FieldError

from tracker.errors import ValidationError
from tracker.forms import L, TrackerForm
from tracker.system import public_url


class PublicUrlForm(TrackerForm):
    public_base_url = StringField(L("Alamat publik"))

    def validate_public_base_url(self, field: Any) -> None:
        """Empty means "use the environment's address"; anything else must be a clean origin
        (the service checks again: the form only puts the message next to the field)."""
        if (field.data or "").strip():
            try:
                public_url.clean(field.data)
            except ValidationError as err:
                raise FieldError(str(err)) from err
