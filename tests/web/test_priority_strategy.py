"""`assignment_strategy: priority` with Potato's `triage` rules: items with the highest
priority are served first (ties in file order), overlap holds under concurrency, keys follow
changed rules at the next start, and bad rules are config errors."""

from __future__ import annotations

import json

import pytest

from potato_like.assign.triage import TriageConfig, TriageRule
from potato_like.config import load_config
from potato_like.errors import ConfigError
from tests.conftest import (
    annotate_all,
    annotate_concurrently,
    base_config,
    login,
    write_config,
)

# item_001 .. item_008 with a status and a score
ROWS = [
    ("item_001", "ok", 0.9),
    ("item_002", "error", 0.9),
    ("item_003", "ok", 0.2),
    ("item_004", "ok", 0.7),
    ("item_005", "failed", 0.1),
    ("item_006", "ok", 0.3),
    ("item_007", "ok", None),
    ("item_008", "ok", 0.95),
]
RULES = [
    {"name": "errored", "when": {"field": "status", "in": ["error", "failed"]}, "priority": 100},
    {"name": "low", "when": {"field": "meta.score", "lt": 0.5}, "priority": 60},
]


def write_rows(path, rows=ROWS):
    with path.open("w") as fh:
        for item_id, status, score in rows:
            row = {"id": item_id, "text": f"text {item_id}", "status": status}
            if score is not None:
                row["meta"] = {"score": score}
            fh.write(json.dumps(row) + "\n")


@pytest.fixture
def priority_project(tmp_path, open_app):
    def make(triage=None, **overrides):
        write_rows(tmp_path / "data.jsonl")
        config = base_config(
            assignment_strategy="priority",
            triage={"enabled": True, "rules": RULES} if triage is None else triage,
            **overrides,
        )
        return open_app(write_config(tmp_path, config)), tmp_path

    return make


def test_highest_priority_first_then_file_order(priority_project):
    app, _ = priority_project()
    order = annotate_all(login(app.test_client(), "ann"))
    # errored (100) in file order, then low scores (60), then the rest (0) in file order
    assert order == [
        "item_002",
        "item_005",
        "item_003",
        "item_006",
        "item_001",
        "item_004",
        "item_007",
        "item_008",
    ]


def test_signal_field_and_ascending_order(priority_project):
    app, _ = priority_project(
        triage={
            "enabled": True,
            "signal_field": "meta.score",
            "order": "asc",
            "default_priority": 5,
        }
    )
    order = annotate_all(login(app.test_client(), "ann"))
    # lowest score first; item_007 has no score: the default priority 5 puts it last
    assert order == [
        "item_005",
        "item_003",
        "item_006",
        "item_004",
        "item_001",
        "item_002",
        "item_008",
        "item_007",
    ]


def test_overlap_holds_under_concurrency(priority_project):
    app, _ = priority_project(max_annotations_per_item=2)
    counts, errors = annotate_concurrently(app, users=6)
    assert errors == []
    assert set(counts.values()) == {2}
    assert len(counts) == len(ROWS)


def test_the_second_annotator_gets_the_top_item_too(priority_project):
    app, _ = priority_project(max_annotations_per_item=2)
    first = login(app.test_client(), "a").get("/api/current_instance").json["instance_id"]
    second = login(app.test_client(), "b").get("/api/current_instance").json["instance_id"]
    third = login(app.test_client(), "c").get("/api/current_instance").json["instance_id"]
    assert (first, second, third) == ("item_002", "item_002", "item_005")


def test_changed_rules_reorder_at_the_next_start(priority_project, tmp_path, open_app):
    app, root = priority_project()
    assert login(app.test_client(), "a").get("/api/current_instance").json["instance_id"] == (
        "item_002"
    )
    config = base_config(
        assignment_strategy="priority",
        triage={"enabled": True, "signal_field": "meta.score"},  # high score first
    )
    app2 = open_app(write_config(root, config))
    got = login(app2.test_client(), "b").get("/api/current_instance").json["instance_id"]
    assert got == "item_008"


def test_triage_alone_selects_the_priority_strategy(tmp_path):
    write_rows(tmp_path / "data.jsonl")
    cfg = load_config(write_config(tmp_path, base_config(triage={"enabled": True})))
    assert cfg.assignment_strategy == "priority"
    assert cfg.triage.active_rules()  # Potato's built-in rules when none are given


def test_potato_mapping_form_of_the_strategy(tmp_path):
    write_rows(tmp_path / "data.jsonl")
    cfg = load_config(write_config(tmp_path, base_config(assignment_strategy={"name": "priority"})))
    assert cfg.assignment_strategy == "priority"


@pytest.mark.parametrize(
    ("triage", "message"),
    [
        ({"enabled": True, "order": "up"}, "triage.order"),
        ({"enabled": True, "rules": [{"when": {"field": "x"}, "priority": 1}]}, "rules[0].when"),
        ({"enabled": True, "rules": [{"when": {"field": "x", "lt": 1, "gt": 0}}]}, "exactly one"),
        ({"enabled": True, "rules": ["x"]}, "rules"),
        ({"enabled": True, "rules": [{"when": {"field": "x", "in": 3}}]}, "'in' must be a list"),
    ],
)
def test_bad_triage_settings_are_errors(tmp_path, triage, message):
    write_rows(tmp_path / "data.jsonl")
    path = write_config(tmp_path, base_config(assignment_strategy="priority", triage=triage))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert message in str(err.value)


def test_conditions_follow_potatos_grammar():
    rule = TriageRule("r", {"field": "tags", "contains": "Urgent"}, 7)
    cfg = TriageConfig(enabled=True, rules=(rule,))
    assert cfg.score({"tags": ["urgent", "x"]}) == 7
    assert cfg.score({"tags": "not urgent at all"}) == 7
    assert cfg.score({"tags": ["x"]}) == 0
    exists = TriageConfig(
        enabled=True, rules=(TriageRule("e", {"field": "a.b", "exists": True}, 3),)
    )
    assert exists.score({"a": {"b": 0}}) == 3
    assert exists.score({"a": {}}) == 0
    # keys: high first by default, thousandths, clamped
    assert cfg.queue_key({"tags": ["urgent"]}) == -7000
    huge = TriageConfig(enabled=True, signal_field="s")
    assert huge.queue_key({"s": 1e12}) == -2_000_000_000
