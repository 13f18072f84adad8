"""The builtin AI model's store: stored model versions per scheme, the answers and item
texts training reads, and the open items active learning scores. The models themselves
live in ai/builtin/; here they are opaque bytes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, func, select

from .tables import ai_models, annotations, items

if TYPE_CHECKING:
    from . import Store

BATCH = 5000
LATEST = (
    select(ai_models)
    .where(ai_models.c.schema == bindparam("schema"))
    .order_by(ai_models.c.version.desc())
    .limit(1)
)
LATEST_VERSION = select(func.max(ai_models.c.version)).where(
    ai_models.c.schema == bindparam("schema")
)
# Every answer of one scheme with its item's text, in item order (training input).
ANSWERS_WITH_TEXT = (
    select(annotations.c.item_seq, items.c.text, annotations.c.value)
    .select_from(annotations.join(items, items.c.seq == annotations.c.item_seq))
    .where(annotations.c.schema == bindparam("schema"), items.c.retired == 0)
    .order_by(annotations.c.item_seq, annotations.c.user_id)
)


@dataclass(frozen=True)
class StoredModel:
    schema: str
    version: int
    trained_at: float
    n_answers: int
    score: float | None
    info: dict[str, Any]
    blob: bytes

    def describe(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "version": self.version,
            "trained_at": self.trained_at,
            "n_answers": self.n_answers,
            "score": self.score,
            **{k: v for k, v in self.info.items() if k not in ("schema", "version")},
        }


class AiModels:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- model versions -------------------------------------------------------------------
    def save(
        self,
        schema: str,
        blob: bytes,
        n_answers: int,
        score: float | None,
        info: dict[str, Any],
        keep: int = 5,
    ) -> int:
        """Store a new version of `schema`'s model; returns its number. Only the newest
        `keep` versions stay."""
        with self.store.write() as conn:
            version = (conn.execute(LATEST_VERSION, {"schema": schema}).scalar() or 0) + 1
            conn.execute(
                ai_models.insert().values(
                    schema=schema,
                    version=version,
                    trained_at=time.time(),
                    n_answers=n_answers,
                    score=score,
                    info=json.dumps(info),
                    model=blob,
                )
            )
            conn.execute(
                delete(ai_models).where(
                    ai_models.c.schema == schema, ai_models.c.version <= version - keep
                )
            )
        return version

    def latest(self, schema: str) -> StoredModel | None:
        with self.store.read() as conn:
            row = conn.execute(LATEST, {"schema": schema}).first()
        if row is None:
            return None
        return StoredModel(
            row.schema,
            row.version,
            row.trained_at,
            row.n_answers,
            row.score,
            json.loads(row.info),
            bytes(row.model),
        )

    def latest_version(self, schema: str) -> int | None:
        with self.store.read() as conn:
            return conn.execute(LATEST_VERSION, {"schema": schema}).scalar()

    def versions(self) -> list[dict[str, Any]]:
        """Every stored version (without the model bytes), newest first per scheme."""
        cols = [c for c in ai_models.c if c.name != "model"]
        with self.store.read() as conn:
            rows = conn.execute(
                select(*cols).order_by(ai_models.c.schema, ai_models.c.version.desc())
            ).all()
        return [
            {
                "schema": r.schema,
                "version": r.version,
                "trained_at": r.trained_at,
                "n_answers": r.n_answers,
                "score": r.score,
                **json.loads(r.info),
            }
            for r in rows
        ]

    # -- what training and scoring read ---------------------------------------------------
    def answers_with_text(self, schema: str) -> list[tuple[int, str, str]]:
        """(item seq, item text, stored JSON value) of every answer of `schema`."""
        with self.store.read() as conn:
            return [tuple(r) for r in conn.execute(ANSWERS_WITH_TEXT, {"schema": schema})]

    def answered_items(self, schemas) -> int:
        """How many items have an answer of any of `schemas`."""
        with self.store.read() as conn:
            return conn.execute(
                select(func.count(func.distinct(annotations.c.item_seq))).where(
                    annotations.c.schema.in_(list(schemas))
                )
            ).scalar()

    def done_counter(self) -> int:
        with self.store.read() as conn:
            return self.store.counter(conn, "done_assignments")

    def open_items(self, limit: int, sample: bool) -> list[tuple[int, str]]:
        """(seq, text) of up to `limit` open items: a uniform sample of them (by the items'
        random numbers) when `sample`, else the first in file order."""
        order = items.c.rand if sample else items.c.seq
        with self.store.read() as conn:
            rows = conn.execute(
                select(items.c.seq, items.c.text)
                .where(items.c.is_open == 1, items.c.retired == 0)
                .order_by(order)
                .limit(limit)
            ).all()
        return [(r.seq, r.text) for r in rows]

    def unanswered_items(self, schema: str, limit: int) -> list[tuple[int, str, str]]:
        """(seq, id, text) of up to `limit` items nobody answered `schema` for, file order."""
        answered = select(annotations.c.item_seq).where(annotations.c.schema == schema)
        with self.store.read() as conn:
            rows = conn.execute(
                select(items.c.seq, items.c.id, items.c.text)
                .where(items.c.retired == 0, items.c.seq.not_in(answered))
                .order_by(items.c.seq)
                .limit(limit)
            ).all()
        return [(r.seq, r.id, r.text) for r in rows]

    def count_unanswered(self, schema: str) -> int:
        answered = select(annotations.c.item_seq).where(annotations.c.schema == schema)
        with self.store.read() as conn:
            return conn.execute(
                select(func.count())
                .select_from(items)
                .where(items.c.retired == 0, items.c.seq.not_in(answered))
            ).scalar()

    def item_texts(self, seqs: list[int]) -> Iterator[tuple[int, str, str]]:
        """(seq, id, text) of the items named, in batches."""
        for start in range(0, len(seqs), BATCH):
            part = seqs[start : start + BATCH]
            with self.store.read() as conn:
                yield from (
                    (r.seq, r.id, r.text)
                    for r in conn.execute(
                        select(items.c.seq, items.c.id, items.c.text).where(items.c.seq.in_(part))
                    )
                )
