from tests.world import world  # noqa: F401 - fixture
