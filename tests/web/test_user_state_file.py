"""Potato's `<user>/user_state.json`: written by the same flush as annotated_instances.jsonl,
atomically, 0600, with the keys and value shapes of Potato's serialiser (so Potato's export
tool, which reads `instance_id_to_label_to_value` as `[[{schema, name}, value], ...]`, finds
the answers)."""

from __future__ import annotations

import json
import stat

from potato_like.export.user_state import FILE_NAME
from tests.conftest import answer, current_id, login
from tests.web.test_spans import TEXTS, client_for, go_to, save, span_app  # noqa: F401

# The top-level keys of Potato's UserState.to_json() (potato/user_state_management.py).
POTATO_KEYS = {
    "user_id",
    "instance_id_ordering",
    "current_instance_index",
    "current_phase_and_page",
    "completed_phase_and_pages",
    "max_assignments",
    "instance_id_to_behavioral_data",
    "instance_id_to_label_to_value",
    "instance_id_to_span_to_value",
    "phase_to_page_to_label_to_value",
    "phase_to_page_to_span_to_value",
    "training_state",
    "qualified_categories",
    "category_qualification_scores",
    "instance_id_to_keyword_highlight_state",
    "instance_id_to_link_to_value",
    "instance_id_to_event_to_value",
    "crowd_metadata",
}
TRAINING_KEYS = {
    "completed_questions",
    "total_correct",
    "total_attempts",
    "total_mistakes",
    "passed",
    "failed",
    "current_question_index",
    "training_instances",
    "show_feedback",
    "feedback_type",
    "feedback_message",
    "allow_retry",
    "max_mistakes",
    "max_mistakes_per_question",
    "category_scores",
}


def read_state(project, name: str) -> dict:
    return json.loads((project.config.output_dir / name / FILE_NAME).read_text("utf-8"))


def potato_export_labels(state: dict) -> dict:
    """What Potato's export tool makes of the label pairs: {item: {schema: {name: value}}}."""
    out: dict = {}
    for item_id, pairs in state["instance_id_to_label_to_value"].items():
        for label, value in pairs:
            out.setdefault(item_id, {}).setdefault(label["schema"], {})[label["name"]] = value
    return out


def test_state_file_has_potatos_keys_and_label_pairs(make_project):
    app = make_project(items=4, output_flush_seconds=3600, max_annotations_per_user=3)
    project = app.extensions["potato_like"]
    client = login(app.test_client(), "ann")
    first = current_id(client)
    assert answer(client, first, **{"sentiment:positive": "1"}).status_code == 200
    client.post("/go_to", json={"action": "next_instance"})
    second = current_id(client)
    assert answer(client, second, **{"sentiment:negative": "1"}).status_code == 200
    project.output.flush()

    state = read_state(project, "ann")
    assert set(state) == POTATO_KEYS
    assert set(state["training_state"]) == TRAINING_KEYS
    assert state["user_id"] == "ann"
    assert state["instance_id_ordering"] == [first, second]
    assert state["current_instance_index"] == 1
    assert state["current_phase_and_page"] == ["annotation", "annotation"]
    assert state["max_assignments"] == 3
    assert state["instance_id_to_label_to_value"][first] == [
        [{"schema": "sentiment", "name": "positive"}, "1"]
    ]
    assert potato_export_labels(state) == {
        first: {"sentiment": {"positive": "1"}},
        second: {"sentiment": {"negative": "1"}},
    }
    # the same answers as the jsonl file written by the same flush
    lines = (project.config.output_dir / "ann" / "annotated_instances.jsonl").read_text()
    from_jsonl = {x["id"]: x["label_annotations"] for x in map(json.loads, lines.splitlines())}
    assert potato_export_labels(state) == from_jsonl


def test_state_file_follows_appends_and_edits_and_is_private(make_project):
    app = make_project(items=4, output_flush_seconds=3600)
    project = app.extensions["potato_like"]
    client = login(app.test_client(), "ann")
    first = current_id(client)
    answer(client, first, **{"sentiment:positive": "1"})
    client.post("/go_to", json={"action": "next_instance"})
    project.output.flush()
    path = project.config.output_dir / "ann" / FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    inode = path.stat().st_ino

    second = current_id(client)  # a new item further down: the jsonl is appended to ...
    answer(client, second, **{"sentiment:neutral": "1"})
    project.output.flush()
    assert set(read_state(project, "ann")["instance_id_to_label_to_value"]) == {first, second}
    assert path.stat().st_ino != inode  # ... and the state file replaced whole (temp + rename)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    answer(client, first, **{"sentiment:negative": "1"})  # an edit rewrites both
    project.output.flush()
    assert potato_export_labels(read_state(project, "ann"))[first] == {
        "sentiment": {"negative": "1"}
    }
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_spans_are_written_as_potato_span_pairs(span_app):  # noqa: F811
    app = span_app(output_flush_seconds=3600)
    project = app.extensions["potato_like"]
    c = client_for(app)
    r = save(c, "t1", [{"label": "PERSON", "start": 0, "end": 12}])
    assert r.status_code == 200, r.json
    project.output.flush()
    state = read_state(project, "ann1")
    [[span, value]] = state["instance_id_to_span_to_value"]["t1"]
    assert value == "PERSON"
    assert {k: span[k] for k in ("schema", "name", "title", "start", "end")} == {
        "schema": "entities",
        "name": "PERSON",
        "title": "PERSON",
        "start": 0,
        "end": 12,
    }
    assert span["id"]
    assert state["instance_id_to_label_to_value"]["t1"] == []


def test_a_user_without_answers_gets_no_state_file_until_they_answer(make_project):
    app = make_project(items=2, output_flush_seconds=3600)
    project = app.extensions["potato_like"]
    login(app.test_client(), "bob")
    project.output.flush()
    assert not (project.config.output_dir / "bob" / FILE_NAME).exists()
