"""Alembic, driven from code: `complaints db upgrade` and first use."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from complaints.db import Database
from complaints.settings import get_settings


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(get_settings().home / "migrations"))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Apply every migration up to `revision`."""
    config = alembic_config(database)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["seal_key"] = database.seal_key  # revision 0007 seals with it
        command.upgrade(config, revision)
