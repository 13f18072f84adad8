"""vas: `schema:schema` = a number on the line, rounded to `precision`; interval alpha."""

from tests.web.scale_util import annotator, page, question, refused, send, stored, wide_rows

VAS = {
    "annotation_type": "vas",
    "name": "pain",
    "description": "Pain",
    "left_label": "None",
    "right_label": "Worst",
    "show_value": True,
}


def test_vas_value_round_trip_and_bounds(make_project):
    app = make_project(schemes=[VAS])
    ann = annotator(app)
    html = page(ann)
    assert 'name="pain:pain"' in html and 'step="0.1"' in html and ">Worst<" in html
    iid, r = send(ann, {"pain:pain": "37.54"}, draft=False)
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "pain") == {"pain": "37.5"}
    refused(ann, {"pain:pain": "101"}, "above the maximum 100", "pain")
    refused(ann, {"pain:pain": "abc"}, "expected a number", "pain")
    refused(ann, {"pain:level": "3"}, "unknown label 'level'", "pain")
    assert [r["pain:::pain"] for r in wide_rows(app)] == ["37.5"]
    assert question(app, "pain")["mean"] == 37.5
