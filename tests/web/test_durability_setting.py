"""`durability`: normal (default, SQLite synchronous=NORMAL in WAL) or full (every commit
waits for the disk). Checked on the real connections the server uses."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from potato_like import create_app
from potato_like.config import load_config
from potato_like.errors import ConfigError
from potato_like.store import Store
from tests.conftest import answer, base_config, current_id, login, write_config, write_items

SYNCHRONOUS = {1: "normal", 2: "full"}


def _pragmas(store: Store) -> tuple[str, str, str]:
    with store.read() as conn:
        read = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    with store.write() as conn:
        written = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    return SYNCHRONOUS[read], SYNCHRONOUS[written], journal


@pytest.mark.parametrize(
    "setting, expected", [(None, "normal"), ("normal", "normal"), ("full", "full")]
)
def test_pragma_in_effect_on_the_servers_connections(make_project, setting, expected):
    overrides = {} if setting is None else {"durability": setting}
    app = make_project(items=2, **overrides)
    project = app.extensions["potato_like"]
    assert project.config.durability == expected
    assert _pragmas(project.store) == (expected, expected, "wal")
    # and saving still works under the setting
    client = login(app.test_client(), "ann")
    assert answer(client, current_id(client), **{"sentiment:positive": "1"}).status_code == 200


def test_full_survives_reopening_a_database_made_with_normal(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    Store.open(url).close()
    store = Store.open(url, durability="full")
    try:
        assert _pragmas(store) == ("full", "full", "wal")
    finally:
        store.close()


@pytest.mark.parametrize("bad", ["fast", "FULL", 1])
def test_bad_durability_is_refused_before_serving(tmp_path, bad):
    write_items(tmp_path / "data.jsonl", 2)
    path = write_config(tmp_path, base_config(durability=bad))
    with pytest.raises(ConfigError) as err:
        create_app(path)
    assert any(p.startswith("durability") for p in err.value.problems), err.value.problems


def test_empty_durability_means_unset(tmp_path):
    # Potato writes `key: ""` for "not set" (docs/config.md, Empty values).
    write_items(tmp_path / "data.jsonl", 2)
    config = load_config(write_config(tmp_path, base_config(durability="")))
    assert config.durability == "normal"


def test_a_near_miss_gets_a_did_you_mean(tmp_path):
    write_items(tmp_path / "data.jsonl", 2)
    path = write_config(tmp_path, base_config(durability="ful"))
    with pytest.raises(ConfigError, match="full"):
        create_app(path)


def test_unknown_level_is_refused_by_the_store_too(tmp_path):
    with pytest.raises(ValueError, match="durability"):
        Store.open(f"sqlite:///{tmp_path / 'db.sqlite3'}", durability="fast")


@pytest.mark.postgres
def test_full_on_postgres_insists_on_synchronous_commit(pg_url):
    """A database configured with synchronous_commit=off: `full` turns it back on for the
    server's sessions, `normal` keeps what the database says."""
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    name = pg_url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    admin.dispose()
    for level, expected in (("normal", "off"), ("full", "on")):
        store = Store.open(pg_url, durability=level)
        try:
            with store.read() as conn:
                assert conn.execute(text("SHOW synchronous_commit")).scalar() == expected
            with store.write() as conn:
                assert conn.execute(text("SHOW synchronous_commit")).scalar() == expected
        finally:
            store.close()
