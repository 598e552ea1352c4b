"""Every model module, imported once so that Base.metadata knows all tables (Alembic, tests)."""

from tracker.agencies import models as agencies  # noqa: F401
from tracker.audit import models as audit  # noqa: F401
from tracker.auth import models as auth  # noqa: F401
