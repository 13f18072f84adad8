"""Cohorts in the store: which items a user may be offered, in which order.

`cohort_items` rows are (member, item, order). The `batch` strategy's members are
"user:<name>" and "group:<index>" (assign/batches.py says what they mean); the
`category_based` strategy's are "category:<name>" and "uncategorized" (assign/categories.py);
the `diversity_clustering` strategy's "cluster:<00007>" (assign/diversity.py).
Each strategy writes and replaces only its own members.

`sync_batches` writes them at start, in one transaction, only when the config's cohorts, the
overlap or the items changed: the explicit groups' (member, item) pairs, the items whose
annotator field lists a user, and the auto-assigned groups with their limits (pins are kept
across restarts).
`batch_candidates` is what a lease reads: the user's open items in cohort order, one indexed
query; a user without a group of their own is pinned to an auto group first, by a
conditional UPDATE, so a group never takes more than its `max_annotators`, also with
concurrent first logins.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from sqlalchemy import Connection, bindparam, delete, func, select, update

from ..assign.batches import FIELD_ORDER_OFFSET, MEMBER_GROUP, MEMBER_USER, BatchConfig
from ..assign.categories import MEMBER_CATEGORY, UNCATEGORIZED, CategoryConfig
from ..assign.diversity import MEMBER_CLUSTER, SAMPLE
from ..assign.diversity import member as cluster_member
from .item_owners import MAY_TAKE
from .tables import (
    assignments,
    batch_groups,
    batch_pins,
    cohort_items,
    data_sources,
    items,
    training_answers,
    users,
)

if TYPE_CHECKING:
    from . import Store

log = logging.getLogger("potato_like")
META_KEY = "batch_cohorts_for"
BATCH = 5000
M, G, P, I = cohort_items.c, batch_groups.c, batch_pins.c, items.c  # noqa: E741

_NOT_MINE = (
    ~select(assignments.c.item_seq)
    .where(assignments.c.user_id == bindparam("u"), assignments.c.item_seq == I.seq)
    .exists()
)
OPEN_IN_COHORTS = (
    select(M.item_seq)
    .join(items, I.seq == M.item_seq)
    .where(M.member.in_(bindparam("members", expanding=True)), I.is_open == 1, _NOT_MINE, MAY_TAKE)
    .order_by(M.ord)
    .limit(bindparam("n"))
)
OPEN_IN_COHORTS_LOCKED = OPEN_IN_COHORTS.with_for_update(skip_locked=True, of=items)
USERNAME = select(users.c.username).where(users.c.id == bindparam("u"))
PIN_OF = select(P.group_idx).where(P.user_id == bindparam("u"))
HAS_OWN_GROUP = select(
    select(M.item_seq).where(M.member == bindparam("member"), M.ord < FIELD_ORDER_OFFSET).exists()
)
EMPTIEST_GROUP = (
    select(G.idx)
    .where(G.max_annotators.is_(None) | (G.pinned < G.max_annotators))
    .order_by(G.pinned, G.idx)
    .limit(1)
)
TAKE_GROUP = (
    update(batch_groups)
    .where(G.idx == bindparam("g"), G.max_annotators.is_(None) | (G.pinned < G.max_annotators))
    .values(pinned=G.pinned + 1)
)


def batch_candidates(conn: Connection, user_id: int, limit: int, *, lock: bool) -> list[int]:
    """Open items of the user's cohorts that they do not hold, in cohort order."""
    username = conn.execute(USERNAME, {"u": user_id}).scalar_one()
    own = MEMBER_USER + username
    members = [own]
    pin = conn.execute(PIN_OF, {"u": user_id}).scalar()
    if pin is None and not conn.execute(HAS_OWN_GROUP, {"member": own}).scalar():
        pin = _pin_to_group(conn, user_id, lock=lock)
    if pin is not None:
        members.append(f"{MEMBER_GROUP}{pin}")
    return open_in_members(conn, user_id, members, limit, lock=lock)


def _pin_to_group(conn: Connection, user_id: int, *, lock: bool) -> int | None:
    """Give the user the auto group with the fewest annotators, if it has an item open to
    them (as Potato: no pin when it would give them nothing)."""
    group = conn.execute(EMPTIEST_GROUP).scalar()
    if group is None:
        return None
    if not open_in_members(conn, user_id, [f"{MEMBER_GROUP}{group}"], 1, lock=lock):
        return None
    if not conn.execute(TAKE_GROUP, {"g": group}).rowcount:
        return None  # filled by a concurrent first login: try again at the next lease
    conn.execute(batch_pins.insert().values(user_id=user_id, group_idx=group))
    return group


