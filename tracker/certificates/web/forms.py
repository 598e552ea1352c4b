"""Forms of the certificates pages: list filters, batch printing, reissue and settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.accreditation.predicates import Predicate
from tracker.certificates.document import DEFAULT_SIGNATORY_TITLE
from tracker.certificates.models import PrintFormat
from tracker.db import MAX_ID
from tracker.forms import L, TrackerForm, choices
from tracker.i18n import _

PREDICATE_VALUES = frozenset(p.value for p in Predicate)


def _int_or_none(value: object) -> int | None:
    """A filter's number, or None when it is missing, malformed or one no row can hold."""
    try:
        number = int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is not None and 0 <= number <= MAX_ID else None


class FilterValues(TypedDict):
    """Keyword arguments of ``queries.Filters`` (all but ``include_replaced``)."""

    q: str
    year: int | None
    predicate: Predicate | None
    agency_id: int | None


def _filter_values(
    q: str | None, year: str | None, predicate: str | None, agency: str | None
) -> FilterValues:
    """Keyword arguments of ``queries.Filters``; malformed values mean "no filter"."""
    return {
        "q": (q or "")[:100],
        "year": _int_or_none(year),
        "predicate": Predicate(predicate) if predicate in PREDICATE_VALUES else None,
        "agency_id": _int_or_none(agency),
    }


class FilterForm(TrackerForm):
    """Search and filters of the registry and the certificate list (GET, so no CSRF token).

    Unknown or malformed values are ignored rather than refused: these are links people share.
    """

    class Meta:
        csrf = False

    q = SearchField(L("Cari unit, instansi atau nomor piagam"), validators=[Length(max=100)])
    year = SelectField(L("Tahun"), validate_choice=False)
    predicate = SelectField(L("Predikat"), validate_choice=False)
    agency = SelectField(L("Instansi"), validate_choice=False)
    replaced = BooleanField(L("Tampilkan juga piagam yang sudah diganti"))

    def set_choices(self, years: Sequence[int], agencies: Sequence[tuple[int, str]]) -> None:
        everything = ("", _("Semua"))
        self.year.choices = choices([everything, *((str(y), str(y)) for y in years)])
        self.predicate.choices = choices(
            [everything, *((p.value, p.short_label) for p in Predicate)]
        )
        self.agency.choices = choices([everything, *((str(i), name) for i, name in agencies)])

    def values(self) -> FilterValues:
        """Keyword arguments of ``queries.Filters`` (without ``include_replaced``)."""
        return _filter_values(self.q.data, self.year.data, self.predicate.data, self.agency.data)


class ValuesField(Field):
    """Every submitted value of a repeated input (the certificate check boxes)."""

    def process_data(self, value: object) -> None:
        # Only a list counts: a stray ``?numbers=`` in the list page's link must not pre-select.
        self.data = list(value) if isinstance(value, list | tuple) else []

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = [value.strip()[:32] for value in valuelist if value.strip()]

    def _value(self) -> str:
        return ""


class PrintForm(TrackerForm):
    numbers = ValuesField(default=list)
    format = RadioField(
        L("Hasil"),
        choices=choices(
            [
                (PrintFormat.PDF.value, L("Satu berkas PDF (satu halaman per piagam)")),
                (PrintFormat.ZIP.value, L("Berkas ZIP (satu PDF per piagam)")),
            ]
        ),
        default=PrintFormat.PDF.value,
    )
    selected = SubmitField(L("Cetak piagam terpilih"))
    everything = SubmitField(L("Cetak semua hasil penyaringan"))
    # The list's filters, for "print everything": the same narrowing as the page shows.
    q = HiddenField()
    year = HiddenField()
    predicate = HiddenField()
    agency = HiddenField()

    def values(self) -> FilterValues:
        """The list's filters as keyword arguments of ``queries.Filters``."""
        return _filter_values(self.q.data, self.year.data, self.predicate.data, self.agency.data)

    def filter_args(self) -> dict[str, str]:
        """The list's filters as the list page's query arguments (to show that page again)."""
        fields = (self.q, self.year, self.predicate, self.agency)
        return {field.name: field.data for field in fields if field.data}


class ReissueForm(TrackerForm):
    reason = TextAreaField(
        L("Alasan penerbitan ulang"), validators=[DataRequired(), Length(max=1000)]
    )


class SignatoryForm(TrackerForm):
    name = StringField(L("Nama penandatangan"), validators=[DataRequired(), Length(max=120)])
    title = StringField(
        L("Jabatan penandatangan"),
        validators=[Optional(), Length(max=200)],
        default=DEFAULT_SIGNATORY_TITLE,
    )
    signature = FileField(L("Gambar tanda tangan (PNG atau JPEG, paling besar 2 MB)"))
    remove_signature = BooleanField(L("Hapus gambar tanda tangan"))


class EmblemForm(TrackerForm):
    agency = SelectField(
        L("Instansi"), coerce=int, validate_choice=False, validators=[InputRequired()]
    )
    emblem = FileField(L("Lambang instansi (PNG atau JPEG, paling besar 2 MB)"))
    remove = BooleanField(L("Hapus lambang (pakai segel bawaan)"))
