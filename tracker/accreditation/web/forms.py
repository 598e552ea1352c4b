"""Forms of the life cycle: cycles, declaration, transitions, answers, reviews, prerequisites.

Every posted field is read through one of these forms, never from ``request.form`` by hand.
Fields the page fills in itself (versions, sequence numbers, codes) carry a label too, so an
error on them reads like any other (see ``tracker.accreditation.web``).
"""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from tracker.accreditation.models import DecisionKind, MonitoringResult, Predicate
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.workflow import DEADLINE_LABELS, Action, Deadline
from tracker.errors import ValidationError
from tracker.forms import L, TrackerForm, choices
from tracker.i18n import N_, _
from tracker.lke import AnswerType, FloorMode, Item

MONITORING_LABELS = {
    MonitoringResult.STILL_MEETS: N_("Masih memenuhi kriteria"),
    MonitoringResult.NO_LONGER_MEETS: N_("Tidak lagi memenuhi kriteria"),
}
FLOOR_MODE_LABELS = {
    FloorMode.COMBINED: N_("setiap area (pemenuhan + reform)"),
    FloorMode.EACH_HALF: N_("setiap paruh area (pemenuhan dan reform terpisah)"),
}
WORKSHEET_MAX_BYTES = 20 * 1024 * 1024


def _floor_mode(value: Any) -> FloorMode | None:
    return FloorMode(value) if value else None


