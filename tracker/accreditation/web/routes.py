"""The accreditation blueprint with all its routes (views split by page group)."""

from tracker.accreditation.web import (  # noqa: F401 - importing registers the routes
    answer_views,
    assignment_views,
    carry_views,
    chart_views,
    cycle_views,
    history_views,
    lke_views,
    oversight_views,
    plan_views,
    report_views,
    survey_views,
    task_context,
    worksheet_views,
)
from tracker.accreditation.web.views import bp

__all__ = ["bp"]
