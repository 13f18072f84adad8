"""Span `bad_text_label`: Potato's "this text cannot be annotated" checkbox, sent as
`"<schema>:bad_text"`, stored next to the spans, read back in label_annotations."""

from __future__ import annotations

import pytest

from potato_like.errors import ConfigError
from tests.conftest import current_id, login


def span_scheme(**options):
    return {"annotation_type": "span", "name": "ner", "labels": ["PER", "LOC"], **options}


def spans_of(client, iid):
    return client.get(f"/api/spans/{iid}").json["spans"]


def labels_of(client, iid):
    return client.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]


@pytest.mark.parametrize("option", ["Nothing to mark", {"label_content": "Nothing to mark"}])
def test_the_checkbox_on_the_page_and_its_wire_format(make_project, option):
    app = make_project(schemes=[span_scheme(bad_text_label=option)])
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    page = ann.get("/annotate").data.decode()
    assert 'name="ner:bad_text" data-scheme="ner" data-label="bad_text"' in page
    assert "Nothing to mark" in page
    span = {"label": "PER", "start": 0, "end": 4}
    # the page's save: the spans and the checkbox together
    body = {
        "instance_id": iid,
        "annotations": {"ner:bad_text": "1"},
        "span_annotations": {"ner": [span]},
    }
    assert ann.post("/updateinstance", json=body).status_code == 200
    assert labels_of(ann, iid) == {"ner": {"bad_text": "1"}}
    assert len(spans_of(ann, iid)) == 1
    assert "checked" in ann.get("/annotate").data.decode().split('data-label="bad_text"')[1][:20]
    # spans alone (an API client): the flag stays
    body = {"instance_id": iid, "span_annotations": {"ner": []}}
    assert ann.post("/updateinstance", json=body).status_code == 200
    assert labels_of(ann, iid) == {"ner": {"bad_text": "1"}} and spans_of(ann, iid) == []
    # the flag alone: spans stay; "0" clears it
    body = {"instance_id": iid, "span_annotations": {"ner": [span]}}
    assert ann.post("/updateinstance", json=body).status_code == 200
    body = {"instance_id": iid, "annotations": {"ner:bad_text": "0"}}
    assert ann.post("/updateinstance", json=body).status_code == 200
    assert labels_of(ann, iid) == {} and len(spans_of(ann, iid)) == 1


def test_bad_text_satisfies_a_required_span_scheme(make_project):
    app = make_project(
        schemes=[span_scheme(bad_text_label="Unusable", label_requirement={"required": True})]
    )
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    body = {"instance_id": iid, "annotations": {"ner:bad_text": "0"}, "draft": False}
    r = ann.post("/updateinstance", json=body)
    assert r.status_code == 400 and "at least one span is required" in r.json["error"]
    body["annotations"] = {"ner:bad_text": "1"}
    assert ann.post("/updateinstance", json=body).status_code == 200


def test_bad_text_without_the_option_or_with_a_bad_value_is_refused(make_project):
    app = make_project(schemes=[span_scheme()])
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = ann.post("/updateinstance", json={"instance_id": iid, "annotations": {"ner:bad_text": "1"}})
    assert r.status_code == 400 and "no bad_text_label option" in r.json["error"]
    app = make_project(schemes=[span_scheme(bad_text_label="x")])
    ann = login(app.test_client(), "bob")
    iid = current_id(ann)
    body = {"instance_id": iid, "annotations": {"ner:bad_text": ["1"]}}
    r = ann.post("/updateinstance", json=body)
    assert r.status_code == 400 and "bad_text" in r.json["error"]
    assert labels_of(ann, iid) == {}


@pytest.mark.parametrize(
    ("option", "words"),
    [({"text": "x"}, "a mapping needs label_content"), (3, "must be the option's text")],
)
def test_bad_option_is_a_config_problem(make_project, option, words):
    with pytest.raises(ConfigError) as err:
        make_project(schemes=[span_scheme(bad_text_label=option)])
    assert f"bad_text_label: {words}" in str(err.value)


def test_the_checkbox_change_is_tracked(make_project):
    app = make_project(schemes=[span_scheme(bad_text_label="x")])
    ann = login(app.test_client(), "ann")
    body = {
        "instance_id": current_id(ann),
        "schema": "ner",
        "label": "bad_text",
        "action": "select",
    }
    r = ann.post("/api/track_annotation_change", json=body)
    assert r.status_code == 200, r.json
    r = ann.post("/api/track_annotation_change", json={**body, "label": "nope"})
    assert r.status_code == 400
