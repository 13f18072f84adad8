"""/updateinstance and form parsing ask each scheme how it is sent (schemes own their wire
format): the backend format's `type`, structured body fields, keyed span entries and the
no-JavaScript form keep their shapes and messages."""

from __future__ import annotations

import pytest

from potato_like.config.reader import ConfigReader
from potato_like.errors import BadAnnotation
from potato_like.schemes.registry import backend_types, scheme_class
from potato_like.submission import SchemeSet, form_to_update, parse_update


def schemes(tmp_path, *entries):
    out = []
    for i, entry in enumerate(entries):
        problems: list[str] = []
        reader = ConfigReader(entry, f"annotation_schemes[{i}]", problems, [])
        out.append(scheme_class(entry["annotation_type"])(reader, i, tmp_path))
        assert not problems, problems
    by_name = {s.name: s for s in out}
    for s in out:
        s.resolve_references(by_name, ConfigReader(entries[s.index], "", [], []))
    return SchemeSet(out)


RADIO = {"annotation_type": "radio", "name": "sentiment", "labels": ["pos", "neg"]}
MULTI = {"annotation_type": "multiselect", "name": "topics", "labels": ["a", "b"]}
TEXT = {"annotation_type": "text", "name": "note"}
SPAN = {"annotation_type": "span", "name": "ner", "labels": ["PER", "LOC"]}
LINK = {
    "annotation_type": "span_link",
    "name": "rel",
    "span_schema": "ner",
    "link_types": [{"name": "near"}],
}


def backend(schema, kind, state=()):
    return {"instance_id": "i1", "schema": schema, "type": kind, "state": list(state)}


@pytest.mark.parametrize(
    "body, message",
    [
        (
            backend("sentiment", "bbox"),
            # every registered type's backend names, from the registry (types get added)
            "type 'bbox' is not supported (use one of "
            + ", ".join(repr(t) for t in backend_types())
            + ")",
        ),
        (backend("sentiment", "span"), "'sentiment' is not a span scheme"),
        (
            {"instance_id": "i1", "annotations": {"rel:near": "1"}},
            "'rel' is a span_link scheme: send it in 'link_annotations', not as rel:near",
        ),
        (
            {"instance_id": "i1", "span_annotations": {"x:PER:0:2": "true"}},
            "span_annotations: 'x' is not a span scheme (ner)",
        ),
    ],
)
def test_refusals_name_the_right_field_and_type(tmp_path, body, message):
    config = schemes(tmp_path, RADIO, SPAN, LINK)
    with pytest.raises(BadAnnotation) as err:
        parse_update(body, config)
    assert str(err.value) == message


def test_a_project_without_the_type_says_so(tmp_path):
    config = schemes(tmp_path, RADIO)
    with pytest.raises(BadAnnotation, match="type 'span': this project has no span schemes"):
        parse_update(backend("sentiment", "span"), config)
    body = {"instance_id": "i1", "link_annotations": [{"schema": "rel"}]}
    with pytest.raises(BadAnnotation, match="'link_annotations': this project has no span_link"):
        parse_update(body, config)


def test_backend_span_state_and_keyed_entries_become_entries(tmp_path):
    config = schemes(tmp_path, RADIO, SPAN, LINK)
    state = [{"name": "PER", "start": 0, "end": 2, "value": "true"}]
    update = parse_update(backend("ner", "span", state), config)
    # marked for Potato's backend id shape, <schema>_<label>_<start>_<end> (schemes/span.py)
    assert update.structured == {"ner": [{**state[0], "label": "PER", "_default_id": "backend"}]}
    # a label-type body naming a span scheme is read as its spans, as before
    assert parse_update(backend("ner", "label", state), config).structured["ner"][0]["label"]
    keyed = parse_update({"instance_id": "i1", "span_annotations": {"ner:LOC:3:5": "1"}}, config)
    assert keyed.structured == {"ner": [{"label": "LOC", "start": "3", "end": "5", "value": "1"}]}
    labels = parse_update(backend("sentiment", None, [{"name": "pos", "value": 1}]), config)
    assert labels.incoming == {"sentiment": {"pos": 1}}


@pytest.mark.parametrize("kind", ["radio", "likert", "text", "textbox", "slider", "number"])
def test_potato_type_names_in_the_backend_format_are_label_updates(tmp_path, kind):
    """Potato's clients send the scheme's own type name (or another type's) as `type`; the
    scheme named by `schema` decides how the state is read."""
    config = schemes(tmp_path, RADIO, TEXT, SPAN)
    update = parse_update(backend("sentiment", kind, [{"name": "pos", "value": "pos"}]), config)
    assert update.incoming == {"sentiment": {"pos": "pos"}}
    with pytest.raises(BadAnnotation, match="unknown schema 'mood'"):
        parse_update(backend("mood", kind, [{"name": "pos", "value": "pos"}]), config)


def test_the_no_javascript_form_sends_every_choice_label(tmp_path):
    config = schemes(tmp_path, RADIO, MULTI, TEXT)
    form = {"instance_id": "i1", "sentiment": "neg", "topics:b": "1", "note:text_box": "hi"}
    assert form_to_update(form, config) == {
        "instance_id": "i1",
        "annotations": {
            "sentiment:pos": "0",
            "sentiment:neg": "1",
            "topics:a": "0",
            "topics:b": "1",
            "note:text_box": "hi",
        },
    }
