"""Evidence forms: streamed upload, upload (classic multipart fallback), link, verdict."""

from __future__ import annotations

from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from tracker.evidence.models import CheckVerdict
from tracker.forms import L, TrackerForm, choices
from tracker.i18n import N_

VERDICT_LABELS = {
    CheckVerdict.OK: N_("Sesuai"),
    CheckVerdict.MISSING: N_("Kurang"),
    CheckVerdict.INVALID: N_("Tidak valid"),
}
CODE = Regexp(r"^[A-Za-z0-9.]{1,40}$")
KEY = Regexp(r"^[a-z0-9-]{0,80}$")
PUBLIC_ID = Regexp(r"^[0-9a-f]{32}$")


class StreamUploadForm(TrackerForm):
    """Where a streamed file goes, from the query string: the file itself is the request body.

    No CSRF field: the token travels in the ``X-CSRFToken`` header, which ``CSRFProtect``
    checks before the view runs.
    """

    class Meta:
        csrf = False

    item = StringField(L("Butir"), validators=[DataRequired(), CODE])
    document = StringField(L("Dokumen"), validators=[Optional(), KEY])
    description = StringField(L("Keterangan"), validators=[Optional(), Length(max=500)])
    # The file this one replaces (its next version); without it the upload adds a file.
    replaces = StringField(L("Berkas yang diganti"), validators=[Optional(), PUBLIC_ID])


class UploadForm(TrackerForm):
    item = HiddenField(validators=[DataRequired(), CODE])
    document = HiddenField(validators=[Optional(), KEY])
    files = MultipleFileField(L("Berkas"))
    description = StringField(L("Keterangan"), validators=[Optional(), Length(max=500)])
    replaces = HiddenField(validators=[Optional(), PUBLIC_ID])


class LinkForm(TrackerForm):
    item = HiddenField(validators=[DataRequired(), CODE])
    document = HiddenField(validators=[Optional(), KEY])
    url = StringField(L("Tautan"), validators=[DataRequired(), Length(max=1000)])
    title = StringField(L("Judul"), validators=[Optional(), Length(max=200)])
    replaces = HiddenField(validators=[Optional(), PUBLIC_ID])


class CheckForm(TrackerForm):
    verdict = RadioField(
        L("Penilaian dokumen"),
        validators=[DataRequired()],
        choices=choices((k.value, L(v)) for k, v in VERDICT_LABELS.items()),
    )
    comment = TextAreaField(L("Komentar"), validators=[Optional(), Length(max=2000)])
    seq = IntegerField(validators=[NumberRange(0)], default=0)
