"""Read-only queries behind the admin state endpoints: annotation history, a user's and an
item's state and stale leases.

Every query is bounded (LIMIT, or an index range on one user or one item), so each stays fast
at a million items and a million annotations. Statements are built once, with bind parameters.
"""

from __future__ import annotations

import heapq
import json
import time
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, func, or_, select

from .assignments import EXPIRED, LEASED
from .stats import iso
from .tables import annotations, assignments, events, items, users

if TYPE_CHECKING:
    from . import Store

A, E, I, N, U = assignments.c, events.c, items.c, annotations.c, users.c  # noqa: E741

HISTORY_KINDS = ("save", "submit")
FAR_FUTURE = 1e18  # a `before` timestamp later than any event
HISTORY_BATCHES = 20  # events with no label changes must not make one request scan forever
PRIOR_EVENTS = 50  # how far back a removal looks for the labels it removed


def _history_statement(by_user: bool, by_item: bool):
    """Newest first, keyset-paged on (ts, id): the ts index (or the user's (user_id, ts)
    index) yields rows in order, so a page costs its own size, not the table's."""
    stmt = (
        select(
            E.id,
            E.ts,
            E.kind,
            E.data,
            E.user_id,
            E.item_seq,
            U.username,
            I.id.label("item_id"),
        )
        .select_from(events.join(users, U.id == E.user_id).join(items, I.seq == E.item_seq))
        .where(
            E.kind.in_(HISTORY_KINDS),
            E.ts >= bindparam("since"),
            E.ts <= bindparam("before_ts"),
            or_(E.ts < bindparam("before_ts"), E.id < bindparam("before_id")),
        )
        .order_by(E.ts.desc(), E.id.desc())
        .limit(bindparam("n"))
    )
    if by_user:
        stmt = stmt.where(E.user_id == bindparam("u"))
    if by_item:
        stmt = stmt.where(E.item_seq == bindparam("s"))
    return stmt


HISTORY = {(u, s): _history_statement(u, s) for u in (False, True) for s in (False, True)}
PRIOR_CHANGES = (
    select(E.data)
    .where(
        E.user_id == bindparam("u"),
        E.item_seq == bindparam("s"),
        E.kind.in_(HISTORY_KINDS),
        E.id < bindparam("before_id"),
    )
    .order_by(E.id.desc())
    .limit(PRIOR_EVENTS)
)
USER_ORDERING = (
    select(I.id)
    .select_from(assignments.join(items, I.seq == A.item_seq))
    .where(A.user_id == bindparam("u"))
    .order_by(A.position)
    .limit(bindparam("n"))
)
USERS_PAGE = (
    select(U.username, U.phase, U.done_count, U.assigned_count, U.last_active_at)
    .order_by(U.id)
    .limit(bindparam("n"))
)
USER_COUNT = select(func.count()).select_from(users)
ITEM_HOLDERS = (
    select(U.username)
    .select_from(assignments.join(users, U.id == A.user_id))
    .where(A.item_seq == bindparam("s"), A.status != EXPIRED)
    .order_by(U.username)
    .limit(bindparam("n"))
)
ITEM_ANNOTATIONS = (
    select(U.username, N.schema, N.value)
    .select_from(annotations.join(users, U.id == N.user_id))
    .where(N.item_seq == bindparam("s"))
    .order_by(U.username, N.schema)
    .limit(bindparam("n"))
)
_STALE = (A.status == LEASED, A.leased_at < bindparam("cutoff"))
STALE_PAGE = (
    select(U.username, I.id.label("item_id"), A.leased_at, A.position)
    .select_from(assignments.join(users, U.id == A.user_id).join(items, I.seq == A.item_seq))
    .where(*_STALE)
    .order_by(A.leased_at, A.user_id, A.item_seq)
    .limit(bindparam("n"))
    .offset(bindparam("o"))
)
STALE_COUNT = select(func.count()).select_from(assignments).where(*_STALE)
# Flags annotators raised on items (events of kind "flag"), newest first.
FLAGS = (
    select(E.ts, E.data, U.username, I.id)
    .select_from(events.join(users, U.id == E.user_id).join(items, I.seq == E.item_seq))
    .where(E.kind == "flag")
    .order_by(E.ts.desc(), E.id.desc())
    .limit(bindparam("n"))
)
ITEM_FLAGS = FLAGS.where(E.item_seq == bindparam("s"))
FLAGGED_SEQS = select(E.item_seq).where(E.kind == "flag").distinct()
# Every finished answer, grouped by item, for per-item agreement (one pass, streamed).
DONE_ANSWERS = (
    select(N.item_seq, I.id, N.user_id, N.schema, N.value)
    .select_from(
        annotations.join(assignments, (A.user_id == N.user_id) & (A.item_seq == N.item_seq)).join(
            items, I.seq == N.item_seq
        )
    )
    .where(A.status == "done")
    .order_by(N.item_seq)
)


