"""The embedding map in the store: one row per projected item and run (x, y), and the runs.

A run's points are written in batches while it is unfinished; finishing it makes it the
current map in one short transaction and deletes older runs' points, so readers (any
process) always see one complete map. Read in pages by item seq (the data endpoint)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, func, select, update

from .tables import annotations, embedding_points, embedding_runs, items, users

if TYPE_CHECKING:
    from . import Store

P, R, I = embedding_points.c, embedding_runs.c, items.c  # noqa: E741
BATCH = 5000
CURRENT = (
    select(R.version, R.started_at, R.finished_at, R.embedder, R.points, R.seconds, R.params)
    .where(R.finished_at.is_not(None))
    .order_by(R.version.desc())
    .limit(1)
)
PAGE = (
    select(P.item_seq, P.x, P.y, I.id, I.text)
    .join(items, I.seq == P.item_seq)
    .where(P.run == bindparam("run"), P.item_seq > bindparam("after"))
    .order_by(P.item_seq)
    .limit(bindparam("n"))
)
ANSWERS_OF = (
    select(annotations.c.item_seq, users.c.username, annotations.c.value)
    .join(users, users.c.id == annotations.c.user_id)
    .where(
        annotations.c.schema == bindparam("schema"),
        annotations.c.item_seq.in_(bindparam("seqs", expanding=True)),
    )
)


@dataclass(frozen=True)
class MapRun:
    version: int
    started_at: float
    finished_at: float | None
    embedder: str
    points: int
    seconds: float | None
    params: dict[str, Any]


@dataclass(frozen=True)
class MapPoint:
    seq: int
    item_id: str
    x: float
    y: float
    text: str


class EmbedMap:
    def __init__(self, store: Store) -> None:
        self.store = store

    def current(self) -> MapRun | None:
        with self.store.read() as conn:
            row = conn.execute(CURRENT).first()
        if row is None:
            return None
        return MapRun(
            row.version,
            row.started_at,
            row.finished_at,
            row.embedder,
            row.points,
            row.seconds,
            json.loads(row.params or "{}"),
        )

    def begin_run(self, embedder: str, params: dict[str, Any]) -> int:
        with self.store.write() as conn:
            result = conn.execute(
                embedding_runs.insert().values(
                    started_at=time.time(), embedder=embedder, params=json.dumps(params)
                )
            )
            return int(result.inserted_primary_key[0])

    def add_points(self, run: int, rows: Iterable[tuple[int, float, float]]) -> None:
        batch: list[dict] = []
        for seq, x, y in rows:
            batch.append({"run": run, "item_seq": seq, "x": x, "y": y})
            if len(batch) >= BATCH:
                self._insert(batch)
                batch = []
        if batch:
            self._insert(batch)

    def _insert(self, batch: list[dict]) -> None:
        with self.store.write() as conn:
            conn.execute(embedding_points.insert(), batch)

    def finish_run(self, run: int, points: int, seconds: float) -> None:
        """Make `run` the current map; older runs and their points go."""
        with self.store.write() as conn:
            conn.execute(
                update(embedding_runs)
                .where(R.version == run)
                .values(finished_at=time.time(), points=points, seconds=seconds)
            )
            conn.execute(delete(embedding_points).where(P.run < run))
            conn.execute(delete(embedding_runs).where(R.version < run))

    def abandon_run(self, run: int) -> None:
        with self.store.write() as conn:
            conn.execute(delete(embedding_points).where(P.run == run))
            conn.execute(delete(embedding_runs).where(R.version == run))

    def abandon_unfinished(self) -> None:
        """Runs a stopped process left half-written (at start, before a new run)."""
        with self.store.write() as conn:
            stale = [v for (v,) in conn.execute(select(R.version).where(R.finished_at.is_(None)))]
            if stale:
                conn.execute(delete(embedding_points).where(P.run.in_(stale)))
                conn.execute(delete(embedding_runs).where(R.version.in_(stale)))

    def page(self, run: int, after_seq: int, limit: int) -> list[MapPoint]:
        with self.store.read() as conn:
            rows = conn.execute(PAGE, {"run": run, "after": after_seq, "n": limit}).all()
        return [MapPoint(r.item_seq, r.id, r.x, r.y, r.text) for r in rows]

    def answers(self, schema: str, seqs: list[int]) -> dict[int, list[tuple[str, str]]]:
        """item seq -> [(username, stored JSON value)] of `schema`'s saved answers."""
        out: dict[int, list[tuple[str, str]]] = {s: [] for s in seqs}
        with self.store.read() as conn:
            for start in range(0, len(seqs), 900):
                chunk = seqs[start : start + 900]
                for row in conn.execute(ANSWERS_OF, {"schema": schema, "seqs": chunk}):
                    out[row.item_seq].append((row.username, row.value))
        return out

    def sample_source(self) -> tuple[list[int], set[int]]:
        """(seq of every item not retired, seqs of items with any answer)."""
        with self.store.read() as conn:
            seqs = list(conn.execute(select(I.seq).where(I.retired == 0).order_by(I.seq)).scalars())
            answered = set(conn.execute(select(annotations.c.item_seq).distinct()).scalars())
        return seqs, answered

    def texts(self, seqs: list[int], field: str | None = None) -> Iterator[tuple[int, str]]:
        """(seq, text) of the given items, in seq order, read in chunks; with `field`, that
        field of the item's data instead of its text (missing: "")."""
        ordered = sorted(seqs)
        column = I.data if field else I.text
        with self.store.read() as conn:
            for start in range(0, len(ordered), 900):
                chunk = ordered[start : start + 900]
                rows = conn.execute(
                    select(I.seq, column.label("v")).where(I.seq.in_(chunk)).order_by(I.seq)
                ).all()
                for r in rows:
                    if field:
                        value = json.loads(r.v).get(field)
                        yield r.seq, "" if value is None else str(value)
                    else:
                        yield r.seq, r.v

    def item_count(self) -> int:
        with self.store.read() as conn:
            return conn.execute(
                select(func.count()).select_from(items).where(I.retired == 0)
            ).scalar_one()

    def annotated_count(self, run: int) -> int:
        """How many of the run's points have at least one saved answer."""
        answered = select(annotations.c.item_seq).where(annotations.c.item_seq == P.item_seq)
        with self.store.read() as conn:
            return conn.execute(
                select(func.count())
                .select_from(embedding_points)
                .where(P.run == run, answered.exists())
            ).scalar_one()
