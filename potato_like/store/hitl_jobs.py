"""Seed 001 (a Humans-in-the-Loop-style `/v1` API, potato_like/services/hitl/): its
projects (each backed by a workspace project) and its jobs (each one item of that project),
kept in the workspace's store. Times are UNIX seconds."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Float, Index, String, Table, Text, select, update

from .tables import metadata

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from . import Store

hitl_projects = Table(
    "hitl_projects",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("slug", String(63), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("instructions_file", Text, nullable=True),
    Column("owner", String(64), nullable=True),
    Column("created_at", Float, nullable=False),
)

hitl_jobs = Table(
    "hitl_jobs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("project_id", String(36), nullable=False),
    Column("item_id", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float, nullable=True),
    Column("finished_at", Float, nullable=True),
    Column("expires_at", Float, nullable=True),
    Column("files", Text, nullable=False),  # JSON list of {path, content_type}
    Column("webhook_url", Text, nullable=True),
    Column("webhook_headers", Text, nullable=True),  # JSON object
    Column("annotations", Text, nullable=True),  # JSON, once done
    Column("error", Text, nullable=True),
    Index("ix_hitl_jobs_project", "project_id", "created_at"),
    Index("ix_hitl_jobs_status", "status"),
)

OPEN = ("new", "progress")


def _job(row) -> dict[str, Any]:
    out = dict(row._mapping)
    out["files"] = json.loads(out["files"])
    out["webhook_headers"] = json.loads(out["webhook_headers"] or "{}")
    out["annotations"] = json.loads(out["annotations"]) if out["annotations"] else {}
    return out


class HitlStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- projects -----------------------------------------------------------------------
    def add_project(self, pid: str, slug: str, name: str, instructions: str | None, owner):
        with self.store.write() as conn:
            conn.execute(
                hitl_projects.insert().values(
                    id=pid, slug=slug, name=name, status="new", instructions_file=instructions,
                    owner=owner, created_at=time.time(),
                )
            )  # fmt: skip

    def project(self, pid: str) -> dict | None:
        with self.store.read() as conn:
            row = conn.execute(select(hitl_projects).where(hitl_projects.c.id == pid)).first()
        return dict(row._mapping) if row is not None else None

    def projects(self) -> list[dict]:
        with self.store.read() as conn:
            rows = conn.execute(select(hitl_projects).order_by(hitl_projects.c.created_at))
            return [dict(r._mapping) for r in rows]

    def set_project_status(self, pid: str, status: str) -> None:
        with self.store.write() as conn:
            conn.execute(
                update(hitl_projects).where(hitl_projects.c.id == pid).values(status=status)
            )

    # -- jobs ---------------------------------------------------------------------------
    def add_job(self, **values: Any) -> None:
        values["files"] = json.dumps(values["files"])
        values["webhook_headers"] = json.dumps(values.get("webhook_headers") or {})
        with self.store.write() as conn:
            conn.execute(hitl_jobs.insert().values(status="new", **values))

    def job(self, project_id: str, job_id: str) -> dict | None:
        with self.store.read() as conn:
            row = conn.execute(
                select(hitl_jobs).where(
                    hitl_jobs.c.project_id == project_id, hitl_jobs.c.id == job_id
                )
            ).first()
        return _job(row) if row is not None else None

    def jobs(self, project_ids: list[str] | None = None, statuses=None) -> list[dict]:
        query = select(hitl_jobs).order_by(hitl_jobs.c.created_at, hitl_jobs.c.id)
        if project_ids is not None:
            query = query.where(hitl_jobs.c.project_id.in_(project_ids))
        if statuses is not None:
            query = query.where(hitl_jobs.c.status.in_(statuses))
        with self.store.read() as conn:
            return [_job(r) for r in conn.execute(query)]

    def change(self, conn: Connection, job_id: str, from_statuses, **values: Any) -> bool:
        """Move a job on, only from one of `from_statuses` (False when it had moved)."""
        if "annotations" in values:
            values["annotations"] = json.dumps(values["annotations"])
        done = conn.execute(
            update(hitl_jobs)
            .where(hitl_jobs.c.id == job_id, hitl_jobs.c.status.in_(from_statuses))
            .values(**values)
        )
        return done.rowcount == 1
