"""Seed 002's batches and tasks (workspace store), and what the service reads of a project's
own store: whether a task's item is finished and its answers."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict
from .batch_tables import scale_batches as B_T
from .batch_tables import scale_tasks as T_T
from .tables import annotations, items, users

if TYPE_CHECKING:
    from . import Store

B, T = B_T.c, T_T.c


def _batch(row) -> dict[str, Any]:
    out = dict(row._mapping)
    out["metadata"] = json.loads(out["metadata"] or "{}")
    out["calibration"], out["self_label"] = bool(out["calibration"]), bool(out["self_label"])
    return out


def _task(row) -> dict[str, Any]:
    out = dict(row._mapping)
    out["params"] = json.loads(out["params"])
    out["response"] = json.loads(out["response"]) if out["response"] is not None else None
    out["in_project"] = bool(out["in_project"])
    return out


class ScaleRecords:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- batches -------------------------------------------------------------------------
    def create_batch(self, values: dict[str, Any]) -> dict[str, Any]:
        row = {**values, "metadata": json.dumps(values.get("metadata") or {})}
        try:
            with self.store.write() as conn:
                if conn.execute(select(B.name).where(B.name == row["name"])).first():
                    raise Conflict(f"a batch named {row['name']!r} already exists")
                conn.execute(B_T.insert().values(**row))
        except IntegrityError:
            raise Conflict(f"a batch named {row['name']!r} already exists") from None
        return self.batch(row["name"])

    def batch(self, name: str) -> dict[str, Any] | None:
        with self.store.read() as conn:
            row = conn.execute(select(B_T).where(B.name == name)).first()
        return _batch(row) if row else None

    def batches(
        self,
        *,
        project: str | None = None,
        status: str | None = None,
        start: float | None = None,
        end: float | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        stmt = select(B_T)
        if project is not None:
            stmt = stmt.where(B.project == project)
        if status is not None:
            stmt = stmt.where(B.status == status)
        if start is not None:
            stmt = stmt.where(B.created_at >= start)
        if end is not None:
            stmt = stmt.where(B.created_at <= end)
        stmt = stmt.order_by(B.created_at.desc(), B.name).limit(limit).offset(offset)
        with self.store.read() as conn:
            return [_batch(r) for r in conn.execute(stmt)]

    def running_batches(self, project: str) -> list[dict[str, Any]]:
        """The project's in-progress batches, highest priority first, then oldest."""
        stmt = (
            select(B_T)
            .where(B.project == project, B.status == "in_progress")
            .order_by(B.priority.desc(), B.created_at, B.name)
        )
        with self.store.read() as conn:
            return [_batch(r) for r in conn.execute(stmt)]

    def set_batch(self, name: str, conn: Connection | None = None, **values: Any) -> None:
        if conn is None:
            with self.store.write() as own:
                own.execute(update(B_T).where(B.name == name).values(**values))
        else:
            conn.execute(update(B_T).where(B.name == name).values(**values))

    def finalize(self, name: str) -> bool:
        """staging -> in_progress; False when the batch was not staging."""
        with self.store.write() as conn:
            done = conn.execute(
                update(B_T)
                .where(B.name == name, B.status == "staging")
                .values(status="in_progress", finalized_at=time.time())
            ).rowcount
        return bool(done)

    def counts(self, batch: str) -> tuple[int, int]:
        """(pending, completed) tasks of the batch."""
        stmt = select(T.status, func.count()).where(T.batch == batch).group_by(T.status)
        with self.store.read() as conn:
            found = dict(conn.execute(stmt).all())
        return found.get("pending", 0), found.get("completed", 0)

    # -- tasks ---------------------------------------------------------------------------
    def create_task(self, values: dict[str, Any]) -> dict[str, Any]:
        row = {**values, "params": json.dumps(values["params"])}
        try:
            with self.store.write() as conn:
                if (
                    row.get("unique_id") is not None
                    and conn.execute(
                        select(T.task_id).where(T.unique_id == row["unique_id"])
                    ).first()
                ):
                    raise Conflict(f"a task with unique_id {row['unique_id']!r} already exists")
                conn.execute(T_T.insert().values(**row))
        except IntegrityError:
            raise Conflict(f"a task with unique_id {row['unique_id']!r} already exists") from None
        return self.task(row["task_id"])

    def task(self, task_id: str) -> dict[str, Any] | None:
        with self.store.read() as conn:
            row = conn.execute(select(T_T).where(T.task_id == task_id)).first()
        return _task(row) if row else None

    def tasks(self, *, batch: str | None = None, project: str | None = None, **where: Any):
        stmt = select(T_T)
        if batch is not None:
            stmt = stmt.where(T.batch == batch)
        if project is not None:
            stmt = stmt.where(T.project == project)
        for column, value in where.items():
            stmt = stmt.where(T[column] == value)
        with self.store.read() as conn:
            return [_task(r) for r in conn.execute(stmt.order_by(T.created_at, T.task_id))]

    def mark_in_project(self, task_ids: list[str]) -> None:
        with self.store.write() as conn:
            for start in range(0, len(task_ids), 900):
                chunk = task_ids[start : start + 900]
                conn.execute(update(T_T).where(T.task_id.in_(chunk)).values(in_project=1))

    def complete_task(self, conn: Connection, task_id: str, response: Any, now: float) -> bool:
        """pending -> completed in the caller's transaction; False when it already was."""
        return bool(
            conn.execute(
                update(T_T)
                .where(T.task_id == task_id, T.status == "pending")
                .values(status="completed", response=json.dumps(response), completed_at=now)
            ).rowcount
        )

    def complete_batch(self, conn: Connection, name: str, now: float) -> bool:
        """in_progress -> completed when no task of it is pending (caller's transaction)."""
        pending = select(T.task_id).where(T.batch == name, T.status == "pending").exists()
        return bool(
            conn.execute(
                update(B_T)
                .where(B.name == name, B.status == "in_progress", ~pending)
                .values(status="completed", completed_at=now)
            ).rowcount
        )


