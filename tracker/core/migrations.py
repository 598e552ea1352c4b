"""Running Alembic from the app (CLI) and from tests with the same configuration."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from config import PROJECT_ROOT


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config(toml_file=str(PROJECT_ROOT / "pyproject.toml"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    command.upgrade(alembic_config(engine), revision)


def check(engine: Engine) -> None:
    """Raise if the models and the migrations disagree (``alembic check``)."""
    command.check(alembic_config(engine))
