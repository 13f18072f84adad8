"""`assignment_strategy: psychometric` (Potato's adaptive routing) on SQLite: settled items
come last, the model follows the saves, cold start draws at random, overlap holds under
concurrency, and the `psychometrics` block is validated."""

from __future__ import annotations

import pytest

from potato_like.errors import ConfigError
from tests.conftest import annotate_concurrently, answer, current_id, login


@pytest.fixture
def project(make_project):
    def make(psychometrics=None, **overrides):
        settings = {
            "assignment_strategy": "psychometric",
            "max_annotations_per_item": 3,
            "psychometrics": {
                "enabled": True,
                "schema": "sentiment",
                "refit_interval": 1,
                "min_observations": 4,
                "min_annotators_per_item": 2,
                "confidence_threshold": 0.9,
                **(psychometrics or {}),
            },
        }
        return make_project(items=5, **{**settings, **overrides})

    return make


def label(client, item_id, value):
    client.post("/go_to", json={"go_to": item_id})
    assert current_id(client) == item_id
    assert answer(client, item_id, **{f"sentiment:{value}": "1"}).status_code == 200


def order_for(app, name):
    c = login(app.test_client(), name)
    seen = []
    for _ in range(5):
        info = c.get("/api/current_instance").json
        if info.get("finished"):
            break
        seen.append(info["instance_id"])
        c.post("/go_to", json={"action": "next_instance"})  # skip: leases the next one
    return seen


def test_settled_items_come_last_and_contested_ones_first(project):
    app = project()
    a, b = login(app.test_client(), "a"), login(app.test_client(), "b")
    for item_id, (va, vb) in {
        "item_001": ("positive", "positive"),
        "item_002": ("positive", "positive"),
        "item_003": ("positive", "negative"),
    }.items():
        label(a, item_id, va)
        label(b, item_id, vb)
    strategy = app.extensions["potato_like"].policy.strategy
    assert strategy.model.fitted and strategy.model.observations == 6
    first = current_id(login(app.test_client(), "c"))
    assert first in ("item_003", "item_004", "item_005")  # never a settled item first
    # b comes round on item_003: now it is settled too, and the unseen items lead
    label(b, "item_003", "positive")
    assert current_id(login(app.test_client(), "d")) in ("item_004", "item_005")


def test_cold_start_draws_items_at_random(project):
    app = project({"min_observations": 1000}, random_seed=7)
    orders = {tuple(order_for(app, f"u{i}")[:2]) for i in range(6)}
    assert len(orders) > 1  # not everyone in file order


@pytest.mark.parametrize("min_observations", [0, 1000])
def test_overlap_holds_under_concurrency(project, min_observations):
    app = project({"min_observations": min_observations}, max_annotations_per_item=2)
    counts, errors = annotate_concurrently(app, users=6)
    assert errors == []
    assert dict(counts) == {f"item_{i:03d}": 2 for i in range(1, 6)}


def test_a_restart_keys_items_from_stored_answers(project, tmp_path, open_app):
    app = project()
    a, b = login(app.test_client(), "a"), login(app.test_client(), "b")
    for item_id in ("item_001", "item_002"):
        label(a, item_id, "positive")
        label(b, item_id, "positive")
    label(a, "item_005", "negative")
    label(b, "item_005", "positive")
    again = open_app(tmp_path / "config.yaml")
    order = order_for(again, "c")
    assert set(order[-2:]) == {"item_001", "item_002"}  # settled: last


@pytest.mark.parametrize(
    "block, message",
    [
        ({"schema": "sentimnt"}, "did you mean 'sentiment'"),
        ({"confidence_threshold": 0.3}, "psychometrics.confidence_threshold"),
        ({"refit_interval": 0}, "psychometrics.refit_interval"),
    ],
)
def test_bad_settings_stop_the_start(project, block, message):
    with pytest.raises(ConfigError) as err:
        project(block)
    assert message in str(err.value)


def test_needs_a_single_choice_scheme(make_project):
    text = [{"annotation_type": "text", "name": "notes", "description": "Notes"}]
    with pytest.raises(ConfigError, match="needs a single-choice scheme"):
        make_project(items=2, schemes=text, assignment_strategy="psychometric")


def test_block_without_the_strategy_warns(make_project):
    app = make_project(items=2, psychometrics={"enabled": True})
    warnings = app.extensions["potato_like"].config.warnings
    assert any("psychometrics" in w and "assignment_strategy: psychometric" in w for w in warnings)