# -- a project's own store ---------------------------------------------------------------
def finished_items(store: Store, item_ids: list[str]) -> set[str]:
    """Which of these items every annotator they need has finished (status 2)."""
    found: set[str] = set()
    with store.read() as conn:
        for start in range(0, len(item_ids), 900):
            chunk = item_ids[start : start + 900]
            rows = conn.execute(
                select(items.c.id).where(items.c.id.in_(chunk), items.c.status == 2)
            )
            found.update(rows.scalars())
    return found


def open_item_ids(store: Store, item_ids: list[str]) -> list[str]:
    """Those of these items that can still be served (open, not retired), in given order."""
    found: set[str] = set()
    with store.read() as conn:
        for start in range(0, len(item_ids), 900):
            chunk = item_ids[start : start + 900]
            rows = conn.execute(
                select(items.c.id).where(
                    items.c.id.in_(chunk), items.c.retired == 0, items.c.is_open == 1
                )
            )
            found.update(rows.scalars())
    return [i for i in item_ids if i in found]


def answers_of(store: Store, item_id: str) -> list[dict[str, Any]]:
    """Every annotator's answers to the item: [{annotator, scheme, value, updated_at}]."""
    stmt = (
        select(
            users.c.username, annotations.c.schema, annotations.c.value, annotations.c.updated_at
        )
        .join(items, items.c.seq == annotations.c.item_seq)
        .join(users, users.c.id == annotations.c.user_id)
        .where(items.c.id == item_id)
        .order_by(users.c.username, annotations.c.schema)
    )
    with store.read() as conn:
        return [
            {
                "annotator": r.username,
                "scheme": r.schema,
                "value": json.loads(r.value),
                "updated_at": r.updated_at,
            }
            for r in conn.execute(stmt)
        ]
