"""Login, password and user-administration forms."""

from __future__ import annotations

from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from tracker.auth.roles import ROLE_LABELS, Role
from tracker.forms import L, TrackerForm, choices


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
        choices=choices((n, str(n)) for n in range(1, 7)),
        validators=[Optional()],
    )
