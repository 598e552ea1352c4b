"""Form helpers shared by every domain.

WTForms ships no Indonesian catalogue, so its built-in messages are replaced by our own:
``TRANSLATIONS`` plugs ``tracker.i18n`` into WTForms' message lookup.

**One rule for an invalid form.** A view parses every request with its form; when the form
does not validate, nothing is changed and the user sees every error:

- A form on a page of its own package is answered by re-rendering that page with status 422,
  each error next to its field (``_macros.field``) and what was typed kept in the fields
  (passwords excepted: they are never sent back), so the user corrects it in place. Used by
  the login and password pages, the user administration (new user, add a role, reset the
  password, account status, revoke a role), agencies and units (new and edited agency, CSV
  import, new and edited unit) and the certificate pages (reissue, batch printing, signatory,
  emblem).
- An inline action whose form sits on another package's page flashes each error
  (``flash_errors``: "label: message") and redirects 303 back to that page, because rendering
  that page would mean importing the other package's web layer, which no package does. Used
  by the evidence actions on accreditation's LKE page (upload, link, document verdict); a
  JSON client (``wants_json``) gets the errors with status 422 instead. Accreditation's own
  pages, which hold many small forms each, say how they apply this in ``accreditation.web``.

Search filters sent by GET (the certificate registry and list) are the one exception: links
are shared, so a malformed filter is ignored rather than refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import flash
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from tracker.i18n import N_, _

L = lazy_gettext  # field labels, translated when rendered

# WTForms built-in messages (English msgids) mapped to our Indonesian message ids.
WTFORMS_MESSAGES = {
    "This field is required.": N_("Kolom ini wajib diisi."),
    "Not a valid choice.": N_("Pilihan tidak valid."),
    "Not a valid integer value.": N_("Harus berupa bilangan bulat."),
    "Not a valid decimal value.": N_("Harus berupa angka desimal."),
    "Not a valid float value.": N_("Harus berupa angka."),
    "Not a valid date value.": N_("Tanggal tidak valid."),
    "Invalid email address.": N_("Alamat surel tidak valid."),
    "Invalid input.": N_("Isian tidak valid."),
    "Invalid URL.": N_("URL tidak valid."),
    "Field must be equal to %(other_name)s.": N_("Isian harus sama dengan %(other_name)s."),
    "Field must be at least %(min)d character long.": N_("Paling sedikit %(min)d karakter."),
    "Field must be at least %(min)d characters long.": N_("Paling sedikit %(min)d karakter."),
    "Field cannot be longer than %(max)d character.": N_("Paling banyak %(max)d karakter."),
    "Field cannot be longer than %(max)d characters.": N_("Paling banyak %(max)d karakter."),
    "Field must be between %(min)d and %(max)d characters long.": N_(
        "Panjang harus antara %(min)d dan %(max)d karakter."
    ),
    "Number must be at least %(min)s.": N_("Angka paling kecil %(min)s."),
    "Number must be at most %(max)s.": N_("Angka paling besar %(max)s."),
    "Number must be between %(min)s and %(max)s.": N_("Angka harus antara %(min)s dan %(max)s."),
    "'%(value)s' is not a valid choice for this field.": N_(
        "'%(value)s' bukan pilihan yang valid."
    ),
    "'%(value)s' are not valid choices for this field.": N_(
        "'%(value)s' bukan pilihan yang valid."
    ),
    "The CSRF token is missing.": N_("Token formulir tidak ada. Muat ulang halaman."),
    "The CSRF token is invalid.": N_("Token formulir tidak sah. Muat ulang halaman."),
    "The CSRF token has expired.": N_("Token formulir kedaluwarsa. Muat ulang halaman."),
    "The CSRF tokens do not match.": N_("Token formulir tidak cocok. Muat ulang halaman."),
    "The CSRF session token is missing.": N_("Sesi formulir tidak ada. Muat ulang halaman."),
}


class _Translations:
    """WTForms translations object: English msgid → our Indonesian msgid → user's language."""

    def gettext(self, string: str) -> str:
        return _(WTFORMS_MESSAGES.get(string, string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class TrackerForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _Translations()


class EmptyForm(TrackerForm):
    """Just the CSRF token, for buttons that post (sign out, revoke, language switch)."""


# Fields whose label means nothing to a user: their errors are shown without one.
_UNLABELLED = frozenset({"HiddenField", "CSRFTokenField"})


def error_messages(form: FlaskForm) -> list[str]:
    """Every error of ``form`` as "label: message", in field order."""
    messages = []
    for field in form:
        for error in field.errors:
            labelled = field.type not in _UNLABELLED and field.label.text
            messages.append(f"{field.label.text}: {error}" if labelled else str(error))
    return messages + [str(error) for error in form.form_errors]


def flash_errors(form: FlaskForm) -> None:
    """Flash each error of ``form`` (for inline actions that redirect back to another page)."""
    for message in error_messages(form):
        flash(message, "error")


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]
