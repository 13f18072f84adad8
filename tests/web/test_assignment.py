"""Lazy assignment: overlap, per-user caps, strategies, lease expiry, concurrent users."""

from __future__ import annotations

import time
from collections import Counter

from tests.conftest import annotate_all, annotate_concurrently, answer, current_id, login


def test_overlap_limits_annotators_per_item(make_project):
    app = make_project(items=4, max_annotations_per_item=2)
    done = Counter()
    for name in ["a", "b", "c", "d", "e"]:
        done.update(annotate_all(login(app.test_client(), name)))
    assert all(count == 2 for count in done.values())
    assert len(done) == 4  # 4 items x 2 annotators = 8 annotations among 5 users


def test_num_annotators_per_item_alias(make_project):
    app = make_project(items=2, num_annotators_per_item=1)
    assert annotate_all(login(app.test_client(), "a")) == ["item_001", "item_002"]
    b = login(app.test_client(), "b")
    assert b.get("/api/current_instance").json["finished"] is True


def test_total_reflects_what_is_left_for_this_user(make_project):
    app = make_project(items=6, max_annotations_per_item=1)
    a = login(app.test_client(), "a")
    b = login(app.test_client(), "b")
    assert a.get("/api/current_instance").json["total_instances"] == 6
    # a holds item_001 now, so b can get at most 5
    assert b.get("/api/current_instance").json["total_instances"] == 5
    assert a.get("/api/current_instance").json["total_instances"] == 5


def test_max_annotations_per_user(make_project):
    app = make_project(items=10, max_annotations_per_user=3)
    c = login(app.test_client(), "a")
    assert c.get("/api/current_instance").json["total_instances"] == 3
    assert len(annotate_all(c)) == 3
    assert c.get("/api/current_instance").json["finished"] is True
    r = c.post("/go_to", json={"go_to": "item_009"})
    assert r.status_code == 403 and "maximum" in r.json["error"]


def test_least_annotated_spreads_work(make_project):
    app = make_project(items=3, assignment_strategy="least_annotated")
    a = login(app.test_client(), "a")
    b = login(app.test_client(), "b")
    c = login(app.test_client(), "c")
    firsts = {current_id(a), current_id(b), current_id(c)}
    assert firsts == {"item_001", "item_002", "item_003"}


def test_random_strategy_covers_all_items_without_repeats(make_project):
    app = make_project(items=20, assignment_strategy="random")
    seen = annotate_all(login(app.test_client(), "a"))
    assert sorted(seen) == [f"item_{i:03d}" for i in range(1, 21)]
    orders = {tuple(annotate_all(login(app.test_client(), f"u{i}"))[:5]) for i in range(3)}
    assert len(orders) > 1  # different users, different orders


def test_random_seed_makes_orders_reproducible(make_project, tmp_path):
    app = make_project(items=20, assignment_strategy="random", random_seed=42)
    first = annotate_all(login(app.test_client(), "a"))[:6]
    project = app.extensions["potato_like"]
    from potato_like import create_app
    from tests.conftest import base_config, write_config

    cfg = base_config(assignment_strategy="random", random_seed=42, output_annotation_dir="out2/")
    app2 = create_app(write_config(tmp_path, cfg, "second.yaml"))
    try:
        again = annotate_all(login(app2.test_client(), "a"))[:6]
    finally:
        app2.extensions["potato_like"].close()
    assert first == again
    assert project is not None


def test_expired_lease_returns_item_to_pool_and_keeps_finished_work(make_project):
    app = make_project(items=2, max_annotations_per_item=1, assignment_timeout_minutes=1)
    project = app.extensions["potato_like"]
    a = login(app.test_client(), "a")
    first = current_id(a)
    answer(a, first, **{"sentiment:positive": "1"})
    a.post("/go_to", json={"action": "next_instance"})
    held = current_id(a)  # leased, not finished
    b = login(app.test_client(), "b")
    assert b.get("/api/current_instance").json["finished"] is True
    expired = project.store.assignments.expire_stale(project.policy, now=time.time() + 120)
    assert expired == 1
    assert current_id(b) == held  # the unfinished item went back to the pool
    # a's finished work is kept; a's stale lease is now someone else's
    r = a.get(f"/get_annotations?instance_id={first}")
    assert r.json["label_annotations"] == {"sentiment": {"positive": "1"}}
    r = answer(a, held, **{"sentiment:negative": "1"})
    assert r.status_code == 409 and "another annotator" in r.json["error"]
    page = a.get("/annotate").data.decode()
    assert "lease on this item expired" in page


def test_expired_lease_is_renewed_when_item_is_still_free(make_project):
    app = make_project(items=2, max_annotations_per_item=1, assignment_timeout_minutes=1)
    project = app.extensions["potato_like"]
    a = login(app.test_client(), "a")
    iid = current_id(a)
    assert project.store.assignments.expire_stale(project.policy, now=time.time() + 120) == 1
    assert answer(a, iid, **{"sentiment:positive": "1"}).status_code == 200
    assert a.get("/api/current_instance").json["instance_id"] == iid


def test_registration_does_not_precompute_orderings(make_project):
    app = make_project(items=50)
    login(app.test_client(), "fresh")
    store = app.extensions["potato_like"].store
    # Logging in leases nothing; the first item is leased on first request.
    assert store.assignments.user_items(store.users.by_name("fresh").id) == []


def test_concurrent_users_never_exceed_overlap(make_project):
    app = make_project(items=30, max_annotations_per_item=2)
    counts, errors = annotate_concurrently(app, users=8)
    assert errors == []
    assert max(counts.values()) == 2
    assert sum(counts.values()) == 60  # every item got exactly its 2 annotators
