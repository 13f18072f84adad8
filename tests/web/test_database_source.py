"""`data_sources` of `type: database`: rows of a query become items; with `live_ingestion`
rows added while the server runs become items too (keyset cursor, de-duplication by id,
overlap, safety against failures). Real SQLite files, and a real PostgreSQL cluster."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from potato_like.config import load_config
from potato_like.data.live_ingest import STATE_FILE, backoff
from potato_like.errors import ConfigError
from tests.conftest import ADMIN, base_config, login, write_config

QUERY = "SELECT id, text, created_at FROM instances"


def make_db(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS instances (id TEXT PRIMARY KEY, text TEXT, created_at TEXT)"
    )
    conn.executemany("INSERT INTO instances VALUES (?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return path


def stamp(second: int) -> str:
    return f"2026-12-01T10:00:{second:02d}+00:00"


def source(live: dict | None = None, **extra) -> dict:
    entry = {"id": "feed", "type": "database", "connection_string": "sqlite:///live.db"}
    entry.update({"query": QUERY, **extra})
    entry = {k: v for k, v in entry.items() if v is not None}
    if live is not None:
        block = {"enabled": True, "cursor_column": "created_at", **live}
        entry["live_ingestion"] = {k: v for k, v in block.items() if v is not None}
    return entry


def project(tmp_path, open_app, entry: dict, **overrides):
    config = base_config(data_sources=[entry], **overrides)
    config.pop("data_files")
    return open_app(write_config(tmp_path, config))


def item_ids(app) -> set[str]:
    """The ids of the items being served (retired ones left out)."""
    from sqlalchemy import select

    from potato_like.store.tables import items

    store = app.extensions["potato_like"].store
    with store.read() as conn:
        return set(conn.execute(select(items.c.id).where(items.c.retired.is_(False))).scalars())


def test_the_query_rows_become_items_and_follow_the_table_at_the_next_start(tmp_path, open_app):
    make_db(tmp_path / "live.db", [("a", "first", stamp(1)), ("b", "second", stamp(2))])
    app = project(tmp_path, open_app, source())
    assert item_ids(app) == {"a", "b"}
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    assert "first" in page or "second" in page
    app.extensions["potato_like"].close()
    make_db(tmp_path / "live.db", [("c", "third", stamp(3))])
    again = project(tmp_path, open_app, source())
    assert {"a", "b", "c"} <= item_ids(again)


def test_a_table_and_potato_s_dialect_keys(tmp_path, open_app):
    make_db(tmp_path / "rows.db", [("x", "only row", stamp(1))])
    entry = {"type": "database", "dialect": "sqlite", "database": "rows.db", "table": "instances"}
    app = project(tmp_path, open_app, entry)
    assert item_ids(app) == {"x"}


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        (source(query="DELETE FROM instances"), "single SELECT"),
        (source(query="SELECT 1; DROP TABLE instances"), "single statement"),
        (source(query=None, table="instances; drop"), "plain table name"),
        (source(query="SELECT * FROM instances WHERE created_at > :cursor"), ":cursor"),
        (source(live={"cursor_column": None}), "cursor_column"),
        (
            source(query=QUERY + " WHERE created_at > :cursor", live={}),
            "initial_cursor",
        ),
        ({"type": "database", "query": QUERY}, "connection_string"),
        ({"type": "database", "dialect": "oracle", "database": "x", "query": QUERY}, "dialect"),
    ],
)
def test_bad_database_sources_are_refused_with_the_reason(tmp_path, entry, words):
    make_db(tmp_path / "live.db", [("a", "first", stamp(1))])
    config = base_config(data_sources=[entry])
    config.pop("data_files")
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path, config))
    assert words in str(err.value)


def test_a_missing_sqlite_file_is_an_error_and_is_not_created(tmp_path):
    config = base_config(data_sources=[source()])
    config.pop("data_files")
    with pytest.raises(ConfigError, match="cannot open the SQLite file"):
        load_config(write_config(tmp_path, config))
    assert not (tmp_path / "live.db").exists()


def test_the_password_never_appears_in_an_error(tmp_path):
    entry = source(connection_string="postgresql://ann:s3cr3t-pw@127.0.0.1:1/nowhere")
    config = base_config(data_sources=[entry])
    config.pop("data_files")
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path, config))
    assert "s3cr3t-pw" not in str(err.value) and "***" in str(err.value)


def test_live_ingestion_with_the_batch_strategy_is_refused(tmp_path):
    make_db(tmp_path / "live.db", [("a", "first", stamp(1))])
    config = base_config(data_sources=[source(live={})], assignment_strategy="batch")
    config.pop("data_files")
    with pytest.raises(ConfigError, match="live_ingestion"):
        load_config(write_config(tmp_path, config))


def test_rows_added_later_become_items_on_a_poll_once_each(tmp_path, open_app):
    db = make_db(tmp_path / "live.db", [("a", "first", stamp(1))])
    app = project(tmp_path, open_app, source(live={"overlap_seconds": 2}))
    admin = app.test_client()
    assert item_ids(app) == {"a"}
    make_db(db, [("b", "second", stamp(2)), ("c", "third", stamp(3))])
    got = admin.post("/admin/api/data_sources/feed/live/poll", headers=ADMIN)
    assert got.status_code == 200, got.json
    assert got.json["items_added"] == 2
    assert item_ids(app) == {"a", "b", "c"}
    # the overlap re-reads the boundary rows: dropped as duplicates, nothing added twice
    again = admin.post("/admin/api/data_sources/feed/live/poll", headers=ADMIN).json
    assert again["added"] == 0 and again["duplicates_skipped"] >= 2
    status = admin.get("/admin/api/data_sources/live", headers=ADMIN).json["sources"][0]
    assert status["source_id"] == "feed" and status["items_added"] == 2
    assert status["last_cursor"] == stamp(3)
    listed = admin.get("/admin/api/data_sources", headers=ADMIN).json["sources"]
    assert listed[0]["type"] == "database" and listed[0]["live"]["items_added"] == 2
    assert admin.get("/admin/api/data_sources/nope/live", headers=ADMIN).status_code == 404
    assert admin.get("/admin/api/data_sources/live").status_code in (401, 403)


def test_rows_sharing_a_cursor_value_are_not_skipped_by_small_batches(tmp_path, open_app):
    db = make_db(tmp_path / "live.db", [("a", "first", stamp(1))])
    entry = source(live={"batch_size": 2, "tiebreaker_column": "id"})
    app = project(tmp_path, open_app, entry)
    make_db(db, [(f"t{i}", f"tie {i}", stamp(5)) for i in range(5)])
    got = app.test_client().post("/admin/api/data_sources/feed/live/poll", headers=ADMIN).json
    assert got["added"] == 5
    assert item_ids(app) == {"a", "t0", "t1", "t2", "t3", "t4"}


def test_stop_after_items_caps_what_is_added(tmp_path, open_app):
    db = make_db(tmp_path / "live.db", [])
    app = project(
        tmp_path, open_app, source(live={"stop_after_items": 2, "replay_on_start": False})
    )
    make_db(db, [(f"n{i}", f"new {i}", stamp(i)) for i in range(5)])
    got = app.test_client().post("/admin/api/data_sources/feed/live/poll", headers=ADMIN).json
    assert got["added"] == 2 and len(item_ids(app)) == 2


def test_the_cursor_survives_a_restart_and_never_moves_back(tmp_path, open_app):
    db = make_db(tmp_path / "live.db", [("a", "first", stamp(1))])
    entry = source(live={"replay_on_start": False})
    app = project(tmp_path, open_app, entry)
    make_db(db, [("b", "second", stamp(2))])
    app.test_client().post("/admin/api/data_sources/feed/live/poll", headers=ADMIN)
    app.extensions["potato_like"].close()
    assert stamp(2) in (tmp_path / "out" / STATE_FILE).read_text()
    again = project(tmp_path, open_app, entry)
    make_db(db, [("c", "third", stamp(3))])
    got = again.test_client().post("/admin/api/data_sources/feed/live/poll", headers=ADMIN).json
    assert got["added"] == 1 and got["rows_fetched"] == 1  # only the row after b
    assert item_ids(again) == {"a", "b", "c"}


def test_an_explicit_cursor_query_is_bound_and_limited(tmp_path, open_app):
    db = make_db(tmp_path / "live.db", [("a", "first", stamp(1))])
    query = QUERY + " WHERE created_at > :cursor ORDER BY created_at, id"
    entry = source(query=query, live={"initial_cursor": stamp(0), "replay_on_start": False})
    app = project(tmp_path, open_app, entry)
    make_db(db, [("b", "second", stamp(2))])
    got = app.test_client().post("/admin/api/data_sources/feed/live/poll", headers=ADMIN).json
    assert got["added"] == 2  # from the initial cursor: a, then b
    assert item_ids(app) == {"a", "b"}


def test_a_failing_database_answers_502_and_the_project_carries_on(tmp_path, open_app):
    db = make_db(tmp_path / "live.db", [("a", "first", stamp(1))])
    app = project(tmp_path, open_app, source(live={}))
    db.rename(tmp_path / "gone.db")
    admin = app.test_client()
    got = admin.post("/admin/api/data_sources/feed/live/poll", headers=ADMIN)
    assert got.status_code == 502 and "SQLite file" in got.json["error"]
    status = admin.get("/admin/api/data_sources/feed/live", headers=ADMIN).json
    assert status["consecutive_failures"] == 1 and "SQLite" in status["last_error"]
    assert login(app.test_client(), "ann").get("/annotate").status_code == 200


def test_backoff_doubles_up_to_its_ceiling_with_jitter():
    from potato_like.data.database_source import LiveIngestion

    live = LiveIngestion(cursor_column="c", backoff_initial_seconds=1, backoff_max_seconds=10)
    waits = [backoff(n, live) for n in (1, 2, 3, 4, 5, 9)]
    for got, want in zip(waits, (1, 2, 4, 8, 10, 10), strict=True):
        assert 0.75 * want <= got <= want


def test_the_poller_thread_picks_up_rows_while_annotators_work(tmp_path, open_app):
    db = make_db(tmp_path / "live.db", [("a", "first", stamp(1))])
    app = project(tmp_path, open_app, source(live={"poll_interval_seconds": 0.5}))
    ann = login(app.test_client(), "ann")
    assert ann.get("/annotate").status_code == 200  # starts the poller
    make_db(db, [("late", "arrived later", stamp(9))])
    deadline = time.monotonic() + 15
    while "late" not in item_ids(app) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "late" in item_ids(app)


@pytest.mark.postgres
def test_live_ingestion_from_postgresql_with_a_timestamp_cursor(tmp_path, open_app, pg_url):
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE msgs (id serial PRIMARY KEY, body text, at timestamptz)"))
        conn.execute(text("INSERT INTO msgs (body, at) VALUES ('one', now() - interval '1 hour')"))
    entry = {
        "id": "pg",
        "type": "database",
        "connection_string": pg_url,
        "query": "SELECT id, body AS text, at FROM msgs",
        "live_ingestion": {"enabled": True, "cursor_column": "at", "overlap_seconds": 2},
    }
    app = project(tmp_path, open_app, entry)
    assert item_ids(app) == {"1"}
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO msgs (body, at) VALUES ('two', now()), ('three', now())"))
    got = app.test_client().post("/admin/api/data_sources/pg/live/poll", headers=ADMIN).json
    assert got["added"] == 2 and item_ids(app) == {"1", "2", "3"}
    with engine.begin() as conn:  # read-only: the source cannot write
        count = conn.execute(text("SELECT count(*) FROM msgs")).scalar()
    assert count == 3
    engine.dispose()