class CycleForm(TrackerForm):
    year = IntegerField(L("Tahun evaluasi"), validators=[DataRequired(), NumberRange(2000, 2100)])
    name = StringField(L("Nama siklus"), validators=[Optional(), Length(max=200)])
    framework_id = SelectField(L("Versi kerangka LKE"), coerce=int)
    area_floor_mode = SelectField(
        L("Batas 60 %/75 % per area berlaku untuk"),
        coerce=_floor_mode,
        choices=choices((m, L(label)) for m, label in FLOOR_MODE_LABELS.items()),
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
    deadline = SelectField(
        L("Batas waktu"), choices=choices((d.value, L(DEADLINE_LABELS[d])) for d in Deadline)
    )
    agency_id = SelectField(L("Untuk instansi"), coerce=int, validators=[Optional()])
    new_date = DateField(L("Tanggal baru"), validators=[DataRequired()])
    reason = TextAreaField(L("Alasan"), validators=[DataRequired(), Length(max=2000)])


class QuotaForm(TrackerForm):
    agency_id = SelectField(L("Instansi"), coerce=int)
    # InputRequired, not DataRequired: a quota of 0 (no proposal at all) is a valid answer.
    max_proposals = IntegerField(
        L("Kuota usulan"), validators=[InputRequired(), NumberRange(0, 10000)]
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
    action = HiddenField(
        L("Tindakan"),
        validators=[DataRequired(), AnyOf([a.value for a in Action], L("Pilihan tidak valid."))],
    )
    version = IntegerField(L("Versi"), validators=[DataRequired()])
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
    # Issue 12: in an agency deployment a TPN step cites the PortalRB result it records; the
    # service requires it then (the portalrb_reference guard), so it is no validator here.
    portalrb_reference = StringField(
        L("Referensi hasil PortalRB"), validators=[Optional(), Length(max=500)]
    )
    # D16: shown, and required, on a hand-off whose answered items lack evidence; the service
    # refuses such a hand-off without it (the evidence_confirmed guard), so it is no validator.
    confirm_evidence = BooleanField(
        L(
            "Saya mengerti bahwa butir di atas diserahkan tanpa bukti dukung yang lengkap dan "
            "akan ditandai “tanpa bukti” bagi penilai."
        )
    )

    def chosen_action(self) -> Action:
        """The action posted; call after ``validate_on_submit`` (which checks it is one)."""
        return Action(self.action.data)

    def chosen_result(self) -> MonitoringResult | None:
        return (
            MonitoringResult(self.monitoring_result.data) if self.monitoring_result.data else None
        )


class AnswerForm(TrackerForm):
    """One item's answer as posted from the LKE page; ``answer_form`` adds the fields of the
    item's answer type (the names the page uses: ``value``, ``count_<n>``, ``index``,
    ``prov_<key>``)."""

    version = IntegerField(L("Versi isian"), validators=[NumberRange(0)], default=0)
    note = TextAreaField(L("Catatan"), validators=[Optional()])

    def raw_answer(self, item: Item) -> Any:
        """The posted fields as the engine's raw answer (the engine validates it)."""
        if item.answer_type is AnswerType.PERCENT:
            counts = [self._text(f"count_{i}") for i in range(len(item.inputs))]
            return counts if any(counts) else None
        if item.answer_type is AnswerType.SURVEY_INDEX:
            index = self._text("index")
            if not index:
                return None
            extra = {f.key: self._text(f"prov_{f.key}")[:200] for f in item.provenance}
            return {"index": index, **{k: v for k, v in extra.items() if v}}
        return self._text("value") or None

    def _text(self, name: str) -> str:
        return (self[name].data or "").strip()


def answer_form(item: Item) -> AnswerForm:
    """The answer form of ``item``, with the fields of its answer type."""

    class ItemAnswerForm(AnswerForm):
        pass

    if item.answer_type is AnswerType.PERCENT:
        for i, inp in enumerate(item.inputs):
            setattr(ItemAnswerForm, f"count_{i}", StringField(inp.label))
    elif item.answer_type is AnswerType.SURVEY_INDEX:
        ItemAnswerForm.index = StringField(L("Indeks (0,00–4,00)"))
        for f in item.provenance:
            setattr(ItemAnswerForm, f"prov_{f.key}", StringField(f.label))
    else:
        ItemAnswerForm.value = StringField(L("Jawaban"))
    return ItemAnswerForm()


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
    seq = IntegerField(L("Urutan keputusan"), validators=[NumberRange(0)], default=0)


class ResubmitForm(TrackerForm):
    comment = TextAreaField(L("Apa yang diperbaiki"), validators=[Optional(), Length(max=4000)])
    seq = IntegerField(L("Urutan keputusan"), validators=[NumberRange(0)], default=0)


class WorksheetForm(TrackerForm):
    file = FileField(
        L("Berkas LKE (.xlsx: Lampiran III atau templat PortalRB)"),
        validators=[FileRequired(L("Pilih berkas LKE (.xlsx) untuk diimpor."))],
    )
    # The tiers of the enrolment's cycle, set by the view (D8: a cycle's tiers are data).
    tier = SelectField(L("Tingkat penilaian"), default=TierCode.UNIT)

    def file_bytes(self) -> bytes:
        """The uploaded worksheet, read up to the limit. Raises ValidationError beyond it."""
        data = self.file.data.read(WORKSHEET_MAX_BYTES + 1)
        if len(data) > WORKSHEET_MAX_BYTES:
            raise ValidationError(_("Berkas LKE lebih dari 20 MB."))
        return bytes(data)


class SoalImportForm(WorksheetForm):
    """Answers keyed by PortalRB's ``soal_id`` (issue 12): TPN's published evaluation."""

    file = FileField(
        L("Berkas jawaban per soal_id (.csv atau .json: soal_id, jawaban, catatan)"),
        validators=[FileRequired(L("Pilih berkas jawaban (.csv atau .json) untuk diimpor."))],
    )
    tier = SelectField(L("Tingkat penilaian"), default=TierCode.TPN)


class PrerequisiteForm(TrackerForm):
    code = HiddenField(L("Persyaratan"), validators=[DataRequired(), Regexp(r"^[a-z0-9_.]{1,60}$")])
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


class SurveyForm(TrackerForm):
    """D14: the survey run for TPN behind one survey item, on the TPN tier's LKE page. The
    number of respondents is read as text: the rule (at least 30, a whole number) says what
    is wrong with it, in the same words as the designation guard."""

    version = IntegerField(L("Versi isian"), validators=[NumberRange(0)], default=0)
    index = StringField(L("Indeks (0,00–4,00)"), validators=[DataRequired(), Length(max=10)])
    source = StringField(L("Penyelenggara survei"), validators=[DataRequired(), Length(max=200)])
    period = StringField(L("Periode survei"), validators=[DataRequired(), Length(max=200)])
    respondents = StringField(L("Jumlah responden"), validators=[DataRequired(), Length(max=9)])
    report = FileField(L("Laporan hasil survei (berkas)"))
    report_link = StringField(L("atau tautan laporan"), validators=[Optional(), Length(max=1000)])
    note = TextAreaField(L("Catatan"), validators=[Optional(), Length(max=4000)])
    # Issue 12: required by the service in an agency deployment (the survey comes from PortalRB).
    portalrb_reference = StringField(
        L("Referensi hasil PortalRB"), validators=[Optional(), Length(max=500)]
    )


class PastDesignationForm(TrackerForm):
    """D15: one designation made before the tracker (the admin page). Year and date are read
    as typed so that the rule (``standing.check_past``) words every problem as the CSV import
    does."""

    unit_id = SelectField(L("Unit kerja"), coerce=int, validators=[DataRequired()])
    predicate = SelectField(
        L("Predikat"), choices=choices((p.value, f"Menuju {p.value}") for p in Predicate)
    )
    year = StringField(L("Tahun"), validators=[DataRequired(), Length(max=4)])
    decree_number = StringField(
        L("Nomor keputusan menteri"), validators=[DataRequired(), Length(max=120)]
    )
    decree_date = DateField(L("Tanggal keputusan"), validators=[DataRequired()])
    scan = FileField(L("Pindaian piagam (opsional)"))


class DesignationImportForm(TrackerForm):
    file = FileField(
        L("Berkas CSV"), validators=[FileRequired(L("Pilih berkas CSV untuk diimpor."))]
    )


class RevocationForm(TrackerForm):
    """D15: a revocation cites the Minister's decree; the predicates end on its date unless
    another is given."""

    decree_number = StringField(
        L("Nomor keputusan pencabutan"), validators=[DataRequired(), Length(max=120)]
    )
    decree_date = DateField(L("Tanggal keputusan pencabutan"), validators=[DataRequired()])
    on_date = DateField(L("Predikat berakhir pada"), validators=[Optional()])
    reason = TextAreaField(L("Alasan pencabutan"), validators=[DataRequired(), Length(max=4000)])
