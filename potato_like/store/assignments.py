"""Leases: which items a user holds, in which order, and where they are now.

A user's list is their assignments ordered by `position` (0, 1, 2, ... with no gaps: rows are
never deleted, an expired lease keeps its row with status `expired`). So the index shown as
"n of m" is simply the position. New items are leased lazily, one at a time, when the user
moves past the end of their list.

Overlap is enforced in the same transaction that records the lease: an item's `holders`
(unexpired leases + completions) is incremented only while it is below the overlap limit, by a
conditional UPDATE — correct under concurrent writers on SQLite (BEGIN IMMEDIATE) and on
PostgreSQL (row locks), without in-process locks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, and_, case, func, select, update

from ..assign.strategies import Strategy
from ..errors import BadRequest, Conflict, Forbidden, NotAssigned, NotFound
from .tables import assignments, items, users
from .users import UserRow, user_from_row

if TYPE_CHECKING:
    from . import Store

LEASED, DONE, EXPIRED = "leased", "done", "expired"


@dataclass(frozen=True)
class LeasePolicy:
    strategy: Strategy
    overlap: int | None  # max annotators per item (None: unlimited)
    per_user_cap: int | None  # max items per user (None: unlimited)
    timeout_seconds: float | None  # an unfinished lease expires after this long
    allow_jump: bool = True


@dataclass(frozen=True)
class Position:
    """Where a user is: the item shown now (None when finished), its index and the total."""

    item_seq: int | None
    item_id: str | None
    index: int
    total: int
    status: str | None

    @property
    def finished(self) -> bool:
        return self.item_seq is None


class _Candidates:
    """The CandidateQuery a strategy draws from: open, live items this user does not hold."""

    def __init__(self, conn: Connection, user_id: int, lock: bool) -> None:
        self.conn = conn
        self.user_id = user_id
        self.lock = lock

    def _base(self):
        mine = select(assignments.c.item_seq).where(
            assignments.c.user_id == self.user_id, assignments.c.item_seq == items.c.seq
        )
        return select(items.c.seq).where(items.c.is_open == 1, ~mine.exists())

    def _run(self, stmt, limit: int) -> list[int]:
        stmt = stmt.limit(limit)
        if self.lock:
            stmt = stmt.with_for_update(skip_locked=True, of=items)
        return list(self.conn.execute(stmt).scalars())

    def in_order(self, after_seq: int, limit: int) -> list[int]:
        return self._run(self._base().where(items.c.seq > after_seq).order_by(items.c.seq), limit)

    def by_random_key(self, start: int, limit: int) -> list[int]:
        return self._run(self._base().where(items.c.rand >= start).order_by(items.c.rand), limit)

    def least_held(self, limit: int) -> list[int]:
        return self._run(self._base().order_by(items.c.holders, items.c.seq), limit)


class Assignments:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- reading where a user is ----------------------------------------------------------
    def current(self, user_id: int, policy: LeasePolicy) -> Position:
        """The item the user sees now; leases the next one when they are past the end."""
        with self.store.read() as conn:
            user = self._user(conn, user_id)
            row = self._row_at(conn, user.id, user.current_pos)
            if row is not None and not self._needs_write(row, policy):
                return self._position(conn, user, row, policy)
        with self.store.write() as conn:
            return self._settle(conn, self._user(conn, user_id), policy)

    def move(
        self,
        user_id: int,
        policy: LeasePolicy,
        *,
        action: str | None = None,
        index: int | None = None,
        item_id: str | None = None,
    ) -> Position:
        with self.store.write() as conn:
            user = self._user(conn, user_id)
            here = min(user.current_pos, user.next_pos)
            if action == "next_instance":
                target = here + 1 if here < user.next_pos else user.next_pos
            elif action == "prev_instance":
                target = max(0, here - 1)
            elif index is not None:
                if not policy.allow_jump and abs(index - here) > 1:
                    raise Forbidden("jumping to an instance is disabled for this project")
                if index < 0 or index > user.next_pos:
                    raise BadRequest(f"go_to index {index} is out of range (0..{user.next_pos})")
                target = index
            elif item_id is not None:
                target = self._position_of_item(conn, user, item_id, policy)
            else:
                raise BadRequest("give 'action' (next_instance or prev_instance) or 'go_to'")
            self._set_current(conn, user.id, target)
            user = self._user(conn, user_id)
            return self._settle(conn, user, policy)

    def holds(
        self, conn: Connection, user_id: int, item_seq: int, item_id: str, policy: LeasePolicy
    ) -> str:
        """Inside a write transaction: may this user write this item? Renews a lease that
        expired if the item is still free. Returns the assignment status."""
        row = conn.execute(
            select(assignments.c.status, assignments.c.leased_at).where(
                assignments.c.user_id == user_id, assignments.c.item_seq == item_seq
            )
        ).first()
        if row is None:
            raise NotAssigned(item_id)
        if row.status == EXPIRED:
            if not self._take(conn, item_seq, policy.overlap):
                raise Conflict(
                    f"instance {item_id!r} was given to another annotator after your lease "
                    "expired; your earlier answers on it are kept"
                )
            self._renew(conn, user_id, item_seq, revived=True)
            return LEASED
        if row.status == LEASED:
            self._renew(conn, user_id, item_seq, revived=False)
        return row.status

    def mark(self, conn: Connection, user_id: int, item_seq: int, old: str, new: str) -> None:
        """Record completion (leased -> done) or its undoing (done -> leased)."""
        if old == new:
            return
        now = time.time()
        conn.execute(
            update(assignments)
            .where(assignments.c.user_id == user_id, assignments.c.item_seq == item_seq)
            .values(status=new, completed_at=now if new == DONE else None, leased_at=now)
        )
        delta = 1 if new == DONE else -1
        conn.execute(
            update(items)
            .where(items.c.seq == item_seq)
            .values(done_count=items.c.done_count + delta)
        )
        conn.execute(
            update(users).where(users.c.id == user_id).values(done_count=users.c.done_count + delta)
        )
        self.store.add_counter(conn, "done_assignments", delta)

    def expire_stale(self, policy: LeasePolicy, now: float | None = None, limit: int = 1000) -> int:
        """Return unfinished leases older than the timeout to the pool. Finished work stays."""
        if policy.timeout_seconds is None:
            return 0
        cutoff = (now or time.time()) - policy.timeout_seconds
        with self.store.write() as conn:
            stale = conn.execute(
                select(assignments.c.user_id, assignments.c.item_seq)
                .where(assignments.c.status == LEASED, assignments.c.leased_at < cutoff)
                .limit(limit)
            ).all()
            for user_id, seq in stale:
                self._release(conn, user_id, seq, policy.overlap)
        return len(stale)

    def status_of(self, user_id: int, item_seq: int) -> str | None:
        with self.store.read() as conn:
            return conn.execute(
                select(assignments.c.status).where(
                    assignments.c.user_id == user_id, assignments.c.item_seq == item_seq
                )
            ).scalar()

    def user_items(self, user_id: int) -> list[tuple[int, str, str]]:
        """(position, item id, status) for the user's whole list, in order."""
        with self.store.read() as conn:
            rows = conn.execute(
                select(assignments.c.position, items.c.id, assignments.c.status)
                .join(items, items.c.seq == assignments.c.item_seq)
                .where(assignments.c.user_id == user_id)
                .order_by(assignments.c.position)
            ).all()
        return [(r.position, r.id, r.status) for r in rows]

    # -- internals --------------------------------------------------------------------------
    def _user(self, conn: Connection, user_id: int) -> UserRow:
        row = conn.execute(select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise NotFound(f"user {user_id} does not exist")
        return user_from_row(row)

    def _row_at(self, conn: Connection, user_id: int, position: int):
        return conn.execute(
            select(
                assignments.c.item_seq,
                assignments.c.position,
                assignments.c.status,
                assignments.c.leased_at,
                items.c.id,
            )
            .join(items, items.c.seq == assignments.c.item_seq)
            .where(assignments.c.user_id == user_id, assignments.c.position == position)
        ).first()

    def _needs_write(self, row, policy: LeasePolicy) -> bool:
        if row.status == EXPIRED:
            return True  # try to renew it
        if row.status == LEASED and policy.timeout_seconds:
            # Viewing an item keeps its lease alive; refresh once a quarter of the timeout.
            return time.time() - row.leased_at > policy.timeout_seconds / 4
        return False

    def _settle(self, conn: Connection, user: UserRow, policy: LeasePolicy) -> Position:
        """Inside a write transaction: make sure the current position holds an item (leasing
        one past the end of the list), renew an expired or ageing lease, and report."""
        row = self._row_at(conn, user.id, user.current_pos)
        if row is None:
            seq = self._lease_next(conn, user, policy)
            if seq is None:
                self._set_current(conn, user.id, user.next_pos)
                return self._position(conn, self._user(conn, user.id), None, policy)
            user = self._user(conn, user.id)
            row = self._row_at(conn, user.id, user.current_pos)
        elif row.status == EXPIRED:
            if self._take(conn, row.item_seq, policy.overlap):
                self._renew(conn, user.id, row.item_seq, revived=True)
            user = self._user(conn, user.id)
            row = self._row_at(conn, user.id, user.current_pos)
        elif row.status == LEASED:
            self._renew(conn, user.id, row.item_seq, revived=False)
        return self._position(conn, user, row, policy)

    def _position(self, conn: Connection, user: UserRow, row, policy: LeasePolicy) -> Position:
        total = user.next_pos + self._still_available(conn, user, policy)
        if row is None:
            return Position(None, None, user.next_pos, max(total, user.next_pos), None)
        return Position(
            row.item_seq, row.id, row.position, max(total, row.position + 1), row.status
        )

    def _still_available(self, conn: Connection, user: UserRow, policy: LeasePolicy) -> int:
        cap = user.max_items if user.max_items is not None else policy.per_user_cap
        cap_left = None if cap is None else max(0, cap - user.assigned_count)
        if cap_left == 0:
            return 0
        open_items = self.store.counter(conn, "open_items")
        if policy.overlap is None:
            mine_open = user.next_pos  # every item stays open when overlap is unlimited
        else:
            mine_open = conn.execute(
                select(func.count())
                .select_from(assignments.join(items, items.c.seq == assignments.c.item_seq))
                .where(assignments.c.user_id == user.id, items.c.is_open == 1)
            ).scalar_one()
        available = max(0, open_items - mine_open)
        return available if cap_left is None else min(cap_left, available)

    def _set_current(self, conn: Connection, user_id: int, position: int) -> None:
        conn.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(current_pos=position, last_active_at=time.time())
        )

    def _position_of_item(self, conn, user: UserRow, item_id: str, policy: LeasePolicy) -> int:
        if not policy.allow_jump:
            raise Forbidden("jumping to an instance is disabled for this project")
        seq = self.store.items.seq_of(item_id, conn)
        if seq is None:
            raise NotFound(f"instance {item_id!r} does not exist")
        pos = conn.execute(
            select(assignments.c.position).where(
                assignments.c.user_id == user.id, assignments.c.item_seq == seq
            )
        ).scalar()
        if pos is not None:
            return pos
        if self._cap_reached(user, policy):
            raise Forbidden("you have reached your maximum number of instances")
        if not self._take(conn, seq, policy.overlap):
            raise Forbidden(f"instance {item_id!r} already has enough annotators")
        return self._append(conn, user, seq, fixed_order=False)

    def _cap_reached(self, user: UserRow, policy: LeasePolicy) -> bool:
        cap = user.max_items if user.max_items is not None else policy.per_user_cap
        return cap is not None and user.assigned_count >= cap

    def _lease_next(self, conn: Connection, user: UserRow, policy: LeasePolicy) -> int | None:
        if self._cap_reached(user, policy):
            return None
        query = _Candidates(conn, user.id, lock=not self.store.sqlite)
        tried: set[int] = set()
        for seq in policy.strategy.candidates(query, user.id, user.order_cursor, user.next_pos):
            if seq in tried:
                continue
            tried.add(seq)
            if self._take(conn, seq, policy.overlap):
                self._append(conn, user, seq, fixed_order=policy.strategy.name == "fixed_order")
                return seq
        return None

    def _append(self, conn: Connection, user: UserRow, seq: int, *, fixed_order: bool) -> int:
        position = user.next_pos
        conn.execute(
            assignments.insert().values(
                user_id=user.id,
                item_seq=seq,
                position=position,
                status=LEASED,
                leased_at=time.time(),
            )
        )
        values = {
            "next_pos": users.c.next_pos + 1,
            "assigned_count": users.c.assigned_count + 1,
            "current_pos": position,
        }
        if fixed_order:
            values["order_cursor"] = case(
                (users.c.order_cursor < seq, seq), else_=users.c.order_cursor
            )
        conn.execute(update(users).where(users.c.id == user.id).values(**values))
        return position

    def _take(self, conn: Connection, seq: int, overlap: int | None) -> bool:
        """Add one holder to an open item, closing it when it reaches the overlap."""
        cond = and_(items.c.seq == seq, items.c.is_open == 1)
        if overlap is None:
            return (
                conn.execute(update(items).where(cond).values(holders=items.c.holders + 1)).rowcount
                == 1
            )
        closes = items.c.holders + 1 >= overlap
        result = conn.execute(
            update(items)
            .where(cond, items.c.holders < overlap)
            .values(holders=items.c.holders + 1, is_open=case((closes, 0), else_=1))
            .returning(items.c.is_open)
        ).first()
        if result is None:
            return False
        if result.is_open == 0:
            self.store.add_counter(conn, "open_items", -1)
        return True

    def _renew(self, conn: Connection, user_id: int, seq: int, *, revived: bool) -> None:
        values: dict[str, object] = {"leased_at": time.time()}
        if revived:
            values["status"] = LEASED
        conn.execute(
            update(assignments)
            .where(assignments.c.user_id == user_id, assignments.c.item_seq == seq)
            .values(**values)
        )
        if revived:
            conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(assigned_count=users.c.assigned_count + 1)
            )

    def _release(self, conn: Connection, user_id: int, seq: int, overlap: int | None) -> None:
        changed = conn.execute(
            update(assignments)
            .where(
                assignments.c.user_id == user_id,
                assignments.c.item_seq == seq,
                assignments.c.status == LEASED,
            )
            .values(status=EXPIRED)
        ).rowcount
        if not changed:
            return
        conn.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(assigned_count=users.c.assigned_count - 1)
        )
        item = conn.execute(
            select(items.c.holders, items.c.is_open, items.c.retired).where(items.c.seq == seq)
        ).one()
        holders = max(0, item.holders - 1)
        is_open = int(not item.retired and (overlap is None or holders < overlap))
        conn.execute(
            update(items).where(items.c.seq == seq).values(holders=holders, is_open=is_open)
        )
        self.store.add_counter(conn, "open_items", is_open - item.is_open)
