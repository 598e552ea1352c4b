"""Running Alembic from the app (CLI) and from tests with the same configuration."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from config import DEFAULT_PUBLIC_BASE_URL, PROJECT_ROOT


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config(toml_file=str(PROJECT_ROOT / "pyproject.toml"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(
    engine: Engine, revision: str = "heads", *, public_base_url: str = DEFAULT_PUBLIC_BASE_URL
) -> None:
    """Migrate to ``revision``. ``public_base_url`` (``Settings.public_base_url``) is what
    certificates issued before they recorded their own address were printed with."""
    cfg = alembic_config(engine)
    cfg.attributes["public_base_url"] = public_base_url
    command.upgrade(cfg, revision)


def check(engine: Engine) -> None:
    """Raise if the models and the migrations disagree (``alembic check``)."""
    command.check(alembic_config(engine))
