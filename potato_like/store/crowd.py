"""Crowd workers' platform sessions: ids from the arrival URL, time limit, issued code."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select, update

from .tables import crowd_sessions, users

if TYPE_CHECKING:
    from . import Store

C, U = crowd_sessions.c, users.c
SESSION_BY_USER = select(crowd_sessions).where(C.user_id == bindparam("u"))
DEADLINE = select(C.deadline).where(C.user_id == bindparam("u"))


@dataclass(frozen=True)
class CrowdSession:
    user_id: int
    platform: str
    worker_id: str
    study_id: str | None = None
    session_id: str | None = None
    submit_to: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    first_seen_at: float = 0.0
    last_seen_at: float = 0.0
    visits: int = 1
    deadline: float | None = None
    outcome: str | None = None
    code: str | None = None
    code_issued_at: float | None = None


def _session(row) -> CrowdSession:
    m = dict(row._mapping)
    m["params"] = json.loads(m["params"] or "{}")
    return CrowdSession(**{k: m[k] for k in CrowdSession.__dataclass_fields__})


class Crowd:
    def __init__(self, store: Store) -> None:
        self.store = store
        ins = store.insert(crowd_sessions)
        x = ins.excluded
        # A returning worker keeps their first arrival time and deadline; ids the new link
        # does not carry keep their earlier values.
        self._arrive = ins.on_conflict_do_update(
            index_elements=["user_id"],
            set_={
                "platform": x.platform,
                "worker_id": x.worker_id,
                "study_id": func.coalesce(x.study_id, C.study_id),
                "session_id": func.coalesce(x.session_id, C.session_id),
                "submit_to": func.coalesce(x.submit_to, C.submit_to),
                "params": x.params,
                "last_seen_at": x.last_seen_at,
                "visits": C.visits + 1,
            },
        )

    def arrive(
        self,
        user_id: int,
        platform: str,
        worker_id: str,
        *,
        study_id: str | None = None,
        session_id: str | None = None,
        submit_to: str | None = None,
        params: dict[str, str] | None = None,
        time_limit_seconds: float | None = None,
    ) -> CrowdSession:
        now = time.time()
        with self.store.write() as conn:
            conn.execute(
                self._arrive.values(
                    user_id=user_id,
                    platform=platform,
                    worker_id=worker_id,
                    study_id=study_id,
                    session_id=session_id,
                    submit_to=submit_to,
                    params=json.dumps(params or {}, sort_keys=True),
                    first_seen_at=now,
                    last_seen_at=now,
                    visits=1,
                    deadline=now + time_limit_seconds if time_limit_seconds else None,
                )
            )
            return _session(conn.execute(SESSION_BY_USER, {"u": user_id}).one())

    def get(self, user_id: int) -> CrowdSession | None:
        with self.store.read() as conn:
            row = conn.execute(SESSION_BY_USER, {"u": user_id}).first()
        return _session(row) if row else None

    def deadline(self, user_id: int) -> float | None:
        with self.store.read() as conn:
            return conn.execute(DEADLINE, {"u": user_id}).scalar()

    def set_deadline(self, user_id: int, deadline: float | None) -> bool:
        """Move one worker's time limit (None: no limit). False when they have no session."""
        stmt = update(crowd_sessions).where(C.user_id == user_id).values(deadline=deadline)
        with self.store.write() as conn:
            return bool(conn.execute(stmt).rowcount)

    def record_end(self, user_id: int, outcome: str, code: str | None) -> None:
        """Remember the outcome and the code shown (idempotent: reloading the end page
        keeps the first issue time)."""
        stmt = (
            update(crowd_sessions)
            .where(C.user_id == user_id)
            .where((C.outcome.is_(None)) | (C.outcome != outcome) | _differs(C.code, code))
            .values(outcome=outcome, code=code, code_issued_at=time.time() if code else None)
        )
        with self.store.write() as conn:
            conn.execute(stmt)

    def workers(self) -> list[dict[str, Any]]:
        """Every crowd worker with their account's progress, oldest arrival first."""
        stmt = (
            select(
                crowd_sessions,
                U.username,
                U.phase,
                U.study_status,
                U.status_reason,
                U.done_count,
                U.last_active_at,
            )
            .select_from(crowd_sessions.join(users, U.id == C.user_id))
            .order_by(C.first_seen_at, C.user_id)
        )
        with self.store.read() as conn:
            rows = conn.execute(stmt).all()
        out = []
        for row in rows:
            m = dict(row._mapping)
            m["params"] = json.loads(m["params"] or "{}")
            out.append(m)
        return out


def _differs(column, value):
    if value is None:
        return column.is_not(None)
    return column.is_(None) | (column != value)


__all__ = ["Crowd", "CrowdSession"]
