from __future__ import annotations

from typing import Any

import pytest

from tests.lke.helpers import perfect_answers
from tracker.lke.framework import Framework, get_framework


@pytest.fixture(scope="session")
def framework() -> Framework:
    return get_framework("lke-2021")


@pytest.fixture
def perfect(framework: Framework) -> dict[str, Any]:
    return perfect_answers(framework)
