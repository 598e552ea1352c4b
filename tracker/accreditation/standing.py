"""D15: a unit's predicates from before the tracker, and their revocation. Pure: no Flask, no DB.

Designations made before the tracker was adopted are recorded (unit, predicate, year, decree
number and date) and count as active like any other: a unit designated Menuju WBK in 2019 may
be proposed for WBBM. A revocation records the Minister's decree number and date and ends
every active predicate of the unit (a revoked WBBM also ends the WBK it rested on); the 2-year
bar on a new WBK proposal counts from the decree's date (``workflow.barred_until``).

This module checks what an admin types (a form or a CSV row) and names a recorded
designation's digest; the services look the unit up and save.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date

from tracker.accreditation import signed_dates
from tracker.accreditation.predicates import Predicate
from tracker.i18n import _

# A guard against typos ("219"), not a rule: ZI designations are far younger than this.
FIRST_YEAR = 2000
MAX_DECREE_NUMBER = 120  # the column's length


@dataclass(frozen=True)
class PastDesignation:
    """One designation made before the tracker, as typed and checked."""

    predicate: Predicate
    year: int
    decree_number: str
    decree_date: date

    def same_decree(self, decree_number: str, decree_date: date) -> bool:
        return (self.decree_number.casefold(), self.decree_date) == (
            " ".join(decree_number.split()).casefold(),
            decree_date,
        )


def parse_predicate(raw: str) -> Predicate | None:
    """``WBK`` or ``WBBM``, also written "Menuju WBK" and in any case; None otherwise."""
    text = " ".join(raw.split()).upper().removeprefix("MENUJU ").strip()
    return Predicate(text) if text in {p.value for p in Predicate} else None


def parse_date(raw: str) -> date | None:
    """A calendar date written YYYY-MM-DD, or None."""
    text = raw.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def check_past(
    *, predicate: str, year: str, decree_number: str, decree_date: str, today: date
) -> tuple[PastDesignation | None, list[str]]:
    """The designation the raw fields describe, or None and every problem found with them.

    Each problem names its field by the CSV column (the admin form uses the same names).
    """
    found: list[str] = []
    parsed_predicate = parse_predicate(predicate)
    if parsed_predicate is None:
        found.append(_("predikat harus WBK atau WBBM, bukan “%(v)s”", v=predicate))
    parsed_year = int(year.strip()) if re.fullmatch(r"\s*\d{4}\s*", year) else None
    if parsed_year is None or not FIRST_YEAR <= parsed_year <= today.year:
        found.append(
            _(
                "tahun harus tahun %(first)s–%(last)s, bukan “%(v)s”",
                first=FIRST_YEAR,
                last=today.year,
                v=year,
            )
        )
    number = " ".join(decree_number.split())
    if not number:
        found.append(_("nomor_keputusan wajib diisi"))
    elif len(number) > MAX_DECREE_NUMBER:
        found.append(_("nomor_keputusan paling panjang %(n)s karakter", n=MAX_DECREE_NUMBER))
    parsed_date = parse_date(decree_date)
    if parsed_date is None:
        found.append(
            _("tanggal_keputusan harus tanggal berformat YYYY-MM-DD, bukan “%(v)s”", v=decree_date)
        )
    elif parsed_date > today:
        found.append(_("tanggal_keputusan %(d)s belum tiba", d=parsed_date.isoformat()))
    elif parsed_year is not None and parsed_date.year < parsed_year:
        # The Minister designates after the evaluation of that year, never before it.
        found.append(
            _(
                "tanggal_keputusan %(d)s mendahului tahun evaluasi %(y)s",
                d=parsed_date.isoformat(),
                y=parsed_year,
            )
        )
    if found or parsed_predicate is None or parsed_year is None or parsed_date is None:
        return None, found
    return PastDesignation(parsed_predicate, parsed_year, number, parsed_date), []


def digest(unit_code: str, past: PastDesignation) -> str:
    """What stands in for the snapshot hash of a recorded designation: the SHA-256 of its
    recorded facts (there is no evaluation snapshot in the tracker to point at)."""
    record = {
        "historical": True,
        "unit": unit_code,
        "predicate": past.predicate.value,
        "year": past.year,
        "decree": past.decree_number,
        "decree_date": past.decree_date.isoformat(),
    }
    text = json.dumps(record, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def past_blocker(past: PastDesignation, active_wbk_year: int | None) -> str | None:
    """A unit holding an active Menuju WBK is not designated WBK again (D15): recording a
    second one means the first ended, and its revocation must be recorded first."""
    if past.predicate is Predicate.WBK and active_wbk_year is not None:
        return _(
            "unit ini sudah tercatat berpredikat Menuju WBK %(year)s yang masih berlaku; catat "
            "dahulu pencabutannya",
            year=active_wbk_year,
        )
    return None


def revocation_problems(
    *,
    decree_number: str,
    decree_date: date | None,
    designated_on: date,
    today: date,
) -> list[str]:
    """What is wrong with a revocation as typed: the Minister's decree number and date are
    required (D15), the decree cannot precede the designation it revokes, and it is already
    signed, so not dated after ``today`` (issue 15 §3)."""
    found = []
    if not " ".join(decree_number.split()):
        found.append(_("Nomor keputusan pencabutan wajib diisi."))
    elif len(decree_number.strip()) > MAX_DECREE_NUMBER:
        found.append(
            _("Nomor keputusan pencabutan paling panjang %(n)s karakter.", n=MAX_DECREE_NUMBER)
        )
    if decree_date is None:
        found.append(_("Tanggal keputusan pencabutan wajib diisi."))
    elif future := signed_dates.future_date_reason(
        decree_date, today, _("Tanggal keputusan pencabutan")
    ):
        found.append(future)
    elif decree_date < designated_on:
        found.append(
            _(
                "Tanggal keputusan pencabutan %(d)s mendahului penetapannya (%(on)s).",
                d=decree_date.isoformat(),
                on=designated_on.isoformat(),
            )
        )
    return found
