"""D14: the survey indices a designation rests on. Pure: no Flask, no database.

IPAK and IPKP (the framework's survey-index items, D7) are measured for TPN by BPS or a third
party the ministry appoints, among people who completed a service, with at least 30
respondents (REG90 Lampiran II Bab III.C). The TPN tier records, per survey item, who ran the
survey, its period, the number of respondents and the report file. The TPN tier starts from a
copy of the previous tier's answers (D8): a designation may not rest on an index that is still
the unit's or the TPI's own value. ``problems`` states what is missing for one item; the
DESIGNATE guard (``guards.tpn_surveys``) reads them for every survey item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.i18n import _

MIN_RESPONDENTS = 30
# The provenance keys the framework declares for survey items (``lke-2021.yaml``).
SOURCE, PERIOD, RESPONDENTS, REPORT = "source", "period", "respondents", "report"


@dataclass(frozen=True)
class SurveyRecord:
    """The TPN tier's value of one survey item, as the designation guard sees it."""

    code: str
    answered: bool
    copied_from: str | None  # name of the tier whose value it still holds; None: the TPN's own
    source: str = ""
    period: str = ""
    respondents: str = ""  # as stored: the guard judges it, whatever put it there
    report_present: bool = False  # the report it names is the TPN's survey file, still active


def parse_respondents(raw: object) -> int | None:
    """The number of respondents as a whole number, or None when it is not one."""
    text = str(raw).strip() if raw is not None else ""
    return int(text) if re.fullmatch(r"\d{1,9}", text) else None


def respondents_problem(raw: object) -> str | None:
    """Why ``raw`` is not an acceptable number of respondents for the TPN's survey, or None."""
    count = parse_respondents(raw)
    if count is None:
        return _("jumlah responden harus bilangan bulat")
    if count < MIN_RESPONDENTS:
        return _(
            "jumlah responden %(n)s, minimal %(min)s",
            n=count,
            min=MIN_RESPONDENTS,
        )
    return None


def problems(record: SurveyRecord) -> list[str]:
    """What keeps a designation from resting on ``record`` (empty when nothing does)."""
    if not record.answered:
        return [_("%(code)s: belum ada nilai survei untuk TPN", code=record.code)]
    if record.copied_from is not None:
        return [
            _(
                "%(code)s: nilai masih salinan dari %(tier)s; catat hasil survei "
                "yang dijalankan untuk TPN",
                code=record.code,
                tier=record.copied_from,
            )
        ]
    found = []
    if not record.source.strip():
        found.append(_("%(code)s: penyelenggara survei belum diisi", code=record.code))
    if not record.period.strip():
        found.append(_("%(code)s: periode survei belum diisi", code=record.code))
    if reason := respondents_problem(record.respondents):
        found.append(f"{record.code}: {reason}")
    if not record.report_present:
        found.append(_("%(code)s: laporan hasil survei belum dilampirkan", code=record.code))
    return found
