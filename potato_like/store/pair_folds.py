"""Folding pending answer changes into the annotator pair tables.

`annotator_pairs` / `annotator_pair_values` (store/aggregates.py) hold, per pair of
annotators, the items both finished, how many with the identical answer, and the contingency
table. Keeping them up to date in the save made a save cost O(k) upserts when the item already
had k finished annotators: with everyone annotating every item (a survey) a save grew from
1.3 ms to 4.9 ms at k = 199, and 200 pause-free annotators got 338-346 requests/s against
424-458 before (docs/performance.md).

Now the save writes one `pair_pending` row (item, schema, user, finished value before and
after) and `fold` applies the pending rows later, in one write transaction:

1. read a batch of pending rows in id order and the items' current finished answers;
2. per (item, schema), undo the pending rows on the current answers, newest first (those
   after the batch too): that is the state the pair tables account for;
3. replay the rows oldest first, each one's pairs with the answers of the others at that
   moment, summing every pair's change in Python;
4. apply the sums with one upsert per touched pair row, and delete the rows folded.

Every pair a save would have written is written, so the tables are identical to keeping
them in the save (tests/unit/test_pair_folds.py compares them with a full rebuild on random
saves). The work per save is the same O(k) arithmetic, but in Python sums instead of SQLite
row writes, and the same pair row touched by many saves is written once per fold.

Readers (the dashboard's pairwise kappa and "agreement with others") fold first, so they
always see every committed save; a background thread of the leader process folds every
`FOLD_SECONDS` so that the backlog stays small (project.py).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from typing import TYPE_CHECKING

from sqlalchemy import Connection, bindparam, delete, select

from .assignments import DONE
from .tables import annotations, annotator_pair_values, annotator_pairs, assignments, pair_pending

if TYPE_CHECKING:
    from . import Store

FOLD_SECONDS = 2.0
BATCH = 20_000  # pending rows per transaction

N, A, Q = annotations.c, assignments.c, pair_pending.c
PENDING = (
    select(Q.id, Q.item_seq, Q.schema, Q.user_id, Q.old_value, Q.new_value)
    .order_by(Q.id)
    .limit(bindparam("limit"))
)
# Rows after a batch on the batch's items: their changes are in the current answers too.
LATER = (
    select(Q.item_seq, Q.schema, Q.user_id, Q.old_value)
    .where(Q.id > bindparam("after"), Q.item_seq.in_(bindparam("items", expanding=True)))
    .order_by(Q.id.desc())
)
HAS_PENDING = select(Q.id).limit(1)
FINISHED_OF_ITEMS = (
    select(N.item_seq, N.schema, N.user_id, N.value)
    .join(assignments, (A.item_seq == N.item_seq) & (A.user_id == N.user_id))
    .where(N.item_seq.in_(bindparam("items", expanding=True)), A.status == DONE)
)
LOG = pair_pending.insert()


def log_change(
    conn: Connection, item_seq: int, schema: str, user_id: int, old: str | None, new: str | None
) -> None:
    """In the save's transaction: this user's finished answer changed from old to new."""
    conn.execute(
        LOG,
        {"item_seq": item_seq, "schema": schema, "user_id": user_id}
        | {"old_value": old, "new_value": new},
    )


def has_pending(store: Store) -> bool:
    with store.read() as conn:
        return conn.execute(HAS_PENDING).first() is not None


def fold(store: Store) -> int:
    """Fold every pending row; returns how many were folded."""
    total = 0
    while True:
        if not has_pending(store):
            return total
        with store.write() as conn:
            done = fold_batch(store, conn, BATCH)
        total += done
        if done < BATCH:
            return total


def fold_batch(store: Store, conn: Connection, limit: int) -> int:
    rows = conn.execute(PENDING, {"limit": limit}).all()
    if not rows:
        return 0
    items = sorted({r.item_seq for r in rows})
    state: dict[tuple[int, str], dict[int, str]] = {}
    for r in conn.execute(FINISHED_OF_ITEMS, {"items": items}):
        state.setdefault((r.item_seq, r.schema), {})[r.user_id] = r.value
    # Undo the changes of pending rows after this batch first, newest first.
    for r in conn.execute(LATER, {"after": rows[-1].id, "items": items}):
        _set(state.setdefault((r.item_seq, r.schema), {}), r.user_id, r.old_value)
    by_unit: dict[tuple[int, str], list] = {}
    for r in rows:
        by_unit.setdefault((r.item_seq, r.schema), []).append(r)
    pairs: Counter[tuple[int, int, str, str]] = Counter()  # (a, b, schema, "shared"/"agreed")
    values: Counter[tuple[int, int, str, str, str]] = Counter()
    for (_item, schema), changes in by_unit.items():
        answers = dict(state.get((_item, schema), {}))
        for r in reversed(changes):  # back to the state the pair tables account for
            _set(answers, r.user_id, r.old_value)
        for r in changes:
            u = r.user_id
            for sign, mine in ((-1, r.old_value), (1, r.new_value)):
                if mine is None:
                    continue
                for w, theirs in answers.items():
                    if w == u:
                        continue
                    a, b, va, vb = (u, w, mine, theirs) if u < w else (w, u, theirs, mine)
                    pairs[(a, b, schema, "shared")] += sign
                    if mine == theirs:
                        pairs[(a, b, schema, "agreed")] += sign
                    values[(a, b, schema, va, vb)] += sign
            _set(answers, u, r.new_value)
    _apply(store, conn, pairs, values)
    conn.execute(delete(pair_pending).where(Q.id <= rows[-1].id))
    return len(rows)


def _set(answers: dict[int, str], user_id: int, value: str | None) -> None:
    if value is None:
        answers.pop(user_id, None)
    else:
        answers[user_id] = value


def _apply(store: Store, conn: Connection, pairs: Counter, values: Counter) -> None:
    keys = {(a, b, s) for (a, b, s, _kind) in pairs}
    pair_rows = []
    for a, b, s in keys:
        shared, agreed = pairs.get((a, b, s, "shared"), 0), pairs.get((a, b, s, "agreed"), 0)
        if shared or agreed:
            pair_rows.append(
                {"user_a": a, "user_b": b, "schema": s, "shared": shared} | {"agreed": agreed}
            )
    if pair_rows:
        stmt = store.insert(annotator_pairs).values(
            user_a=bindparam("user_a"),
            user_b=bindparam("user_b"),
            schema=bindparam("schema"),
            shared=bindparam("shared"),
            agreed=bindparam("agreed"),
        )
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["user_a", "user_b", "schema"],
                set_={
                    "shared": annotator_pairs.c.shared + stmt.excluded.shared,
                    "agreed": annotator_pairs.c.agreed + stmt.excluded.agreed,
                },
            ),
            pair_rows,
        )
    value_rows = [
        {"user_a": a, "user_b": b, "schema": s, "value_a": va, "value_b": vb, "n": n}
        for (a, b, s, va, vb), n in values.items()
        if n
    ]
    if value_rows:
        stmt = store.insert(annotator_pair_values).values(
            user_a=bindparam("user_a"),
            user_b=bindparam("user_b"),
            schema=bindparam("schema"),
            value_a=bindparam("value_a"),
            value_b=bindparam("value_b"),
            n=bindparam("n"),
        )
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["user_a", "user_b", "schema", "value_a", "value_b"],
                set_={"n": annotator_pair_values.c.n + stmt.excluded.n},
            ),
            value_rows,
        )


class PairFolder:
    """A daemon thread that folds every FOLD_SECONDS, started by the first logged change of
    this process. Every process may run one: folds take turns through the write lock, and a
    fold that finds nothing pending is one small read."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        if self._thread is not None or self._stop.is_set():
            return
        with self._lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(
                    target=self._run, name="potato-like-pair-folds", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(FOLD_SECONDS):
            try:
                fold(self.store)
            except Exception:  # a failed fold is retried; readers fold for themselves
                logging.getLogger("potato_like").exception("folding pair aggregates failed")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


__all__ = ["FOLD_SECONDS", "PairFolder", "fold", "has_pending", "log_change"]
