"""Upgrading a database that already holds data: build it at the first migration, fill it
the way a running 0001-era server did, upgrade to head, and find every row intact. And the
drift check (models vs migrations) on PostgreSQL too (SQLite: test_migrations.py)."""

from __future__ import annotations

import json

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from potato_like.store import Store, migrations
from potato_like.store.tables import metadata

T0 = 1_764_000_000.0

USERS = [
    # id (assigned in this order), username, password_hash, is_admin, login_kind, created_at, last_active_at,
    # current_pos, next_pos, order_cursor, assigned_count, done_count, max_items
    (
        1,
        "ann1",
        "pbkdf2:sha256:600000$salt$hash1",
        False,
        "password",
        T0,
        T0 + 50,
        1,
        2,
        2,
        2,
        2,
        None,
    ),
    (2, "boss", None, True, "password", T0 + 1, T0 + 60, 0, 1, 1, 1, 1, 5),
    (3, "zoë ✓", None, False, "url_direct", T0 + 2, T0 + 70, 0, 1, 0, 1, 0, None),
]
ITEMS = [
    # seq (assigned in this order), id, text, data, source, line, rand, holders, done_count, is_open, status
    (1, "item_001", "Good film.", {"id": "item_001", "text": "Good film."}, 1, 11, 2, 2, 1, 2),
    (2, "item_002", "Mauvais ✗ 🎬", {"id": "item_002", "text": "Mauvais ✗ 🎬"}, 2, 22, 1, 1, 1, 2),
    (3, "item_003", "Meh.", {"id": "item_003", "text": "Meh.", "extra": [1, 2]}, 3, 33, 1, 0, 1, 1),
    (4, "item_004", "Unseen.", {"id": "item_004", "text": "Unseen."}, 4, 44, 0, 0, 1, 0),
]
ASSIGNMENTS = [
    # user_id, item_seq, position, status, leased_at, completed_at
    (1, 1, 0, "done", T0 + 10, T0 + 10),
    (1, 2, 1, "done", T0 + 20, T0 + 20),
    (2, 1, 0, "done", T0 + 30, T0 + 30),
    (3, 3, 0, "leased", T0 + 40, None),
]
ANNOTATIONS = [
    # item_seq, user_id, schema, value, updated_at
    (1, 1, "sentiment", {"positive": "1"}, T0 + 10),
    (2, 1, "sentiment", {"negative": "1"}, T0 + 20),
    (2, 1, "comment", {"text": 'döner ✓ "quoted"'}, T0 + 20),
    (1, 2, "sentiment", {"positive": "1"}, T0 + 30),
]


def _at_revision(engine, revision: str) -> None:
    cfg = migrations.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _fill_0001(engine) -> None:
    with engine.begin() as conn:
        for u in USERS:
            conn.execute(
                text(
                    "INSERT INTO users (username, password_hash, is_admin, login_kind, phase,"
                    " created_at, last_active_at, current_pos, next_pos, order_cursor,"
                    " assigned_count, done_count, max_items) VALUES (:n, :h, :a, :k,"
                    " 'annotation', :c, :l, :cp, :np, :oc, :ac, :dc, :mx)"
                ),
                dict(
                    zip(
                        ("id", "n", "h", "a", "k", "c", "l", "cp", "np", "oc", "ac", "dc", "mx"),
                        u,
                        strict=True,
                    )
                ),
            )
        for seq, iid, txt, data, line, rand, holders, done, is_open, status in ITEMS:
            conn.execute(
                text(
                    "INSERT INTO items (id, text, data, source, line, rand, holders,"
                    " done_count, is_open, status) VALUES (:i, :t, :d, 'data.jsonl', :l,"
                    " :r, :h, :dc, :o, :st)"
                ),
                {
                    "s": seq,
                    "i": iid,
                    "t": txt,
                    "d": json.dumps(data, ensure_ascii=False),
                    "l": line,
                    "r": rand,
                    "h": holders,
                    "dc": done,
                    "o": is_open,
                    "st": status,
                },
            )
        for a in ASSIGNMENTS:
            conn.execute(
                text(
                    "INSERT INTO assignments (user_id, item_seq, position, status, leased_at,"
                    " completed_at) VALUES (:u, :s, :p, :st, :l, :c)"
                ),
                dict(zip(("u", "s", "p", "st", "l", "c"), a, strict=True)),
            )
        for seq, uid, schema, value, ts in ANNOTATIONS:
            conn.execute(
                text(
                    "INSERT INTO annotations (item_seq, user_id, schema, value, updated_at)"
                    " VALUES (:s, :u, :sc, :v, :t)"
                ),
                {"s": seq, "u": uid, "sc": schema, "v": json.dumps(value, sort_keys=True), "t": ts},
            )
            conn.execute(
                text(
                    "INSERT INTO events (ts, user_id, item_seq, kind, schema, data)"
                    " VALUES (:t, :u, :s, 'save', :sc, :d)"
                ),
                {"t": ts, "u": uid, "s": seq, "sc": schema, "d": json.dumps(value)},
            )
        conn.execute(
            text(
                "INSERT INTO data_sources (path, size, mtime_ns, sha256, rows, imported_at)"
                " VALUES ('data.jsonl', 321, 1, :h, 4, :t)"
            ),
            {"h": "ab" * 32, "t": T0},
        )
        for name, value in (("items", 4), ("done_assignments", 3), ("items_held", 3)):
            conn.execute(
                text("INSERT INTO counters (name, value) VALUES (:n, :v)"), {"n": name, "v": value}
            )
        conn.execute(text("INSERT INTO meta (key, value) VALUES ('overlap', '2')"))
        conn.execute(text("INSERT INTO completions_by_hour (hour, done) VALUES (490000, 3)"))


