"""Test data built through the real services (so audit records and paths are right)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy.orm import Session

from tracker.agencies import services as agencies
from tracker.agencies.models import Agency, AgencyKind, Unit
from tracker.auth import services as auth
from tracker.auth.models import User
from tracker.auth.roles import Role

PASSWORD = "kata-sandi-uji-123"
_counter = itertools.count(1)
T = TypeVar("T")


class Factory:
    def __init__(self, session: Session) -> None:
        self.session = session

    def agency(self, name: str | None = None, kind: AgencyKind = AgencyKind.LEMBAGA) -> Agency:
        n = next(_counter)
        name = name or f"Instansi Uji {n}"
        agency = agencies.create_agency(
            self.session,
            user=None,
            name=name,
            short_name=name.split()[-1] + str(n),
            kind=kind,
            code=f"instansi-{n}",
        )
        return self._saved(agency)

    def unit(
        self,
        agency: Agency | None = None,
        name: str | None = None,
        kind: str = "Unit",
        parent: Unit | None = None,
    ) -> Unit:
        n = next(_counter)
        agency = agency or (parent.agency if parent else self.agency())
        unit = agencies.create_unit(
            self.session,
            user=None,
            agency=agency,
            name=name or f"Unit Uji {n}",
            kind=kind,
            parent=parent,
            code=f"unit-{n}",
        )
        return self._saved(unit)

    def user(
        self,
        *grants: tuple[Role, Agency | Unit | None] | Role,
        username: str | None = None,
        areas: Iterable[int] | None = None,
    ) -> User:
        n = next(_counter)
        user = auth.create_user(
            self.session,
            by=None,
            username=username or f"pengguna{n}",
            full_name=f"Pengguna Uji {n}",
            password=PASSWORD,
        )
        for grant in grants:
            role, scope = grant if isinstance(grant, tuple) else (grant, None)
            auth.grant_role(
                self.session,
                by=None,
                user=user,
                role=role,
                agency=scope if isinstance(scope, Agency) else None,
                unit=scope if isinstance(scope, Unit) else None,
                areas=areas if role is Role.ANGGOTA_POKJA else None,
            )
        return self._saved(user)

    def _saved(self, obj: T) -> T:
        # Commit releases the test's savepoint only; the outer transaction still rolls back.
        # Without it a request's teardown (session.close) would roll the new rows back.
        self.session.commit()
        return obj
