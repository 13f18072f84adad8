"""Seed 000 (JTheta-style API) records: project titles -> workspace slugs, datasets,
one-time invite links (only their SHA-256 is stored) and reviewers' decisions."""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, select, update

from .jtheta_tables import jtheta_datasets, jtheta_invites, jtheta_projects, jtheta_reviews

if TYPE_CHECKING:
    from . import Store


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class JthetaStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- projects ---------------------------------------------------------------------
    def add_project(self, title: str, slug: str, category: str) -> None:
        with self.store.write() as conn:
            conn.execute(
                insert(jtheta_projects).values(
                    title=title, slug=slug, category=category, created_at=time.time()
                )
            )

    def project(self, title: str):
        with self.store.read() as conn:
            return conn.execute(
                select(jtheta_projects).where(jtheta_projects.c.title == title)
            ).first()

    def project_by_slug(self, slug: str):
        with self.store.read() as conn:
            return conn.execute(
                select(jtheta_projects).where(jtheta_projects.c.slug == slug)
            ).first()

    def projects(self) -> list:
        with self.store.read() as conn:
            return conn.execute(
                select(jtheta_projects).order_by(jtheta_projects.c.created_at)
            ).all()

    def set_team(self, slug: str, annotator: str, reviewer: str) -> None:
        with self.store.write() as conn:
            conn.execute(
                update(jtheta_projects)
                .where(jtheta_projects.c.slug == slug)
                .values(annotator=annotator, reviewer=reviewer)
            )

    def forget_project(self, slug: str) -> None:
        """Every record of the project (its workspace project is deleted by the caller)."""
        with self.store.write() as conn:
            for table in (jtheta_datasets, jtheta_invites, jtheta_reviews, jtheta_projects):
                conn.execute(delete(table).where(table.c.slug == slug))

    # -- datasets ---------------------------------------------------------------------
    def add_dataset(self, slug: str, name: str, license: str | None) -> int:
        with self.store.write() as conn:
            result = conn.execute(
                insert(jtheta_datasets).values(
                    slug=slug, name=name, license=license, created_at=time.time()
                )
            )
            return int(result.inserted_primary_key[0])

    def dataset(self, dataset_id: int):
        with self.store.read() as conn:
            return conn.execute(
                select(jtheta_datasets).where(jtheta_datasets.c.id == dataset_id)
            ).first()

    def dataset_count(self, slug: str) -> int:
        with self.store.read() as conn:
            return conn.execute(
                select(func.count()).where(jtheta_datasets.c.slug == slug)
            ).scalar_one()

    # -- invites ----------------------------------------------------------------------
    def add_invite(self, token: str, slug: str, email: str, role: str, expires_at: float) -> None:
        with self.store.write() as conn:
            conn.execute(
                insert(jtheta_invites).values(
                    token_hash=token_hash(token),
                    slug=slug,
                    email=email,
                    role=role,
                    expires_at=expires_at,
                )
            )

    def use_invite(self, token: str, slug: str, now: float | None = None):
        """The invite's row, marked used, when `token` is an unused, unexpired invite to
        `slug`; else None. One UPDATE decides, so two clicks cannot both use it."""
        now = time.time() if now is None else now
        key = token_hash(token)
        with self.store.write() as conn:
            used = conn.execute(
                update(jtheta_invites)
                .where(
                    (jtheta_invites.c.token_hash == key)
                    & (jtheta_invites.c.slug == slug)
                    & jtheta_invites.c.used_at.is_(None)
                    & (jtheta_invites.c.expires_at > now)
                )
                .values(used_at=now)
            )
            if used.rowcount != 1:
                return None
            return conn.execute(
                select(jtheta_invites).where(jtheta_invites.c.token_hash == key)
            ).first()

    # -- reviews ----------------------------------------------------------------------
    def add_review(
        self, slug: str, item_id: str, reviewer: str, decision: str, comment: str
    ) -> float:
        now = time.time()
        with self.store.write() as conn:
            conn.execute(
                insert(jtheta_reviews).values(
                    slug=slug,
                    item_id=item_id,
                    reviewer=reviewer,
                    decision=decision,
                    comment=comment,
                    decided_at=now,
                )
            )
        return now

    def latest_review(self, slug: str, item_id: str):
        """The item's latest decision row, or None."""
        with self.store.read() as conn:
            return conn.execute(
                select(jtheta_reviews)
                .where((jtheta_reviews.c.slug == slug) & (jtheta_reviews.c.item_id == item_id))
                .order_by(jtheta_reviews.c.decided_at.desc(), jtheta_reviews.c.id.desc())
                .limit(1)
            ).first()

    def latest_reviews(self, slug: str) -> dict[str, dict]:
        """item id -> its latest decision {decision, comment, reviewer, decided_at}."""
        found: dict[str, dict] = {}
        with self.store.read() as conn:
            rows = conn.execute(
                select(jtheta_reviews)
                .where(jtheta_reviews.c.slug == slug)
                .order_by(jtheta_reviews.c.decided_at, jtheta_reviews.c.id)
            )
            for row in rows:
                found[row.item_id] = {
                    "decision": row.decision,
                    "comment": row.comment,
                    "reviewer": row.reviewer,
                    "decided_at": row.decided_at,
                }
        return found
