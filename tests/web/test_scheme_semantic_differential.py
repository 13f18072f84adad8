"""semantic_differential: bipolar pairs, `schema:Left__Right` = point 1..scale_points."""

import pytest

from tests.web.scale_util import agreement_of, annotator, page, refused, send, stored

SD = {
    "annotation_type": "semantic_differential",
    "name": "conn",
    "description": "Rate",
    "scale_points": 7,
    "pairs": [["Good", "Bad"], ["Strong", "Weak"]],
}


def test_pairs_save_and_bad_points_are_refused(make_project):
    app = make_project(schemes=[SD])
    ann = annotator(app)
    html = page(ann)
    assert 'name="conn:Good__Bad" value="7"' in html and ">Weak</th>" in html
    iid, r = send(ann, {"conn:Good__Bad": "2", "conn:Strong__Weak": "7"})
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "conn") == {"Good__Bad": "2", "Strong__Weak": "7"}
    refused(ann, {"conn:Good__Bad": "8"}, "1..7", "conn")
    refused(ann, {"conn:Good": "1"}, "unknown label 'Good'", "conn")
    assert agreement_of(app, "conn").get("metric_type", "interval") == "interval"


def test_a_pair_must_have_two_poles(make_project):
    with pytest.raises(Exception, match="pair"):
        make_project(schemes=[{**SD, "pairs": [["Good"]]}])


def test_questions_page_shows_the_mean_point_per_pair(make_project):
    from tests.conftest import ADMIN

    app = make_project(schemes=[SD], max_annotations_per_item=2)
    for name, point in (("ann", "2"), ("bob", "5")):
        _, r = send(annotator(app, name), {"conn:Good__Bad": point}, draft=False)
        assert r.status_code == 200, r.json
    admin = app.test_client()
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"]})
    html = admin.get("/admin/questions/?fresh=1").data.decode()
    assert 'data-testid="model-conn-Mean point"' in html and "3.500" in html
