"""Every model module, imported once so that Base.metadata knows all tables (Alembic, tests)."""

from tracker.accreditation import assignment_models as assignments  # noqa: F401
from tracker.accreditation import carry_models as carried  # noqa: F401
from tracker.accreditation import models as accreditation  # noqa: F401
from tracker.accreditation import oversight_models as oversight  # noqa: F401
from tracker.agencies import lineage_models as lineage  # noqa: F401
from tracker.agencies import models as agencies  # noqa: F401
from tracker.audit import models as audit  # noqa: F401
from tracker.auth import models as auth  # noqa: F401
from tracker.certificates import models as certificates  # noqa: F401
from tracker.complaints import models as complaints  # noqa: F401
from tracker.documents import models as documents  # noqa: F401
from tracker.evidence import models as evidence  # noqa: F401
from tracker.lke import models as lke  # noqa: F401
from tracker.notifications import models as notifications  # noqa: F401
from tracker.portalrb import models as portalrb  # noqa: F401
from tracker.system import models as system  # noqa: F401