def _last_import(store: Store) -> float | None:
    """When the data was last imported: cohort tables are rebuilt when it changes."""
    with store.read() as conn:
        return conn.execute(select(func.max(data_sources.c.imported_at))).scalar()


def sync_batches(store: Store, batch: BatchConfig, overlap: int | None) -> None:
    stamp = f"{batch.fingerprint()}:{overlap}:{_last_import(store)!r}"
    if store.get_meta(META_KEY) == stamp:
        return
    upsert = store.insert(cohort_items).on_conflict_do_nothing(
        index_elements=["member", "item_seq"]
    )
    unknown: list[str] = []
    with store.write() as conn:
        conn.execute(
            delete(cohort_items).where(
                M.member.startswith(MEMBER_USER) | M.member.startswith(MEMBER_GROUP)
            )
        )
        seqs = {}
        rows = []
        for member, item_id, order in batch.explicit_entries():
            if item_id not in seqs:
                seqs[item_id] = store.items.seq_of(item_id, conn)
            if seqs[item_id] is None:
                unknown.append(item_id)
                continue
            rows.append({"member": member, "item_seq": seqs[item_id], "ord": order})
        for start in range(0, len(rows), BATCH):
            conn.execute(upsert, rows[start : start + BATCH])
        _sync_groups(conn, batch, overlap)
        _sync_field_members(conn, batch, upsert)
    if unknown:
        shown = ", ".join(sorted(set(unknown))[:10])
        log.warning(
            "batch_assignment: %d item id(s) of the groups are not in the data: %s",
            len(set(unknown)),
            shown,
        )
    with store.write() as conn:
        store.set_meta(conn, META_KEY, stamp)


def _sync_groups(conn: Connection, batch: BatchConfig, overlap: int | None) -> None:
    wanted = {
        i: (g.name, g.max_annotators if g.max_annotators is not None else overlap)
        for i, g in batch.auto_groups()
    }
    conn.execute(delete(batch_groups).where(G.idx.not_in(list(wanted) or [-1])))
    for idx, (name, limit) in wanted.items():
        pinned = conn.execute(
            select(func.count()).select_from(batch_pins).where(P.group_idx == idx)
        ).scalar_one()
        values = {"name": name, "max_annotators": limit, "pinned": pinned}
        if conn.execute(update(batch_groups).where(G.idx == idx).values(**values)).rowcount == 0:
            conn.execute(batch_groups.insert().values(idx=idx, **values))


def _sync_field_members(conn: Connection, batch: BatchConfig, upsert) -> None:
    """Items whose annotator field lists users: a pass over the items in seq batches (in
    the same transaction as the rest, so a concurrent start never sees half of it)."""
    after = 0
    while True:
        rows = conn.execute(
            select(I.seq, I.data).where(I.seq > after).order_by(I.seq).limit(BATCH)
        ).all()
        if not rows:
            return
        after = rows[-1].seq
        found = [
            {"member": MEMBER_USER + name, "item_seq": r.seq, "ord": FIELD_ORDER_OFFSET + r.seq}
            for r in rows
            for name in batch.annotators_of(json.loads(r.data))
        ]
        if found:
            conn.execute(upsert, found)


# -- categories (the category_based strategy) ----------------------------------------------
CATEGORY_META_KEY = "category_cohorts_for"
HAS_ITEMS = select(
    select(M.item_seq).where(M.member.in_(bindparam("members", expanding=True))).exists()
)
TRAINING_RECORD = select(training_answers.c.question, training_answers.c.correct).where(
    training_answers.c.user_id == bindparam("u")
)


def open_in_members(
    conn: Connection, user_id: int, members: list[str], limit: int, *, lock: bool
) -> list[int]:
    stmt = OPEN_IN_COHORTS_LOCKED if lock else OPEN_IN_COHORTS
    return list(conn.execute(stmt, {"u": user_id, "members": members, "n": limit}).scalars())


def members_have_items(conn: Connection, members: list[str]) -> bool:
    return bool(members) and bool(conn.execute(HAS_ITEMS, {"members": members}).scalar())


