"""Agency and unit forms."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from tracker.agencies.models import AgencyKind
from tracker.forms import L, TrackerForm, choices
from tracker.i18n import N_

AGENCY_KIND_LABELS = {
    AgencyKind.KEMENTERIAN: N_("Kementerian"),
    AgencyKind.LEMBAGA: N_("Lembaga"),
    AgencyKind.PEMDA: N_("Pemerintah daerah"),
}


class AgencyForm(TrackerForm):
    name = StringField(L("Nama instansi"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(L("Nama singkat"), validators=[DataRequired(), Length(max=80)])
    kind = SelectField(
        L("Jenis instansi"),
        choices=choices((k.value, L(label)) for k, label in AGENCY_KIND_LABELS.items()),
    )


class UnitForm(TrackerForm):
    name = StringField(L("Nama unit kerja"), validators=[DataRequired(), Length(max=200)])
    kind = StringField(
        L("Jenis unit (mis. Polres, KPPN, Dinas)"), validators=[DataRequired(), Length(max=80)]
    )
    parent_id = SelectField(L("Unit induk"), coerce=int, validators=[Optional()])


class ImportForm(TrackerForm):
    file = FileField(L("Berkas CSV"), validators=[FileRequired(L("Pilih berkas CSV."))])
