"""constant_sum: `schema:Label` = points; partial drafts save, a submit needs the total."""

from tests.web.scale_util import annotator, page, refused, send, stored, wide_rows

CS = {
    "annotation_type": "constant_sum",
    "name": "topic",
    "description": "Spread 100",
    "labels": ["Politics", "Tech", "Sports"],
    "total_points": 100,
}


def test_points_must_add_up_on_submit(make_project):
    app = make_project(schemes=[CS])
    ann = annotator(app)
    html = page(ann)
    assert 'name="topic:Tech"' in html and 'data-total="100"' in html and "js/points.js" in html
    iid, r = send(ann, {"topic:Politics": "60"})  # a draft may be partial
    assert r.status_code == 200, r.json
    refused(ann, {"topic:Tech": "30"}, "must add up to 100 (now 90)", "topic", draft=False)
    refused(ann, {"topic:Tech": "50"}, "add up to 110, more than the total 100", "topic")
    refused(ann, {"topic:Tech": "-5"}, "below the minimum 0", "topic")
    refused(ann, {"topic:Tech": "2.5"}, "whole numbers", "topic")
    refused(ann, {"topic:Music": "5"}, "unknown label 'Music'", "topic")
    _, r = send(ann, {"topic:Tech": "40"}, draft=False, iid=iid)
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "topic") == {"Politics": "60", "Tech": "40"}
    assert wide_rows(app)[0]["topic:::Tech"] == "40"


def test_questions_page_shows_mean_points(make_project):
    from tests.conftest import ADMIN

    app = make_project(schemes=[CS], max_annotations_per_item=2)
    for name, points in (("ann", ("60", "40")), ("bob", ("20", "80"))):
        client = annotator(app, name)
        _, r = send(client, {"topic:Politics": points[0], "topic:Tech": points[1]}, draft=False)
        assert r.status_code == 200, r.json
    body = app.test_client().get("/admin/api/questions?fresh=1", headers=ADMIN).json
    model = next(q for q in body["questions"] if q["name"] == "topic")["model"]
    assert model["attributes"]["Mean points"] == {"Politics": 40.0, "Tech": 60.0, "Sports": 0.0}
