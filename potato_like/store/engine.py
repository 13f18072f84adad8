"""Engines: SQLite (WAL, short BEGIN IMMEDIATE write transactions) or PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from ..private_files import prepare_sqlite_file

WRITE = {"potato_write": True}


def make_engine(url: str, *, pool_size: int = 20, durability: str = "normal") -> Engine:
    """`durability` "full": every commit waits until it is on disk (SQLite synchronous=FULL;
    PostgreSQL synchronous_commit=on for our sessions, whatever the server's default).
    "normal": SQLite synchronous=NORMAL (WAL); PostgreSQL keeps the server's setting."""
    if durability not in ("normal", "full"):
        raise ValueError(f"durability must be 'normal' or 'full', got {durability!r}")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, pool_size, durability)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    engine = create_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, future=True
    )
    if durability == "full" and engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def wait_for_the_disk(dbapi_conn, _record):
            # PostgreSQL's default (on) already waits for the WAL flush at commit; a server or
            # database configured with synchronous_commit=off would not, so insist per session.
            with dbapi_conn.cursor() as cur:
                cur.execute("SET synchronous_commit = on")
            dbapi_conn.commit()

    return engine


def _sqlite_engine(url: str, database: str | None, pool_size: int, durability: str) -> Engine:
    if database and database != ":memory:" and not database.startswith("file:"):
        prepare_sqlite_file(Path(database))  # 0600, so are its -wal and -shm
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        pool_timeout=30,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn, _record):
        # Take transaction control away from the driver: we send BEGIN ourselves.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a committed transaction survives a process crash (kill -9);
        # an OS crash or power cut can lose the last commits (not corrupt the database).
        # FULL also syncs the WAL at every commit, so a commit survives a power cut too.
        cur.execute(
            "PRAGMA synchronous=FULL" if durability == "full" else "PRAGMA synchronous=NORMAL"
        )
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA cache_size=-8000")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        # Writers take the write lock up front so two writers never deadlock upgrading
        # read locks; readers stay concurrent.
        mode = "IMMEDIATE" if conn.get_execution_options().get("potato_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


LOCK_IDS = {"migrate": 7_261_001, "import": 7_261_002}


def exclusive(conn: Connection, name: str) -> None:
    """Hold a database-wide lock for the rest of this transaction. On SQLite a write
    transaction is already exclusive; PostgreSQL gets a transaction-level advisory lock."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_IDS[name]})


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def schema_url(url: str, schema: str) -> str:
    """`url` (PostgreSQL) with `schema` as every session's search path: a workspace keeps
    each project in a schema of its own in one database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"schemas need a PostgreSQL URL, got {parsed.get_backend_name()}")
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def create_schema(url: str, schema: str) -> None:
    _schema_ddl(url, f'CREATE SCHEMA IF NOT EXISTS "{schema}"')


def drop_schema(url: str, schema: str) -> None:
    _schema_ddl(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _schema_ddl(url: str, statement: str) -> None:
    engine = make_engine(url, pool_size=1)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()
