"""The agency's stand-in server and a recording sleep for the PortalRB client's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.portalrb_client.agency_server import AgencyServer, serving


@pytest.fixture
def agency() -> Iterator[AgencyServer]:
    """A scripted agency server on a free local port; no handler may fail behind the test."""
    with serving(AgencyServer()) as server:
        yield server
    assert not server.errors, server.errors


class RecordingSleep:
    """Stands in for ``time.sleep``: keeps the waits asked for, waits for none."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()
