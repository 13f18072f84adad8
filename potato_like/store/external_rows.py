"""Rows read from someone else's database: the `type: database` data source
(data/database_source.py). The only SQL here that is not ours: the admin's query, run
read-only (SQLite files are opened read-only and never created; PostgreSQL transactions are
READ ONLY), one statement that must start with SELECT or WITH, always rolled back.

Live ingestion reads in keyset order: Potato's "managed" mode wraps the query as
`SELECT * FROM (<query>) WHERE (cursor, tiebreaker) > (:v, :t) ORDER BY cursor, tiebreaker
LIMIT n`; its "explicit" mode binds `:cursor` in the admin's own query and appends the LIMIT.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import importlib.util
import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from ..errors import PotatoLikeError

READ_STATEMENT = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
DRIVERS = {
    "postgresql": "psycopg (pip install 'psycopg[binary]') or psycopg2-binary",
    "mysql": "pymysql (pip install pymysql) with a mysql+pymysql:// URL",
    "mssql": "pyodbc (pip install pyodbc)",
}


class ExternalDbError(PotatoLikeError):
    """The database cannot be opened or the query cannot be run; the message says why
    (never the password). Answered as 502: the fault is the other server's."""

    status = 502


def check_query(query: str) -> str | None:
    """Why `query` cannot be run as a data source's query, or None."""
    body = query.strip().rstrip(";").strip()
    if not READ_STATEMENT.match(body):
        return "must be a single SELECT (or WITH ... SELECT) statement"
    if ";" in _without_strings(body):
        return "must be a single statement (no ';' inside)"
    return None


def _without_strings(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


def open_engine(url: str) -> Engine:
    """A read-only engine for `url` (a SQLAlchemy URL)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ExternalDbError("connection_string is not a database URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = parsed.database
        if not path or path == ":memory:":
            raise ExternalDbError("a sqlite database source needs a file path")

        def connect() -> sqlite3.Connection:
            try:
                return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            except sqlite3.OperationalError:
                raise ExternalDbError(f"cannot open the SQLite file {path}") from None

        return create_engine("sqlite://", creator=connect, poolclass=NullPool)
    if parsed.drivername == "postgresql" and _has("psycopg") and not _has("psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver installed here
    try:
        engine = create_engine(parsed, poolclass=NullPool, pool_pre_ping=True)
    except (NoSuchModuleError, ModuleNotFoundError, ImportError) as exc:
        need = DRIVERS.get(backend, f"a SQLAlchemy driver for {backend}")
        raise ExternalDbError(f"cannot use {backend} ({exc}); install {need}") from None
    if backend == "postgresql":
        engine = engine.execution_options(postgresql_readonly=True)
    return engine


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def quote(engine: Engine, column: str) -> str:
    return engine.dialect.identifier_preparer.quote(column)


def managed_sql(engine: Engine, query: str, cursor: str, tiebreak: str, after: str) -> str:
    """A page of `query` in (cursor, tiebreak) order: `after` is "" (from the beginning),
    "value" (rows whose cursor is above :cv) or "keyset" (rows after (:cv, :ct))."""
    c, t = quote(engine, cursor), quote(engine, tiebreak)
    where = {
        "": "",
        "value": f" WHERE {c} > :cv",
        "keyset": f" WHERE {c} > :cv OR ({c} = :cv AND {t} > :ct)",
    }[after]
    inner = query.strip().rstrip(";")
    # The admin's own query by design (config, not request input); columns are quoted.
    return f"SELECT * FROM ({inner}) AS potato_live{where} ORDER BY {c}, {t} LIMIT :limit"  # noqa: S608


def explicit_sql(query: str) -> str:
    return f"{query.strip().rstrip(';')} LIMIT :limit"


def read_rows(engine: Engine, sql: str, params: dict[str, Any], most: int) -> list[dict]:
    """At most `most` rows of `sql`, each a JSON-safe dict."""
    with _connection(engine) as conn:
        result = conn.execute(text(sql), params)
        return [json_safe(dict(row._mapping)) for row in result.fetchmany(most)]


def stream_rows(engine: Engine, sql: str, batch: int = 1000) -> Iterator[list[dict]]:
    """Every row of `sql`, in lists of `batch`."""
    with _connection(engine) as conn:
        result = conn.execution_options(stream_results=True).execute(text(sql))
        while rows := result.fetchmany(batch):
            yield [json_safe(dict(row._mapping)) for row in rows]


@contextmanager
def _connection(engine: Engine):
    try:
        with engine.connect() as conn:
            try:
                yield conn
            finally:
                conn.rollback()
    except ExternalDbError:
        raise
    except SQLAlchemyError as exc:
        raise ExternalDbError(_short(exc)) from None


def _short(exc: SQLAlchemyError) -> str:
    cause = getattr(exc, "orig", None) or exc
    return str(cause).splitlines()[0][:300]


def json_safe(row: dict[str, Any]) -> dict[str, Any]:
    return {str(k): _value(v) for k, v in row.items()}


def _value(v: Any) -> Any:
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(v)).decode("ascii")
    if isinstance(v, (list, dict)):
        return v
    return str(v)
