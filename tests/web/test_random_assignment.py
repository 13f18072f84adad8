"""`random` assignment picks every eligible item with the same probability. Checked with a
chi-square bound on many draws with fixed seeds: on the strategy alone (sparse and dense
eligible sets, holes in the seqs, the fallback path) and on a real project's store."""

from __future__ import annotations

from collections import Counter

import pytest

from potato_like.assign.strategies import strategy
from potato_like.store.tables import items

# chi-square critical values at p = 0.001 by degrees of freedom: a uniform sampler exceeds
# them one time in a thousand; the draws below are seeded, so the outcome is fixed.
CHI2_999 = {3: 16.27, 5: 20.52, 7: 24.32, 9: 27.88, 19: 43.82}


def chi_square(counts: Counter, support: list) -> float:
    expected = sum(counts.values()) / len(support)
    return sum((counts.get(k, 0) - expected) ** 2 / expected for k in support)


class FakeQuery:
    """The CandidateQuery over a given set of eligible seqs within a seq range."""

    def __init__(self, low: int, high: int, eligible: set[int]) -> None:
        self.low, self.high, self.eligible = low, high, eligible
        self.counted = 0

    def seq_bounds(self):
        return self.low, self.high

    def open_among(self, seqs):
        return {s for s in seqs if s in self.eligible}

    def count_open(self):
        self.counted += 1
        return len(self.eligible)

    def open_at(self, offset):
        ordered = sorted(self.eligible)
        return ordered[offset] if offset < len(ordered) else None

    def in_order(self, after_seq, limit):
        return [s for s in sorted(self.eligible) if s > after_seq][:limit]


def first_choices(eligible: set[int], high: int, draws: int, seed: int = 1) -> tuple[Counter, int]:
    chosen = strategy("random", seed)
    query = FakeQuery(1, high, eligible)
    counts = Counter(next(iter(chosen.candidates(query, 7, 0, n))) for n in range(draws))
    return counts, query.counted


@pytest.mark.parametrize(
    "eligible, high",
    [
        (set(range(1, 11)), 10),  # all open
        ({2, 3, 5, 8, 13, 21, 34, 55, 89, 144}, 150),  # sparse with long gaps (fallback too)
        (
            {1, 2, 3, 4, 100, 101, 500, 999},
            1000,
        ),  # clustered: the old method favoured 100, 500, 999
        ({997, 998, 999, 1000}, 1000),  # only the end of the range
    ],
)
def test_every_eligible_item_is_equally_likely(eligible, high):
    counts, _ = first_choices(eligible, high, draws=4000)
    assert set(counts) <= eligible
    assert chi_square(counts, sorted(eligible)) < CHI2_999[len(eligible) - 1], counts


def test_sparse_pools_use_the_counting_fallback_and_stay_uniform():
    counts, counted = first_choices({10, 500_000, 999_999, 1_000_000}, 1_000_000, draws=2000)
    assert counted > 1900  # the draws almost always miss: the k-th open item is taken
    assert chi_square(counts, [10, 500_000, 999_999, 1_000_000]) < CHI2_999[3], counts


def test_nothing_eligible_yields_nothing():
    chosen = strategy("random", 3)
    assert list(chosen.candidates(FakeQuery(1, 50, set()), 1, 0, 0)) == []
    assert list(chosen.candidates(FakeQuery(1, 1, set()), 1, 0, 0)) == []


def test_seed_makes_the_sequence_reproducible_and_users_differ():
    query = FakeQuery(1, 100, set(range(1, 101)))
    first = [next(iter(strategy("random", 5).candidates(query, 1, 0, n))) for n in range(20)]
    again = [next(iter(strategy("random", 5).candidates(query, 1, 0, n))) for n in range(20)]
    other = [next(iter(strategy("random", 5).candidates(query, 2, 0, n))) for n in range(20)]
    assert first == again and first != other


def test_first_items_on_a_real_store_are_uniform(make_project):
    """The old method (first item whose stored random key follows a random start) chose each
    item with a chance equal to the gap before its key: here some items several times as
    often as others. 1,000 users each lease their first of 10 items."""
    app = make_project(items=10, assignment_strategy="random", random_seed=11)
    project = app.extensions["potato_like"]
    store = project.store
    # keys as an unlucky import could draw them: one item owns most of the key range
    with store.write() as conn:
        for seq in range(1, 11):
            rand = 2**31 - 1000 + seq if seq > 1 else 5
            conn.execute(items.update().where(items.c.seq == seq).values(rand=rand))
    counts: Counter[str] = Counter()
    for n in range(1000):
        user = store.users.create(f"u{n}", None)
        counts[store.assignments.current(user.id, project.policy).item_id] += 1
    names = [f"item_{i:03d}" for i in range(1, 11)]
    assert set(counts) == set(names)
    assert chi_square(counts, names) < CHI2_999[9], counts


def test_later_leases_are_uniform_over_what_is_left(make_project):
    """With overlap 1, once some items are taken the next user's item is uniform over the
    rest: a closed item is rejected, its chance is not shifted onto a neighbour."""
    app = make_project(
        items=8, assignment_strategy="random", random_seed=3, max_annotations_per_item=1
    )
    project = app.extensions["potato_like"]
    store = project.store
    taker = store.users.create("taker", None)
    taken = []
    for k in range(4):  # the taker holds 4 of the 8 items, which closes them
        if k:
            store.assignments.move(taker.id, project.policy, action="next_instance")
        taken.append(store.assignments.current(taker.id, project.policy).item_id)
    left = [f"item_{i:03d}" for i in range(1, 9) if f"item_{i:03d}" not in taken]
    assert len(left) == 4
    counts: Counter[str] = Counter()
    for n in range(800):
        user = store.users.create(f"v{n}", None)
        pos = store.assignments.current(user.id, project.policy)
        counts[pos.item_id] += 1
        assert store.assignments.reclaim(user.id, pos.item_seq, project.policy)  # reopen it
    assert set(counts) == set(left)
    assert chi_square(counts, left) < CHI2_999[3], counts


@pytest.mark.postgres
def test_first_items_are_uniform_on_postgres(make_project, pg_url):
    """The same choice through PostgreSQL's locking statements (FOR UPDATE SKIP LOCKED)."""
    app = make_project(items=6, assignment_strategy="random", random_seed=5, database_url=pg_url)
    project = app.extensions["potato_like"]
    store = project.store
    counts: Counter[str] = Counter()
    for n in range(600):
        user = store.users.create(f"p{n}", None)
        counts[store.assignments.current(user.id, project.policy).item_id] += 1
    names = [f"item_{i:03d}" for i in range(1, 7)]
    assert set(counts) == set(names)
    assert chi_square(counts, names) < CHI2_999[5], counts


def test_the_seq_range_is_read_from_the_index_not_by_a_scan(make_project):
    """min() and max() in one SELECT make SQLite scan the whole items table (38 ms a lease
    at 200k items); the bounds must come from the primary key."""
    from potato_like.store.assignments import SEQ_BOUNDS

    store = make_project(items=3, assignment_strategy="random").extensions["potato_like"].store
    with store.read() as conn:
        sql = str(SEQ_BOUNDS.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
        assert conn.execute(SEQ_BOUNDS).one() == (1, 3)
    assert "SCAN items" not in plan, plan
