"""num_annotators_per_item as a mapping: `overlap_sample` gives a deterministic sample of
items more annotators and `adaptive` raises the cap of disputed items; both are per-item caps
in the database, enforced by leasing under concurrency."""

from __future__ import annotations

import json

import pytest

from potato_like.config.overlap import OverlapSample
from potato_like.store.item_caps import sampled
from tests.conftest import (
    annotate_concurrently,
    answer,
    base_config,
    current_id,
    login,
    write_config,
)


def write(tmp_path, n, domains=("a", "b")):
    with (tmp_path / "data.jsonl").open("w") as fh:
        for i in range(1, n + 1):
            row = {"id": f"item_{i:03d}", "text": f"Text {i}", "domain": domains[i % len(domains)]}
            fh.write(json.dumps(row) + "\n")


def test_sample_is_deterministic_stratified_and_at_least_one_per_stratum():
    rows = [(i, f"id{i}", "a" if i < 90 else "b") for i in range(100)]
    s = OverlapSample(fraction=0.2, count=3, seed=42)
    first = sampled(rows, s)
    assert first == sampled(list(reversed(rows)), s)  # order of the data does not matter
    assert len([q for q in first if q < 90]) == 18 and len([q for q in first if q >= 90]) == 2
    assert len(sampled([(1, "x", "c")], OverlapSample(0.01, 3))) == 1
    assert sampled(rows, OverlapSample(0.2, 3, seed=7)) != first


def test_sampled_items_get_count_annotators_the_rest_default(tmp_path, open_app):
    write(tmp_path, 10)
    overlap = {"default": 1, "overlap_sample": {"fraction": 0.3, "count": 3, "seed": 1}}
    app = open_app(write_config(tmp_path, base_config(num_annotators_per_item=overlap)))
    counts, errors = annotate_concurrently(app, users=5)
    assert errors == []
    wide = [item for item, n in counts.items() if n == 3]
    assert len(wide) == 3 and sorted(counts.values()) == [1] * 7 + [3] * 3
    # the same sample on the next start
    again = open_app(write_config(tmp_path, base_config(num_annotators_per_item=overlap)))
    store = again.extensions["potato_like"].store
    assert {i for i in counts if store.items.by_id(i).holders == 3} == set(wide)


def test_stratified_sample_takes_from_each_stratum(tmp_path, open_app):
    write(tmp_path, 12, domains=("news", "news", "forum"))
    overlap = {
        "default": 1,
        "overlap_sample": {"fraction": 0.25, "count": 2, "stratify_by": "domain", "seed": 5},
    }
    app = open_app(write_config(tmp_path, base_config(num_annotators_per_item=overlap)))
    counts, errors = annotate_concurrently(app, users=3)
    assert errors == []
    wide = {item for item, n in counts.items() if n == 2}
    domain = {f"item_{i:03d}": ("news", "news", "forum")[i % 3] for i in range(1, 13)}
    assert sorted(domain[i] for i in wide) == ["forum", "news", "news"]  # 4 forum, 8 news


def label(client, item_id, value):
    client.post("/go_to", json={"go_to": item_id})
    assert current_id(client) == item_id
    assert answer(client, item_id, **{f"sentiment:{value}": "1"}).status_code == 200


@pytest.fixture
def adaptive_app(tmp_path, open_app):
    def make():
        write(tmp_path, 3)
        overlap = {
            "default": 2,
            "adaptive": {"enabled": True, "disagreement_threshold": 0.5, "boost_to": 3},
        }
        return open_app(write_config(tmp_path, base_config(num_annotators_per_item=overlap)))

    return make


def test_a_disputed_item_reopens_for_a_third_annotator(adaptive_app):
    app = adaptive_app()
    a, b = login(app.test_client(), "a"), login(app.test_client(), "b")
    label(a, "item_001", "positive")
    label(b, "item_001", "negative")  # disputed: its cap goes to 3
    label(a, "item_002", "positive")
    label(b, "item_002", "positive")  # agreed: stays at 2
    store = app.extensions["potato_like"].store
    c = login(app.test_client(), "c")
    assert current_id(c) == "item_001"
    seen = []
    for _ in range(4):
        info = c.get("/api/current_instance").json
        if info.get("finished"):
            break
        seen.append(info["instance_id"])
        answer(c, info["instance_id"], **{"sentiment:positive": "1"})
        c.post("/go_to", json={"action": "next_instance"})
    assert "item_002" not in seen and "item_001" in seen
    assert store.items.by_id("item_001").holders == 3
    d = login(app.test_client(), "d")
    assert current_id(d) != "item_001"  # full at 3


def test_turning_adaptive_on_boosts_items_disputed_before(tmp_path, open_app):
    write(tmp_path, 3)
    plain = open_app(write_config(tmp_path, base_config(num_annotators_per_item={"default": 2})))
    a, b = login(plain.test_client(), "a"), login(plain.test_client(), "b")
    label(a, "item_002", "positive")
    label(b, "item_002", "negative")
    c = login(plain.test_client(), "c")
    c.post("/go_to", json={"go_to": "item_002"})
    assert current_id(c) != "item_002"  # full at 2
    overlap = {"default": 2, "adaptive": {"enabled": True, "boost_to": 3}}
    again = open_app(write_config(tmp_path, base_config(num_annotators_per_item=overlap)))
    c = login(again.test_client(), "c")
    c.post("/go_to", json={"go_to": "item_002"})
    assert current_id(c) == "item_002"  # reopened by the start's recount


def test_adaptive_under_concurrency_never_exceeds_boost(adaptive_app):
    app = adaptive_app()
    counts, errors = annotate_concurrently(app, users=6)  # everyone answers "positive"
    assert errors == [] and set(counts.values()) == {2}
