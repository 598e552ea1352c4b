"""The accreditation blueprint with all its routes (views split by page group)."""

from tracker.accreditation import cycle_views, report_views  # noqa: F401 - register routes
from tracker.accreditation.views import bp

__all__ = ["bp"]
