"""The rollout judge's verdicts, per prompt version, item, schema and stream (written by
POST /admin/api/rollout/judge-batch, read by GET /admin/api/rollout/alignment)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from .tables import rollout_predictions

if TYPE_CHECKING:
    from . import Store

R = rollout_predictions.c


class RolloutPredictions:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._upsert = self.store.insert(rollout_predictions)

    def put_many(self, version: str, predictions: Iterable[dict[str, Any]]) -> int:
        """Insert or replace predictions (dicts with instance_id, schema_name, stream_id)."""
        now = time.time()
        rows = [
            {
                "prompt_version": version,
                "item_id": p["instance_id"],
                "schema": p["schema_name"],
                "stream": p["stream_id"],
                "prediction": json.dumps(p, ensure_ascii=False),
                "judged_at": now,
            }
            for p in predictions
        ]
        if not rows:
            return 0
        stmt = self._upsert.on_conflict_do_update(
            index_elements=["prompt_version", "item_id", "schema", "stream"],
            set_={
                "prediction": self._upsert.excluded.prediction,
                "judged_at": self._upsert.excluded.judged_at,
            },
        )
        with self.store.write() as conn:
            conn.execute(stmt, rows)
        return len(rows)

    def latest_version(self) -> str | None:
        """The version judged most recently, or None when nothing was judged."""
        with self.store.read() as conn:
            row = conn.execute(
                select(R.prompt_version).order_by(R.judged_at.desc()).limit(1)
            ).first()
        return row.prompt_version if row else None

    def for_schema(self, version: str, schema: str) -> list[dict[str, Any]]:
        with self.store.read() as conn:
            rows = conn.execute(
                select(R.prediction)
                .where(R.prompt_version == version, R.schema == schema)
                .order_by(R.item_id, R.stream)
            ).all()
        return [json.loads(r.prediction) for r in rows]

    def count(self, version: str | None = None) -> int:
        stmt = select(func.count()).select_from(rollout_predictions)
        if version is not None:
            stmt = stmt.where(R.prompt_version == version)
        with self.store.read() as conn:
            return conn.execute(stmt).scalar_one()
