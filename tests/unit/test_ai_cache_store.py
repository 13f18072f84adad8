"""The AI suggestion cache in the store (store/ai_cache.py): entries survive reopening, a
replaced entry keeps one row, and an insert costs the same at 100,000 entries as at the
start (the JSON file it replaces was rewritten whole per entry)."""

from __future__ import annotations

import json
import time

import pytest

from potato_like.store import Store


def open_store(path):
    return Store.open(f"sqlite:///{path}")


def entry(n):
    return json.dumps(["openai", "m", f"item_{n}", "sentiment"]), {
        "schema": "sentiment", "label": "positive", "confidence": 0.9,
        "explanation": f"reason {n}", "evidence": [], "provider": "openai",
        "model_version": "m", "scores": {},
    }  # fmt: skip


def median_put_seconds(store, start, n=200):
    times = []
    for i in range(start, start + n):
        key, value = entry(i)
        t = time.perf_counter()
        store.ai_cache.put(key, value)
        times.append(time.perf_counter() - t)
    return sorted(times)[n // 2]


def check_flat(tmp_path, size):
    store = open_store(tmp_path / "db.sqlite3")
    early = median_put_seconds(store, 0)
    store.ai_cache.put_many(entry(i) for i in range(1000, 1000 + size))
    assert store.ai_cache.count() == size + 200
    late = median_put_seconds(store, 10_000_000)
    # One indexed row per entry: the median insert at `size` entries is within a small
    # factor of the first ones (a whole-file rewrite grows with the entries).
    assert late < max(3 * early, early + 0.002), (early, late)
    key, value = entry(1000 + size // 2)
    assert store.ai_cache.get(key) == value
    store.close()


def test_insert_time_stays_flat_at_10k_entries(tmp_path):
    check_flat(tmp_path, 10_000)


@pytest.mark.slow
def test_insert_time_stays_flat_at_100k_entries(tmp_path):
    check_flat(tmp_path, 100_000)


def test_entries_survive_reopening_and_replace_in_place(tmp_path):
    store = open_store(tmp_path / "db.sqlite3")
    key, value = entry(1)
    store.ai_cache.put(key, value)
    store.ai_cache.put(key, {**value, "label": "negative"})
    assert store.ai_cache.count() == 1
    store.close()
    again = open_store(tmp_path / "db.sqlite3")
    assert again.ai_cache.get(key)["label"] == "negative"
    assert again.ai_cache.get("nope") is None
    assert again.ai_cache.clear() == 1 and again.ai_cache.count() == 0
    again.close()
