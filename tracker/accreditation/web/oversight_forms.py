"""Forms of issue 17: the clearance card on the enrolment page (§1), the cycle's overseers,
the Ombudsman result (§4) and the unit's lineage (§5) on the unit's ZI page."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.accreditation.clearance_rules import (
    RESULT_LABELS,
    ZONE_LABELS,
    ClearanceResult,
    OmbudsmanZone,
)
from tracker.accreditation.web.forms import not_in_future
from tracker.agencies.lineage import KIND_LABELS
from tracker.agencies.lineage_models import SuccessionKind
from tracker.forms import L, TrackerForm, choices


class AskForm(TrackerForm):
    overseer = SelectField(L("Pengawas"), validators=[DataRequired()])
    asked_on = DateField(L("Tanggal permintaan"), validators=[DataRequired(), not_in_future])
    note = TextAreaField(
        L("Nomor surat permintaan atau catatan"), validators=[Optional(), Length(max=2000)]
    )


class AnswerForm(TrackerForm):
    answered_on = DateField(L("Tanggal jawaban"), validators=[DataRequired(), not_in_future])
    result = RadioField(
        L("Hasil klirens"),
        choices=choices((r.value, L(label)) for r, label in RESULT_LABELS.items()),
        validators=[DataRequired()],
    )
    summary = TextAreaField(L("Ringkasan temuan"), validators=[Optional(), Length(max=4000)])
    document = FileField(L("Surat jawaban pengawas (berkas)"))
    link = StringField(L("atau tautan surat jawaban"), validators=[Optional(), Length(max=1000)])

    def chosen(self) -> ClearanceResult | None:
        return ClearanceResult(self.result.data) if self.result.data else None


class ResolveForm(TrackerForm):
    resolved_on = DateField(L("Tanggal penyelesaian"), validators=[DataRequired(), not_in_future])
    note = TextAreaField(
        L("Bagaimana temuan diselesaikan"), validators=[DataRequired(), Length(max=4000)]
    )


class OverrideForm(TrackerForm):
    reason = TextAreaField(
        L("Alasan TPN tetap menetapkan"),
        validators=[DataRequired(), Length(max=4000)],  # the service: at least MIN_OVERRIDE_REASON
    )


class OverseersForm(TrackerForm):
    names = TextAreaField(
        L("Pengawas yang dimintai klirens (satu per baris)"),
        validators=[DataRequired(), Length(max=2000)],
    )


class OmbudsmanForm(TrackerForm):
    year = IntegerField(L("Tahun penilaian"), validators=[DataRequired(), NumberRange(2013, 2100)])
    zone = SelectField(
        L("Zona kepatuhan"),
        choices=choices((z.value, L(label)) for z, label in ZONE_LABELS.items()),
        validators=[DataRequired()],
    )
    score = StringField(L("Nilai (0–100)"), validators=[DataRequired(), Length(max=10)])
    certificate = FileField(L("Piagam atau sertifikat Ombudsman (opsional)"))

    def chosen_zone(self) -> OmbudsmanZone:
        return OmbudsmanZone(self.zone.data)


class SuccessionForm(TrackerForm):
    successor_id = SelectField(L("Menjadi unit"), coerce=int, validators=[DataRequired()])
    kind = SelectField(
        L("Jenis perubahan"),
        choices=choices((k.value, L(label)) for k, label in KIND_LABELS.items()),
        validators=[DataRequired()],
    )
    on = DateField(L("Tanggal perubahan"), validators=[DataRequired(), not_in_future])
    decree_ref = StringField(
        L("Dasar perubahan (nomor keputusan)"), validators=[DataRequired(), Length(max=200)]
    )

    def chosen_kind(self) -> SuccessionKind:
        return SuccessionKind(self.kind.data)
