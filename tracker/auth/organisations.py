"""What granting roles needs to know about organisations, without importing them.

A role is scoped to an agency or a unit, so the pages and the command that grant roles list
and find agencies and units. Those belong to ``tracker.agencies``, which depends on ``auth``
(its views check logins and roles; its services take the acting ``User``), so ``auth`` must not
import it back. The composition root (``tracker.wiring``) hands ``tracker.agencies.services``
in as the ``Organisations`` directory; views and commands read it through
``tracker.extensions.organisations()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tracker.agencies.models import Agency, Unit


class Organisations(Protocol):
    def agency_choices(self, session: Session) -> list[tuple[int, str]]:
        """(id, name) of every agency, by name."""
        ...

    def unit_choices(self, session: Session) -> list[tuple[int, str]]:
        """(id, "agency — · · unit") of every unit, by agency and place in the tree."""
        ...

    def get_agency(self, session: Session, agency_id: int) -> Agency:
        """Raises ``NotFoundError``."""
        ...

    def get_unit(self, session: Session, unit_id: int) -> Unit:
        """Raises ``NotFoundError``."""
        ...

    def find_agency(self, session: Session, key: str) -> Agency | None:
        """By code, name or short name, as people type them."""
        ...

    def find_unit(self, session: Session, agency: Agency, key: str) -> Unit | None:
        """By code or name, within ``agency``."""
        ...
