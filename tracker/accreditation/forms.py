"""Forms of the life cycle: cycles, declaration, transitions, answers, reviews, prerequisites."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from tracker.accreditation.models import DecisionKind, MonitoringResult, Predicate
from tracker.accreditation.workflow import Action, Deadline
from tracker.forms import L, TrackerForm, choices
from tracker.i18n import N_

MONITORING_LABELS = {
    MonitoringResult.STILL_MEETS: N_("Masih memenuhi kriteria"),
    MonitoringResult.NO_LONGER_MEETS: N_("Tidak lagi memenuhi kriteria"),
}


class CycleForm(TrackerForm):
    year = IntegerField(L("Tahun evaluasi"), validators=[DataRequired(), NumberRange(2000, 2100)])
    name = StringField(L("Nama siklus"), validators=[Optional(), Length(max=200)])
    framework_id = SelectField(L("Versi kerangka LKE"), coerce=int)
    area_floor_mode = SelectField(
        L("Batas 60 %/75 % per area berlaku untuk"),
        choices=choices(
            [
                ("combined", L("setiap area (pemenuhan + reform)")),
                ("each_half", L("setiap paruh area (pemenuhan dan reform terpisah)")),
            ]
        ),
    )
    self_assessment_start = DateField(L("Penilaian mandiri mulai"), validators=[DataRequired()])
    self_assessment_end = DateField(L("Penilaian mandiri selesai"), validators=[DataRequired()])
    tpi_evaluation_start = DateField(L("Evaluasi TPI mulai"), validators=[DataRequired()])
    tpi_evaluation_end = DateField(L("Evaluasi TPI selesai"), validators=[DataRequired()])
    proposal_deadline = DateField(L("Batas pengusulan ke TPN"), validators=[DataRequired()])
    appeal_deadline = DateField(L("Batas sanggahan"), validators=[Optional()])
    desk_evaluation_start = DateField(L("Desk evaluasi mulai"), validators=[Optional()])
    field_evaluation_start = DateField(L("Evaluasi lapangan mulai"), validators=[Optional()])
    designation_date = DateField(L("Tanggal penetapan"), validators=[Optional()])


class ExtendDeadlineForm(TrackerForm):
    deadline = SelectField(L("Batas waktu"), choices=choices((d.value, d.value) for d in Deadline))
    agency_id = SelectField(L("Untuk instansi"), coerce=int, validators=[Optional()])
    new_date = DateField(L("Tanggal baru"), validators=[DataRequired()])
    reason = TextAreaField(L("Alasan"), validators=[DataRequired(), Length(max=2000)])


class QuotaForm(TrackerForm):
    agency_id = SelectField(L("Instansi"), coerce=int)
    max_proposals = IntegerField(
        L("Kuota usulan"), validators=[DataRequired(), NumberRange(0, 10000)]
    )


class KknForm(TrackerForm):
    agency_id = SelectField(L("Instansi"), coerce=int)
    occurred_on = DateField(L("Tanggal kasus"), validators=[DataRequired()])
    description = TextAreaField(L("Uraian kasus"), validators=[DataRequired(), Length(max=4000)])


class DeclareForm(TrackerForm):
    cycle_id = SelectField(L("Siklus evaluasi"), coerce=int)
    target = SelectField(
        L("Target predikat"), choices=choices((p.value, f"Menuju {p.value}") for p in Predicate)
    )
    declared_on = DateField(L("Tanggal pencanangan"), validators=[DataRequired()])
    note = TextAreaField(L("Keterangan pencanangan"), validators=[Optional(), Length(max=2000)])
    pakta = FileField(L("Pakta Integritas (PDF/foto)"))
    pakta_link = StringField(
        L("atau tautan ke dokumen Pakta Integritas"), validators=[Optional(), Length(max=1000)]
    )


class TransitionForm(TrackerForm):
    action = HiddenField(validators=[DataRequired()])
    version = IntegerField(validators=[DataRequired()])
    note = TextAreaField(L("Catatan / alasan"), validators=[Optional(), Length(max=4000)])
    decree_number = StringField(
        L("Nomor keputusan menteri"), validators=[Optional(), Length(max=120)]
    )
    decree_date = DateField(L("Tanggal keputusan"), validators=[Optional()])
    on_date = DateField(L("Tanggal"), validators=[Optional()])
    monitoring_result = SelectField(
        L("Hasil pemantauan"),
        validators=[Optional()],
        choices=choices((k.value, L(v)) for k, v in MONITORING_LABELS.items()),
    )

    def chosen_action(self) -> Action | None:
        try:
            return Action(self.action.data)
        except ValueError:
            return None


class DecisionForm(TrackerForm):
    kind = RadioField(
        L("Keputusan"),
        choices=choices(
            [
                (DecisionKind.APPROVED.value, L("Setujui")),
                (DecisionKind.REVISION.value, L("Kembalikan untuk perbaikan")),
            ]
        ),
        validators=[DataRequired()],
    )
    comment = TextAreaField(L("Komentar"), validators=[Optional(), Length(max=4000)])
    seq = IntegerField(validators=[NumberRange(0)], default=0)


class ResubmitForm(TrackerForm):
    comment = TextAreaField(L("Apa yang diperbaiki"), validators=[Optional(), Length(max=4000)])
    seq = IntegerField(validators=[NumberRange(0)], default=0)


class WorksheetForm(TrackerForm):
    file = FileField(L("Berkas LKE (.xlsx, format resmi Lampiran III)"))


class PrerequisiteForm(TrackerForm):
    code = HiddenField(validators=[DataRequired(), Regexp(r"^[a-z0-9_.]{1,60}$")])
    value = StringField(L("Nilai"), validators=[DataRequired(), Length(max=120)])
    note = TextAreaField(L("Keterangan"), validators=[Optional(), Length(max=2000)])
    file = FileField(L("Bukti"))
    link = StringField(L("atau tautan bukti"), validators=[Optional(), Length(max=1000)])


class FilterForm(TrackerForm):
    """Dashboard filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    agency = SelectField(L("Instansi"), coerce=int, validators=[Optional()])
    stage = SelectField(L("Tahap"), validators=[Optional()])
    predicate = SelectField(
        L("Predikat"),
        validators=[Optional()],
        choices=choices([("", "—")] + [(p.value, p.value) for p in Predicate]),
    )
    q = StringField(L("Cari unit"), validators=[Optional(), Length(max=100)])
    page = IntegerField(validators=[Optional(), NumberRange(1, 100000)], default=1)
