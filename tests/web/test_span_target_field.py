"""Potato's multi-span mode: `instance_display` text fields marked `span_target` take spans
too; a span names its field in `target_field` and its offsets count in that field's text."""

from __future__ import annotations

import json

import pytest

from tests.conftest import base_config, current_id, login, write_config

PREMISE = "The cat sat on the mat while the dog slept nearby."
HYPOTHESIS = "An animal was resting on a surface."
SCHEME = {"annotation_type": "span", "name": "alignment", "labels": ["MATCH", "MISMATCH"]}
DISPLAY = {
    "fields": [
        {"key": "premise", "type": "text", "label": "Premise", "span_target": True},
        {"key": "hypothesis", "type": "text", "label": "Hypothesis", "span_target": True},
    ]
}


@pytest.fixture
def app(tmp_path, open_app):
    row = {"id": "p1", "premise": PREMISE, "hypothesis": HYPOTHESIS}
    (tmp_path / "data.jsonl").write_text(json.dumps(row) + "\n")
    config = base_config(
        annotation_schemes=[SCHEME],
        item_properties={"id_key": "id", "text_key": "premise"},
        instance_display=DISPLAY,
    )
    return open_app(write_config(tmp_path, config))


def send(client, iid, spans):
    body = {"instance_id": iid, "span_annotations": {"alignment": spans}}
    return client.post("/updateinstance", json=body)


def stored(client, iid):
    return client.get(f"/api/spans/{iid}").json["spans"]


def test_the_page_marks_both_fields_and_sends_their_texts(app):
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    assert 'id="instance-text"' in page  # the text_key field hosts spans as before
    assert 'data-span-field="hypothesis"' in page and 'data-span-field="premise"' not in page
    blob = page.split('id="span-page">', 1)[1].split("</script>", 1)[0]
    data = json.loads(blob)
    assert data["targets"] == {"hypothesis": HYPOTHESIS} and data["text_tag"] == "premise"
    assert not any("span_target" in w for w in app.extensions["potato_like"].config.warnings)


def test_a_span_on_the_other_field_counts_offsets_in_that_field(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    on_hyp = {
        "label": "MATCH",
        "start": 3,
        "end": 9,
        "text": "animal",
        "target_field": "hypothesis",
    }
    on_premise = {"label": "MATCH", "start": 4, "end": 7, "text": "cat", "target_field": "premise"}
    same_offsets = {"label": "MATCH", "start": 4, "end": 7}  # no target_field: the item text
    got = send(ann, iid, [on_hyp, on_premise, same_offsets])
    assert got.status_code == 200, got.json
    spans = stored(ann, iid)
    fields = sorted((s.get("target_field") or "", s["text"]) for s in spans)
    assert fields == [("", "cat"), ("hypothesis", "animal"), ("premise", "cat")]
    assert len({s["id"] for s in spans}) == 3
    # the annotator's output file (Potato's annotated_instances.jsonl) carries the field
    project = app.extensions["potato_like"]
    project.output.flush()
    line = (project.config.output_dir / "ann" / "annotated_instances.jsonl").read_text()
    written = json.loads(line.splitlines()[0])["span_annotations"]
    assert sorted(s.get("target_field") or "" for s in written) == ["", "hypothesis", "premise"]


@pytest.mark.parametrize(
    ("span", "words"),
    [
        ({"label": "MATCH", "start": 0, "end": 2, "target_field": "nope"}, "not a span target"),
        ({"label": "MATCH", "start": 30, "end": 40, "target_field": "hypothesis"}, "out of range"),
        (
            {
                "label": "MATCH",
                "start": 3,
                "end": 9,
                "text": "cat sa",
                "target_field": "hypothesis",
            },
            "does not match",
        ),
        ({"label": "MATCH", "start": 0, "end": 2, "target_field": ["hypothesis"]}, "not a span"),
    ],
)
def test_bad_target_fields_are_refused_and_nothing_is_written(app, span, words):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    got = send(ann, iid, [span])
    assert got.status_code == 400 and words in got.json["error"]
    assert stored(ann, iid) == []


def test_without_span_targets_a_target_field_is_refused(make_project):
    app = make_project(schemes=[{**SCHEME, "labels": ["PER"]}])
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    got = send(ann, iid, [{"label": "PER", "start": 0, "end": 2, "target_field": "text"}])
    assert got.status_code == 400 and "spans here are on the item text" in got.json["error"]


def test_a_scheme_target_field_puts_its_spans_on_that_field(tmp_path, open_app):
    row = {"id": "p1", "premise": PREMISE, "hypothesis": HYPOTHESIS}
    (tmp_path / "data.jsonl").write_text(json.dumps(row) + "\n")
    hyp_only = {**SCHEME, "name": "hyp", "target_field": "hypothesis"}
    config = base_config(
        annotation_schemes=[hyp_only],
        item_properties={"id_key": "id", "text_key": "premise"},
        instance_display=DISPLAY,
    )
    app = open_app(write_config(tmp_path, config))
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    body = {
        "instance_id": iid,
        "span_annotations": {"hyp": [{"label": "MATCH", "start": 3, "end": 9}]},
    }
    assert ann.post("/updateinstance", json=body).status_code == 200
    (span,) = stored(ann, iid)
    assert span["target_field"] == "hypothesis" and span["text"] == "animal"
    wrong = {"label": "MATCH", "start": 4, "end": 7, "target_field": "premise"}
    body = {"instance_id": iid, "span_annotations": {"hyp": [wrong]}}
    got = ann.post("/updateinstance", json=body)
    assert got.status_code == 400 and "go on 'hypothesis'" in got.json["error"]


def test_a_target_field_that_is_not_a_span_target_warns(tmp_path, open_app):
    from potato_like.config import load_config

    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "a", "text": "Hello there"}) + "\n")
    scheme = {**SCHEME, "target_field": "conversation"}
    config = load_config(write_config(tmp_path, base_config(annotation_schemes=[scheme])))
    assert any(
        "target_field: 'conversation' is not an instance_display text field" in w
        for w in config.warnings
    )
    app = open_app(write_config(tmp_path, base_config(annotation_schemes=[scheme])))
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    body = {
        "instance_id": iid,
        "span_annotations": {"alignment": [{"label": "MATCH", "start": 0, "end": 5}]},
    }
    assert ann.post("/updateinstance", json=body).status_code == 200  # on the item text
