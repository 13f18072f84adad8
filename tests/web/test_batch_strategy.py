"""`assignment_strategy: batch` (Potato's `batch_assignment`): users get only their cohorts'
items in cohort order, auto groups take at most `max_annotators` annotators even with
concurrent first logins, overlap holds, and bad group files are config errors."""

from __future__ import annotations

import json
import threading

import pytest

from potato_like.config import load_config
from potato_like.errors import ConfigError
from tests.conftest import annotate_all, annotate_concurrently, base_config, login, write_config


def write_rows(path, n=8, annotators=None):
    with path.open("w") as fh:
        for i in range(1, n + 1):
            row = {"id": f"item_{i:03d}", "text": f"text {i}"}
            if annotators and i in annotators:
                row["assigned_annotators"] = annotators[i]
            fh.write(json.dumps(row) + "\n")


@pytest.fixture
def batch_project(tmp_path, open_app):
    def make(batch, annotators=None, n=8, **overrides):
        write_rows(tmp_path / "data.jsonl", n, annotators)
        config = base_config(assignment_strategy="batch", batch_assignment=batch, **overrides)
        return open_app(write_config(tmp_path, config))

    return make


def first_item(app, name):
    info = login(app.test_client(), name).get("/api/current_instance").json
    return None if info.get("finished") else info["instance_id"]


def test_groups_and_annotator_fields_in_cohort_order(batch_project):
    app = batch_project(
        {
            "groups": [
                {"name": "a", "annotators": ["alice"], "instances": ["item_003", "item_001"]},
                {"name": "b", "users": ["bob", "alice"], "items": ["item_002"]},
            ]
        },
        annotators={5: ["alice"], 7: "dave", 8: ["dave", "bob"]},
    )
    assert annotate_all(login(app.test_client(), "alice")) == [
        "item_003",
        "item_001",
        "item_002",
        "item_005",
    ]
    assert annotate_all(login(app.test_client(), "bob")) == ["item_002", "item_008"]
    assert annotate_all(login(app.test_client(), "dave")) == ["item_007", "item_008"]
    assert annotate_all(login(app.test_client(), "carol")) == []  # in no cohort


def test_auto_groups_take_at_most_max_annotators(batch_project):
    app = batch_project(
        {
            "auto_assign_annotators": True,
            "groups": [
                {"name": "g1", "instances": ["item_001", "item_002"], "max_annotators": 1},
                {"name": "g2", "instances": ["item_003"], "slots": 1},
            ],
        }
    )
    assert first_item(app, "u1") == "item_001"
    assert first_item(app, "u2") == "item_003"
    assert first_item(app, "u3") is None  # both groups full
    # u1 stays in g1
    assert annotate_all(login(app.test_client(), "u1")) == ["item_001", "item_002"]


def test_pins_survive_a_restart(batch_project, tmp_path, open_app):
    batch = {
        "auto_assign_annotators": True,
        "groups": [
            {"name": "g1", "instances": ["item_001"], "max_annotators": 1},
            {"name": "g2", "instances": ["item_002"], "max_annotators": 1},
        ],
    }
    app = batch_project(batch)
    assert first_item(app, "u1") == "item_001"
    again = open_app(tmp_path / "config.yaml")
    assert first_item(again, "u2") == "item_002"
    assert first_item(again, "u3") is None


def test_concurrent_first_logins_never_overfill_a_group(batch_project):
    app = batch_project(
        {
            "auto_assign_annotators": True,
            "groups": [
                {"name": f"g{g}", "instances": [f"item_{i:03d}" for i in (2 * g + 1, 2 * g + 2)]}
                for g in range(4)
            ],
        },
        max_annotations_per_item=2,  # also each group's default max_annotators
    )
    got: dict[str, str | None] = {}

    def work(name):
        got[name] = first_item(app, name)

    threads = [threading.Thread(target=work, args=(f"user{i}",)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    firsts = [v for v in got.values() if v is not None]
    assert len(firsts) == 8  # 4 groups x 2 annotators; two users get nothing
    store = app.extensions["potato_like"].store
    for i in range(1, 9):
        assert store.items.by_id(f"item_{i:03d}").holders <= 2


def test_overlap_holds_under_concurrency(batch_project):
    users = [f"user{i}" for i in range(6)]
    app = batch_project(
        {"groups": [{"annotators": users, "instances": [f"item_{i:03d}" for i in range(1, 9)]}]},
        max_annotations_per_item=2,
    )
    counts, errors = annotate_concurrently(app, users=6)
    assert errors == []
    assert set(counts.values()) == {2} and len(counts) == 8


def test_group_files_give_ids(tmp_path, batch_project):
    (tmp_path / "round2.jsonl").write_text(
        json.dumps({"id": "item_004"}) + "\n" + json.dumps({"id": "item_002"}) + "\n"
    )
    (tmp_path / "ids.json").write_text(json.dumps({"instances": ["item_006"]}))
    app = batch_project(
        {
            "groups": [
                {"annotators": ["ann"], "instances_file": "round2.jsonl"},
                {"annotators": ["ann"], "items_file": {"path": "ids.json"}},
            ]
        }
    )
    assert annotate_all(login(app.test_client(), "ann")) == ["item_004", "item_002", "item_006"]


@pytest.mark.parametrize(
    ("group", "message"),
    [
        ({"annotators": ["a"], "instances_file": "../outside.jsonl"}, "outside task_dir"),
        ({"annotators": ["a"], "instances_file": "missing.jsonl"}, "no such file"),
        ({"annotators": ["a"], "instances": ["x"], "max_annotators": 0}, "max_annotators"),
        ("not a mapping", "groups"),
    ],
)
def test_bad_groups_are_config_errors(tmp_path, group, message):
    write_rows(tmp_path / "data.jsonl")
    config = base_config(assignment_strategy="batch", batch_assignment={"groups": [group]})
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path, config))
    assert message in str(err.value)
