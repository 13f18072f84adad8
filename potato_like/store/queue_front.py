"""The queue front: items an admin moved ahead of everything else (the embedding map's
lasso, POST /admin/api/embedding_viz/reorder).

Leasing asks the front first, whatever the assignment strategy (store/assignments.py):
the open items of the front that this user does not hold yet, lowest rank first. Later
moves go ahead of earlier ones. Items finished by all their annotators leave the front
when the next move is made, so the front stays about as long as the work it asks for."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, func, select

from .item_owners import MAY_TAKE
from .tables import assignments, items, queue_front

if TYPE_CHECKING:
    from . import Store

F, I, A = queue_front.c, items.c, assignments.c  # noqa: E741
_NOT_MINE = ~select(A.item_seq).where(A.user_id == bindparam("u"), A.item_seq == I.seq).exists()
FRONT_OPEN = (
    select(F.item_seq)
    .join(items, I.seq == F.item_seq)
    .where(I.is_open == 1, _NOT_MINE)
    .order_by(F.rank, F.item_seq)
    .limit(bindparam("n"))
)
FRONT_OPEN_LOCKED = FRONT_OPEN.with_for_update(skip_locked=True, of=items)
FINISHED = select(I.seq).where(I.status == 2)
MAY_TAKE_AMONG = select(I.seq).where(I.seq.in_(bindparam("seqs", expanding=True)), MAY_TAKE)


class QueueFront:
    def __init__(self, store: Store) -> None:
        self.store = store

    def move_to_front(self, item_ids: list[str], *, replace: bool = False) -> list[str]:
        """Put these items (in this order) ahead of the queue; returns the ids that exist,
        in order. `replace` empties the front first."""
        with self.store.write() as conn:
            seq_of: dict[str, int] = {}
            for start in range(0, len(item_ids), 900):
                chunk = item_ids[start : start + 900]
                rows = conn.execute(select(I.id, I.seq).where(I.id.in_(chunk), I.retired == 0))
                seq_of.update({r.id: r.seq for r in rows})
            known = [i for i in item_ids if i in seq_of]
            if replace:
                conn.execute(delete(queue_front))
            else:
                conn.execute(delete(queue_front).where(F.item_seq.in_(FINISHED.scalar_subquery())))
            lowest = conn.execute(select(func.min(F.rank))).scalar()
            first = (0 if lowest is None else lowest) - len(known)
            seqs = [seq_of[i] for i in known]
            for start in range(0, len(seqs), 900):
                conn.execute(delete(queue_front).where(F.item_seq.in_(seqs[start : start + 900])))
            now = time.time()
            rows = [{"item_seq": s, "rank": first + n, "added_at": now} for n, s in enumerate(seqs)]
            for start in range(0, len(rows), 5000):
                conn.execute(queue_front.insert(), rows[start : start + 5000])
        return known

    def clear(self) -> int:
        with self.store.write() as conn:
            return conn.execute(delete(queue_front)).rowcount

    def size(self) -> tuple[int, int]:
        """(items in the front, of which open)."""
        with self.store.read() as conn:
            total = conn.execute(select(func.count()).select_from(queue_front)).scalar_one()
            open_ = conn.execute(
                select(func.count())
                .select_from(queue_front.join(items, I.seq == F.item_seq))
                .where(I.is_open == 1)
            ).scalar_one()
        return total, open_

    def order(self, limit: int = 10) -> list[str]:
        with self.store.read() as conn:
            rows = conn.execute(
                select(I.id).join(queue_front, F.item_seq == I.seq).order_by(F.rank).limit(limit)
            )
            return list(rows.scalars())


def front_candidates(conn, user_id: int, limit: int, *, lock: bool) -> list[int]:
    """Open front items this user does not hold, in front order (the lease path)."""
    stmt = FRONT_OPEN_LOCKED if lock else FRONT_OPEN
    seqs = list(conn.execute(stmt, {"u": user_id, "n": limit}).scalars())
    if not seqs:
        return seqs
    # Items reserved for other accounts (store/item_owners.py) are dropped here, not in
    # FRONT_OPEN: with that condition in the query SQLite scans items instead of the front.
    allowed = set(conn.execute(MAY_TAKE_AMONG, {"u": user_id, "seqs": seqs}).scalars())
    return [s for s in seqs if s in allowed]
