"""Items only some accounts may be served (seed 002's self-label batches,
services/batches/tasks.py). An item with rows in item_owners is leased only to those
usernames; every candidate query of leasing (assignments, queue_front, cohorts, icl) adds
MAY_TAKE, and a jump to such an item by anyone else is refused. Items without rows are
unaffected (one indexed NOT EXISTS on an empty table)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, select

from .batch_tables import item_owners
from .tables import items, users

if TYPE_CHECKING:
    from . import Store

O, I, U = item_owners.c, items.c, users.c  # noqa: E741

# Open to this user (bind parameter "u"): the item has no owners, or the user is one.
MAY_TAKE = ~select(O.item_id).where(O.item_id == I.id).exists() | (
    select(O.item_id)
    .join(users, U.username == O.username)
    .where(O.item_id == I.id, U.id == bindparam("u"))
    .exists()
)
RESERVED_FOR_OTHERS = select(I.seq).where(I.seq == bindparam("s"), ~MAY_TAKE)


def reserve(store: Store, item_ids: list[str], usernames: list[str]) -> None:
    """Serve these items only to these accounts (an empty list: to nobody)."""
    names = sorted(set(usernames)) or [""]  # "" is no account: nobody is served
    rows = [{"item_id": i, "username": n} for i in item_ids for n in names]
    with store.write() as conn:
        for start in range(0, len(item_ids), 900):
            chunk = item_ids[start : start + 900]
            conn.execute(delete(item_owners).where(O.item_id.in_(chunk)))
        for start in range(0, len(rows), 5000):
            conn.execute(item_owners.insert(), rows[start : start + 5000])


def owners(store: Store, item_id: str) -> list[str]:
    with store.read() as conn:
        rows = conn.execute(select(O.username).where(O.item_id == item_id))
        return sorted(r.username for r in rows)
