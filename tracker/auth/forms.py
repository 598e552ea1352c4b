"""Login, password and user-administration forms."""

from __future__ import annotations

from flask_babel import LazyString
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from tracker.auth.roles import ROLE_LABELS, Role
from tracker.forms import L, TrackerForm, choices
from tracker.i18n import in_english
from tracker.lke import get_framework

AREA_FRAMEWORK = "lke-2021"  # whose area names label the working-group area picker


def _area_label(number: int) -> LazyString:
    """ "5 · Penguatan Pengawasan": the area's number and name, in the reader's language."""

    def label() -> str:
        framework = get_framework(AREA_FRAMEWORK)
        area = next(a for _part, a in framework.areas() if a.number == str(number))
        return f"{number} · {area.name_en if in_english() else area.name}"

    return LazyString(label)


class LoginForm(TrackerForm):
    username = StringField(L("Nama pengguna"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(L("Kata sandi"), validators=[DataRequired(), Length(max=128)])


class ChangePasswordForm(TrackerForm):
    current = PasswordField(L("Kata sandi saat ini"), validators=[DataRequired(), Length(max=128)])
    new = PasswordField(L("Kata sandi baru"), validators=[DataRequired(), Length(max=128)])
    confirm = PasswordField(
        L("Ulangi kata sandi baru"),
        validators=[DataRequired(), EqualTo("new", message=L("Kedua kata sandi baru tidak sama."))],
    )


class CreateUserForm(TrackerForm):
    username = StringField(L("Nama pengguna"), validators=[DataRequired(), Length(min=3, max=80)])
    full_name = StringField(L("Nama lengkap"), validators=[DataRequired(), Length(max=200)])
    email = StringField(L("Surel"), validators=[Optional(), Length(max=200)])
    password = PasswordField(L("Kata sandi awal"), validators=[DataRequired(), Length(max=128)])


class ResetPasswordForm(TrackerForm):
    password = PasswordField(L("Kata sandi baru"), validators=[DataRequired(), Length(max=128)])


class SetActiveForm(TrackerForm):
    active = BooleanField(L("Aktif"))


class GrantRoleForm(TrackerForm):
    role = SelectField(L("Peran"), choices=choices((r.value, L(ROLE_LABELS[r])) for r in Role))
    agency_id = SelectField(L("Instansi"), coerce=int, validators=[Optional()])
    unit_id = SelectField(L("Unit kerja"), coerce=int, validators=[Optional()])
    areas = SelectMultipleField(
        L("Area (khusus anggota pokja; kosong = semua area)"),
        coerce=int,
        choices=choices((n, _area_label(n)) for n in range(1, 7)),
        validators=[Optional()],
    )
