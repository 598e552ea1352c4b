"""Forms of the life cycle: cycles, declaration, transitions, answers, reviews, prerequisites.

Every posted field is read through one of these forms, never from ``request.form`` by hand.
Fields the page fills in itself (versions, sequence numbers, codes) carry a label too, so an
error on them reads like any other (see ``tracker.accreditation.web``).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
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
from wtforms.validators import ValidationError as WTFormsValidationError

from tracker import clock
from tracker.accreditation import signed_dates
from tracker.accreditation.models import DecisionKind, Predicate
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.workflow import DEADLINE_LABELS, Action, Deadline
from tracker.errors import ValidationError
from tracker.forms import L, TrackerForm, choices
from tracker.i18n import N_, _, language
from tracker.lke import AnswerType, FloorMode, Item, numbers

FLOOR_MODE_LABELS = {
    FloorMode.COMBINED: N_("setiap area (pemenuhan + reform)"),
    FloorMode.EACH_HALF: N_("setiap paruh area (pemenuhan dan reform terpisah)"),
}
WORKSHEET_MAX_BYTES = 20 * 1024 * 1024


def not_in_future(form: Any, field: Any) -> None:
    """Issue 15 §3: the date of a document already signed (a decree, a declaration) is not
    after today (Jakarta's); refused at the field, as the service refuses it too."""
    if reason := signed_dates.future_date_reason(field.data, clock.today(), str(field.label.text)):
        raise WTFormsValidationError(reason)


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
    # Issue 15 §5: the agency head's decree designating the unit to build ZI.
    decree_number = StringField(
        L("Nomor SK penetapan unit kerja pembangunan ZI"),
        validators=[DataRequired(), Length(max=120)],
    )
    decree_date = DateField(L("Tanggal SK penetapan"), validators=[DataRequired(), not_in_future])
    decree = FileField(L("Pindaian SK penetapan yang ditandatangani (PDF/foto)"))
    decree_link = StringField(
        L("atau tautan ke SK penetapan"), validators=[Optional(), Length(max=1000)]
    )
    declared_on = DateField(L("Tanggal pencanangan"), validators=[DataRequired(), not_in_future])
    note = TextAreaField(L("Keterangan pencanangan"), validators=[Optional(), Length(max=2000)])
    pakta = FileField(L("Pakta Integritas / piagam pencanangan yang ditandatangani (PDF/foto)"))
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
    decree_date = DateField(L("Tanggal keputusan"), validators=[Optional(), not_in_future])
    on_date = DateField(L("Tanggal"), validators=[Optional()])
    # The 2-yearly report's result is filed with its score and letter on the monitoring page
    # (complaints.monitoring), which takes the REPORT_MONITORING step itself.
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


class AnswerForm(TrackerForm):
    """One item's answer as posted from the LKE page; ``answer_form`` adds the fields of the
    item's answer type (the names the page uses: ``value``, ``count_<n>``, ``index``,
    ``prov_<key>``; in the area form each prefixed with the item's code, ``A.I.1.i.b-value``).

    Numbers are read the user's way (``1.250`` and ``3,61`` in Indonesian, issue 14 §1): a
    count that is not a whole number written so is refused here, at its field; what the
    number may be (non-negative, 0–4) is the answer rules' (``tracker.lke.answers``)."""

    version = IntegerField(L("Versi isian"), validators=[NumberRange(0)], default=0)
    note = TextAreaField(L("Catatan"), validators=[Optional()])
    # The area form: a digest of the values the page showed. An item whose fields still
    # match it was not touched, so saving the area leaves it alone (no version, no audit).
    shown = HiddenField(L("Isian yang ditampilkan"))

    def raw_answer(self, item: Item) -> Any:
        """The posted fields as the engine's raw answer (the engine validates it)."""
        if item.answer_type is AnswerType.PERCENT:
            counts = [self._number(f"count_{i}") for i in range(len(item.inputs))]
            return counts if any(c != "" for c in counts) else None
        if item.answer_type is AnswerType.SURVEY_INDEX:
            index = self._text("index")
            if not index:
                return None
            extra = {
                f.key: self._number(f"prov_{f.key}")
                if f.type == "integer"
                else self._text(f"prov_{f.key}")
                for f in item.provenance
            }
            return {"index": index, **{k: v for k, v in extra.items() if v != ""}}
        return self._text("value") or None

    def note_text(self) -> str:
        """The note as typed; browsers post line breaks as CRLF, the page shows LF."""
        return (self.note.data or "").replace("\r\n", "\n").strip()

    def was_posted(self) -> bool:
        """Whether the area form carried this item (its digest is posted with its fields)."""
        return bool(self.shown.raw_data)

    def digest(self) -> str:
        """A digest of the answer's fields and note as they stand (see ``shown``)."""
        values = [(f.short_name, _field_text(f)) for f in self if f.short_name in self._answer]
        values.append(("note", self.note_text()))
        return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:20]

    def changed(self) -> bool:
        """Whether the posted fields differ from what the page showed."""
        return self.shown.data != self.digest()

    def _text(self, name: str) -> str:
        return _field_text(self[name])[:200]

    def _number(self, name: str) -> int | str:
        """A count field read the user's way; the text itself when blank (validated first)."""
        text = self._text(name)
        number = numbers.read_integer(text, language()) if text else None
        return number if number is not None else text

    _answer: frozenset[str] = frozenset()


