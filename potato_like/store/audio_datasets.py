"""Seed 004's audio records: datasets, their audio files (uploaded through signed URLs),
annotation sets (draft, then published and locked) with their time-range annotations, and
the models trained from them. Every lookup takes the caller's `owner` (web/api_v1 derives it
from the API key), so one key never reaches another owner's records."""

from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, func, select, update

from .tables import annotation_sets, audio_annotations, audio_files, audio_models, datasets

if TYPE_CHECKING:
    from . import Store


def _row(row) -> dict | None:
    return dict(row._mapping) if row is not None else None


def _page(conn, query, count_query, offset: int, limit: int) -> tuple[list[dict], int]:
    total = conn.execute(count_query).scalar()
    rows = conn.execute(query.offset(offset).limit(limit)).all()
    return [dict(r._mapping) for r in rows], int(total or 0)


class AudioDatasets:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- datasets ------------------------------------------------------------------------
    def create_dataset(self, owner: str, name: str, description: str | None) -> dict:
        now = time.time()
        values = {
            "id": str(uuid.uuid4()),
            "owner": owner,
            "name": name,
            "description": description,
            "created_at": now,
            "updated_at": now,
        }
        with self.store.write() as conn:
            conn.execute(datasets.insert().values(**values))
        return values

    def dataset(self, owner: str, dataset_id: str) -> dict | None:
        with self.store.read() as conn:
            return _row(
                conn.execute(
                    select(datasets).where(
                        and_(datasets.c.id == dataset_id, datasets.c.owner == owner)
                    )
                ).first()
            )

    def datasets_page(self, owner: str, offset: int, limit: int) -> tuple[list[dict], int]:
        where = datasets.c.owner == owner
        with self.store.read() as conn:
            return _page(
                conn,
                select(datasets).where(where).order_by(datasets.c.created_at.desc()),
                select(func.count()).select_from(datasets).where(where),
                offset,
                limit,
            )

    def update_dataset(self, owner: str, dataset_id: str, changes: dict) -> dict | None:
        with self.store.write() as conn:
            conn.execute(
                update(datasets)
                .where(and_(datasets.c.id == dataset_id, datasets.c.owner == owner))
                .values(**changes, updated_at=time.time())
            )
        return self.dataset(owner, dataset_id)

    def delete_dataset(self, owner: str, dataset_id: str) -> list[str] | None:
        """Delete the dataset with its audio, sets and annotations; the audio ids (whose
        files the caller removes), or None when there was no such dataset."""
        with self.store.write() as conn:
            found = conn.execute(
                select(datasets.c.id).where(
                    and_(datasets.c.id == dataset_id, datasets.c.owner == owner)
                )
            ).scalar()
            if found is None:
                return None
            audio_ids = list(
                conn.execute(
                    select(audio_files.c.id).where(audio_files.c.dataset_id == dataset_id)
                ).scalars()
            )
            sets = select(annotation_sets.c.id).where(annotation_sets.c.dataset_id == dataset_id)
            conn.execute(delete(audio_annotations).where(audio_annotations.c.set_id.in_(sets)))
            conn.execute(delete(annotation_sets).where(annotation_sets.c.dataset_id == dataset_id))
            conn.execute(delete(audio_files).where(audio_files.c.dataset_id == dataset_id))
            conn.execute(delete(datasets).where(datasets.c.id == dataset_id))
        return audio_ids

    # -- audio files ---------------------------------------------------------------------
    def create_audio(
        self,
        dataset_id: str,
        filename: str,
        content_type: str,
        size_bytes: int,
        expires_at: float,
    ) -> dict:
        values = {
            "id": str(uuid.uuid4()),
            "dataset_id": dataset_id,
            "filename": filename,
            "content_type": content_type,
            "size_bytes": size_bytes,
            "status": "pending",
            "upload_expires_at": expires_at,
            "created_at": time.time(),
        }
        with self.store.write() as conn:
            conn.execute(audio_files.insert().values(**values))
        return {**values, "duration_seconds": None, "sample_rate": None}

    def audio(self, owner: str | None, audio_id: str) -> dict | None:
        """The audio file, when its dataset belongs to `owner` (None: any owner, for the
        signed upload URL, which carries its own proof)."""
        query = select(audio_files).where(audio_files.c.id == audio_id)
        if owner is not None:
            query = query.join(datasets, datasets.c.id == audio_files.c.dataset_id).where(
                datasets.c.owner == owner
            )
        with self.store.read() as conn:
            return _row(conn.execute(query).first())

    def audio_page(self, dataset_id: str, offset: int, limit: int) -> tuple[list[dict], int]:
        where = audio_files.c.dataset_id == dataset_id
        with self.store.read() as conn:
            return _page(
                conn,
                select(audio_files)
                .where(where)
                .order_by(audio_files.c.created_at, audio_files.c.id),
                select(func.count()).select_from(audio_files).where(where),
                offset,
                limit,
            )

    def move_audio(self, audio_id: str, before: str, after: str, **values) -> bool:
        """Compare-and-set the audio's status (single use of the upload URL hangs on it)."""
        with self.store.write() as conn:
            done = conn.execute(
                update(audio_files)
                .where(and_(audio_files.c.id == audio_id, audio_files.c.status == before))
                .values(status=after, **values)
            )
        return done.rowcount == 1

    def delete_audio(self, audio_id: str) -> bool:
        """Delete the audio file and its draft annotations; False (nothing deleted) when a
        published set annotates it: published sets never change."""
        with self.store.write() as conn:
            published = conn.execute(
                select(audio_annotations.c.id)
                .join(annotation_sets, annotation_sets.c.id == audio_annotations.c.set_id)
                .where(
                    and_(
                        audio_annotations.c.audio_id == audio_id,
                        annotation_sets.c.status == "published",
                    )
                )
                .limit(1)
            ).first()
            if published is not None:
                return False
            conn.execute(delete(audio_annotations).where(audio_annotations.c.audio_id == audio_id))
            conn.execute(delete(audio_files).where(audio_files.c.id == audio_id))
        return True

    def ready_audio(self, owner: str, audio_ids: list[str]) -> list[dict]:
        """The given audio files that belong to `owner` and are ready (confirmed)."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(audio_files)
                .join(datasets, datasets.c.id == audio_files.c.dataset_id)
                .where(
                    and_(
                        audio_files.c.id.in_(audio_ids),
                        datasets.c.owner == owner,
                        audio_files.c.status == "ready",
                    )
                )
            ).all()
        return [dict(r._mapping) for r in rows]

    # -- annotation sets -----------------------------------------------------------------
    def dataset_audio(self, dataset_id: str, status: str = "ready") -> list[dict]:
        """The dataset's audio files in `status`, oldest first (attach and from_project)."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(audio_files)
                .where(and_(audio_files.c.dataset_id == dataset_id, audio_files.c.status == status))
                .order_by(audio_files.c.created_at, audio_files.c.id)
            ).all()
        return [dict(r._mapping) for r in rows]

    def create_set(
        self, dataset_id: str, name: str, notes: list[tuple[str, float, float, str]] = ()
    ) -> dict:
        """A draft set, with `notes` ((audio_id, start, end, label)) in the same transaction
        (a set filled `from_project` appears whole or not at all)."""
        now = time.time()
        values = {
            "id": str(uuid.uuid4()),
            "dataset_id": dataset_id,
            "name": name,
            "status": "draft",
            "created_at": now,
            "published_at": None,
        }
        rows = [
            {
                "id": str(uuid.uuid4()),
                "set_id": values["id"],
                "audio_id": audio_id,
                "start_seconds": start,
                "end_seconds": end,
                "label": label,
                "created_at": now,
            }
            for audio_id, start, end, label in notes
        ]
        with self.store.write() as conn:
            conn.execute(annotation_sets.insert().values(**values))
            if rows:
                conn.execute(audio_annotations.insert(), rows)
        return values

    def annotation_set(self, owner: str, set_id: str) -> dict | None:
        with self.store.read() as conn:
            return _row(
                conn.execute(
                    select(annotation_sets)
                    .join(datasets, datasets.c.id == annotation_sets.c.dataset_id)
                    .where(and_(annotation_sets.c.id == set_id, datasets.c.owner == owner))
                ).first()
            )

    def sets_page(self, owner: str, offset: int, limit: int) -> tuple[list[dict], int]:
        joined = annotation_sets.join(datasets, datasets.c.id == annotation_sets.c.dataset_id)
        where = datasets.c.owner == owner
        with self.store.read() as conn:
            return _page(
                conn,
                select(annotation_sets)
                .select_from(joined)
                .where(where)
                .order_by(annotation_sets.c.created_at.desc()),
                select(func.count()).select_from(joined).where(where),
                offset,
                limit,
            )

    def publish(self, set_id: str) -> bool:
        with self.store.write() as conn:
            done = conn.execute(
                update(annotation_sets)
                .where(and_(annotation_sets.c.id == set_id, annotation_sets.c.status == "draft"))
                .values(status="published", published_at=time.time())
            )
        return done.rowcount == 1

    def delete_set(self, set_id: str) -> None:
        with self.store.write() as conn:
            conn.execute(delete(audio_annotations).where(audio_annotations.c.set_id == set_id))
            conn.execute(delete(annotation_sets).where(annotation_sets.c.id == set_id))

    # -- annotations ---------------------------------------------------------------------
    def add_annotation(self, set_id: str, audio_id: str, start: float, end: float, label: str):
        """The new annotation, or None when the set is no longer a draft (checked in the
        write transaction, so a publish in between cannot let an edit through)."""
        values = {
            "id": str(uuid.uuid4()),
            "set_id": set_id,
            "audio_id": audio_id,
            "start_seconds": start,
            "end_seconds": end,
            "label": label,
            "created_at": time.time(),
        }
        with self.store.write() as conn:
            status = conn.execute(
                select(annotation_sets.c.status).where(annotation_sets.c.id == set_id)
            ).scalar()
            if status != "draft":
                return None
            conn.execute(audio_annotations.insert().values(**values))
        return values

    def annotation(self, set_id: str, annotation_id: str) -> dict | None:
        with self.store.read() as conn:
            return _row(
                conn.execute(
                    select(audio_annotations).where(
                        and_(
                            audio_annotations.c.id == annotation_id,
                            audio_annotations.c.set_id == set_id,
                        )
                    )
                ).first()
            )

    def annotations_page(self, set_id: str, offset: int, limit: int) -> tuple[list[dict], int]:
        where = audio_annotations.c.set_id == set_id
        with self.store.read() as conn:
            return _page(
                conn,
                select(audio_annotations)
                .where(where)
                .order_by(audio_annotations.c.created_at, audio_annotations.c.id),
                select(func.count()).select_from(audio_annotations).where(where),
                offset,
                limit,
            )

    def all_annotations(self, set_id: str) -> list[dict]:
        with self.store.read() as conn:
            rows = conn.execute(
                select(audio_annotations).where(audio_annotations.c.set_id == set_id)
            ).all()
        return [dict(r._mapping) for r in rows]

    def delete_annotation(self, set_id: str, annotation_id: str) -> str:
        """ "deleted", "missing", or "locked" (the set is published)."""
        with self.store.write() as conn:
            status = conn.execute(
                select(annotation_sets.c.status).where(annotation_sets.c.id == set_id)
            ).scalar()
            if status != "draft":
                return "locked"
            done = conn.execute(
                delete(audio_annotations).where(
                    and_(
                        audio_annotations.c.id == annotation_id,
                        audio_annotations.c.set_id == set_id,
                    )
                )
            )
        return "deleted" if done.rowcount == 1 else "missing"

    # -- models --------------------------------------------------------------------------
    @staticmethod
    def new_model_id() -> str:
        return str(uuid.uuid4())

    def add_model(
        self, model_id: str, owner: str, set_id: str, job_id: str, labels: list[str], metrics: dict
    ) -> str:
        with self.store.write() as conn:
            conn.execute(
                audio_models.insert().values(
                    id=model_id,
                    owner=owner,
                    annotation_set_id=set_id,
                    training_job_id=job_id,
                    labels=json.dumps(labels),
                    metrics=json.dumps(metrics),
                    created_at=time.time(),
                )
            )
        return model_id

    def model(self, owner: str, model_id: str) -> dict | None:
        with self.store.read() as conn:
            row = _row(
                conn.execute(
                    select(audio_models).where(
                        and_(audio_models.c.id == model_id, audio_models.c.owner == owner)
                    )
                ).first()
            )
        if row is not None:
            row["labels"] = json.loads(row["labels"])
            row["metrics"] = json.loads(row["metrics"])
        return row
