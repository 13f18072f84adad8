"""The store: the single source of truth for a project. All SQL lives in this package.

One `Store` per project owns the engine; aggregates (users, items, assignments, annotations,
events) hang off it. Every write is one short transaction (`with store.write() as tx`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DatabaseError

from ..errors import ConfigError
from . import migrations
from .engine import WRITE, is_sqlite, make_engine
from .process_turn import ProcessTurn
from .tables import counters, meta

COUNTER = select(counters.c.value).where(counters.c.name == bindparam("n"))


class Store:
    def __init__(self, engine: Engine) -> None:
        from .admin_state import AdminState
        from .aggregates import Aggregates
        from .ai_cache import AiCache
        from .ai_models import AiModels
        from .annotations import Annotations
        from .api_keys import ApiKeys
        from .assignments import Assignments
        from .audio_datasets import AudioDatasets
        from .corpus_map import CorpusMapStore
        from .crowd import Crowd
        from .embed_map import EmbedMap
        from .event_registry import EventRegistry
        from .events import Events
        from .gold import Gold
        from .hitl_jobs import HitlStore
        from .icl import IclStore
        from .idempotency import Idempotency
        from .items import Items
        from .jobs import Jobs
        from .locks import Locks
        from .login_sessions import LoginSessions
        from .outbox import OutboxRows
        from .password_resets import PasswordResets
        from .queue_front import QueueFront
        from .rollout_predictions import RolloutPredictions
        from .stats import Stats
        from .study import Study
        from .users import Users

        self.engine = engine
        self._write_engine = engine.execution_options(**WRITE)
        self._write_turn = threading.Lock() if is_sqlite(engine) else None
        self._process_turn = ProcessTurn.for_engine(engine)
        self.users = Users(self)
        self.items = Items(self)
        self.assignments = Assignments(self)
        self.annotations = Annotations(self)
        self.events = Events(self)
        self.stats = Stats(self)
        self.admin = AdminState(self)
        self.study = Study(self)
        self.aggregates = Aggregates(self)
        self.crowd = Crowd(self)
        self.login_sessions = LoginSessions(self)
        self.password_resets = PasswordResets(self)
        self.api_keys = ApiKeys(self)
        self.gold = Gold(self)
        self.event_registry = EventRegistry(self)
        self.embed_map = EmbedMap(self)
        self.corpus_map = CorpusMapStore(self)
        self.queue_front = QueueFront(self)
        self.locks = Locks(self)
        self.ai_models = AiModels(self)
        self.icl = IclStore(self)
        self.jobs = Jobs(self)
        self.audio = AudioDatasets(self)
        self.idempotency = Idempotency(self)
        self.ai_cache = AiCache(self)
        self.hitl = HitlStore(self)
        self.outbox = OutboxRows(self)
        self.rollout_predictions = RolloutPredictions(self)
        # An upsert, so a counter that was never initialised still counts from zero.
        self._add_counter = (
            self.insert(counters)
            .values(name=bindparam("n"), value=bindparam("d"))
            .on_conflict_do_update(
                index_elements=["name"], set_={"value": counters.c.value + bindparam("d")}
            )
        )

    @classmethod
    def open(cls, url: str, *, pool_size: int = 20, durability: str = "normal") -> Store:
        engine = make_engine(url, pool_size=pool_size, durability=durability)
        try:
            migrations.upgrade(engine)
        except (DatabaseError, OSError) as exc:
            engine.dispose()
            reason = getattr(exc, "orig", None) or exc
            raise ConfigError(
                [
                    f"database {engine.url.render_as_string(hide_password=True)}: cannot open it: "
                    f"{reason}"
                ]
            ) from exc
        return cls(engine)

    def close(self) -> None:
        self.aggregates.folder.close()
        self.engine.dispose()
        self._process_turn.close()

    def ping(self) -> None:
        """Raise if the database cannot answer."""
        with self.read() as conn:
            conn.execute(select(1))

    @property
    def sqlite(self) -> bool:
        return is_sqlite(self.engine)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE on SQLite); commits on normal exit.

        On SQLite the threads of one process take turns through a lock first: a writer that
        finds the database locked otherwise sleeps in SQLite's busy handler (1, 2, 5, 10 ...
        100 ms steps) and can lose to newer arrivals again and again (p99 189 ms, max 440 ms
        at 8 annotators). Several processes on one SQLite file (`run.py --workers N`) then
        take turns through a lock on a file next to the database (`ProcessTurn`): the kernel
        wakes the next waiter when the lock is released, so no process sleeps in the busy
        handler either. PostgreSQL has row locks and needs no such queue."""
        if self._write_turn is None:
            with self._write_engine.begin() as conn:
                yield conn
            return
        with self._write_turn, self._process_turn, self._write_engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def insert(self, table):
        """INSERT that supports ON CONFLICT on both dialects."""
        return (sqlite_insert if self.sqlite else pg_insert)(table)

    # -- small key/value bookkeeping ----------------------------------------------------
    def get_meta(self, key: str, conn: Connection | None = None) -> str | None:
        if conn is not None:
            return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
        with self.read() as c:
            return c.execute(select(meta.c.value).where(meta.c.key == key)).scalar()

    def set_meta(self, conn: Connection, key: str, value: str) -> None:
        stmt = self.insert(meta).values(key=key, value=value)
        conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))

    def counter(self, conn: Connection, name: str) -> int:
        return conn.execute(COUNTER, {"n": name}).scalar() or 0

    def set_counter(self, conn: Connection, name: str, value: int) -> None:
        stmt = self.insert(counters).values(name=name, value=value)
        conn.execute(stmt.on_conflict_do_update(index_elements=["name"], set_={"value": value}))

    def add_counter(self, conn: Connection, name: str, delta: int) -> None:
        if delta:
            conn.execute(self._add_counter, {"n": name, "d": delta})

    def add_counters(self, conn: Connection, deltas: dict[str, int]) -> None:
        """Several counters in one call (the save path changes two at once)."""
        rows = [{"n": name, "d": delta} for name, delta in deltas.items() if delta]
        if rows:
            conn.execute(self._add_counter, rows)
