"""triage: `schema:decision` = accept / reject / skip, keys 1/2/3, nominal alpha."""

from tests.web.scale_util import agreement_of, annotator, page, question, refused, send, stored

TRIAGE = {
    "annotation_type": "triage",
    "name": "keep",
    "description": "Keep?",
    "accept_label": "Safe",
    "reject_key": "x",
}


def test_triage_decisions(make_project):
    app = make_project(schemes=[TRIAGE], max_annotations_per_item=2)
    ann = annotator(app)
    html = page(ann)
    assert 'data-value="reject"' in html and 'data-key="x"' in html and "Safe" in html
    assert "js/triage.js" in html and "css/scales.css" in html
    iid, r = send(ann, {"keep:decision": "reject"}, draft=False)
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "keep") == {"decision": "reject"}
    refused(ann, {"keep:decision": "maybe"}, "'maybe' is not one of accept, reject, skip", "keep")
    refused(ann, {"keep:accept": "1"}, "unknown label 'accept'", "keep")
    bob = annotator(app, "bob")
    _, r = send(bob, {"keep:decision": "reject"}, draft=False, iid=iid)
    assert r.status_code == 200, r.json
    assert question(app, "keep")["distribution"] == {"accept": 0, "reject": 2, "skip": 0}
    assert agreement_of(app, "keep")["metric_type"] == "nominal"


def test_scale_scripts_and_styles_are_not_loaded_without_those_types(make_project):
    html = page(annotator(make_project()))
    for asset in ("triage.js", "points.js", "hierarchy.js", "card-sort.js", "scales.css"):
        assert asset not in html
