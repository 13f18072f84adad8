"""Annotations: one row per (item, user, schema) holding the scheme's label map as JSON.

`apply` is the one way to change them: a single transaction that checks the user holds the
item, merges the request into the stored state *inside* the transaction (so two tabs saving
at once cannot lose each other's labels), writes the rows, updates completion counters and
appends an event. Only after it commits may the caller answer "success".
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, case, delete, select, update

from ..errors import Conflict
from .assignments import DONE, LEASED, LeasePolicy
from .item_caps import boost_on_save
from .tables import annotations, assignments, items, users

if TYPE_CHECKING:
    from . import Store

LabelMaps = dict[str, dict[str, str]]
# Given the stored label maps, return (schema -> new label map ({} clears it), is_submit).
Compute = Callable[[LabelMaps], tuple[LabelMaps, bool]]


@dataclass(frozen=True)
class SaveResult:
    status: str  # the assignment status after the save: leased or done
    user_done_count: int
    saved: LabelMaps
    completed: bool = False  # this save finished the item for this user (leased -> done)
    version: str = ""  # answers_version of the stored answers after the save


def answers_version(maps: Mapping[str, Any]) -> str:
    """A short fingerprint of one user's stored answers on one item (schema -> label map).
    A page sends the version it was shown; a save on top of another version (another tab
    saved in between) is refused instead of overwriting it."""
    canonical = json.dumps(
        {schema: value for schema, value in maps.items() if value},
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class AnnotatedItem:
    """One (item, user) pair with all of that user's label maps, for outputs and exports."""

    item_id: str
    text: str
    fields: dict[str, Any]
    user: str
    status: str
    updated_at: float
    label_maps: LabelMaps
    position: int | None = None  # in the user's list (None: the user was never assigned it)


_KEY = (annotations.c.item_seq == bindparam("i")) & (annotations.c.user_id == bindparam("u"))
MAPS_FOR = select(annotations.c.schema, annotations.c.value).where(_KEY)
DELETE_ONE = delete(annotations).where(_KEY, annotations.c.schema == bindparam("schema"))
# `d`: the change of the user's finished count (+1, -1 or 0) that this save made.
TOUCH_USER = (
    update(users)
    .where(users.c.id == bindparam("u"))
    .values(last_active_at=bindparam("now"), done_count=users.c.done_count + bindparam("d"))
    .returning(users.c.done_count)
)
# A gap longer than this between two completions is a break, not time spent on the item.
BREAK_SECONDS = 600.0
_GAP = bindparam("now") - users.c.last_done_at
_TIMED = (users.c.last_done_at.is_not(None)) & (_GAP <= BREAK_SECONDS)
TOUCH_USER_FINISHED = TOUCH_USER.values(
    last_done_at=bindparam("now"),
    timed_items=users.c.timed_items + case((_TIMED, 1), else_=0),
    timed_seconds=users.c.timed_seconds + case((_TIMED, _GAP), else_=0.0),
)


