"""items.queue_key: the order of the `priority` strategy, computed from each item's fields.

Computed at start, only when the items or the rule changed since the keys were last written
(the rule's fingerprint and the items' import time are kept in `meta`), in batches of short
transactions; only keys that change are written. Leasing then reads the index
(is_open, queue_key, seq) and never parses an item.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select, update

from .tables import data_sources, items

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
