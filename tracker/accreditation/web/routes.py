"""The accreditation blueprint with all its routes (views split by page group)."""

from tracker.accreditation.web import (  # noqa: F401 - importing registers the routes
    cycle_views,
    history_views,
    lke_views,
    report_views,
    survey_views,
    worksheet_views,
)
from tracker.accreditation.web.views import bp

__all__ = ["bp"]
