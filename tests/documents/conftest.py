"""The life-cycle world (tests/world.py) for the documents' tests."""

from tests.world import world  # noqa: F401 - the fixture
