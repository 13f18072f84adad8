"""items.queue_key: the order of the `priority` strategy (computed from each item's fields),
of the `max_diversity` strategy (the item's disagreement, kept by each save), and of the
`active_learning` strategies (a ranked head written after each background training run).

Computed at start, only when the items or the rule changed since the keys were last written
(the rule's fingerprint and the items' import time are kept in `meta`), in batches of short
transactions; only keys that change are written. Leasing then reads the index
(is_open, queue_key, seq) and never parses an item.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import groupby
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select, update

from .tables import annotations, data_sources, items

if TYPE_CHECKING:
    from . import Store

KeyOf = Callable[[dict[str, Any], str], int]  # (the item's fields, its text) -> key
META_KEY = "queue_keys_for"
BATCH = 5000
SET_KEY = update(items).where(items.c.seq == bindparam("s")).values(queue_key=bindparam("k"))


def refresh_queue_keys(store: Store, key_of: KeyOf, fingerprint: str) -> int:
    """Bring every item's queue key up to date; returns how many changed."""
    with store.read() as conn:
        imported = conn.execute(select(func.max(data_sources.c.imported_at))).scalar()
    stamp = f"{fingerprint}:{imported!r}"
    if store.get_meta(META_KEY) == stamp:
        return 0
    changed = 0
    after = 0
    while True:
        with store.read() as conn:
            rows = conn.execute(
                select(items.c.seq, items.c.text, items.c.data, items.c.queue_key)
                .where(items.c.seq > after)
                .order_by(items.c.seq)
                .limit(BATCH)
            ).all()
        if not rows:
            break
        after = rows[-1].seq
        updates = []
        for row in rows:
            key = key_of(json.loads(row.data), row.text)
            if key != row.queue_key:
                updates.append({"s": row.seq, "k": key})
        if updates:
            with store.write() as conn:
                conn.execute(SET_KEY, updates)
            changed += len(updates)
    with store.write() as conn:
        store.set_meta(conn, META_KEY, stamp)
    return changed


# -- max_diversity: keys follow the items' disagreement, kept by every save ----------------
DISAGREEMENT_STAMP = "max_diversity"
ITEM_ANSWERS = select(annotations.c.user_id, annotations.c.schema, annotations.c.value).where(
    annotations.c.item_seq == bindparam("s")
)
ALL_ANSWERS = select(
    annotations.c.item_seq, annotations.c.user_id, annotations.c.schema, annotations.c.value
).order_by(annotations.c.item_seq)


def refresh_disagreement(conn, item_seq: int, score_of, key_of) -> None:
    """Inside a save's transaction: the item's key from its annotators' answers now."""
    rows = conn.execute(ITEM_ANSWERS, {"s": item_seq}).all()
    key = key_of(score_of((r.user_id, r.schema, r.value) for r in rows))
    conn.execute(SET_KEY, {"s": item_seq, "k": key})


def refresh_all_disagreement(store: Store, score_of, key_of) -> int:
    """At start, unless the keys are already those max_diversity keeps: every item's key from
    its answers (items without answers: 0). Returns how many changed."""
    with store.read() as conn:
        imported = conn.execute(select(func.max(data_sources.c.imported_at))).scalar()
    stamp = f"{DISAGREEMENT_STAMP}:{imported!r}"
    if store.get_meta(META_KEY) == stamp:
        return 0
    with store.write() as conn:
        wanted: dict[int, int] = {}
        for seq, group in groupby(conn.execute(ALL_ANSWERS), key=lambda r: r.item_seq):
            wanted[seq] = key_of(score_of((r.user_id, r.schema, r.value) for r in group))
        updates = [
            {"s": seq, "k": wanted.get(seq, 0)}
            for seq, key in conn.execute(select(items.c.seq, items.c.queue_key))
            if wanted.get(seq, 0) != key
        ]
        for start in range(0, len(updates), BATCH):
            conn.execute(SET_KEY, updates[start : start + BATCH])
        store.set_meta(conn, META_KEY, stamp)
    return len(updates)


def forget_disagreement_keys(store: Store) -> None:
    """Another strategy runs now: saves stop keeping the disagreement keys, so max_diversity
    must recompute them when it runs again."""
    if (store.get_meta(META_KEY) or "").startswith(DISAGREEMENT_STAMP):
        with store.write() as conn:
            store.set_meta(conn, META_KEY, "")


# -- psychometric: keys from a fitted model over one scheme's answers ----------------------
SCHEMA_ANSWERS = (
    select(annotations.c.item_seq, annotations.c.user_id, annotations.c.value)
    .where(annotations.c.schema == bindparam("schema"))
    .order_by(annotations.c.item_seq)
)
ITEM_SCHEMA_ANSWERS = select(annotations.c.user_id, annotations.c.value).where(
    annotations.c.item_seq == bindparam("s"), annotations.c.schema == bindparam("schema")
)


def schema_answers(conn, schema: str) -> list[tuple[int, int, str]]:
    """(item seq, user id, stored JSON value) of every answer of `schema`."""
    return [
        (r.item_seq, r.user_id, r.value) for r in conn.execute(SCHEMA_ANSWERS, {"schema": schema})
    ]


def item_schema_answers(conn, item_seq: int, schema: str) -> list[tuple[int, str]]:
    """(user id, stored JSON value) of one item's answers of `schema`."""
    rows = conn.execute(ITEM_SCHEMA_ANSWERS, {"s": item_seq, "schema": schema})
    return [(r.user_id, r.value) for r in rows]


def set_item_key(conn, item_seq: int, key: int) -> None:
    conn.execute(SET_KEY, {"s": item_seq, "k": key})


def set_all_keys(store: Store, wanted: dict[int, int], default: int = 0) -> int:
    """Every item's key: `wanted` for the items named, `default` for the rest. Returns how
    many changed."""
    with store.write() as conn:
        updates = [
            {"s": seq, "k": wanted.get(seq, default)}
            for seq, key in conn.execute(select(items.c.seq, items.c.queue_key))
            if wanted.get(seq, default) != key
        ]
        for start in range(0, len(updates), BATCH):
            conn.execute(SET_KEY, updates[start : start + BATCH])
        store.set_meta(conn, META_KEY, "psychometric")
    return len(updates)


# -- active learning: a ranked head of items, every other item at key 0 -------------------
def set_ranked_keys(store: Store, wanted: dict[int, int], stamp: str) -> int:
    """Keys `wanted` (negative: before every other item) for the items named and 0 for the
    rest. The current non-zero keys are read outside the write transaction and only the keys
    that change are written, so a ranking holds the write lock for a few hundred rows, not
    for a scan of every item. Returns how many changed."""
    with store.read() as conn:
        rows = conn.execute(select(items.c.seq, items.c.queue_key).where(items.c.queue_key != 0))
        current = {seq: key for seq, key in rows}
    updates = [{"s": seq, "k": 0} for seq in current if seq not in wanted]
    updates += [{"s": seq, "k": k} for seq, k in wanted.items() if current.get(seq, 0) != k]
    with store.write() as conn:
        for start in range(0, len(updates), BATCH):
            conn.execute(SET_KEY, updates[start : start + BATCH])
        store.set_meta(conn, META_KEY, stamp)
    return len(updates)
