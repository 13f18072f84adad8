"""Leases: which items a user holds, in which order, and where they are now.

A user's list is their assignments ordered by `position` (0, 1, 2, ... with no gaps: rows are
never deleted, an expired lease keeps its row with status `expired`). So the index shown as
"n of m" is simply the position. New items are leased lazily, one at a time, when the user
moves past the end of their list.

Overlap is enforced in the same transaction that records the lease: an item's `holders`
(unexpired leases + completions) is incremented only while it is below the overlap limit, by a
conditional UPDATE — correct under concurrent writers on SQLite (BEGIN IMMEDIATE) and on
PostgreSQL (row locks), without in-process locks.

The statements on the request path are built once (module constants with bind parameters):
building a statement per call cost several times more than running it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, case, func, select, update

from ..assign.strategies import Strategy
from ..errors import BadRequest, Conflict, Forbidden, NotAssigned, NotFound
from .cohorts import (
    batch_candidates,
    members_have_items,
    open_in_member_range,
    open_in_members,
    training_record,
)
from .icl import verification_candidates
from .item_owners import MAY_TAKE, RESERVED_FOR_OTHERS
from .queue_front import front_candidates
from .tables import assignments, completions_by_hour, items, users
from .users import USER_BY_ID, UserRow, user_from_row

if TYPE_CHECKING:
    from . import Store

LEASED, DONE, EXPIRED = "leased", "done", "expired"

A, I, U = assignments.c, items.c, users.c  # noqa: E741 - short column namespaces

ROW_AT = (
    select(A.item_seq, A.position, A.status, A.leased_at, A.returned, I.id)
    .join(items, I.seq == A.item_seq)
    .where(A.user_id == bindparam("u"), A.position == bindparam("p"))
)
STATUS_OF = select(A.status, A.leased_at).where(
    A.user_id == bindparam("u"), A.item_seq == bindparam("s")
)
POSITIONS_OF = select(A.item_seq, A.position).where(
    A.user_id == bindparam("u"), A.item_seq.in_(bindparam("seqs", expanding=True))
)
POSITION_OF = select(A.position).where(A.user_id == bindparam("u"), A.item_seq == bindparam("s"))
SET_CURRENT = (
    update(users)
    .where(U.id == bindparam("u"))
    .values(current_pos=bindparam("p"), last_active_at=bindparam("now"))
)
MINE_OPEN = (
    select(func.count())
    .select_from(assignments.join(items, I.seq == A.item_seq))
    .where(A.user_id == bindparam("u"), I.is_open == 1)
)
UNFINISHED_OF_USER = (
    select(func.count())
    .select_from(assignments)
    .where(A.user_id == bindparam("u"), A.status == LEASED)
)
# Skipped items (leased, never answered) come back once after the rest, in list order.
FIRST_SKIPPED = select(func.min(A.position)).where(
    A.user_id == bindparam("u"), A.status == LEASED, A.returned == 0
)
MARK_RETURNED = (
    update(assignments)
    .where(A.user_id == bindparam("u"), A.status == LEASED, A.returned == 0)
    .values(returned=1)
)
NEXT_RETURNED = select(func.min(A.position)).where(
    A.user_id == bindparam("u"),
    A.status == LEASED,
    A.returned == 1,
    A.position > bindparam("p"),
)
_NOT_MINE = ~select(A.item_seq).where(A.user_id == bindparam("u"), A.item_seq == I.seq).exists()
_OPEN = select(I.seq).where(I.is_open == 1, _NOT_MINE, MAY_TAKE)
CANDIDATES = {
    "in_order": _OPEN.where(I.seq > bindparam("after")).order_by(I.seq).limit(bindparam("n")),
    "least_held": _OPEN.order_by(I.holders, I.seq).limit(bindparam("n")),
    "by_queue_key": _OPEN.order_by(I.queue_key, I.seq).limit(bindparam("n")),
    # uniform random choice (assign/strategies.py): which of some drawn seqs are open, and
    # the k-th open item when draws keep missing
    "among": _OPEN.where(I.seq.in_(bindparam("seqs", expanding=True))),
    "at_offset": _OPEN.order_by(I.seq).limit(1).offset(bindparam("k")),
}
CANDIDATES_LOCKED = {
    name: stmt.with_for_update(skip_locked=True, of=items) for name, stmt in CANDIDATES.items()
}
# Two scalar subqueries: SQLite answers a lone min() or max() from the primary key in
# O(log n), but scans the whole table for min() and max() in one SELECT (38 ms at 200k).
SEQ_BOUNDS = select(
    select(func.min(I.seq)).scalar_subquery(), select(func.max(I.seq)).scalar_subquery()
)
COUNT_OPEN = select(func.count()).select_from(items).where(I.is_open == 1, _NOT_MINE, MAY_TAKE)
_IN_PROGRESS = case((I.status == 0, 1), else_=I.status)
TAKE_UNLIMITED = (
    update(items)
    .where(I.seq == bindparam("s"), I.is_open == 1)
    .values(holders=I.holders + 1, status=_IN_PROGRESS)
    .returning(I.is_open, I.holders)
)
# The item's cap: its own (max_holders) or the project's overlap.
CAP = func.coalesce(I.max_holders, bindparam("k"))
TAKE_LIMITED = (
    update(items)
    .where(I.seq == bindparam("s"), I.is_open == 1, I.holders < CAP)
    .values(
        holders=I.holders + 1,
        is_open=case((I.holders + 1 >= CAP, 0), else_=1),
        status=_IN_PROGRESS,
    )
    .returning(I.is_open, I.holders)
)
# An import (potato_import.py) keeps annotations made elsewhere even past the overlap: one
# more holder whether or not the item is open, closing it when it reaches the limit.
TAKE_ANYWAY = (
    update(items)
    .where(I.seq == bindparam("s"))
    .values(
        holders=I.holders + 1,
        is_open=case((I.is_open == 0, 0), (I.holders + 1 >= CAP, 0), else_=1),
        status=_IN_PROGRESS,
    )
    .returning(I.is_open, I.holders)
)
INSERT_LEASE = assignments.insert().values(
    user_id=bindparam("u"),
    item_seq=bindparam("s"),
    position=bindparam("p"),
    status=LEASED,
    leased_at=bindparam("now"),
)
APPEND_TO_USER = (
    update(users)
    .where(U.id == bindparam("u"))
    .values(
        next_pos=U.next_pos + 1, assigned_count=U.assigned_count + 1, current_pos=bindparam("p")
    )
)
APPEND_TO_USER_IN_ORDER = APPEND_TO_USER.values(
    order_cursor=case((U.order_cursor < bindparam("s"), bindparam("s")), else_=U.order_cursor)
)
RENEW = (
    update(assignments)
    .where(A.user_id == bindparam("u"), A.item_seq == bindparam("s"))
    .values(leased_at=bindparam("now"))
)
REVIVE = RENEW.values(status=LEASED)
USER_ASSIGNED_PLUS = (
    update(users).where(U.id == bindparam("u")).values(assigned_count=U.assigned_count + 1)
)
USER_ASSIGNED_MINUS = (
    update(users).where(U.id == bindparam("u")).values(assigned_count=U.assigned_count - 1)
)
MARK = (
    update(assignments)
    .where(A.user_id == bindparam("u"), A.item_seq == bindparam("s"))
    .values(
        status=bindparam("status"), completed_at=bindparam("done_at"), leased_at=bindparam("now")
    )
)
ITEM_DONE_DELTA = (
    update(items)
    .where(I.seq == bindparam("s"))
    .values(
        done_count=I.done_count + bindparam("d"),
        status=case(
            (I.done_count + bindparam("d") >= func.coalesce(I.max_holders, bindparam("target")), 2),
            else_=1,
        ),
    )
    .returning(I.done_count, func.coalesce(I.max_holders, bindparam("target")).label("target"))
)
EXPIRE = (
    update(assignments)
    .where(A.user_id == bindparam("u"), A.item_seq == bindparam("s"), A.status == LEASED)
    .values(status=EXPIRED)
)
STALE = (
    select(A.user_id, A.item_seq)
    .where(A.status == LEASED, A.leased_at < bindparam("cutoff"))
    .limit(bindparam("n"))
)
ITEM_HOLD_STATE = select(I.holders, I.is_open, I.retired, I.max_holders).where(
    I.seq == bindparam("s")
)
SET_ITEM_HOLD = (
    update(items)
    .where(I.seq == bindparam("s"))
    .values(
        holders=bindparam("holders"),
        is_open=bindparam("is_open"),
        status=case((bindparam("holders") == 0, 0), else_=I.status),
    )
)
USER_LIST = (
    select(A.position, I.id, A.status)
    .join(items, I.seq == A.item_seq)
    .where(A.user_id == bindparam("u"))
    .order_by(A.position)
)


@dataclass(frozen=True)
class LeasePolicy:
    strategy: Strategy
    overlap: int | None  # max annotators per item (None: unlimited)
    per_user_cap: int | None  # max items per user (None: unlimited)
    timeout_seconds: float | None  # an unfinished lease expires after this long
    allow_jump: bool = True
    # num_annotators_per_item.adaptive (config/overlap.AdaptiveBoost): raise a disputed
    # item's cap in the save's transaction (store/item_caps.py)
    adaptive: Any = None
    # icl_labeling.verification routing (ai/icl.VerificationMix): a share of new leases first
    # try a prediction sampled for human verification
    verification_mix: Any = None


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
        self.statements = CANDIDATES_LOCKED if lock else CANDIDATES

    def _run(self, name: str, limit: int, **params: int) -> list[int]:
        stmt = self.statements[name]
        return list(self.conn.execute(stmt, {"u": self.user_id, "n": limit, **params}).scalars())

    def in_order(self, after_seq: int, limit: int) -> list[int]:
        return self._run("in_order", limit, after=after_seq)

    def seq_bounds(self) -> tuple[int, int] | None:
        low, high = self.conn.execute(SEQ_BOUNDS).one()
        return None if high is None else (low, high)

    def open_among(self, seqs: list[int]) -> set[int]:
        stmt = self.statements["among"]
        return set(self.conn.execute(stmt, {"u": self.user_id, "seqs": seqs}).scalars())

    def count_open(self) -> int:
        return self.conn.execute(COUNT_OPEN, {"u": self.user_id}).scalar_one()

    def open_at(self, offset: int) -> int | None:
        stmt = self.statements["at_offset"]
        return self.conn.execute(stmt, {"u": self.user_id, "k": offset}).scalar()

    def least_held(self, limit: int) -> list[int]:
        return self._run("least_held", limit)

    def by_queue_key(self, limit: int) -> list[int]:
        return self._run("by_queue_key", limit)

    def in_cohorts(self, limit: int) -> list[int]:
        return batch_candidates(self.conn, self.user_id, limit, lock=self.lock)

    def in_members(self, members: list[str], limit: int) -> list[int]:
        return open_in_members(self.conn, self.user_id, members, limit, lock=self.lock)

    def members_have_items(self, members: list[str]) -> bool:
        return members_have_items(self.conn, members)

    def training_record(self) -> list[tuple[str, bool]]:
        return training_record(self.conn, self.user_id)

    def in_member_range(self, low: str, high: str, limit: int) -> list[int]:
        return open_in_member_range(self.conn, self.user_id, low, high, limit, lock=self.lock)


class Assignments:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._count_completion = (
            store.insert(completions_by_hour)
            .values(hour=bindparam("h"), done=bindparam("d"))
            .on_conflict_do_update(
                index_elements=["hour"],
                set_={"done": completions_by_hour.c.done + bindparam("d")},
            )
        )

    # -- reading where a user is ----------------------------------------------------------
    def current(self, user_id: int, policy: LeasePolicy) -> Position:
        """The item the user sees now; leases the next one when they are past the end."""
        with self.store.read() as conn:
            user = self._user(conn, user_id)
            row = conn.execute(ROW_AT, {"u": user.id, "p": user.current_pos}).first()
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
                target = self._next_position(conn, user, here)
            elif action == "prev_instance":
                target = max(0, here - 1)
            elif index is not None:
                if not policy.allow_jump and abs(index - here) > 1:
                    raise Forbidden("jumping to an instance is disabled for this project")
                if index < 0 or index > user.next_pos:
                    raise BadRequest(
                        f"go_to index {index} is out of range (0..{user.next_pos})",
                        max_index=user.next_pos,
                    )
                target = index
            elif item_id is not None:
                target, user = self._position_of_item(conn, user, item_id, policy)
            else:
                raise BadRequest("give 'action' (next_instance or prev_instance) or 'go_to'")
            self._set_current(conn, user.id, target)
            return self._settle(conn, replace(user, current_pos=target), policy)

    def _next_position(self, conn: Connection, user: UserRow, here: int) -> int:
        """Where "next" goes: the next position of the list; on an item offered again after
        the rest (skipped before), the next such item still unanswered, or the end."""
        if here >= user.next_pos:
            return user.next_pos
        row = conn.execute(ROW_AT, {"u": user.id, "p": here}).first()
        if row is not None and row.returned:
            later = conn.execute(NEXT_RETURNED, {"u": user.id, "p": here}).scalar()
            return user.next_pos if later is None else later
        return here + 1

    def holds(
        self, conn: Connection, user_id: int, item_seq: int, item_id: str, policy: LeasePolicy
    ) -> str:
        """Inside a write transaction: may this user write this item? Renews a lease that
        expired if the item is still free. Returns the assignment status."""
        row = conn.execute(STATUS_OF, {"u": user_id, "s": item_seq}).first()
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
        if row.status == LEASED and self._ageing(row.leased_at, policy):
            self._renew(conn, user_id, item_seq, revived=False)
        return row.status

    def mark(
        self, conn: Connection, user_id: int, item_seq: int, old: str, new: str, target: int
    ) -> int | None:
        """Record completion (leased -> done) or its undoing (done -> leased). An item is
        completed once `target` annotators (the overlap, or 1) have finished it. Returns how
        many annotators have finished the item now (None: nothing changed). The caller
        changes the user's own done_count (in the statement that touches the user anyway)."""
        if old == new:
            return None
        now = time.time()
        conn.execute(
            MARK,
            {
                "u": user_id,
                "s": item_seq,
                "status": new,
                "done_at": now if new == DONE else None,
                "now": now,
            },
        )
        delta = 1 if new == DONE else -1
        params = {"s": item_seq, "d": delta, "target": target}
        done_count, target = conn.execute(ITEM_DONE_DELTA, params).one()
        deltas = {"done_assignments": delta}
        if done_count == (target if delta == 1 else target - 1):
            deltas["items_completed"] = delta
        self.store.add_counters(conn, deltas)
        conn.execute(self._count_completion, {"h": int(now // 3600), "d": delta})
        return done_count

    def expire_stale(self, policy: LeasePolicy, now: float | None = None, limit: int = 1000) -> int:
        """Return unfinished leases older than the timeout to the pool. Finished work stays."""
        if policy.timeout_seconds is None:
            return 0
        cutoff = (now or time.time()) - policy.timeout_seconds
        with self.store.write() as conn:
            stale = conn.execute(STALE, {"cutoff": cutoff, "n": limit}).all()
            for user_id, seq in stale:
                self._release(conn, user_id, seq, policy.overlap)
        return len(stale)

    def reclaim(self, user_id: int, item_seq: int, policy: LeasePolicy) -> bool:
        """An admin takes back one unfinished lease: it expires exactly as a timed-out lease
        does (the item returns to the pool, the user's saved answers stay). False when the
        user does not hold the item unfinished."""
        with self.store.write() as conn:
            row = conn.execute(STATUS_OF, {"u": user_id, "s": item_seq}).first()
            if row is None or row.status != LEASED:
                return False
            self._release(conn, user_id, item_seq, policy.overlap)
        return True

    def status_of(self, user_id: int, item_seq: int) -> str | None:
        with self.store.read() as conn:
            row = conn.execute(STATUS_OF, {"u": user_id, "s": item_seq}).first()
        return row.status if row else None

    def positions(self, user_id: int, item_seqs: Iterable[int]) -> dict[int, int]:
        """item seq -> position in the user's list, for those of `item_seqs` assigned to them."""
        seqs = list(item_seqs)
        found: dict[int, int] = {}
        with self.store.read() as conn:
            for start in range(0, len(seqs), 500):
                chunk = seqs[start : start + 500]
                rows = conn.execute(POSITIONS_OF, {"u": user_id, "seqs": chunk})
                found.update((r.item_seq, r.position) for r in rows)
        return found

    def user_items(self, user_id: int) -> list[tuple[int, str, str]]:
        """(position, item id, status) for the user's whole list, in order."""
        with self.store.read() as conn:
            rows = conn.execute(USER_LIST, {"u": user_id}).all()
        return [(r.position, r.id, r.status) for r in rows]

    # -- imports (potato_import.py) --------------------------------------------------------
    def lease_for_import(self, user_id: int, item_seq: int, overlap: int | None) -> bool:
        """Append the item to the user's list as a lease (unless they hold it already), even
        when it is full: work done elsewhere is kept. Returns True when it went past the
        overlap limit."""
        with self.store.write() as conn:
            if conn.execute(STATUS_OF, {"u": user_id, "s": item_seq}).first() is not None:
                return False
            if self._take(conn, item_seq, overlap):
                over = False
            else:
                before = conn.execute(ITEM_HOLD_STATE, {"s": item_seq}).one()
                limit = overlap if overlap is not None else before.holders + 2
                after = conn.execute(TAKE_ANYWAY, {"s": item_seq, "k": limit}).one()
                self.store.add_counter(conn, "open_items", after.is_open - before.is_open)
                if after.holders == 1:
                    self.store.add_counter(conn, "items_held", 1)
                over = True
            self._append(conn, self._user(conn, user_id), item_seq, fixed_order=False)
        return over

    def set_position(self, user_id: int, position: int) -> None:
        """Point the user at `position` of their list (the end: their next item is leased)."""
        with self.store.write() as conn:
            user = self._user(conn, user_id)
            self._set_current(conn, user_id, max(0, min(position, user.next_pos)))

    # -- internals --------------------------------------------------------------------------
    def _user(self, conn: Connection, user_id: int) -> UserRow:
        row = conn.execute(USER_BY_ID, {"u": user_id}).first()
        if row is None:
            raise NotFound(f"user {user_id} does not exist")
        return user_from_row(row)

    @staticmethod
    def _ageing(leased_at: float, policy: LeasePolicy) -> bool:
        # Using an item keeps its lease alive; refresh once a quarter of the timeout.
        return bool(policy.timeout_seconds) and time.time() - leased_at > policy.timeout_seconds / 4

    def _needs_write(self, row, policy: LeasePolicy) -> bool:
        if row.status == EXPIRED:
            return True  # try to renew it
        return row.status == LEASED and self._ageing(row.leased_at, policy)

    def _settle(self, conn: Connection, user: UserRow, policy: LeasePolicy) -> Position:
        """Inside a write transaction: make sure the current position holds an item (leasing
        one past the end of the list), renew an expired or ageing lease, and report."""
        row = conn.execute(ROW_AT, {"u": user.id, "p": user.current_pos}).first()
        if row is None:
            user = self._lease_next(conn, user, policy)
            if user.current_pos >= user.next_pos:  # nothing left to lease
                skipped = conn.execute(FIRST_SKIPPED, {"u": user.id}).scalar()
                if skipped is None:
                    return self._finish(conn, user, policy)
                # The items skipped before come back once, after the rest.
                conn.execute(MARK_RETURNED, {"u": user.id})
                self._set_current(conn, user.id, skipped)
                user = replace(user, current_pos=skipped)
            row = conn.execute(ROW_AT, {"u": user.id, "p": user.current_pos}).first()
        elif row.status == EXPIRED:
            if self._take(conn, row.item_seq, policy.overlap):
                self._renew(conn, user.id, row.item_seq, revived=True)
                user = replace(user, assigned_count=user.assigned_count + 1)
                row = conn.execute(ROW_AT, {"u": user.id, "p": user.current_pos}).first()
        elif row.status == LEASED and self._ageing(row.leased_at, policy):
            self._renew(conn, user.id, row.item_seq, revived=False)
        return self._position(conn, user, row, policy)

    def _finish(self, conn: Connection, user: UserRow, policy: LeasePolicy) -> Position:
        """Nothing is left for the user: stand past the end of the list. Items skipped twice
        stay leased until their lease times out (giving them back now would free places
        under the user's cap, and they would be handed new items)."""
        if user.current_pos != user.next_pos:
            self._set_current(conn, user.id, user.next_pos)
            user = replace(user, current_pos=user.next_pos)
        return self._position(conn, user, None, policy)

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
            mine_open = conn.execute(MINE_OPEN, {"u": user.id}).scalar_one()
        available = max(0, open_items - mine_open)
        return available if cap_left is None else min(cap_left, available)

    def _set_current(self, conn: Connection, user_id: int, position: int) -> None:
        conn.execute(SET_CURRENT, {"u": user_id, "p": position, "now": time.time()})

    def _position_of_item(
        self, conn: Connection, user: UserRow, item_id: str, policy: LeasePolicy
    ) -> tuple[int, UserRow]:
        if not policy.allow_jump:
            raise Forbidden("jumping to an instance is disabled for this project")
        seq = self.store.items.seq_of(item_id, conn)
        if seq is None:
            raise NotFound(f"instance {item_id!r} does not exist")
        pos = conn.execute(POSITION_OF, {"u": user.id, "s": seq}).scalar()
        if pos is not None:
            return pos, user
        if conn.execute(RESERVED_FOR_OTHERS, {"u": user.id, "s": seq}).first() is not None:
            raise NotFound(f"instance {item_id!r} does not exist")
        if self._cap_reached(user, policy):
            raise Forbidden("you have reached your maximum number of instances")
        # A jump may add one unfinished item to the one the user works on, no more: else a
        # few accounts could lease every free item by id and leave real annotators none.
        if conn.execute(UNFINISHED_OF_USER, {"u": user.id}).scalar_one() > 1:
            raise Forbidden(
                f"finish the instances you have open before jumping to a new one ({item_id!r})"
            )
        if not self._take(conn, seq, policy.overlap):
            raise Forbidden(f"instance {item_id!r} already has enough annotators")
        user = self._append(conn, user, seq, fixed_order=False)
        return user.current_pos, user

    def _cap_reached(self, user: UserRow, policy: LeasePolicy) -> bool:
        cap = user.max_items if user.max_items is not None else policy.per_user_cap
        return cap is not None and user.assigned_count >= cap

    def _lease_next(self, conn: Connection, user: UserRow, policy: LeasePolicy) -> UserRow:
        """Lease one more item at the end of the user's list; returns the updated user (its
        current_pos points past the end when nothing could be leased)."""
        if self._cap_reached(user, policy):
            return user
        locking = not self.store.sqlite
        leased = self._lease_from(conn, user, policy, _Candidates(conn, user.id, lock=locking))
        if leased is None and locking:
            # SKIP LOCKED passes over items that other annotators' transactions hold for a
            # moment. "Finished" must mean nothing is left, so look once more without
            # skipping: the conditional update then waits for those transactions and
            # re-checks the item (READ COMMITTED), so the overlap still holds exactly.
            leased = self._lease_from(conn, user, policy, _Candidates(conn, user.id, lock=False))
        return user if leased is None else leased

    def _lease_from(
        self, conn: Connection, user: UserRow, policy: LeasePolicy, query: _Candidates
    ) -> UserRow | None:
        tried: set[int] = set()
        if policy.strategy.offers_every_item:
            # Items an admin moved to the front come first, whatever the strategy; they do
            # not move fixed_order's cursor (the file order resumes where it was).
            for seq in front_candidates(conn, user.id, 8, lock=query.lock):
                tried.add(seq)
                if self._take(conn, seq, policy.overlap):
                    return self._append(conn, user, seq, fixed_order=False)
            order = policy.verification_mix.draw() if policy.verification_mix else None
            if order is not None:
                for seq in verification_candidates(conn, user.id, 8, order, lock=query.lock):
                    if seq in tried:
                        continue
                    tried.add(seq)
                    if self._take(conn, seq, policy.overlap):
                        return self._append(conn, user, seq, fixed_order=False)
        in_order = policy.strategy.name == "fixed_order"
        for seq in policy.strategy.candidates(query, user.id, user.order_cursor, user.next_pos):
            if seq in tried:
                continue
            tried.add(seq)
            if self._take(conn, seq, policy.overlap):
                return self._append(conn, user, seq, fixed_order=in_order)
        return None

    def _append(self, conn: Connection, user: UserRow, seq: int, *, fixed_order: bool) -> UserRow:
        position = user.next_pos
        conn.execute(INSERT_LEASE, {"u": user.id, "s": seq, "p": position, "now": time.time()})
        stmt = APPEND_TO_USER_IN_ORDER if fixed_order else APPEND_TO_USER
        conn.execute(stmt, {"u": user.id, "p": position, "s": seq})
        return replace(
            user,
            next_pos=position + 1,
            assigned_count=user.assigned_count + 1,
            current_pos=position,
            order_cursor=max(user.order_cursor, seq) if fixed_order else user.order_cursor,
        )

    def _take(self, conn: Connection, seq: int, overlap: int | None) -> bool:
        """Add one holder to an open item, closing it when it reaches the overlap."""
        if overlap is None:
            result = conn.execute(TAKE_UNLIMITED, {"s": seq}).first()
        else:
            result = conn.execute(TAKE_LIMITED, {"s": seq, "k": overlap}).first()
        if result is None:
            return False
        if result.is_open == 0:
            self.store.add_counter(conn, "open_items", -1)
        if result.holders == 1:
            self.store.add_counter(conn, "items_held", 1)
        return True

    def _renew(self, conn: Connection, user_id: int, seq: int, *, revived: bool) -> None:
        params = {"u": user_id, "s": seq, "now": time.time()}
        conn.execute(REVIVE if revived else RENEW, params)
        if revived:
            conn.execute(USER_ASSIGNED_PLUS, {"u": user_id})

    def _release(self, conn: Connection, user_id: int, seq: int, overlap: int | None) -> None:
        if not conn.execute(EXPIRE, {"u": user_id, "s": seq}).rowcount:
            return
        conn.execute(USER_ASSIGNED_MINUS, {"u": user_id})
        item = conn.execute(ITEM_HOLD_STATE, {"s": seq}).one()
        holders = max(0, item.holders - 1)
        cap = overlap if item.max_holders is None or overlap is None else item.max_holders
        is_open = int(not item.retired and (cap is None or holders < cap))
        conn.execute(SET_ITEM_HOLD, {"s": seq, "holders": holders, "is_open": is_open})
        self.store.add_counter(conn, "open_items", is_open - item.is_open)
        if holders == 0:
            self.store.add_counter(conn, "items_held", -1)


__all__ = ["DONE", "EXPIRED", "LEASED", "Assignments", "LeasePolicy", "Position"]
