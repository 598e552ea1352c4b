"""Forms of the complaints register and of monitoring. Every posted field is read through one
of these forms; an invalid one re-renders its page with status 422 (``tracker.forms``)."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, DecimalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.accreditation.models import MonitoringResult
from tracker.complaints import rules
from tracker.complaints.rules import Category, Channel, Status, VerificationOutcome
from tracker.forms import L, TrackerForm, choices
from tracker.i18n import N_

MONITORING_LABELS = {
    MonitoringResult.STILL_MEETS: N_("Masih memenuhi kriteria"),
    MonitoringResult.NO_LONGER_MEETS: N_("Tidak lagi memenuhi kriteria"),
}


def _category_choices():
    return choices((c.value, L(label)) for c, label in rules.CATEGORY_LABELS.items())


class PublicComplaintForm(TrackerForm):
    """The public form: no account. ``website`` is the honeypot (hidden from people, filled by
    scripts); ``shown`` is the signed time the form was shown."""

    category = SelectField(L("Jenis pengaduan"), choices=_category_choices())
    description = TextAreaField(
        L("Uraian pengaduan"),
        validators=[
            DataRequired(),
            Length(min=rules.DESCRIPTION_MIN, max=rules.DESCRIPTION_MAX),
        ],
    )
    contact = StringField(
        L("Kontak (boleh dikosongkan)"), validators=[Optional(), Length(max=rules.CONTACT_MAX)]
    )
    website = StringField(L("Jangan diisi"))
    shown = HiddenField(L("Waktu formulir"))


class RecordComplaintForm(TrackerForm):
    """A complaint the agency received through another channel."""

    channel = SelectField(
        L("Saluran"),
        choices=choices((c.value, L(rules.CHANNEL_LABELS[c])) for c in rules.RECORDED_CHANNELS),
    )
    reference = StringField(L("Nomor rujukan (boleh kosong)"), validators=[Length(max=120)])
    category = SelectField(L("Jenis pengaduan"), choices=_category_choices())
    received_on = DateField(L("Tanggal diterima"), validators=[DataRequired()])
    description = TextAreaField(
        L("Uraian pengaduan"),
        validators=[DataRequired(), Length(min=rules.DESCRIPTION_MIN, max=rules.DESCRIPTION_MAX)],
    )
    contact = StringField(
        L("Kontak pelapor (boleh kosong)"), validators=[Optional(), Length(max=rules.CONTACT_MAX)]
    )

    def chosen_channel(self) -> Channel:
        return Channel(self.channel.data)

    def chosen_category(self) -> Category:
        return Category(self.category.data)


class MoveForm(TrackerForm):
    """A status change with the handler's note; the choices are the statuses it may go to."""

    to = SelectField(L("Status baru"), choices=[])
    note = TextAreaField(
        L("Catatan tindak lanjut"), validators=[DataRequired(), Length(max=rules.NOTE_MAX)]
    )

    def offer(self, current: Status) -> None:
        self.to.choices = choices(
            (s.value, L(rules.STATUS_LABELS[s])) for s in Status if rules.may_move(current, s)
        )


class FileForm(TrackerForm):
    file = FileField(L("Berkas bukti"), validators=[FileRequired()])


class MonitoringForm(TrackerForm):
    designation_id = SelectField(L("Predikat"), coerce=int, choices=[])
    reported_on = DateField(L("Tanggal laporan"), validators=[DataRequired()])
    result = SelectField(
        L("Hasil pemantauan"),
        choices=choices((k.value, L(v)) for k, v in MONITORING_LABELS.items()),
    )
    lke_score = DecimalField(
        L("Nilai LKE"), places=2, validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    letter = FileField(L("Surat laporan (ditandatangani)"), validators=[FileRequired()])
    note = TextAreaField(L("Catatan"), validators=[Length(max=rules.NOTE_MAX)])


class DecideForm(TrackerForm):
    outcome = SelectField(
        L("Hasil verifikasi"),
        choices=choices((k.value, L(v)) for k, v in rules.OUTCOME_LABELS.items()),
    )
    coaching_until = DateField(L("Tenggat pembinaan"), validators=[Optional()])
    note = TextAreaField(
        L("Dasar hasil verifikasi"), validators=[DataRequired(), Length(max=rules.NOTE_MAX)]
    )

    def chosen_outcome(self) -> VerificationOutcome:
        return VerificationOutcome(self.outcome.data)
