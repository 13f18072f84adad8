"""Potato's `filter_by_prior_annotation`: a data_files entry imports only the items an earlier
project labelled a given way (its per-user user_state.json files, Potato's or ours)."""

from __future__ import annotations

import json

import pytest

from potato_like.errors import ConfigError
from tests.conftest import answer, base_config, login, radio, write_config, write_items


def potato_state(directory, user, labels):
    (directory / user).mkdir(parents=True)
    state = {
        "user_id": user,
        "instance_id_to_label_to_value": {
            item: [[{"schema": "quality", "name": name}, True]] for item, name in labels.items()
        },
    }
    (directory / user / "user_state.json").write_text(json.dumps(state))


def ids(app):
    store = app.extensions["potato_like"].store
    return sorted(i for i in (f"item_{k:03d}" for k in range(1, 6)) if store.items.by_id(i))


def entry(**filter_):
    return {
        "path": "data.jsonl",
        "filter_by_prior_annotation": {"annotation_dir": "triage", **filter_},
    }


@pytest.fixture
def triage(tmp_path):
    write_items(tmp_path / "data.jsonl", 5)
    potato_state(tmp_path / "triage", "ann1", {"item_001": "accept", "item_002": "reject"})
    potato_state(tmp_path / "triage", "ann2", {"item_003": "accept", "item_004": "maybe"})
    return tmp_path


def test_only_items_labelled_with_the_value_are_imported(triage, open_app):
    config = base_config(data_files=[entry(schema="quality", value="accept")])
    app = open_app(write_config(triage, config))
    assert ids(app) == ["item_001", "item_003"]
    warnings = app.extensions["potato_like"].import_report.warnings
    assert any("left out 3 item(s), kept 2" in w for w in warnings)


def test_a_list_of_values_and_invert(triage, open_app):
    config = base_config(data_files=[entry(schema="quality", value=["accept", "maybe"])])
    assert ids(open_app(write_config(triage, config))) == ["item_001", "item_003", "item_004"]


def test_invert_keeps_the_others(tmp_path, open_app):
    write_items(tmp_path / "data.jsonl", 5)
    potato_state(tmp_path / "triage", "ann1", {"item_001": "accept", "item_002": "reject"})
    config = base_config(data_files=[entry(schema="quality", value="reject", invert=True)])
    app = open_app(write_config(tmp_path, config))
    assert ids(app) == ["item_001", "item_003", "item_004", "item_005"]


def test_chaining_from_one_of_our_projects(tmp_path, open_app):
    first_dir = tmp_path / "first"
    first_dir.mkdir()
    write_items(first_dir / "data.jsonl", 3)
    first = open_app(
        write_config(
            first_dir, base_config(annotation_schemes=[radio("quality", ["accept", "reject"])])
        )
    )
    c = login(first.test_client(), "ann")
    for item, label in (("item_001", "reject"), ("item_002", "accept")):
        c.post("/go_to", json={"go_to": item})
        assert answer(c, item, **{f"quality:{label}": "1"}).status_code == 200
    first.extensions["potato_like"].output.flush()
    second_dir = tmp_path / "second"
    second_dir.mkdir()
    write_items(second_dir / "data.jsonl", 3)
    flt = {"annotation_dir": "../first/out", "schema": "quality", "value": "accept"}
    config = base_config(data_files=[{"path": "data.jsonl", "filter_by_prior_annotation": flt}])
    second = open_app(write_config(second_dir, config))
    store = second.extensions["potato_like"].store
    assert store.items.by_id("item_002") and not store.items.by_id("item_001")


@pytest.mark.parametrize(
    "flt, message",
    [
        ({"schema": "quality"}, "filter_by_prior_annotation.value: is required"),
        ({"value": "accept"}, "filter_by_prior_annotation.schema: is required"),
    ],
)
def test_incomplete_filters_stop_the_start(triage, open_app, flt, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        open_app(write_config(triage, base_config(data_files=[entry(**flt)])))