class Annotations:
    def __init__(self, store: Store) -> None:
        self.store = store
        row = {
            "item_seq": bindparam("i"),
            "user_id": bindparam("u"),
            "schema": bindparam("schema"),
            "value": bindparam("value"),
            "updated_at": bindparam("now"),
        }
        self._upsert = (
            store.insert(annotations)
            .values(**row)
            .on_conflict_do_update(
                index_elements=["item_seq", "user_id", "schema"],
                set_={"value": bindparam("value"), "updated_at": bindparam("now")},
            )
        )

    def maps_for(self, item_seq: int, user_id: int, conn: Connection | None = None) -> LabelMaps:
        params = {"i": item_seq, "u": user_id}
        if conn is not None:
            rows = conn.execute(MAPS_FOR, params).all()
        else:
            with self.store.read() as c:
                rows = c.execute(MAPS_FOR, params).all()
        return {r.schema: json.loads(r.value) for r in rows}

    def apply(
        self,
        user_id: int,
        item_seq: int,
        item_id: str,
        policy: LeasePolicy,
        compute: Compute,
        note: Mapping[str, Any] | None = None,
        base_version: str | None = None,
        in_transaction: Callable[[Connection, dict[str, Any]], None] | None = None,
    ) -> SaveResult:
        """Store a request's changes; `note` goes into the save event as it is (e.g. the
        label order the annotator was shown). With `base_version`, the stored answers must
        still be that version (answers_version), else Conflict and nothing is written.
        `in_transaction(conn, facts)` runs last inside the save's transaction (webhook
        events: facts are created, changes, saved, completed, finished_by)."""
        now = time.time()
        with self.store.write() as conn:
            status = self.store.assignments.holds(conn, user_id, item_seq, item_id, policy)
            key = {"i": item_seq, "u": user_id}
            raw_before = {r.schema: r.value for r in conn.execute(MAPS_FOR, key)}
            old = {schema: json.loads(value) for schema, value in raw_before.items()}
            if base_version is not None and base_version != answers_version(old):
                raise Conflict(
                    "Your answers on this item were changed in another tab or window since "
                    "this page was opened. Reload the page to see them; what you changed "
                    "here since then was not saved.",
                    reason="version",
                    current_version=answers_version(old),
                )
            changes, submit = compute(old)
            # Only what really changed: an autosave and the submit after it send every
            # scheme again, and the history must show each change once.
            changes = {s: m for s, m in changes.items() if (m or {}) != (old.get(s) or {})}
            raw_after = dict(raw_before)
            for schema, label_map in changes.items():
                if label_map:
                    value = json.dumps(label_map, ensure_ascii=False, sort_keys=True)
                    conn.execute(
                        self._upsert, {**key, "schema": schema, "value": value, "now": now}
                    )
                    raw_after[schema] = value
                elif schema in old:
                    conn.execute(DELETE_ONE, {**key, "schema": schema})
                    del raw_after[schema]
            if changes:
                policy.strategy.on_save(conn, item_seq)  # e.g. max_diversity's score
                if policy.adaptive is not None:  # more annotators for a disputed item
                    boost_on_save(self.store, conn, item_seq, policy.adaptive)
            merged = {**old, **changes}
            has_any = any(merged.values())
            new_status = status
            if submit and has_any:
                new_status = DONE
            elif not has_any and status == DONE:
                new_status = LEASED
            finished_by = self.store.assignments.mark(
                conn, user_id, item_seq, status, new_status, policy.overlap or 1
            )
            self.store.events.append(
                conn,
                "submit" if submit else "save",
                user_id=user_id,
                item_seq=item_seq,
                data={"changes": changes, **(note or {})},
                ts=now,
            )
            self.store.aggregates.on_save(
                conn,
                user_id,
                item_seq,
                raw_before,
                raw_after,
                status == DONE,
                new_status == DONE,
                # nobody else finished it: no pairs to look up (the usual first annotator)
                alone=finished_by is not None and finished_by - (new_status == DONE) == 0,
            )
            finished_now = new_status == DONE and status != DONE
            undone = status == DONE and new_status != DONE
            touch = TOUCH_USER_FINISHED if finished_now else TOUCH_USER
            params = {"u": user_id, "now": now, "d": int(finished_now) - int(undone)}
            done = conn.execute(touch, params).scalar_one()
            saved = {k: v for k, v in merged.items() if v}
            if in_transaction is not None:
                facts = {
                    "created": not any(old.values()),
                    "changes": changes,
                    "saved": saved,
                    "completed": finished_now,
                    "finished_by": finished_by,
                }
                in_transaction(conn, facts)
        return SaveResult(
            new_status, done, saved, completed=finished_now, version=answers_version(saved)
        )

    def count(self) -> int:
        with self.store.read() as conn:
            return self.store.counter(conn, "done_assignments")

    # -- streaming reads for outputs and exports -------------------------------------------
    def iter_annotated(
        self, user_id: int | None = None, batch: int = 2000, after_position: int | None = None
    ) -> Iterator[AnnotatedItem]:
        """Every (item, user) with at least one annotation, item by item (constant memory).
        With `user_id`, only that user's, in the order they received the items; with
        `after_position` too, only those after that position in the user's list."""
        cols = (
            items.c.id.label("item_id"),
            items.c.text,
            items.c.data,
            users.c.username,
            assignments.c.status,
            annotations.c.schema,
            annotations.c.value,
            annotations.c.updated_at,
            annotations.c.item_seq,
            annotations.c.user_id,
            assignments.c.position,
        )
        same_pair = (assignments.c.item_seq == annotations.c.item_seq) & (
            assignments.c.user_id == annotations.c.user_id
        )
        stmt = select(*cols).select_from(
            annotations.join(items, items.c.seq == annotations.c.item_seq)
            .join(users, users.c.id == annotations.c.user_id)
            .outerjoin(assignments, same_pair)
        )
        if user_id is not None and after_position is not None:
            # The tail of the user's list: walk their assignments from the position on (the
            # (user, position) index), not all of their annotations.
            stmt = (
                select(*cols)
                .select_from(
                    assignments.join(annotations, same_pair)
                    .join(items, items.c.seq == annotations.c.item_seq)
                    .join(users, users.c.id == annotations.c.user_id)
                )
                .where(assignments.c.user_id == user_id, assignments.c.position > after_position)
                .order_by(assignments.c.position, annotations.c.schema)
            )
        elif user_id is not None:
            stmt = stmt.where(annotations.c.user_id == user_id).order_by(
                assignments.c.position, annotations.c.schema
            )
        else:
            stmt = stmt.order_by(
                annotations.c.item_seq, annotations.c.user_id, annotations.c.schema
            )
        with self.store.read() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(stmt)
            for _key, group in groupby(result, key=lambda r: (r.item_seq, r.user_id)):
                rows = list(group)
                first = rows[0]
                yield AnnotatedItem(
                    item_id=first.item_id,
                    text=first.text,
                    fields=json.loads(first.data),
                    user=first.username,
                    status=first.status or "",
                    updated_at=max(r.updated_at for r in rows),
                    label_maps={r.schema: json.loads(r.value) for r in rows},
                    position=first.position,
                )
