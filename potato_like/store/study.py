"""Study-flow and quality-control state: a user's phase and status, phase answers, training
answers, the pending quality-control item, QC responses and auto-promoted items."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, func, select, update

from .tables import (
    annotations,
    assignments,
    items,
    phase_responses,
    promoted_items,
    qc_responses,
    training_answers,
    users,
)

if TYPE_CHECKING:
    from . import Store

U, Q, T = users.c, qc_responses.c, training_answers.c

FLOW_STATE = select(U.phase, U.study_status, U.status_reason, U.qc_pending).where(
    U.id == bindparam("u")
)
SET_PENDING = update(users).where(U.id == bindparam("u")).values(qc_pending=bindparam("p"))
QC_COUNT = select(func.count()).where(Q.user_id == bindparam("u"), Q.kind == bindparam("k"))
QC_USER_ITEMS = select(Q.item_id).where(Q.user_id == bindparam("u"), Q.kind == bindparam("k"))
QC_USER_TALLY = select(func.count(), func.coalesce(func.sum(Q.correct), 0)).where(
    Q.user_id == bindparam("u"), Q.kind == bindparam("k")
)


@dataclass(frozen=True)
class FlowState:
    phase: str
    status: str  # active | blocked | failed | completed
    reason: str | None
    pending: dict[str, Any] | None  # the quality-control item to answer next


@dataclass(frozen=True)
class TrainingAnswer:
    round: int
    question: str
    correct: bool
    value: dict[str, Any]
    ts: float


class Study:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._save_phase = (
            store.insert(phase_responses)
            .values(
                user_id=bindparam("u"),
                phase=bindparam("phase"),
                value=bindparam("value"),
                submitted_at=bindparam("now"),
            )
            .on_conflict_do_update(
                index_elements=["user_id", "phase"],
                set_={"value": bindparam("value"), "submitted_at": bindparam("now")},
            )
        )
        self._promote = (
            store.insert(promoted_items)
            .values(
                item_seq=bindparam("s"),
                consensus=bindparam("consensus"),
                annotator_count=bindparam("n"),
                agreement=bindparam("agreement"),
                promoted_at=bindparam("now"),
            )
            .on_conflict_do_nothing(index_elements=["item_seq"])
        )

    # -- phase and status -------------------------------------------------------------------
    def state(self, user_id: int, conn: Connection | None = None) -> FlowState | None:
        if conn is not None:
            row = conn.execute(FLOW_STATE, {"u": user_id}).first()
        else:
            with self.store.read() as c:
                row = c.execute(FLOW_STATE, {"u": user_id}).first()
        if row is None:
            return None
        pending = json.loads(row.qc_pending) if row.qc_pending else None
        return FlowState(row.phase, row.study_status, row.status_reason, pending)

    def set_phase(
        self,
        user_id: int,
        phase: str,
        *,
        status: str | None = None,
        reason: str | None = None,
        answers: tuple[str, dict] | None = None,
        expect_phase: str | None = None,
    ) -> bool:
        """Move a user to `phase` (and/or set their status), saving a phase's answers in the
        same transaction. With `expect_phase`, only when they are still in that phase (two
        tabs submitting the same page move the user once). False when nothing changed."""
        now = time.time()
        values: dict[str, Any] = {"phase": phase, "last_active_at": now}
        if status is not None:
            values.update(study_status=status, status_reason=reason)
        stmt = update(users).where(U.id == user_id)
        if expect_phase is not None:
            stmt = stmt.where(U.phase == expect_phase, U.study_status == "active")
        with self.store.write() as conn:
            if not conn.execute(stmt.values(**values)).rowcount:
                return False
            if answers is not None:
                conn.execute(
                    self._save_phase,
                    {
                        "u": user_id,
                        "phase": answers[0],
                        "value": json.dumps(answers[1], ensure_ascii=False, sort_keys=True),
                        "now": now,
                    },
                )
            self.store.events.append(
                conn,
                "phase",
                user_id=user_id,
                data={"phase": phase, "status": status, "reason": reason},
                ts=now,
            )
        return True

    def set_status(self, user_id: int, status: str, reason: str | None, conn=None) -> None:
        stmt = (
            update(users)
            .where(U.id == user_id)
            .values(study_status=status, status_reason=reason, qc_pending=None)
        )
        if conn is not None:
            conn.execute(stmt)
            self.store.events.append(
                conn, "status", user_id=user_id, data={"status": status, "reason": reason}
            )
            return
        with self.store.write() as c:
            self.set_status(user_id, status, reason, c)

    def phase_answers(self, user_id: int) -> dict[str, dict[str, Any]]:
        with self.store.read() as conn:
            rows = conn.execute(
                select(phase_responses.c.phase, phase_responses.c.value).where(
                    phase_responses.c.user_id == user_id
                )
            ).all()
        return {r.phase: json.loads(r.value) for r in rows}

    def phases_by_user(self) -> dict[str, tuple[str, str]]:
        """username -> (phase, status) for every user."""
        with self.store.read() as conn:
            rows = conn.execute(select(U.username, U.phase, U.study_status)).all()
        return {r.username: (r.phase, r.study_status) for r in rows}

    # -- training -----------------------------------------------------------------------------
    def training_answers(self, user_id: int) -> list[TrainingAnswer]:
        with self.store.read() as conn:
            rows = conn.execute(
                select(T.round, T.question, T.correct, T.value, T.ts)
                .where(T.user_id == user_id)
                .order_by(T.id)
            ).all()
        return [
            TrainingAnswer(r.round, r.question, bool(r.correct), json.loads(r.value), r.ts)
            for r in rows
        ]

    def add_training_answer(
        self, user_id: int, round_: int, question: str, correct: bool, value: dict
    ) -> None:
        now = time.time()
        with self.store.write() as conn:
            conn.execute(
                training_answers.insert().values(
                    user_id=user_id,
                    round=round_,
                    question=question,
                    correct=int(correct),
                    value=json.dumps(value, ensure_ascii=False, sort_keys=True),
                    ts=now,
                )
            )
            conn.execute(update(users).where(U.id == user_id).values(last_active_at=now))

    # -- quality control ------------------------------------------------------------------------
    def set_pending(self, user_id: int, pending: dict | None, conn: Connection | None = None):
        value = json.dumps(pending, sort_keys=True) if pending else None
        if conn is not None:
            conn.execute(SET_PENDING, {"u": user_id, "p": value})
            return
        with self.store.write() as c:
            c.execute(SET_PENDING, {"u": user_id, "p": value})

    def qc_count(self, user_id: int, kind: str, conn: Connection) -> int:
        return conn.execute(QC_COUNT, {"u": user_id, "k": kind}).scalar_one()

    def qc_items_seen(self, user_id: int, kind: str, conn: Connection) -> list[str]:
        return list(conn.execute(QC_USER_ITEMS, {"u": user_id, "k": kind}).scalars())

    def qc_tally(self, user_id: int, kind: str, conn: Connection) -> tuple[int, int]:
        """(answered, correct) for one user and kind."""
        total, correct = conn.execute(QC_USER_TALLY, {"u": user_id, "k": kind}).one()
        return int(total), int(correct)

    def record_qc(
        self,
        conn: Connection,
        user_id: int,
        kind: str,
        item_id: str,
        correct: bool,
        value: dict,
        seconds: float | None,
        flags: str = "",
    ) -> None:
        now = time.time()
        conn.execute(
            qc_responses.insert().values(
                user_id=user_id,
                kind=kind,
                item_id=item_id,
                correct=int(correct),
                value=json.dumps(value, ensure_ascii=False, sort_keys=True),
                seconds=seconds,
                flags=flags,
                ts=now,
            )
        )
        conn.execute(
            update(users).where(U.id == user_id).values(qc_pending=None, last_active_at=now)
        )

    def qc_by_user(self, kind: str) -> dict[str, tuple[int, int]]:
        """username -> (answered, correct)."""
        stmt = (
            select(U.username, func.count(), func.sum(Q.correct))
            .select_from(qc_responses.join(users, U.id == Q.user_id))
            .where(Q.kind == kind)
            .group_by(U.username)
        )
        with self.store.read() as conn:
            return {r[0]: (int(r[1]), int(r[2] or 0)) for r in conn.execute(stmt)}

    def qc_by_item(self, kind: str) -> dict[str, tuple[int, int]]:
        stmt = (
            select(Q.item_id, func.count(), func.sum(Q.correct))
            .where(Q.kind == kind)
            .group_by(Q.item_id)
        )
        with self.store.read() as conn:
            return {r[0]: (int(r[1]), int(r[2] or 0)) for r in conn.execute(stmt)}

    def qc_for_users(self, user_ids: list[int]) -> dict[int, tuple[int, int]]:
        """user id -> (checks answered, passed), attention checks and gold items together."""
        if not user_ids:
            return {}
        stmt = (
            select(Q.user_id, func.count(), func.sum(Q.correct))
            .where(Q.user_id.in_(user_ids))
            .group_by(Q.user_id)
        )
        with self.store.read() as conn:
            return {r[0]: (int(r[1]), int(r[2] or 0)) for r in conn.execute(stmt)}

    def qc_rows(self, batch: int = 2000):
        """Every QC response with its username, oldest first (for exports)."""
        stmt = (
            select(U.username, Q.kind, Q.item_id, Q.correct, Q.value, Q.seconds, Q.flags, Q.ts)
            .select_from(qc_responses.join(users, U.id == Q.user_id))
            .order_by(Q.id)
        )
        with self.store.read() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(stmt)
            yield from result

    # -- auto-promotion -------------------------------------------------------------------------
    def first_answers(self, item_seq: int, n: int) -> list[dict[str, dict[str, str]]]:
        """The label maps of the first `n` annotators who finished an item."""
        first = (
            select(assignments.c.user_id)
            .where(assignments.c.item_seq == item_seq, assignments.c.status == "done")
            .order_by(assignments.c.completed_at, assignments.c.user_id)
            .limit(n)
        )
        with self.store.read() as conn:
            ids = list(conn.execute(first).scalars())
            rows = conn.execute(
                select(annotations.c.user_id, annotations.c.schema, annotations.c.value).where(
                    annotations.c.item_seq == item_seq, annotations.c.user_id.in_(ids)
                )
            ).all()
        out: dict[int, dict[str, dict[str, str]]] = {uid: {} for uid in ids}
        for r in rows:
            out[r.user_id][r.schema] = json.loads(r.value)
        return [out[uid] for uid in ids]

    def promote(self, item_seq: int, consensus: dict, count: int, agreement: float) -> bool:
        with self.store.write() as conn:
            return bool(
                conn.execute(
                    self._promote,
                    {
                        "s": item_seq,
                        "consensus": json.dumps(consensus, ensure_ascii=False, sort_keys=True),
                        "n": count,
                        "agreement": agreement,
                        "now": time.time(),
                    },
                ).rowcount
            )

    def is_promoted(self, item_seq: int) -> bool:
        with self.store.read() as conn:
            return (
                conn.execute(
                    select(promoted_items.c.item_seq).where(promoted_items.c.item_seq == item_seq)
                ).first()
                is not None
            )

    def promoted(self, limit: int | None = None) -> list[dict[str, Any]]:
        P = promoted_items.c
        stmt = (
            select(items.c.id, items.c.text, P.consensus, P.annotator_count, P.agreement)
            .add_columns(P.promoted_at)
            .select_from(promoted_items.join(items, items.c.seq == P.item_seq))
            .order_by(P.promoted_at, P.item_seq)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.store.read() as conn:
            rows = conn.execute(stmt).all()
        return [
            {
                "item_id": r.id,
                "text": r.text,
                "consensus": json.loads(r.consensus),
                "annotator_count": r.annotator_count,
                "agreement": r.agreement,
                "promoted_at": r.promoted_at,
            }
            for r in rows
        ]

    def promoted_for(
        self, user_id: int | None, limit: int = 50, item_id: str | None = None
    ) -> list[tuple[int, str, str, dict, dict]]:
        """(seq, id, text, fields, consensus) of promoted items the user never held (or the
        one with `item_id`). Only items that are no longer handed out (full: `is_open` 0)
        serve as checks, so nobody sees an item as a check and is then assigned it."""
        P = promoted_items.c
        stmt = select(items.c.seq, items.c.id, items.c.text, items.c.data, P.consensus).select_from(
            promoted_items.join(items, items.c.seq == P.item_seq)
        )
        if item_id is not None:
            stmt = stmt.where(items.c.id == item_id)
        if user_id is not None:
            stmt = stmt.where(items.c.is_open == 0)
            held = select(assignments.c.item_seq).where(
                assignments.c.user_id == user_id, assignments.c.item_seq == P.item_seq
            )
            stmt = stmt.where(~held.exists())
        stmt = stmt.order_by(P.promoted_at, P.item_seq).limit(limit)
        with self.store.read() as conn:
            rows = conn.execute(stmt).all()
        return [(r.seq, r.id, r.text, json.loads(r.data), json.loads(r.consensus)) for r in rows]

    def promoted_count(self) -> int:
        with self.store.read() as conn:
            return conn.execute(select(func.count()).select_from(promoted_items)).scalar_one()

    def candidate_items(self, below: int, limit: int) -> list[tuple[int, str, int]]:
        """(seq, id, done_count) of items with 2 <= done_count < `below` not yet promoted."""
        stmt = (
            select(items.c.seq, items.c.id, items.c.done_count)
            .where(items.c.done_count >= 2, items.c.done_count < below)
            .where(
                ~select(promoted_items.c.item_seq)
                .where(promoted_items.c.item_seq == items.c.seq)
                .exists()
            )
            .order_by(items.c.seq)
            .limit(limit)
        )
        with self.store.read() as conn:
            return [(r.seq, r.id, r.done_count) for r in conn.execute(stmt)]

    def items_with_field(self, field: str) -> int:
        """Items whose data carries `field` (pre-annotation predictions)."""
        pattern = "%" + json.dumps(field)[:-1].replace("%", "\\%").replace("_", "\\_") + '":%'
        stmt = select(func.count()).where(items.c.data.like(pattern, escape="\\"))
        with self.store.read() as conn:
            return conn.execute(stmt).scalar_one()


__all__ = ["FlowState", "Study", "TrainingAnswer"]
