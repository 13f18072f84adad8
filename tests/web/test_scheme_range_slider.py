"""range_slider: `schema:range_low` and `schema:range_high`; low <= high, on the step."""

from tests.web.scale_util import annotator, page, refused, send, stored, wide_rows

RANGE = {
    "annotation_type": "range_slider",
    "name": "formal",
    "description": "Formality",
    "min_value": 0,
    "max_value": 100,
    "step": 5,
}


def test_range_round_trip_and_bad_ranges(make_project):
    app = make_project(schemes=[RANGE])
    ann = annotator(app)
    html = page(ann)
    assert 'name="formal:range_low"' in html and 'name="formal:range_high"' in html
    iid, r = send(ann, {"formal:range_low": "20", "formal:range_high": "70"}, draft=False)
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "formal") == {"range_low": "20", "range_high": "70"}
    send(ann, {"formal:range_high": "25"}, iid=iid)  # one handle moved
    assert stored(ann, iid, "formal") == {"range_low": "20", "range_high": "25"}
    refused(ann, {"formal:range_low": "30"}, "range_low 30 is above range_high 25", "formal")
    refused(ann, {"formal:range_low": "7"}, "not on the step 5", "formal")
    refused(ann, {"formal:range_high": "120"}, "above the maximum", "formal")
    rows = wide_rows(app)
    assert (rows[0]["formal:::range_low"], rows[0]["formal:::range_high"]) == ("20", "25")


def test_a_lone_high_bound_starts_from_the_minimum(make_project):
    app = make_project(schemes=[RANGE])
    ann = annotator(app)
    iid, _ = send(ann, {"formal:range_high": "40"})
    assert stored(ann, iid, "formal") == {"range_low": "0", "range_high": "40"}