@dataclass(frozen=True)
class HistoryPage:
    entries: list[dict[str, Any]]
    has_more: bool


@dataclass(frozen=True)
class StaleLease:
    username: str
    item_id: str
    leased_at: float
    position: int


class AdminState:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- annotation history ----------------------------------------------------------------
    def history(
        self,
        *,
        user_id: int | None = None,
        item_seq: int | None = None,
        since: float | None = None,
        limit: int = 200,
    ) -> HistoryPage:
        """Label-level history from the save/submit events, newest first: one entry per
        (event, schema, label) — `add_label` for each label of the new map, `remove_label`
        (naming the labels it had before) when a scheme was cleared."""
        stmt = HISTORY[(user_id is not None, item_seq is not None)]
        params: dict[str, Any] = {
            "since": since if since is not None else 0.0,
            "before_ts": FAR_FUTURE,
            "before_id": 0,
            "n": limit,
            "u": user_id,
            "s": item_seq,
        }
        out: list[dict[str, Any]] = []
        with self.store.read() as conn:
            for _ in range(HISTORY_BATCHES):
                rows = conn.execute(stmt, params).all()
                for row in rows:
                    out.extend(self._entries(conn, row))
                if len(rows) < limit:
                    return HistoryPage(out[:limit], len(out) > limit)
                if len(out) >= limit:
                    return HistoryPage(out[:limit], True)
                last = rows[-1]
                params.update(before_ts=last.ts, before_id=last.id)
        return HistoryPage(out[:limit], True)

    def _entries(self, conn: Connection, row) -> list[dict[str, Any]]:
        changes = _changes(row.data)
        out = []
        for schema, label_map in changes.items():
            if label_map:
                action, labels = "add_label", list(label_map)
            else:
                action, labels = "remove_label", self._labels_before(conn, row, schema) or [None]
            for label in labels:
                out.append(
                    {
                        "user_id": row.username,
                        "instance_id": row.item_id,
                        "action_type": action,
                        "schema_name": schema,
                        "label_name": label,
                        "timestamp": iso(row.ts),
                        "event": row.kind,
                    }
                )
        return out

    @staticmethod
    def _labels_before(conn: Connection, row, schema: str) -> list[str]:
        """The labels a scheme held before this event cleared it (from the latest earlier
        event by the same user on the same item that set it)."""
        params = {"u": row.user_id, "s": row.item_seq, "before_id": row.id}
        for (data,) in conn.execute(PRIOR_CHANGES, params):
            changes = _changes(data)
            if schema in changes:
                return list(changes[schema] or {})
        return []

    # -- users -------------------------------------------------------------------------------
    def item_ordering(self, user_id: int, limit: int) -> tuple[list[str], bool]:
        """The ids of the user's list in order (at most `limit`), and whether it is longer."""
        with self.store.read() as conn:
            ids = list(conn.execute(USER_ORDERING, {"u": user_id, "n": limit + 1}).scalars())
        return ids[:limit], len(ids) > limit

    def users_page(self, limit: int) -> tuple[list[Any], int]:
        with self.store.read() as conn:
            rows = conn.execute(USERS_PAGE, {"n": limit}).all()
            total = conn.execute(USER_COUNT).scalar_one()
        return rows, total

    # -- items -------------------------------------------------------------------------------
    def add_flag(self, user_id: int, item_seq: int, comment: str) -> None:
        """An annotator flags an item (unclear, broken, offensive, ...) with a comment."""
        with self.store.write() as conn:
            self.store.events.append(
                conn, "flag", user_id=user_id, item_seq=item_seq, data={"comment": comment}
            )

    def flagged_seqs(self) -> set[int]:
        """Items with at least one flag."""
        with self.store.read() as conn:
            return set(conn.execute(FLAGGED_SEQS).scalars())

    def flags(self, item_seq: int | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """Flags, newest first: {item_id, user, comment, flagged_at}."""
        stmt = FLAGS if item_seq is None else ITEM_FLAGS
        with self.store.read() as conn:
            rows = conn.execute(stmt, {"n": limit, "s": item_seq}).all()
        return [
            {
                "item_id": row.id,
                "user": row.username,
                "comment": json.loads(row.data).get("comment", ""),
                "flagged_at": iso(row.ts),
            }
            for row in rows
        ]

    def disputed_items(self, score_of, limit: int = 100) -> list[dict[str, Any]]:
        """The items whose finished annotators disagree most: `score_of(rows)` scores one
        item's (user id, schema, stored JSON) rows, 0 = all agree. Items with fewer than two
        annotators are left out. One streamed pass; memory is the `limit` kept."""
        kept: list[tuple[float, int, str, int]] = []
        with self.store.read() as conn:
            for seq, group in groupby(conn.execute(DONE_ANSWERS), key=lambda r: r.item_seq):
                rows = list(group)
                annotators = len({r.user_id for r in rows})
                if annotators < 2:
                    continue
                score = score_of((r.user_id, r.schema, r.value) for r in rows)
                entry = (score, -seq, rows[0].id, annotators)
                if len(kept) < limit:
                    heapq.heappush(kept, entry)
                elif entry > kept[0]:
                    heapq.heapreplace(kept, entry)
        ordered = sorted(kept, reverse=True)
        return [
            {"item_id": item_id, "disagreement": round(score, 4), "annotators": n}
            for score, _seq, item_id, n in ordered
        ]

    def item_holders(self, item_seq: int, limit: int = 10_000) -> list[str]:
        """Users holding the item: unexpired leases and finished annotators."""
        with self.store.read() as conn:
            return list(conn.execute(ITEM_HOLDERS, {"s": item_seq, "n": limit}).scalars())

    def item_annotations(
        self, item_seq: int, limit: int = 10_000
    ) -> dict[str, dict[str, dict[str, str]]]:
        """username -> schema -> label map, for one item."""
        out: dict[str, dict[str, dict[str, str]]] = {}
        with self.store.read() as conn:
            for row in conn.execute(ITEM_ANNOTATIONS, {"s": item_seq, "n": limit}):
                out.setdefault(row.username, {})[row.schema] = json.loads(row.value)
        return out

    # -- stale leases ------------------------------------------------------------------------
    def stale_leases(
        self, older_than_seconds: float, limit: int, offset: int = 0, now: float | None = None
    ) -> tuple[list[StaleLease], int]:
        """Unfinished leases not touched for `older_than_seconds`, oldest first, and how many
        there are in all."""
        cutoff = (now if now is not None else time.time()) - older_than_seconds
        with self.store.read() as conn:
            rows = conn.execute(STALE_PAGE, {"cutoff": cutoff, "n": limit, "o": offset}).all()
            total = conn.execute(STALE_COUNT, {"cutoff": cutoff}).scalar_one()
        leases = [StaleLease(r.username, r.item_id, r.leased_at, r.position) for r in rows]
        return leases, total


def _changes(data: str) -> dict[str, dict[str, str]]:
    try:
        parsed = json.loads(data)
    except ValueError:
        return {}
    changes = parsed.get("changes") if isinstance(parsed, dict) else None
    return changes if isinstance(changes, dict) else {}


__all__ = ["AdminState", "HistoryPage", "StaleLease"]
