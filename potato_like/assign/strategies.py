"""Assignment strategies: in which order a user is offered open items.

A strategy never precomputes an ordering of all items for a user; it asks the store for a few
candidates at the moment the user needs their next item (lazy leasing), so registering a user
costs the same at 50 items and at 1,000,000. The store owns the SQL (`CandidateQuery`); a
strategy only decides which of its orderings to use.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Protocol

_STRATEGIES: dict[str, type[Strategy]] = {}


class CandidateQuery(Protocol):
    """What the store offers a strategy: open items this user does not hold yet."""

    def in_order(self, after_seq: int, limit: int) -> list[int]: ...
    def by_random_key(self, start: int, limit: int) -> list[int]: ...
    def least_held(self, limit: int) -> list[int]: ...


class Strategy:
    name = ""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed

    def candidates(
        self, query: CandidateQuery, user_id: int, cursor: int, position: int
    ) -> Iterable[int]:
        raise NotImplementedError


def register(name: str):
    def add(cls: type[Strategy]) -> type[Strategy]:
        cls.name = name
        _STRATEGIES[name] = cls
        return cls

    return add


def strategy(name: str, seed: int | None = None) -> Strategy:
    return _STRATEGIES[name](seed)


def names() -> list[str]:
    return sorted(_STRATEGIES)


@register("fixed_order")
class FixedOrder(Strategy):
    """Data-file order. Starts after the last item this user leased, then wraps around to pick
    up items that reopened (expired leases) earlier in the file."""

    def candidates(self, query, user_id, cursor, position):
        yield from query.in_order(cursor, 8)
        if cursor:
            yield from query.in_order(0, 8)


@register("random")
class RandomOrder(Strategy):
    """A random open item each time: each user sees the items in a different random order.
    With `random_seed` the sequence is reproducible per user."""

    def candidates(self, query, user_id, cursor, position):
        if self.seed is None:
            start = random.getrandbits(31)
        else:
            start = random.Random(f"{self.seed}:{user_id}:{position}").getrandbits(31)
        yield from query.by_random_key(start, 8)
        yield from query.by_random_key(0, 8)


@register("least_annotated")
class LeastAnnotated(Strategy):
    """Items with the fewest annotators (completed or in progress) first, then file order."""

    def candidates(self, query, user_id, cursor, position):
        yield from query.least_held(8)
