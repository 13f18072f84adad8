"""Rate-limit counts in the store, for several server processes (`run.py --workers N`):
one moving window per (limit name, key) that every process counts into, so N processes
allow what one would. It answers the three calls web/rate_limits.py makes of the `limits`
library's moving-window limiter (`hit`, `test`, `get_window_stats`), with the same meaning.

Each hit is one short write transaction (old hits of the key are deleted in it), which is
why a single process keeps counting in memory: logins and registrations are rare next to
saves, but not free.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from limits.util import WindowStats
from sqlalchemy import bindparam, delete, func, insert, select

from .tables import rate_hits

if TYPE_CHECKING:
    from limits import RateLimitItem

    from . import Store

H = rate_hits.c
_KEY = (H.name == bindparam("name")) & (H.key == bindparam("key"))
IN_WINDOW = select(func.count(), func.min(H.ts)).where(_KEY, H.ts > bindparam("since"))
EXPIRED = delete(rate_hits).where(_KEY, H.ts <= bindparam("since"))
ADD = insert(rate_hits).values(name=bindparam("name"), key=bindparam("key"), ts=bindparam("ts"))


class StoreRateLimiter:
    def __init__(self, store: Store, clock=time.time) -> None:
        self.store = store
        self.clock = clock

    @staticmethod
    def _params(item: RateLimitItem, ids: tuple[str, ...], now: float) -> dict:
        name, key = ids[0], "|".join(ids[1:])
        return {"name": name, "key": key, "since": now - item.get_expiry()}

    def hit(self, item: RateLimitItem, *ids: str) -> bool:
        now = self.clock()
        params = self._params(item, ids, now)
        with self.store.write() as conn:
            conn.execute(EXPIRED, params)
            used = conn.execute(IN_WINDOW, params).one()[0]
            if used >= item.amount:
                return False
            conn.execute(ADD, {**params, "ts": now})
            return True

    def test(self, item: RateLimitItem, *ids: str) -> bool:
        params = self._params(item, ids, self.clock())
        with self.store.read() as conn:
            return conn.execute(IN_WINDOW, params).one()[0] < item.amount

    def get_window_stats(self, item: RateLimitItem, *ids: str) -> WindowStats:
        now = self.clock()
        params = self._params(item, ids, now)
        with self.store.read() as conn:
            used, oldest = conn.execute(IN_WINDOW, params).one()
        reset = (oldest if oldest is not None else now) + item.get_expiry()
        return WindowStats(reset, max(0, item.amount - used))
