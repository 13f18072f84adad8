"""The durable job table (potato_like/jobs/ runs it): queued -> running -> completed | failed |
cancelled. A worker claims a queued job with a compare-and-set UPDATE (`WHERE status =
'queued'`), which works the same on SQLite (one writer at a time) and PostgreSQL (the second
UPDATE re-reads the row after the first commits and matches nothing), so two workers never
run one job. A running job carries a lease (owner, expiry) its worker renews; a job whose
lease expired (its worker died) goes back to the queue."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select, update

from .tables import jobs

if TYPE_CHECKING:
    from . import Store

STATUSES = ("queued", "running", "completed", "failed", "cancelled")
FINISHED = ("completed", "failed", "cancelled")


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    owner: str
    status: str
    params: dict
    result: Any
    progress: float
    error: str | None
    cancel_requested: bool
    lease_owner: str | None
    lease_expires_at: float | None
    attempts: int
    created_at: float
    started_at: float | None
    finished_at: float | None
    updated_at: float


def _job(row) -> Job:
    values = dict(row._mapping)
    values["params"] = json.loads(values["params"])
    values["result"] = json.loads(values["result"]) if values["result"] is not None else None
    values["cancel_requested"] = bool(values["cancel_requested"])
    return Job(**values)


class Jobs:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, kind: str, owner: str, params: dict) -> Job:
        now = time.time()
        job_id = str(uuid.uuid4())
        with self.store.write() as conn:
            conn.execute(
                jobs.insert().values(
                    id=job_id,
                    kind=kind,
                    owner=owner,
                    status="queued",
                    params=json.dumps(params),
                    progress=0.0,
                    cancel_requested=0,
                    attempts=0,
                    created_at=now,
                    updated_at=now,
                )
            )
        found = self.get(job_id)
        assert found is not None
        return found

    def get(self, job_id: str, kind: str | None = None, owner: str | None = None) -> Job | None:
        where = [jobs.c.id == job_id]
        if kind is not None:
            where.append(jobs.c.kind == kind)
        if owner is not None:
            where.append(jobs.c.owner == owner)
        with self.store.read() as conn:
            row = conn.execute(select(jobs).where(and_(*where))).first()
        return _job(row) if row else None

    def page(self, kind: str, owner: str, offset: int, limit: int) -> tuple[list[Job], int]:
        where = and_(jobs.c.kind == kind, jobs.c.owner == owner)
        with self.store.read() as conn:
            total = conn.execute(select(func.count()).select_from(jobs).where(where)).scalar()
            rows = conn.execute(
                select(jobs)
                .where(where)
                .order_by(jobs.c.created_at.desc(), jobs.c.id)
                .offset(offset)
                .limit(limit)
            ).all()
        return [_job(r) for r in rows], int(total or 0)

    def claim(self, worker: str, lease_seconds: float, kinds: tuple[str, ...]) -> Job | None:
        """The oldest queued job of `kinds`, now running under `worker`'s lease; None when the
        queue is empty. A candidate another worker took first is skipped."""
        for _ in range(5):
            with self.store.read() as conn:
                candidate = conn.execute(
                    select(jobs.c.id)
                    .where(and_(jobs.c.status == "queued", jobs.c.kind.in_(kinds)))
                    .order_by(jobs.c.created_at, jobs.c.id)
                    .limit(1)
                ).scalar()
            if candidate is None:
                return None
            now = time.time()
            with self.store.write() as conn:
                done = conn.execute(
                    update(jobs)
                    .where(and_(jobs.c.id == candidate, jobs.c.status == "queued"))
                    .values(
                        status="running",
                        lease_owner=worker,
                        lease_expires_at=now + lease_seconds,
                        attempts=jobs.c.attempts + 1,
                        started_at=func.coalesce(jobs.c.started_at, now),
                        updated_at=now,
                    )
                )
            if done.rowcount == 1:
                return self.get(candidate)
        return None

    def heartbeat(
        self, job_id: str, worker: str, lease_seconds: float, progress: float | None = None
    ) -> bool:
        """Renew the lease (and note progress). False when the lease is no longer ours or a
        cancel was asked for: the worker stops the job."""
        now = time.time()
        values: dict = {"lease_expires_at": now + lease_seconds, "updated_at": now}
        if progress is not None:
            values["progress"] = max(0.0, min(1.0, float(progress)))
        with self.store.write() as conn:
            done = conn.execute(
                update(jobs)
                .where(
                    and_(
                        jobs.c.id == job_id,
                        jobs.c.lease_owner == worker,
                        jobs.c.status == "running",
                    )
                )
                .values(**values)
            )
            cancel = conn.execute(
                select(jobs.c.cancel_requested).where(jobs.c.id == job_id)
            ).scalar()
        return done.rowcount == 1 and not cancel

    def finish(
        self,
        job_id: str,
        worker: str,
        status: str,
        result: Any = None,
        error: str | None = None,
    ) -> bool:
        """Record the end of a job this worker holds; False when it no longer holds it."""
        if status not in FINISHED:
            raise ValueError(f"not a final status: {status}")
        now = time.time()
        values: dict = {
            "status": status,
            "error": error,
            "lease_owner": None,
            "lease_expires_at": None,
            "finished_at": now,
            "updated_at": now,
        }
        if status == "completed":
            values["progress"] = 1.0
            values["result"] = json.dumps(result)
        with self.store.write() as conn:
            done = conn.execute(
                update(jobs)
                .where(
                    and_(
                        jobs.c.id == job_id,
                        jobs.c.lease_owner == worker,
                        jobs.c.status == "running",
                    )
                )
                .values(**values)
            )
        return done.rowcount == 1

    def cancel(self, job_id: str) -> Job | None:
        """A queued job is cancelled at once; a running one is asked to stop (its worker
        notices at its next heartbeat). Finished jobs stay as they are."""
        now = time.time()
        with self.store.write() as conn:
            conn.execute(
                update(jobs)
                .where(and_(jobs.c.id == job_id, jobs.c.status == "queued"))
                .values(status="cancelled", finished_at=now, updated_at=now)
            )
            conn.execute(
                update(jobs)
                .where(and_(jobs.c.id == job_id, jobs.c.status == "running"))
                .values(cancel_requested=1, updated_at=now)
            )
        return self.get(job_id)

    def requeue_expired(self, now: float | None = None) -> int:
        """Running jobs whose lease ran out (their worker died) go back to the queue."""
        now = time.time() if now is None else now
        with self.store.write() as conn:
            done = conn.execute(
                update(jobs)
                .where(and_(jobs.c.status == "running", jobs.c.lease_expires_at < now))
                .values(status="queued", lease_owner=None, lease_expires_at=None, updated_at=now)
            )
        return done.rowcount

    def release(self, worker: str) -> int:
        """A worker stopping cleanly puts its running jobs back in the queue at once."""
        now = time.time()
        with self.store.write() as conn:
            done = conn.execute(
                update(jobs)
                .where(and_(jobs.c.status == "running", jobs.c.lease_owner == worker))
                .values(status="queued", lease_owner=None, lease_expires_at=None, updated_at=now)
            )
        return done.rowcount
