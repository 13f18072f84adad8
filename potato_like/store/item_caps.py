"""Per-item annotator caps (items.max_holders): Potato's `overlap_sample` and adaptive boost.

The sample: a deterministic `fraction` of the items (of each stratum, when `stratify_by`
names a field; at least one per stratum) gets `count` annotators instead of the default.
Which items: those with the smallest keyed hash of (seed, stratum, id) in their stratum, so
the choice is the same on every start and does not depend on the order of the data files.
Computed at start (and after the data change), only when the items or the settings changed
since the caps were last written (a stamp in `meta`).

The adaptive boost: when a save leaves an item with at least two annotators whose answers
disagree at least `disagreement_threshold` (max_diversity's score, assign/disagreement.py),
its cap is raised to `boost_to` in that save's transaction, reopening it if it was full. At
start, boosts are recomputed from the stored answers, so changing the settings applies them.
Every lease reads the caps in the same statements that enforce the default
(store/assignments.py: COALESCE(max_holders, overlap)).
"""

from __future__ import annotations

import hashlib
import json
from itertools import groupby
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select, update

from ..assign.disagreement import disagreement
from .tables import annotations, data_sources, items

if TYPE_CHECKING:
    from ..config.overlap import AdaptiveBoost, OverlapPlan, OverlapSample
    from . import Store

META_KEY = "item_caps_for"
BATCH = 5000
SET_CAP = update(items).where(items.c.seq == bindparam("s")).values(max_holders=bindparam("c"))
ALL_ANSWERS = select(
    annotations.c.item_seq, annotations.c.user_id, annotations.c.schema, annotations.c.value
).order_by(annotations.c.item_seq)
ITEM_ANSWERS = select(annotations.c.user_id, annotations.c.schema, annotations.c.value).where(
    annotations.c.item_seq == bindparam("s")
)
ITEM_STATE = select(
    items.c.holders,
    items.c.is_open,
    items.c.retired,
    items.c.max_holders,
    items.c.done_count,
    items.c.status,
).where(items.c.seq == bindparam("s"))
REOPEN = (
    update(items)
    .where(items.c.seq == bindparam("s"))
    .values(max_holders=bindparam("c"), is_open=bindparam("o"), status=bindparam("st"))
)
UNCATEGORIZED = "__uncategorized__"


def sample_rank(seed: Any, stratum: str, item_id: str) -> str:
    return hashlib.blake2b(f"{seed}\x1f{stratum}\x1f{item_id}".encode(), digest_size=8).hexdigest()


def sampled(rows: list[tuple[int, str, str]], sample: OverlapSample) -> set[int]:
    """rows: (seq, item id, stratum) -> the seqs in the sample."""
    seed = 0 if sample.seed is None else sample.seed
    chosen: set[int] = set()
    strata: dict[str, list[tuple[str, int]]] = {}
    for seq, item_id, stratum in rows:
        strata.setdefault(stratum, []).append((sample_rank(seed, stratum, item_id), seq))
    for members in strata.values():
        members.sort()
        take = max(1, round(len(members) * sample.fraction))
        chosen.update(seq for _, seq in members[:take])
    return chosen


def sync_item_caps(store: Store, plan: OverlapPlan | None, overlap: int | None) -> bool:
    """Bring every item's cap up to date with the plan; True when any changed (the caller
    then recounts the open flags)."""
    sample = plan.sample if plan else None
    adaptive = plan.adaptive if plan else None
    with store.read() as conn:
        imported = conn.execute(select(func.max(data_sources.c.imported_at))).scalar()
    stamp = f"{sample and sample.fingerprint()}:{adaptive}:{overlap}:{imported!r}"
    if store.get_meta(META_KEY) == stamp:
        return False
    wanted: dict[int, int] = {}
    if sample is not None:
        with store.read() as conn:
            rows = conn.execute(select(items.c.seq, items.c.id, items.c.data)).all()
        strata = [(r.seq, r.id, _stratum(r.data, sample.stratify_by)) for r in rows]
        wanted = dict.fromkeys(sampled(strata, sample), sample.count)
    changed = 0
    with store.write() as conn:
        if adaptive is not None:
            for seq, group in groupby(conn.execute(ALL_ANSWERS), key=lambda r: r.item_seq):
                rows = [(r.user_id, r.schema, r.value) for r in group]
                if _boosts(rows, adaptive):
                    wanted[seq] = max(wanted.get(seq, 0), adaptive.boost_to)
        updates = [
            {"s": seq, "c": wanted.get(seq)}
            for seq, cap in conn.execute(select(items.c.seq, items.c.max_holders))
            if wanted.get(seq) != cap
        ]
        for start in range(0, len(updates), BATCH):
            conn.execute(SET_CAP, updates[start : start + BATCH])
        changed = len(updates)
        store.set_meta(conn, META_KEY, stamp)
    return changed > 0


def boost_on_save(store: Store, conn, item_seq: int, adaptive: AdaptiveBoost) -> None:
    """Inside a save's transaction: raise the item's cap when its answers now disagree."""
    item = conn.execute(ITEM_STATE, {"s": item_seq}).one()
    if item.max_holders is not None and item.max_holders >= adaptive.boost_to:
        return
    rows = [(r.user_id, r.schema, r.value) for r in conn.execute(ITEM_ANSWERS, {"s": item_seq})]
    if not _boosts(rows, adaptive):
        return
    is_open = int(not item.retired and item.holders < adaptive.boost_to)
    status = 1 if item.status == 2 and item.done_count < adaptive.boost_to else item.status
    conn.execute(REOPEN, {"s": item_seq, "c": adaptive.boost_to, "o": is_open, "st": status})
    store.add_counter(conn, "open_items", is_open - item.is_open)
    if status != item.status:
        store.add_counter(conn, "items_completed", -1)


def _boosts(rows: list[tuple[int, str, str]], adaptive: AdaptiveBoost) -> bool:
    return len({user for user, _, _ in rows}) >= 2 and (
        disagreement(rows) >= adaptive.disagreement_threshold
    )


def _stratum(data: str, field: str | None) -> str:
    if not field:
        return ""
    try:
        value = json.loads(data).get(field)
    except (ValueError, AttributeError):
        value = None
    return UNCATEGORIZED if value is None else json.dumps(value, sort_keys=True)