def training_record(conn: Connection, user_id: int) -> list[tuple[str, bool]]:
    return [(r.question, bool(r.correct)) for r in conn.execute(TRAINING_RECORD, {"u": user_id})]


def sync_categories(store: Store, categories: CategoryConfig) -> None:
    """Write each item's category members (ordered by the item's random key), when the
    category field or the items changed."""
    stamp = f"{categories.fingerprint()}:{_last_import(store)!r}"
    if store.get_meta(CATEGORY_META_KEY) == stamp:
        return
    upsert = store.insert(cohort_items).on_conflict_do_nothing(
        index_elements=["member", "item_seq"]
    )
    with store.write() as conn:
        conn.execute(
            delete(cohort_items).where(
                M.member.startswith(MEMBER_CATEGORY) | (M.member == UNCATEGORIZED)
            )
        )
        after = 0
        while True:
            rows = conn.execute(
                select(I.seq, I.data, I.rand).where(I.seq > after).order_by(I.seq).limit(BATCH)
            ).all()
            if not rows:
                break
            after = rows[-1].seq
            found = []
            for r in rows:
                names = categories.categories_of(json.loads(r.data))
                members = [MEMBER_CATEGORY + n for n in names] or [UNCATEGORIZED]
                found += [{"member": m, "item_seq": r.seq, "ord": r.rand} for m in members]
            conn.execute(upsert, found)
        store.set_meta(conn, CATEGORY_META_KEY, stamp)


# -- clusters (the diversity_clustering strategy) ------------------------------------------
CLUSTER_META_KEY = "cluster_cohorts_for"
OPEN_IN_RANGE = (
    select(M.item_seq)
    .join(items, I.seq == M.item_seq)
    .where(
        M.member >= bindparam("low"),
        M.member < bindparam("high"),
        I.is_open == 1,
        _NOT_MINE,
        MAY_TAKE,
    )
    .order_by(M.member, M.ord)
    .limit(bindparam("n"))
)
OPEN_IN_RANGE_LOCKED = OPEN_IN_RANGE.with_for_update(skip_locked=True, of=items)


def open_in_member_range(
    conn: Connection, user_id: int, low: str, high: str, limit: int, *, lock: bool
) -> list[int]:
    """Open items of the members from `low` (inclusive) to `high` (exclusive), member by
    member, each in its order."""
    stmt = OPEN_IN_RANGE_LOCKED if lock else OPEN_IN_RANGE
    params = {"u": user_id, "low": low, "high": high, "n": limit}
    return list(conn.execute(stmt, params).scalars())


def sync_clusters(store: Store, fit, k_for, fingerprint: str) -> int:
    """Cluster the items (fit on a random sample, then every item to its nearest cluster) and
    write their cluster members; returns the number of clusters. `fit(texts, k)` returns a
    model with `predict(texts)`; `k_for(n_items)` the number of clusters."""
    with store.read() as conn:
        imported = conn.execute(select(func.max(data_sources.c.imported_at))).scalar()
        n_items = conn.execute(select(func.count()).select_from(items)).scalar_one()
    k = k_for(n_items)
    stamp = f"{fingerprint}:{imported!r}:{k}"
    if store.get_meta(CLUSTER_META_KEY) == stamp:
        return k
    with store.read() as conn:
        sample = list(conn.execute(select(I.text).order_by(I.rand, I.seq).limit(SAMPLE)).scalars())
    model = fit(sample, k) if sample else None
    upsert = store.insert(cohort_items).on_conflict_do_nothing(
        index_elements=["member", "item_seq"]
    )
    with store.write() as conn:
        conn.execute(delete(cohort_items).where(M.member.startswith(MEMBER_CLUSTER)))
        after = 0
        while model is not None:
            rows = conn.execute(
                select(I.seq, I.text).where(I.seq > after).order_by(I.seq).limit(BATCH)
            ).all()
            if not rows:
                break
            after = rows[-1].seq
            labels = model.predict([r.text for r in rows])
            conn.execute(
                upsert,
                [
                    {"member": cluster_member(c), "item_seq": r.seq, "ord": r.seq}
                    for r, c in zip(rows, labels, strict=True)
                ],
            )
        store.set_meta(conn, CLUSTER_META_KEY, stamp)
    return k
