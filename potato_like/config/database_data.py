"""A `data_sources` entry of `type: database` (data/database_source.py reads it), with
Potato's keys: `connection_string` or `dialect`/`host`/`port`/`database`/`username`/
`password`; `query` or `table`; `id_column`; and the `live_ingestion` block."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import URL

from ..data.database_source import DatabaseSource, LiveIngestion, load_at_start
from ..store.external_rows import ExternalDbError, check_query
from .reader import ConfigReader

DATABASE_KEYS = (
    "type",
    "id",
    "source_id",
    "enabled",
    "connection_string",
    "dialect",
    "host",
    "port",
    "database",
    "username",
    "password",
    "query",
    "table",
    "id_column",
    "text_column",
    "pool_size",
    "pool_timeout",
    "live_ingestion",
)
LIVE_KEYS = (
    "enabled",
    "poll_interval_seconds",
    "cursor_column",
    "tiebreaker_column",
    "initial_cursor",
    "batch_size",
    "overlap_seconds",
    "safety_lag_seconds",
    "backoff_initial_seconds",
    "backoff_max_seconds",
    "max_consecutive_failures",
    "stop_after_items",
    "replay_on_start",
    "listing",
)
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
DIALECTS = {"postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql+pymysql"}
# (open_engine picks psycopg 3 for postgresql:// when psycopg2 is not installed)


def read_database_source(
    sub: ConfigReader, index: int, cache_dir: Path, task_dir: Path
) -> tuple[DatabaseSource, Path] | None:
    """(the source, the copy of its rows to import), or None with the problem reported."""
    sub.warn_unknown(DATABASE_KEYS)
    for key in ("pool_size", "pool_timeout"):
        if sub.has(key):
            sub.warn(key, "ignored: each read opens one connection and closes it")
    url = _url(sub, task_dir)
    query = _query(sub)
    if url is None or query is None:
        return None
    ident = sub.str("id", None) or sub.str("source_id", None) or f"database-{index}"
    id_column = sub.str("id_column", "id") or "id"
    live = _live(sub.child("live_ingestion"), query)
    if sub.has("live_ingestion") and live is None and _has_problem(sub):
        return None
    source = DatabaseSource(
        id=ident,
        url=url,
        query=query,
        id_column=id_column,
        text_column=sub.str("text_column", None),
        live=live,
    )
    if source.explicit and live is None:
        sub.problem("query", "uses :cursor, which only live_ingestion binds; enable it")
        return None
    try:
        copy, warning = load_at_start(source, cache_dir)
    except ExternalDbError as exc:
        sub.problem("connection_string", f"database source {ident!r} ({source.shown_url}): {exc}")
        return None
    if warning:
        sub.warn("connection_string", f"database source {ident!r}: {warning}")
    return source, copy


def _url(sub: ConfigReader, task_dir: Path) -> str | None:
    given = sub.str("connection_string", None)
    if given:
        if given.startswith("sqlite:///") and not given.startswith("sqlite:////"):
            # Potato's examples give SQLite paths relative to the project (task_dir)
            return "sqlite:///" + str((task_dir / given[len("sqlite:///") :]).resolve())
        return given
    dialect = sub.str("dialect", None)
    if dialect is None:
        sub.problem("connection_string", "is required (or dialect, host, database, ...)")
        return None
    if dialect == "sqlite":
        name = sub.str("database", None, required=True)
        return "sqlite:///" + str((task_dir / name).resolve()) if name else None
    driver = DIALECTS.get(dialect)
    if driver is None:
        sub.problem("dialect", f"{dialect!r} is not one of postgresql, mysql, sqlite")
        return None
    port = sub.number("port", None, integer=True, minimum=1, maximum=65535)
    return URL.create(
        driver,
        username=sub.str("username", None) or None,
        password=sub.str("password", None, allow_empty=True) or None,
        host=sub.str("host", "localhost"),
        port=int(port) if port else None,
        database=sub.str("database", None, required=True),
    ).render_as_string(hide_password=False)


def _query(sub: ConfigReader) -> str | None:
    query, table = sub.str("query", None), sub.str("table", None)
    if query and table:
        sub.warn("table", "ignored: query is set")
    if not query and not table:
        sub.problem("query", "is required (or table)")
        return None
    if not query:
        if not TABLE_NAME.match(table):
            sub.problem("table", f"{table!r} is not a plain table name (letters, digits, _)")
            return None
        return f"SELECT * FROM {table}"  # noqa: S608 (checked to be a plain name)
    why = check_query(query)
    if why:
        sub.problem("query", why)
        return None
    return query


def _live(r: ConfigReader, query: str) -> LiveIngestion | None:
    r.warn_unknown(LIVE_KEYS)
    if not r.bool("enabled", False):
        return None
    if r.str("listing", "full") not in ("full",):
        r.warn("listing", "ignored: rows are always listed in full")
    cursor = r.str("cursor_column", None)
    explicit = ":cursor" in query
    if not cursor:
        r.problem(
            "cursor_column",
            "is required: the column whose ascending order says which rows are newer",
        )
        return None
    initial = r.raw.get("initial_cursor")
    if explicit and initial is None:
        r.problem("initial_cursor", "is required with a :cursor query (col > NULL matches nothing)")
        return None
    return LiveIngestion(
        poll_seconds=float(r.number("poll_interval_seconds", 5.0, minimum=0.5, maximum=3600)),
        cursor_column=cursor,
        tiebreaker_column=r.str("tiebreaker_column", None) or None,
        initial_cursor=initial,
        batch_size=int(r.number("batch_size", 500, integer=True, minimum=1, maximum=100_000)),
        overlap_seconds=float(r.number("overlap_seconds", 0.0, minimum=0)),
        safety_lag_seconds=float(r.number("safety_lag_seconds", 0.0, minimum=0)),
        backoff_initial_seconds=float(r.number("backoff_initial_seconds", 1.0, minimum=0.01)),
        backoff_max_seconds=float(r.number("backoff_max_seconds", 300.0, minimum=0.01)),
        max_consecutive_failures=int(
            r.number("max_consecutive_failures", 0, integer=True, minimum=0)
        ),
        stop_after_items=int(r.number("stop_after_items", 0, integer=True, minimum=0)),
        replay_on_start=r.bool("replay_on_start", True),
    )


def _has_problem(sub: ConfigReader) -> bool:
    return any(p.startswith(sub.path) for p in sub.problems)
