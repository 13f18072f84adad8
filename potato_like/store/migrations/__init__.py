"""Alembic migrations, applied at start by Store.open (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ..engine import WRITE, exclusive

HERE = Path(__file__).parent


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision; a no-op (one query) when it is there."""
    cfg = alembic_config()
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        conn.rollback()
    if current == head:
        return
    # Several processes may start at once (gunicorn workers): one migrates, the others wait
    # on the lock (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL) and then find
    # the database already at head.
    with engine.execution_options(**WRITE).begin() as conn:
        exclusive(conn, "migrate")
        if MigrationContext.configure(conn).get_current_revision() == head:
            return
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
