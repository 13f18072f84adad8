"""`assignment_strategy: max_diversity`: the open items with the most disagreement come first
(Potato's score), kept up to date by every save; restarts recompute stale scores; overlap holds
under concurrency."""

from __future__ import annotations

import pytest

from potato_like.assign.disagreement import disagreement
from tests.conftest import annotate_concurrently, answer, current_id, login


@pytest.fixture
def project(make_project):
    def make(**overrides):
        settings = {"assignment_strategy": "max_diversity", "max_annotations_per_item": 3}
        return make_project(items=5, **{**settings, **overrides})

    return make


def label(client, item_id, value):
    client.post("/go_to", json={"go_to": item_id})
    assert current_id(client) == item_id
    assert answer(client, item_id, **{f"sentiment:{value}": "1"}).status_code == 200


def test_disagreed_items_come_first_and_follow_each_save(project):
    app = project()
    a, b = login(app.test_client(), "a"), login(app.test_client(), "b")
    # item_003: a and b disagree; item_002: they agree
    for item_id, (va, vb) in {
        "item_002": ("positive", "positive"),
        "item_003": ("positive", "negative"),
    }.items():
        label(a, item_id, va)
        label(b, item_id, vb)
    assert current_id(login(app.test_client(), "c")) == "item_003"
    # b changes their mind on item_003: now nobody disagrees anywhere -> file order again
    label(b, "item_003", "positive")
    assert current_id(login(app.test_client(), "d")) == "item_001"


def test_scores_are_recomputed_after_running_another_strategy(project, tmp_path, open_app):
    import yaml

    project()  # max_diversity ran once: its keys are marked current

    def reopen(strategy):
        cfg = yaml.safe_load((tmp_path / "config.yaml").read_text())
        cfg["assignment_strategy"] = strategy
        (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
        return open_app(tmp_path / "config.yaml")

    plain = reopen("fixed_order")  # its saves do not keep the scores
    a, b = login(plain.test_client(), "a"), login(plain.test_client(), "b")
    label(a, "item_004", "positive")
    label(b, "item_004", "negative")
    again = reopen("max_diversity")
    assert current_id(login(again.test_client(), "c")) == "item_004"


def test_overlap_holds_under_concurrency(project):
    app = project(max_annotations_per_item=2)
    counts, errors = annotate_concurrently(app, users=5)
    assert errors == []
    assert set(counts.values()) == {2} and len(counts) == 5


def test_potatos_score():
    pos, neg, neu = '{"positive": "1"}', '{"negative": "1"}', '{"neutral": "1"}'
    assert disagreement([(1, "s", pos)]) == 0.0  # one annotator
    assert disagreement([(1, "s", pos), (2, "s", pos)]) == 0.0
    assert disagreement([(1, "s", pos), (2, "s", neg), (3, "s", pos)]) == 0.5
    assert disagreement([(1, "s", pos), (2, "s", neg), (3, "s", neu)]) == 1.0
    # span ids differ per annotator; the same span and label is agreement
    s1 = '{"spans": [{"id": "a1", "label": "PER", "start": 0, "end": 4}]}'
    s2 = '{"spans": [{"id": "b7", "label": "PER", "start": 0, "end": 4}]}'
    assert disagreement([(1, "e", s1), (2, "e", s2)]) == 0.0