def _rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def _upgrade_with_data(url: str) -> None:
    engine = create_engine(url)
    try:
        _at_revision(engine, "0001")
        _fill_0001(engine)
    finally:
        engine.dispose()

    store = Store.open(url)  # upgrades to head, as a server start does
    try:
        engine = store.engine
        with engine.connect() as conn:
            head = MigrationContext.configure(conn).get_current_revision()
        assert head == migrations_head()

        users = _rows(
            engine,
            "SELECT id, username, password_hash, login_kind, created_at, last_active_at,"
            " current_pos, next_pos, order_cursor, assigned_count, done_count, max_items"
            " FROM users ORDER BY id",
        )
        assert users == [(u[0], u[1], u[2], *u[4:]) for u in USERS]
        assert "is_admin" not in {c["name"] for c in inspect(engine).get_columns("users")}

        items = _rows(
            engine,
            "SELECT seq, id, text, data, line, rand, holders, done_count, is_open, status"
            " FROM items ORDER BY seq",
        )
        assert [(*i[:3], json.loads(i[3]), *i[4:]) for i in items] == [tuple(i) for i in ITEMS]

        assignments = _rows(
            engine,
            "SELECT user_id, item_seq, position, status, leased_at, completed_at"
            " FROM assignments ORDER BY user_id, item_seq",
        )
        assert assignments == ASSIGNMENTS

        # read back through the store as the server does
        for seq, uid, schema, value, _ts in ANNOTATIONS:
            assert store.annotations.maps_for(seq, uid)[schema] == value
        assert len(_rows(engine, "SELECT * FROM annotations")) == len(ANNOTATIONS)
        events = _rows(
            engine, "SELECT user_id, item_seq, kind, schema, data FROM events ORDER BY id"
        )
        assert [(u, s, k, sc, json.loads(d)) for u, s, k, sc, d in events] == [
            (uid, seq, "save", schema, value) for seq, uid, schema, value, _ts in ANNOTATIONS
        ]
        assert store.users.by_name("zoë ✓").login_kind == "url_direct"
        assert store.get_meta("overlap") == "2"
        with store.read() as conn:
            assert store.counter(conn, "done_assignments") == 3
        assert _rows(engine, "SELECT hour, done FROM completions_by_hour") == [(490000, 3)]
        assert _rows(engine, "SELECT path, rows FROM data_sources") == [("data.jsonl", 4)]
        # the later migrations' columns exist with their defaults on the old rows
        study = _rows(engine, "SELECT study_status, timed_items FROM users ORDER BY id")
        assert study == [("active", 0)] * 3
        # ids keep counting after the old rows (PostgreSQL sequences, SQLite rowids)
        assert store.users.create("newcomer", None).id == 4
    finally:
        store.close()


def migrations_head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(migrations.alembic_config()).get_current_head()


def test_upgrade_from_the_first_migration_keeps_the_data_on_sqlite(tmp_path):
    _upgrade_with_data(f"sqlite:///{tmp_path / 'old.sqlite3'}")


@pytest.mark.postgres
def test_upgrade_from_the_first_migration_keeps_the_data_on_postgres(pg_url):
    _upgrade_with_data(pg_url)


@pytest.mark.postgres
def test_migrated_schema_matches_tables_on_postgres(pg_url):
    store = Store.open(pg_url)
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
    finally:
        store.close()
