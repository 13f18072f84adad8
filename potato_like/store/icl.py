"""ICL labelling in the store: a model's predictions for items and their human verification
(ai/icl.py decides what to predict and when)."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, case, func, select, update
from sqlalchemy.engine import Connection

from .item_owners import MAY_TAKE
from .tables import annotations, assignments, icl_predictions, items, users

if TYPE_CHECKING:
    from . import Store

PENDING, CORRECT, INCORRECT = "pending", "verified_correct", "verified_incorrect"
STATUSES = (PENDING, CORRECT, INCORRECT)
ANSWERS = (
    select(items.c.seq, items.c.id, items.c.text, users.c.username, annotations.c.value)
    .select_from(
        annotations.join(items, items.c.seq == annotations.c.item_seq).join(
            users, users.c.id == annotations.c.user_id
        )
    )
    .where(annotations.c.schema == bindparam("schema"), items.c.retired == 0)
    .order_by(annotations.c.item_seq, annotations.c.updated_at)
)
_JOINED = icl_predictions.join(items, items.c.seq == icl_predictions.c.item_seq)
# Routed predictions still waiting for a human, on open items this user does not hold
# (verification_candidates; `order` is "low_confidence" or "random").
_NOT_MINE = ~(
    select(assignments.c.item_seq)
    .where(
        assignments.c.user_id == bindparam("u"),
        assignments.c.item_seq == icl_predictions.c.item_seq,
    )
    .exists()
)
_ROUTED = (
    select(icl_predictions.c.item_seq)
    .select_from(_JOINED)
    .where(
        icl_predictions.c.routed == 1,
        icl_predictions.c.status == PENDING,
        items.c.is_open == 1,
        _NOT_MINE,
        MAY_TAKE,
    )
    .limit(bindparam("n"))
)
ROUTED_IN_ORDER = {
    "low_confidence": _ROUTED.order_by(icl_predictions.c.confidence, icl_predictions.c.item_seq),
    "random": _ROUTED.order_by(func.random()),
}


def verification_candidates(
    conn: Connection, user_id: int, n: int, order: str, *, lock: bool = False
) -> list[int]:
    """Item seqs of up to `n` predictions sampled for verification that `user_id` could be
    given now (in the caller's lease transaction), lowest confidence first or at random."""
    stmt = ROUTED_IN_ORDER[order]
    if lock:
        stmt = stmt.with_for_update(skip_locked=True, of=items)
    return list(conn.execute(stmt, {"u": user_id, "n": n}).scalars())


def _row(r) -> dict[str, Any]:
    return {
        "instance_id": r.id,
        "schema_name": r.schema,
        "predicted_label": json.loads(r.label),
        "confidence_score": r.confidence,
        "timestamp": r.created_at,
        "example_instance_ids": json.loads(r.examples),
        "verification_status": r.status,
        "verified_by": r.verified_by,
        "verified_at": r.verified_at,
        "human_label": None if r.human_label is None else json.loads(r.human_label),
        "model_name": r.provider + (f":{r.model_version}" if r.model_version else ""),
        "reasoning": r.reasoning,
        "routed_for_verification": bool(r.routed),
    }


class IclStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def answers(self, schema: str) -> list[tuple[int, str, str, str, str]]:
        """(item seq, item id, item text, username, stored JSON value) of every answer of
        `schema`, earliest answer of an item first."""
        with self.store.read() as conn:
            return [tuple(r) for r in conn.execute(ANSWERS, {"schema": schema})]

    def pending(self, schema: str) -> list[dict]:
        cols = [*icl_predictions.c, items.c.id]
        with self.store.read() as conn:
            rows = conn.execute(
                select(*cols)
                .select_from(_JOINED)
                .where(icl_predictions.c.schema == schema, icl_predictions.c.status == PENDING)
            ).all()
        return [_row(r) for r in rows]

    def predicted_seqs(self, schema: str) -> set[int]:
        with self.store.read() as conn:
            return set(
                conn.execute(
                    select(icl_predictions.c.item_seq).where(icl_predictions.c.schema == schema)
                ).scalars()
            )

    def add(self, schema: str, rows: list[dict[str, Any]]) -> int:
        """Store predictions ({seq, label, confidence, provider, model_version, reasoning,
        examples, routed}); an item already predicted for `schema` keeps its first
        prediction. `routed` (default False): sampled to be handed to annotators."""
        if not rows:
            return 0
        now = time.time()
        stmt = (
            self.store.insert(icl_predictions)
            .values(
                item_seq=bindparam("seq"),
                schema=schema,
                label=bindparam("label"),
                confidence=bindparam("conf"),
                provider=bindparam("provider"),
                model_version=bindparam("model_version"),
                reasoning=bindparam("reasoning"),
                examples=bindparam("examples"),
                created_at=now,
                status=PENDING,
                routed=bindparam("routed"),
            )
            .on_conflict_do_nothing(index_elements=["item_seq", "schema"])
        )
        params = [
            {
                **r,
                "conf": r["confidence"],
                "label": json.dumps(r["label"]),
                "examples": json.dumps(r.get("examples", [])),
                "reasoning": r.get("reasoning", ""),
                "model_version": r.get("model_version", ""),
                "routed": int(bool(r.get("routed", False))),
            }
            for r in rows
        ]
        with self.store.write() as conn:
            conn.execute(stmt, params)
        return len(rows)

    def predictions(
        self, schema: str | None, status: str | None, limit: int
    ) -> tuple[list[dict], int]:
        """Newest first, with the count of all that match."""
        where = []
        if schema:
            where.append(icl_predictions.c.schema == schema)
        if status:
            where.append(icl_predictions.c.status == status)
        cond = and_(*where) if where else True
        cols = [*icl_predictions.c, items.c.id]
        with self.store.read() as conn:
            total = conn.execute(select(func.count()).select_from(_JOINED).where(cond)).scalar()
            rows = conn.execute(
                select(*cols)
                .select_from(_JOINED)
                .where(cond)
                .order_by(icl_predictions.c.created_at.desc(), icl_predictions.c.item_seq)
                .limit(limit)
            ).all()
        return [_row(r) for r in rows], total

    def prediction(self, item_id: str, schema: str) -> dict | None:
        cols = [*icl_predictions.c, items.c.id]
        with self.store.read() as conn:
            row = conn.execute(
                select(*cols)
                .select_from(_JOINED)
                .where(items.c.id == item_id, icl_predictions.c.schema == schema)
            ).first()
        return None if row is None else _row(row)

    def verify(self, item_id: str, schema: str, human: Any, correct: bool, by: str) -> bool:
        """Record a human's answer for a predicted item; False when there is no prediction."""
        seq = select(items.c.seq).where(items.c.id == item_id).scalar_subquery()
        with self.store.write() as conn:
            done = conn.execute(
                update(icl_predictions)
                .where(icl_predictions.c.item_seq == seq, icl_predictions.c.schema == schema)
                .values(
                    status=CORRECT if correct else INCORRECT,
                    human_label=json.dumps(human),
                    verified_by=by,
                    verified_at=time.time(),
                )
            ).rowcount
        return bool(done)

    def metrics(self, schema: str | None) -> dict[str, Any]:
        c = icl_predictions.c
        cond = c.schema == schema if schema else True

        def n(status):
            return func.sum(case((c.status == status, 1), else_=0))

        def avg(status):
            return func.avg(case((c.status == status, c.confidence), else_=None))

        with self.store.read() as conn:
            row = conn.execute(
                select(
                    func.count(), n(CORRECT), n(INCORRECT), n(PENDING), avg(CORRECT),
                    avg(INCORRECT),
                    func.sum(case((and_(c.status == PENDING, c.routed == 1), 1), else_=0)),
                ).where(cond)
            ).one()  # fmt: skip
        total, right, wrong, pending = (int(v or 0) for v in row[:4])
        verified = right + wrong
        return {
            "total_predictions": total,
            "verified_correct": right,
            "verified_incorrect": wrong,
            "pending_verification": pending,
            "routed_pending": int(row[6] or 0),
            "total_verified": verified,
            "accuracy": round(right / verified, 6) if verified else None,
            "avg_confidence_correct": None if row[4] is None else round(float(row[4]), 6),
            "avg_confidence_incorrect": None if row[5] is None else round(float(row[5]), 6),
            "schema_name": schema,
        }