def _field_text(field: Any) -> str:
    return str(field.data or "").strip()


def _whole_number(form: AnswerForm, field: Any) -> None:
    """A count is a whole number in the user's way of writing it (not "seratus", not "1,5")."""
    text = _field_text(field)
    if text and numbers.read_integer(text, language()) is None:
        raise WTFormsValidationError(
            _(
                "tulis bilangan bulat tanpa desimal, misalnya %(example)s (bukan %(value)s)",
                example=numbers.show_integer(1250, language()),
                value=text,
            )
        )


def answer_form(
    item: Item,
    *,
    prefix: str = "",
    stored: Any = None,
    note: str = "",
    version: int = 0,
    bound: bool = True,
) -> AnswerForm:
    """The answer form of ``item``, with the fields of its answer type.

    The item's own form (``prefix`` empty) is read from the request with its CSRF token. In
    the area form (``prefix``: the item's code) the page's one token covers every item; with
    ``bound`` false the fields show ``stored`` (the stored answer), ``note`` and ``version``
    the way the user reads them, and ``shown`` carries their digest.
    """
    form_class = _answer_form_class(
        item.answer_type,
        tuple(inp.label for inp in item.inputs),
        tuple((f.key, f.label, f.type) for f in item.provenance),
    )
    kwargs: dict[str, Any] = {"prefix": f"{prefix}-" if prefix else ""}
    if prefix:
        kwargs["meta"] = {"csrf": False}
    if not bound:
        kwargs["formdata"] = None
        kwargs["data"] = {**_shown_values(item, stored), "note": note, "version": version}
    form = form_class(**kwargs)
    if not bound:
        form.shown.data = form.digest()
    return form


@lru_cache(maxsize=256)
def _answer_form_class(
    answer_type: AnswerType,
    inputs: tuple[str, ...],
    provenance: tuple[tuple[str, str, str], ...],
) -> type[AnswerForm]:
    """The form class of one kind of item (its answer type, count inputs and provenance
    fields), built once per process: WTForms binds a new class's fields on its first use,
    about a millisecond, and an area page builds a form for each of up to 40 items."""
    fields: dict[str, Any] = {}
    if answer_type is AnswerType.PERCENT:
        for i, label in enumerate(inputs):
            fields[f"count_{i}"] = StringField(label, validators=[_whole_number])
    elif answer_type is AnswerType.SURVEY_INDEX:
        fields["index"] = StringField(L("Indeks (0,00–4,00)"))
        for key, label, kind in provenance:
            checks = [_whole_number] if kind == "integer" else []
            fields[f"prov_{key}"] = StringField(label, validators=checks)
    else:
        fields["value"] = StringField(L("Jawaban"))
    return type("ItemAnswerForm", (AnswerForm,), {**fields, "_answer": frozenset(fields)})


def _shown_values(item: Item, stored: Any) -> dict[str, str]:
    """A stored answer as the area form's fields show it: "1.250", "3,61" in Indonesian."""
    locale = language()
    if stored is None:
        return {}
    if item.answer_type is AnswerType.PERCENT:
        return {f"count_{i}": numbers.show_integer(int(n), locale) for i, n in enumerate(stored)}
    if item.answer_type is AnswerType.SURVEY_INDEX:
        values = {"index": numbers.show_decimal(stored["index"], locale)}
        for f in item.provenance:
            text = str(stored.get(f.key, ""))
            shown = f.type == "integer" and text.isdigit()
            values[f"prov_{f.key}"] = numbers.show_integer(int(text), locale) if shown else text
        return values
    return {"value": str(stored)}


class AreaAnswersForm(TrackerForm):
    """The area's one answer form (issue 14 §1): the token, and which item a script saves
    alone (``only``) or which item the page returns to (``at``). The items' fields are read
    by their own ``answer_form``."""

    only = StringField(L("Butir"), validators=[Optional(), Length(max=40)])
    at = StringField(L("Butir"), validators=[Optional(), Length(max=40)])


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
    decree_date = DateField(L("Tanggal keputusan"), validators=[DataRequired(), not_in_future])
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
    decree_date = DateField(
        L("Tanggal keputusan pencabutan"), validators=[DataRequired(), not_in_future]
    )
    on_date = DateField(L("Predikat berakhir pada"), validators=[Optional()])
    reason = TextAreaField(L("Alasan pencabutan"), validators=[DataRequired(), Length(max=4000)])
