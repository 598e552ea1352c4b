"""Life-cycle fixtures live in tests/world.py so that other domains can use the same world."""

from tests.world import TODAY, YEAR, World, world  # noqa: F401 - fixtures and constants
