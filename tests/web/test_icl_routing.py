"""ICL verification routing (Potato's `icl_labeling.verification` keys): predictions are
sampled for checking at `sample_rate`; with `mix_with_regular_assignments` a share
`assignment_mix_rate` of new leases hands an annotator one of them (lowest confidence first,
or at random) ahead of the strategy's order. The mix is measured over many requests."""

from __future__ import annotations

import pytest

from potato_like.ai.icl import IclConfig, worker
from potato_like.ai.icl_routing import VerificationMix
from tests.conftest import ADMIN, current_id, login, write_config, write_items
from tests.conftest import base_config as config_with

ITEMS = 240
ROUTED = range(121, 241)  # item_121 .. item_240: far behind fixed_order's cursor


def project(tmp_path, open_app, **verification):
    write_items(tmp_path / "data.jsonl", ITEMS)
    icl = {"enabled": True, "verification": verification}
    config = config_with(
        assignment_strategy="fixed_order", max_annotations_per_item=20, icl_labeling=icl
    )
    app = open_app(write_config(tmp_path, config))
    store = app.extensions["potato_like"].store
    with store.read() as conn:
        seqs = {i: store.items.seq_of(f"item_{i:03d}", conn) for i in ROUTED}
    rows = [
        {
            "seq": seqs[i],
            "label": "positive",
            "confidence": round(0.5 + (i % 97) / 200, 4),
            "provider": "builtin",
            "routed": True,
        }
        for i in ROUTED
    ]
    store.icl.add("sentiment", rows)
    return app


def walk(client, n):
    """The ids of the first `n` items a user is given, one request each ("next" leases)."""
    seen = [current_id(client)]
    for _ in range(n - 1):
        r = client.post("/go_to", json={"action": "next_instance"})
        assert r.status_code == 200, r.json
        seen.append(r.json["instance_id"])
    return seen


def routed_ids():
    return {f"item_{i:03d}" for i in ROUTED}


def test_mix_rate_is_the_share_of_leases_over_many_requests(tmp_path, open_app):
    app = project(tmp_path, open_app, assignment_mix_rate=0.3)
    leased = []
    for n in range(8):
        leased += walk(login(app.test_client(), f"u{n}"), 25)
    assert len(leased) == 200
    share = sum(i in routed_ids() for i in leased) / len(leased)
    # 200 draws at p = 0.3: mean 60, sd 6.5; these bounds are 3 sd either side.
    assert 0.2 <= share <= 0.4, share
    status = app.test_client().get("/admin/api/icl/status", headers=ADMIN).json
    assert status["verification_routing"]["assignment_mix_rate"] == 0.3
    assert status["routed_for_verification"] == 120  # nothing verified yet


def test_lowest_confidence_first_then_the_normal_order(tmp_path, open_app):
    app = project(tmp_path, open_app, assignment_mix_rate=1.0)
    store = app.extensions["potato_like"].store
    by_conf = sorted(ROUTED, key=lambda i: (0.5 + (i % 97) / 200, i))
    leased = walk(login(app.test_client(), "a"), 6)
    assert leased == [f"item_{i:03d}" for i in by_conf[:6]]
    # A routed item closes like any other: with overlap 1 nobody else gets it.
    assert store.icl.metrics("sentiment")["routed_pending"] == 120


def test_random_order_differs_from_confidence_order(tmp_path, open_app):
    app = project(tmp_path, open_app, assignment_mix_rate=1.0, selection_strategy="random")
    leased = walk(login(app.test_client(), "a"), 10)
    assert set(leased) <= routed_ids()
    by_conf = sorted(ROUTED, key=lambda i: (0.5 + (i % 97) / 200, i))
    assert leased != [f"item_{i:03d}" for i in by_conf[:10]]


@pytest.mark.parametrize(
    "verification",
    [
        {"mix_with_regular_assignments": False, "assignment_mix_rate": 1.0},
        {"enabled": False, "assignment_mix_rate": 1.0},
        {"assignment_mix_rate": 0},
    ],
)
def test_no_routing_when_switched_off(tmp_path, open_app, verification):
    app = project(tmp_path, open_app, **verification)
    assert app.extensions["potato_like"].policy.verification_mix is None
    leased = walk(login(app.test_client(), "a"), 20)
    assert leased == [f"item_{i:03d}" for i in range(1, 21)]


def test_sample_rate_is_the_share_of_predictions_routed(tmp_path, open_app):
    app = project(tmp_path, open_app, sample_rate=0.25)
    held = worker(app.extensions["potato_like"])
    share = sum(held.routed() for _ in range(4000)) / 4000
    assert 0.22 <= share <= 0.28  # sd 0.007
    (tmp_path / "b").mkdir()
    off = project(tmp_path / "b", open_app, enabled=False, sample_rate=1.0)
    assert not any(worker(off.extensions["potato_like"]).routed() for _ in range(100))


def test_mixed_takes_both_orders():
    mix = VerificationMix(1.0, "mixed", seed=1)
    draws = [mix.draw() for _ in range(2000)]
    assert 0.45 <= draws.count("random") / 2000 <= 0.55
    assert set(draws) == {"random", "low_confidence"}
    assert VerificationMix(0.0, "random").draw() is None
    assert not IclConfig(mix_rate=0.0).routing and IclConfig().routing


def test_bad_keys_are_config_errors(tmp_path):
    from potato_like import create_app
    from potato_like.errors import ConfigError

    write_items(tmp_path / "data.jsonl", 3)
    icl = {"enabled": True, "verification": {"selection_strategy": "newest", "sample_rate": 2}}
    with pytest.raises(ConfigError) as err:
        create_app(write_config(tmp_path, config_with(icl_labeling=icl)))
    text = str(err.value)
    assert "icl_labeling.verification.selection_strategy" in text
    assert "icl_labeling.verification.sample_rate" in text


@pytest.mark.postgres
@pytest.mark.parametrize("order", ["low_confidence", "random"])
def test_routing_and_the_ai_cache_on_postgres(tmp_path, pg_url, order):
    """The lease path's verification query (FOR UPDATE SKIP LOCKED over a join, ORDER BY
    random()) and the ai_cache upsert on PostgreSQL's dialect."""
    from potato_like import create_app

    write_items(tmp_path / "data.jsonl", 30)
    icl = {"enabled": True, "verification": {"assignment_mix_rate": 1.0,
                                             "selection_strategy": order}}  # fmt: skip
    config = config_with(database_url=pg_url, assignment_strategy="fixed_order",
                         icl_labeling=icl)  # fmt: skip
    app = create_app(write_config(tmp_path, config))
    try:
        store = app.extensions["potato_like"].store
        with store.read() as conn:
            seqs = {i: store.items.seq_of(f"item_{i:03d}", conn) for i in (25, 26, 27)}
        rows = [{"seq": seqs[i], "label": "positive", "confidence": c, "provider": "builtin",
                 "routed": True} for i, c in ((25, 0.9), (26, 0.2), (27, 0.5))]  # fmt: skip
        store.icl.add("sentiment", rows)
        leased = walk(login(app.test_client(), "a"), 4)
        assert set(leased[:3]) == {"item_025", "item_026", "item_027"}
        assert leased[3] == "item_001"
        if order == "low_confidence":
            assert leased[:3] == ["item_026", "item_027", "item_025"]
        store.ai_cache.put("k", {"label": "a"})
        store.ai_cache.put("k", {"label": "b"})
        assert store.ai_cache.get("k") == {"label": "b"} and store.ai_cache.count() == 1
    finally:
        app.extensions["potato_like"].close()
