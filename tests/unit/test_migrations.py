"""The Alembic migrations build exactly the schema tables.py describes."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from potato_like.store import Store
from potato_like.store.tables import metadata


def test_migrated_schema_matches_tables(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
    finally:
        store.close()


def test_reopening_is_a_no_op(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    Store.open(url).close()
    store = Store.open(url)
    try:
        assert store.get_meta("overlap") is None
        store.ping()
    finally:
        store.close()
