"""confidence: a likert of `scale_points` named by `labels`, attached to `target_schema`."""

import pytest

from tests.conftest import radio
from tests.web.scale_util import agreement_of, annotator, page, refused, send, stored

CONF = {
    "annotation_type": "confidence",
    "name": "sure",
    "description": "How sure?",
    "target_schema": "sentiment",
    "scale_points": 3,
    "labels": ["Guess", "Fairly", "Certain"],
}
SENT = radio("sentiment", ["positive", "negative"])


def test_likert_confidence(make_project):
    app = make_project(schemes=[SENT, CONF], max_annotations_per_item=2)
    ann = annotator(app)
    assert "Certain" in page(ann)
    iid, r = send(ann, {"sure:2": "2", "sentiment:positive": "1"}, draft=False)
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "sure") == {"2": "2"}
    refused(ann, {"sure:4": "4"}, "unknown label '4'", "sure")
    bob = annotator(app, "bob")
    send(bob, {"sure:3": "3", "sentiment:positive": "1"}, draft=False, iid=iid)
    assert agreement_of(app, "sure")["metric_type"] == "ordinal"


def test_slider_confidence(make_project):
    slider = {**CONF, "scale_type": "slider", "labels": None, "scale_points": None}
    app = make_project(schemes=[SENT, slider])
    ann = annotator(app)
    assert 'name="sure:confidence_level"' in page(ann)
    iid, _ = send(ann, {"sure:confidence_level": "80"})
    assert stored(ann, iid, "sure") == {"confidence_level": "80"}
    refused(ann, {"sure:confidence_level": "180"}, "above the maximum 100", "sure")


def test_target_schema_must_exist(make_project):
    with pytest.raises(Exception, match="target_schema"):
        make_project(schemes=[SENT, {**CONF, "target_schema": "sentimen"}])
