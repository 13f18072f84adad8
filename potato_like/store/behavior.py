"""Behavioural tracking: batched interaction reports, AI-usage and label-change reports from
the annotation page, and the aggregates the admin analytics read.

One row per report in `interactions`; its JSON payload is read back with the database's own
JSON functions (SQLite json_extract, PostgreSQL jsonb), so aggregates stay in SQL.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Float, bindparam, case, cast, func, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB

from .tables import interactions, users

if TYPE_CHECKING:
    from . import Store

INTERACTIONS = "interactions"
AI_USAGE = "ai_usage"
ANNOTATION_CHANGE = "annotation_change"
KINDS = (INTERACTIONS, AI_USAGE, ANNOTATION_CHANGE)

# Reports listed per (user, item) at most: a page open for hours sends a few hundred.
LIST_LIMIT = 500

X = interactions.c
RECORD = interactions.insert()
LIST_FOR_ITEM = (
    select(X.ts, X.kind, X.data)
    .where(X.user_id == bindparam("u"), X.item_seq == bindparam("s"), X.kind == bindparam("k"))
    .order_by(X.id)
    .limit(bindparam("n"))
)


@dataclass(frozen=True)
class Report:
    user_id: int
    item_seq: int
    kind: str
    data: Any


class Behavior:
    def __init__(self, store: Store) -> None:
        self.store = store
        # The JSON payload as a JSON expression: SQLite keeps it as text and json_extract()s it;
        # PostgreSQL needs a real cast to jsonb before ->> works.
        doc = (
            type_coerce(X.data, JSON) if store.sqlite else cast(X.data, JSONB)  # type: ignore[arg-type]
        )

        def num(key: str):
            return cast(doc[key].as_float(), Float)

        def text(key: str):
            return doc[key].as_string()

        mine = (X.user_id == bindparam("u"), X.item_seq == bindparam("s"))
        self._item_totals = select(
            func.count().label("batches"),
            func.coalesce(func.sum(num("focus_ms")), 0).label("focus_ms"),
            func.coalesce(func.sum(num("clicks")), 0).label("clicks"),
            func.coalesce(func.sum(num("keypresses")), 0).label("keypresses"),
            func.coalesce(func.max(num("scroll_depth")), 0).label("max_scroll_depth"),
            func.min(num("time_to_first_answer_ms")).label("time_to_first_answer_ms"),
        ).where(*mine, X.kind == INTERACTIONS)

        since = X.ts >= bindparam("since")
        per_item = (
            select(
                X.user_id,
                X.item_seq,
                func.sum(num("focus_ms")).label("focus_ms"),
                func.sum(num("clicks")).label("clicks"),
                func.sum(num("keypresses")).label("keypresses"),
                func.min(num("time_to_first_answer_ms")).label("ttfa_ms"),
            )
            .where(X.kind == INTERACTIONS, since)
            .group_by(X.user_id, X.item_seq)
            .subquery()
        )
        self._per_user_interactions = select(
            per_item.c.user_id,
            func.count().label("items"),
            func.coalesce(func.sum(per_item.c.focus_ms), 0).label("focus_ms"),
            func.coalesce(func.sum(per_item.c.clicks), 0).label("clicks"),
            func.coalesce(func.sum(per_item.c.keypresses), 0).label("keypresses"),
            func.avg(per_item.c.ttfa_ms).label("avg_ttfa_ms"),
        ).group_by(per_item.c.user_id)
        action = text("action")
        self._per_user_reports = (
            select(
                X.user_id,
                func.sum(
                    case((X.kind == AI_USAGE, case((action == "request", 1), else_=0)), else_=0)
                ).label("ai_requests"),
                func.sum(
                    case((X.kind == AI_USAGE, case((action == "accept", 1), else_=0)), else_=0)
                ).label("ai_accepts"),
                func.sum(
                    case((X.kind == AI_USAGE, case((action == "reject", 1), else_=0)), else_=0)
                ).label("ai_rejects"),
                func.sum(case((X.kind == ANNOTATION_CHANGE, 1), else_=0)).label("changes"),
            )
            .where(X.kind.in_((AI_USAGE, ANNOTATION_CHANGE)), since)
            .group_by(X.user_id)
        )
        self._names = select(users.c.id, users.c.username).where(
            users.c.id.in_(bindparam("ids", expanding=True))
        )

    # -- writes -----------------------------------------------------------------------------
    def record(self, reports: list[Report], ts: float | None = None) -> int:
        """Store reports in one transaction (one executemany); returns how many."""
        if not reports:
            return 0
        now = ts if ts is not None else time.time()
        rows = [
            {
                "ts": now,
                "user_id": r.user_id,
                "item_seq": r.item_seq,
                "kind": r.kind,
                "data": json.dumps(r.data, ensure_ascii=False, separators=(",", ":")),
            }
            for r in reports
        ]
        with self.store.write() as conn:
            conn.execute(RECORD, rows)
        return len(rows)

    # -- reads ------------------------------------------------------------------------------
    def reports(self, user_id: int, item_seq: int, kind: str) -> list[dict[str, Any]]:
        """One user's reports of one kind on one item, oldest first (at most LIST_LIMIT)."""
        params = {"u": user_id, "s": item_seq, "k": kind, "n": LIST_LIMIT}
        with self.store.read() as conn:
            return [
                {"ts": row.ts, **json.loads(row.data)}
                for row in conn.execute(LIST_FOR_ITEM, params)
            ]

    def for_item(self, user_id: int, item_seq: int) -> dict[str, Any]:
        """One user's behavioural data for one item: interaction totals and the reports."""
        params = {"u": user_id, "s": item_seq}
        with self.store.read() as conn:
            t = conn.execute(self._item_totals, params).one()
            lists = {
                kind: [
                    {"ts": row.ts, **json.loads(row.data)}
                    for row in conn.execute(LIST_FOR_ITEM, {**params, "k": kind, "n": LIST_LIMIT})
                ]
                for kind in (AI_USAGE, ANNOTATION_CHANGE)
            }
        ttfa = t.time_to_first_answer_ms
        return {
            "interactions": {
                "focus_ms": round(float(t.focus_ms)),
                "clicks": int(t.clicks),
                "keypresses": int(t.keypresses),
                "max_scroll_depth": round(float(t.max_scroll_depth), 4),
                "time_to_first_answer_ms": None if ttfa is None else round(float(ttfa)),
                "batches": int(t.batches),
            },
            "ai_usage": lists[AI_USAGE],
            "annotation_changes": lists[ANNOTATION_CHANGE],
        }

    def per_user(self, since: float) -> list[dict[str, Any]]:
        """Aggregates per user over reports made at or after `since` (UNIX seconds), ordered
        by username: items with interaction data, total focus/clicks/keys, the mean per item
        of the earliest time to first answer, AI requests/accepts/rejects, label changes."""
        out: dict[int, dict[str, Any]] = {}

        def entry(uid: int) -> dict[str, Any]:
            return out.setdefault(
                uid,
                {
                    "user_id": uid,
                    "items": 0,
                    "focus_ms": 0.0,
                    "clicks": 0,
                    "keypresses": 0,
                    "avg_ttfa_ms": None,
                    "ai_requests": 0,
                    "ai_accepts": 0,
                    "ai_rejects": 0,
                    "changes": 0,
                },
            )

        with self.store.read() as conn:
            for row in conn.execute(self._per_user_interactions, {"since": since}):
                e = entry(row.user_id)
                e["items"] = int(row.items)
                e["focus_ms"] = float(row.focus_ms)
                e["clicks"] = int(row.clicks)
                e["keypresses"] = int(row.keypresses)
                e["avg_ttfa_ms"] = None if row.avg_ttfa_ms is None else float(row.avg_ttfa_ms)
            for row in conn.execute(self._per_user_reports, {"since": since}):
                e = entry(row.user_id)
                e["ai_requests"] = int(row.ai_requests or 0)
                e["ai_accepts"] = int(row.ai_accepts or 0)
                e["ai_rejects"] = int(row.ai_rejects or 0)
                e["changes"] = int(row.changes or 0)
            names = (
                {r.id: r.username for r in conn.execute(self._names, {"ids": list(out)})}
                if out
                else {}
            )
        for uid, e in out.items():
            e["username"] = names.get(uid, str(uid))
        return sorted(out.values(), key=lambda e: e["username"])
