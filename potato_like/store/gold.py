"""Gold labels in the store: the finished answers MACE and adjudication read, MACE results,
adjudication decisions and skips. The arithmetic lives in quality/ (mace.py, gold.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, func, select

from .assignments import DONE
from .tables import (
    adjudication_skips,
    adjudications,
    annotations,
    assignments,
    items,
    mace_results,
    users,
)

if TYPE_CHECKING:
    from . import Store

_DONE_JOIN = annotations.join(
    assignments,
    (assignments.c.item_seq == annotations.c.item_seq)
    & (assignments.c.user_id == annotations.c.user_id),
).join(users, users.c.id == annotations.c.user_id)

# Every finished answer of one scheme, in item order (MACE input).
SCHEMA_ANSWERS = (
    select(annotations.c.item_seq, annotations.c.user_id, annotations.c.value)
    .select_from(
        annotations.join(
            assignments,
            (assignments.c.item_seq == annotations.c.item_seq)
            & (assignments.c.user_id == annotations.c.user_id),
        )
    )
    .where(annotations.c.schema == bindparam("schema"), assignments.c.status == DONE)
    .order_by(annotations.c.item_seq)
)
# Items that `least` or more annotators finished, not retired (adjudication candidates).
FINISHED_ITEMS = (
    select(items.c.seq, items.c.id, items.c.done_count, items.c.status)
    .where(items.c.done_count >= bindparam("least"), items.c.retired == 0)
    .order_by(items.c.seq)
)
# One item's finished answers with who gave them and when.
ITEM_ANSWERS = (
    select(
        users.c.id,
        users.c.username,
        annotations.c.schema,
        annotations.c.value,
        assignments.c.leased_at,
        assignments.c.completed_at,
    )
    .select_from(_DONE_JOIN)
    .where(annotations.c.item_seq == bindparam("seq"), assignments.c.status == DONE)
    .order_by(users.c.username)
)
# Finished answers of many items at once (the queue's agreement).
ITEMS_ANSWERS = (
    select(annotations.c.item_seq, users.c.username, annotations.c.schema, annotations.c.value)
    .select_from(_DONE_JOIN)
    .where(annotations.c.item_seq.in_(bindparam("seqs", expanding=True)))
    .where(assignments.c.status == DONE)
)


@dataclass(frozen=True)
class Answer:
    user_id: int
    username: str
    schema: str
    value: dict[str, Any]
    seconds: float | None  # lease to completion


@dataclass(frozen=True)
class Decision:
    item_seq: int
    item_id: str
    adjudicator: str
    decided_at: float
    labels: dict[str, Any]  # schema -> stored label map
    source: dict[str, str]  # schema -> "annotator:<name>" | "adjudicator"
    confidence: str | None
    notes: str
    error_categories: list[str]
    time_spent_ms: int


_DECISION_COLUMNS = (
    adjudications.c.item_seq,
    items.c.id,
    adjudications.c.adjudicator,
    adjudications.c.decided_at,
    adjudications.c.labels,
    adjudications.c.source,
    adjudications.c.confidence,
    adjudications.c.notes,
    adjudications.c.error_categories,
    adjudications.c.time_spent_ms,
)
DECISIONS = select(*_DECISION_COLUMNS).select_from(
    adjudications.join(items, items.c.seq == adjudications.c.item_seq)
)


def _decision(row) -> Decision:
    return Decision(
        item_seq=row.item_seq,
        item_id=row.id,
        adjudicator=row.adjudicator,
        decided_at=row.decided_at,
        labels=json.loads(row.labels),
        source=json.loads(row.source),
        confidence=row.confidence,
        notes=row.notes,
        error_categories=json.loads(row.error_categories),
        time_spent_ms=row.time_spent_ms,
    )


class Gold:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- answers ---------------------------------------------------------------------------
    def schema_answers(self, schema: str, batch: int = 20_000) -> Iterator[list[tuple]]:
        """Batches of (item_seq, user_id, stored label map as JSON text) of every finished
        answer of `schema`, in item order (constant memory; callers decode each distinct
        text once)."""
        with self.store.read() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(
                SCHEMA_ANSWERS, {"schema": schema}
            )
            for part in result.partitions():
                yield [tuple(row) for row in part]

    def usernames(self, user_ids: list[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        with self.store.read() as conn:
            for start in range(0, len(user_ids), 900):
                chunk = user_ids[start : start + 900]
                rows = conn.execute(
                    select(users.c.id, users.c.username).where(users.c.id.in_(chunk))
                )
                out.update({r.id: r.username for r in rows})
        return out

    def item_ids(self, seqs: list[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        with self.store.read() as conn:
            for start in range(0, len(seqs), 900):
                chunk = seqs[start : start + 900]
                rows = conn.execute(select(items.c.seq, items.c.id).where(items.c.seq.in_(chunk)))
                out.update({r.seq: r.id for r in rows})
        return out

    def item_texts(self, batch: int = 20_000) -> Iterator[tuple[int, str, str]]:
        """(seq, id, text) of every item not retired, in seq order, streamed."""
        query = (
            select(items.c.seq, items.c.id, items.c.text)
            .where(items.c.retired == 0)
            .order_by(items.c.seq)
        )
        with self.store.read() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
            for row in result:
                yield row.seq, row.id, row.text

    def finished_items(self, least: int) -> list[tuple[int, str, int, int]]:
        """(seq, id, finished annotators, status) of items `least` or more finished."""
        with self.store.read() as conn:
            return [tuple(r) for r in conn.execute(FINISHED_ITEMS, {"least": least})]

    def answers_of_items(self, seqs: list[int]) -> dict[int, list[tuple[str, str, dict]]]:
        """item seq -> [(username, schema, label map)] of finished answers."""
        out: dict[int, list[tuple[str, str, dict]]] = {s: [] for s in seqs}
        with self.store.read() as conn:
            for start in range(0, len(seqs), 900):
                chunk = seqs[start : start + 900]
                for row in conn.execute(ITEMS_ANSWERS, {"seqs": chunk}):
                    out[row.item_seq].append((row.username, row.schema, json.loads(row.value)))
        return out

    def item_answers(self, seq: int) -> list[Answer]:
        with self.store.read() as conn:
            rows = conn.execute(ITEM_ANSWERS, {"seq": seq}).all()
        return [
            Answer(
                user_id=r.id,
                username=r.username,
                schema=r.schema,
                value=json.loads(r.value),
                seconds=(
                    None if r.completed_at is None else max(0.0, r.completed_at - r.leased_at)
                ),
            )
            for r in rows
        ]

    # -- MACE results ------------------------------------------------------------------------
    def replace_mace_results(self, results: list[dict[str, Any]]) -> None:
        """Store one run's results (one dict per key with `key`, `schema_name`,
        `option_name`), replacing every earlier result, in one transaction."""
        now = time.time()
        with self.store.write() as conn:
            conn.execute(delete(mace_results))
            if results:
                conn.execute(
                    mace_results.insert(),
                    [
                        {
                            "key": r["key"],
                            "schema": r["schema_name"],
                            "option": r.get("option_name"),
                            "payload": json.dumps(r),
                            "computed_at": now,
                        }
                        for r in results
                    ],
                )

    def mace_results(self) -> list[dict[str, Any]]:
        with self.store.read() as conn:
            rows = conn.execute(
                select(mace_results.c.payload, mace_results.c.computed_at).order_by(
                    mace_results.c.key
                )
            ).all()
        return [{**json.loads(r.payload), "computed_at": r.computed_at} for r in rows]

    # -- adjudication ------------------------------------------------------------------------
    def save_decision(
        self,
        item_seq: int,
        adjudicator: str,
        labels: dict[str, Any],
        source: dict[str, str],
        confidence: str | None,
        notes: str,
        error_categories: list[str],
        time_spent_ms: int,
    ) -> float:
        """Record (or replace) the item's decision; returns its time."""
        now = time.time()
        row = {
            "item_seq": item_seq,
            "adjudicator": adjudicator,
            "decided_at": now,
            "labels": json.dumps(labels),
            "source": json.dumps(source),
            "confidence": confidence,
            "notes": notes,
            "error_categories": json.dumps(error_categories),
            "time_spent_ms": time_spent_ms,
        }
        stmt = self.store.insert(adjudications).values(**row)
        update = {k: v for k, v in row.items() if k != "item_seq"}
        with self.store.write() as conn:
            conn.execute(stmt.on_conflict_do_update(index_elements=["item_seq"], set_=update))
            conn.execute(
                delete(adjudication_skips).where(adjudication_skips.c.item_seq == item_seq)
            )
        return now

    def decision(self, item_seq: int) -> Decision | None:
        with self.store.read() as conn:
            row = conn.execute(DECISIONS.where(adjudications.c.item_seq == item_seq)).first()
        return _decision(row) if row else None

    def decisions(self) -> Iterator[Decision]:
        with self.store.read() as conn:
            for row in conn.execute(DECISIONS.order_by(adjudications.c.item_seq)):
                yield _decision(row)

    def decided_seqs(self) -> set[int]:
        with self.store.read() as conn:
            return set(conn.execute(select(adjudications.c.item_seq)).scalars())

    def skip(self, user_id: int, item_seq: int) -> None:
        stmt = self.store.insert(adjudication_skips).values(
            user_id=user_id, item_seq=item_seq, skipped_at=time.time()
        )
        with self.store.write() as conn:
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["user_id", "item_seq"],
                    set_={"skipped_at": stmt.excluded.skipped_at},
                )
            )

    def skipped_seqs(self, user_id: int | None = None) -> set[int]:
        query = select(adjudication_skips.c.item_seq).distinct()
        if user_id is not None:
            query = query.where(adjudication_skips.c.user_id == user_id)
        with self.store.read() as conn:
            return set(conn.execute(query).scalars())

    def adjudicator_totals(self) -> dict[str, dict[str, int]]:
        query = select(
            adjudications.c.adjudicator,
            func.count().label("n"),
            func.sum(adjudications.c.time_spent_ms).label("ms"),
        ).group_by(adjudications.c.adjudicator)
        with self.store.read() as conn:
            return {
                r.adjudicator: {"completed": r.n, "total_time_ms": int(r.ms or 0)}
                for r in conn.execute(query)
            }
