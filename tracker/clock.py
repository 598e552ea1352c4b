"""The one calendar the tracker keeps: dates are Jakarta dates. Pure.

Deadlines, decree dates, issue dates and the 2-year bars are calendar dates in Indonesia's
capital (WIB, UTC+7): a deadline "31 May" ends at midnight in Jakarta, not in UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def today() -> date:
    """Today's date in Jakarta."""
    return datetime.now(JAKARTA).date()
