"""Issue 15 §3: the date of a document already signed (a decree, a declaration, a revocation)
lies on or before today. One rule for the forms (``not_in_future``) and the services (the
workflow's ``decree`` guard, the declaration); pure, so the guards may use it without the
import cycle ``deadlines`` would close (it reads ``workflow``, which reads the guards)."""

from __future__ import annotations

from datetime import date

from tracker.i18n import _, long_date


def future_date_reason(day: date | None, today: date, what: str) -> str | None:
    """A document's date (a decree, a declaration) must not lie after ``today``."""
    if day is None or day <= today:
        return None
    return _(
        "%(what)s tidak boleh sesudah hari ini (%(today)s).",
        what=what,
        today=long_date(today),
    )
