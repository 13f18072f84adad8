"""Project statistics for the admin API. The overview's item and annotation counts are kept
counters (O(1)) and completions over time come from the hourly table, so they cost the same
at any size. Item pages are LIMIT/OFFSET over the items table (cost grows with the offset);
the annotators page joins the kept agreement aggregates and check results of that page only;
the text search reads the items table in windows under a time budget (search_instances)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select

from .tables import assignments, completions_by_hour, items, users

if TYPE_CHECKING:
    from . import Store

STATUS_NAMES = {0: "unassigned", 1: "in_progress", 2: "completed"}
STATUS_CODES = {name: code for code, name in STATUS_NAMES.items()}
PREVIEW_CHARS = 100

_ITEM_COLS = (items.c.seq, items.c.id, items.c.text, items.c.done_count, items.c.status)
PAGE = (
    select(*_ITEM_COLS)
    .where(items.c.retired == 0)
    .order_by(items.c.seq)
    .limit(bindparam("n"))
    .offset(bindparam("o"))
)
PAGE_BY_STATUS = (
    select(*_ITEM_COLS)
    .where(items.c.status == bindparam("status"), items.c.retired == 0)
    .order_by(items.c.seq)
    .limit(bindparam("n"))
    .offset(bindparam("o"))
)
ACTIVE_USERS = (
    select(func.count()).select_from(users).where(users.c.last_active_at >= bindparam("since"))
)
ALL_USERS = select(func.count()).select_from(users)
ANNOTATORS = (
    select(
        users.c.id,
        users.c.username,
        users.c.done_count,
        users.c.assigned_count,
        users.c.next_pos,
        users.c.phase,
        users.c.last_active_at,
        users.c.timed_items,
        users.c.timed_seconds,
        users.c.study_status,
    )
    .order_by(users.c.id)
    .limit(bindparam("n"))
    .offset(bindparam("o"))
)
HOLDERS_OF = (
    select(assignments.c.item_seq, users.c.username)
    .join(users, users.c.id == assignments.c.user_id)
    .where(assignments.c.item_seq.in_(bindparam("seqs", expanding=True)))
    .where(assignments.c.status != "expired")
    .order_by(assignments.c.item_seq, users.c.username)
)


# Completions per hour are counted into completions_by_hour (one row per hour) as leases are
# marked done, so the chart reads at most `hours` rows plus one sum at any project size.
HOURS_SINCE = (
    select(completions_by_hour.c.hour, completions_by_hour.c.done)
    .where(completions_by_hour.c.hour >= bindparam("h"))
    .order_by(completions_by_hour.c.hour)
)
DONE_BEFORE_HOUR = select(func.coalesce(func.sum(completions_by_hour.c.done), 0)).where(
    completions_by_hour.c.hour < bindparam("h")
)


@dataclass(frozen=True)
class Overview:
    total_items: int
    total_annotations: int
    total_users: int
    active_users: int
    completed: int
    in_progress: int
    unassigned: int

    def as_json(self) -> dict[str, Any]:
        return {
            "total_items": self.total_items,
            "total_annotations": self.total_annotations,
            "total_users": self.total_users,
            "active_users": self.active_users,
            "completion_rate": round(self.completed / self.total_items, 4)
            if self.total_items
            else 0.0,
            "items_by_status": {
                "completed": self.completed,
                "in_progress": self.in_progress,
                "unassigned": self.unassigned,
            },
        }


class Stats:
    def __init__(self, store: Store) -> None:
        self.store = store

    def overview(self, active_minutes: float = 15) -> Overview:
        counter = self.store.counter
        with self.store.read() as conn:
            total = counter(conn, "items")
            held = counter(conn, "items_held")
            completed = counter(conn, "items_completed")
            return Overview(
                total_items=total,
                total_annotations=counter(conn, "done_assignments"),
                total_users=conn.execute(ALL_USERS).scalar_one(),
                active_users=conn.execute(
                    ACTIVE_USERS, {"since": time.time() - active_minutes * 60}
                ).scalar_one(),
                completed=completed,
                in_progress=max(0, held - completed),
                unassigned=max(0, total - held),
            )

    def instances(
        self, status: str | None, limit: int, offset: int, full_text: bool = False
    ) -> tuple[list[dict[str, Any]], int]:
        overview = self.overview()
        with self.store.read() as conn:
            if status is None:
                rows = conn.execute(PAGE, {"n": limit, "o": offset}).all()
                total = overview.total_items
            else:
                params = {"status": STATUS_CODES[status], "n": limit, "o": offset}
                rows = conn.execute(PAGE_BY_STATUS, params).all()
                total = overview.as_json()["items_by_status"][status]
            holders: dict[int, list[str]] = {}
            if full_text and rows:
                for seq, name in conn.execute(HOLDERS_OF, {"seqs": [r.seq for r in rows]}):
                    holders.setdefault(seq, []).append(name)
        out = []
        for r in rows:
            entry: dict[str, Any] = {"id": r.id}
            if full_text:
                entry.update(text=r.text, assigned_to=holders.get(r.seq, []))
            else:
                entry["text_preview"] = preview(r.text)
                entry["status"] = STATUS_NAMES[r.status]
            entry["annotations_count"] = r.done_count
            out.append(entry)
        return out, total

    def search_instances(
        self,
        query: str,
        status: str | None,
        limit: int,
        after_seq: int = 0,
        budget_seconds: float = 0.2,
        window: int = 50_000,
    ) -> tuple[list[dict[str, Any]], int | None, int]:
        """Items after `after_seq` whose id or text contains `query` (case-insensitive), in
        data order. Returns (a page, the seq to continue after or None when the search is
        complete, the highest seq searched). The table is read in windows of `window` items
        and the search pauses once the page is full or `budget_seconds` have passed, so a
        page costs about the same at any size; a rare word takes several "search further"
        steps instead of one long scan. An exact item id is found through its index."""
        if after_seq == 0:
            exact = self.store.items.by_id(query)
            if exact is not None:
                return self.instances_by_seq([exact.seq], status), None, 0
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        match = items.c.id.ilike(pattern, escape="\\") | items.c.text.ilike(pattern, escape="\\")
        stmt = select(*_ITEM_COLS).where(
            items.c.retired == 0,
            match,
            items.c.seq > bindparam("lo"),
            items.c.seq <= bindparam("hi"),
        )
        if status is not None:
            stmt = stmt.where(items.c.status == STATUS_CODES[status])
        stmt = stmt.order_by(items.c.seq).limit(bindparam("n"))
        started = time.perf_counter()
        found: list = []
        searched = after_seq
        with self.store.read() as conn:
            last = conn.execute(select(func.max(items.c.seq))).scalar() or 0
            while searched < last and len(found) <= limit:
                hi = min(last, searched + window)
                params = {"lo": searched, "hi": hi, "n": limit + 1 - len(found)}
                found += conn.execute(stmt, params).all()
                searched = hi
                if time.perf_counter() - started > budget_seconds:
                    break
        if len(found) > limit:
            return [_listed(r) for r in found[:limit]], found[limit - 1].seq, searched
        return [_listed(r) for r in found], (searched if searched < last else None), searched

    def instances_by_seq(self, seqs: list[int], status: str | None) -> list[dict[str, Any]]:
        stmt = select(*_ITEM_COLS).where(items.c.seq.in_(seqs), items.c.retired == 0)
        if status is not None:
            stmt = stmt.where(items.c.status == STATUS_CODES[status])
        with self.store.read() as conn:
            rows = conn.execute(stmt.order_by(items.c.seq)).all()
        return [_listed(r) for r in rows]

    def completions_over_time(self, hours: int = 48) -> dict[str, Any]:
        """Finished annotations per hour over the last `hours` hours, and the running total
        (from the hourly table: constant time at any project size)."""
        now_hour = int(time.time() // 3600)
        first = now_hour - hours + 1
        by_hour = {}
        with self.store.read() as conn:
            running = int(conn.execute(DONE_BEFORE_HOUR, {"h": first}).scalar_one())
            for hour, done in conn.execute(HOURS_SINCE, {"h": first}):
                by_hour[hour] = done
        points = []
        for hour in range(first, now_hour + 1):
            running += by_hour.get(hour, 0)
            points.append({"t": iso(hour * 3600), "new": by_hour.get(hour, 0), "done": running})
        return {"hours": hours, "points": points}

    def annotators(self, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        """A page of annotators: the seed's fields, then speed and agreement with others
        (docs/api.md defines both)."""
        with self.store.read() as conn:
            rows = conn.execute(ANNOTATORS, {"n": limit, "o": offset}).all()
            total = conn.execute(ALL_USERS).scalar_one()
        agreement = self.store.aggregates.agreement_of(r.id for r in rows)
        checks = self.store.study.qc_for_users([r.id for r in rows])
        out = []
        for r in rows:
            answered, passed = checks.get(r.id, (0, 0))
            seconds = r.timed_seconds / r.timed_items if r.timed_items else None
            rate, compared = agreement_with_others(agreement.get(r.id, {}))
            out.append(
                {
                    "user_id": r.username,
                    "annotations_count": r.done_count,
                    "current_phase": r.phase,
                    "last_active": iso(r.last_active_at),
                    "assigned_items": r.assigned_count,
                    "completed_items": r.done_count,
                    "seconds_per_item": None if seconds is None else round(seconds, 1),
                    "items_per_hour": round(3600 / seconds, 1) if seconds else None,
                    "timed_items": r.timed_items,
                    "agreement_with_others": rate,
                    "agreement_comparisons": compared,
                    "study_status": r.study_status,
                    "qc_checks": answered,
                    "qc_pass_rate": round(passed / answered, 4) if answered else None,
                }
            )
        return out, total


def _listed(r) -> dict[str, Any]:
    """An item as the dashboard's items table lists it."""
    return {
        "id": r.id,
        "text_preview": preview(r.text),
        "status": STATUS_NAMES[r.status],
        "annotations_count": r.done_count,
    }


def agreement_with_others(by_schema: dict[str, tuple[int, int]]) -> tuple[float | None, int]:
    """Per schema, the share of (shared finished item, other annotator) comparisons with the
    identical answer; averaged over the schemas with any comparison. And the comparisons."""
    rates = [agreed / shared for shared, agreed in by_schema.values() if shared]
    compared = sum(shared for shared, _agreed in by_schema.values())
    return (round(sum(rates) / len(rates), 4) if rates else None), compared


def preview(text: str) -> str:
    if len(text) <= PREVIEW_CHARS:
        return text
    return text[: PREVIEW_CHARS - 3].rstrip() + "..."


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


__all__ = ["STATUS_CODES", "Overview", "Stats"]
