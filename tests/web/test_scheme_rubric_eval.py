"""rubric_eval: criteria x levels, Potato's `schema:criterion` = point; interval alpha on
the mean point; one export column per criterion."""

from tests.web.scale_util import agreement_of, annotator, page, refused, send, stored, wide_rows

RUBRIC = {
    "annotation_type": "rubric_eval",
    "name": "quality",
    "description": "Rate",
    "scale_points": 5,
    "criteria": [{"name": "accuracy", "description": "Correct?"}, {"name": "clarity"}],
    "show_overall": True,
}


def test_rubric_saves_rows_and_refuses_bad_points(make_project):
    app = make_project(schemes=[RUBRIC], max_annotations_per_item=2)
    ann = annotator(app)
    html = page(ann)
    assert 'name="quality:accuracy" value="5"' in html and 'data-label="overall"' in html
    iid, r = send(ann, {"quality:accuracy": "4", "quality:clarity": "2"})
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "quality") == {"accuracy": "4", "clarity": "2"}
    send(ann, {"quality:clarity": ""})  # a cleared row
    assert stored(ann, iid, "quality") == {"accuracy": "4"}
    refused(ann, {"quality:accuracy": "6"}, "not a point of the scale 1..5", "quality")
    refused(ann, {"quality:accuracy": "x"}, "not a point", "quality")
    refused(ann, {"quality:style": "3"}, "unknown label 'style'", "quality")

    bob = annotator(app, "bob")
    send(bob, {"quality:accuracy": "4", "quality:overall": "3"}, draft=False, iid=iid)
    send(ann, {"quality:clarity": "3"}, draft=False, iid=iid)
    rows = wide_rows(app)
    assert {r["quality:::accuracy"] for r in rows} == {"4"}
    assert agreement_of(app, "quality")["metric_type"] == "interval"


def test_rubric_config_problems(make_project):
    import pytest

    bad = {**RUBRIC, "scale_labels": ["a", "b"]}
    with pytest.raises(Exception, match="scale_labels"):
        make_project(schemes=[bad])
    with pytest.raises(Exception, match="criteria"):
        make_project(schemes=[{k: v for k, v in RUBRIC.items() if k != "criteria"}])


def test_potato_backend_format_and_the_no_javascript_form(make_project):
    from tests.conftest import csrf_headers, current_id

    app = make_project(schemes=[RUBRIC])
    ann = annotator(app)
    iid = current_id(ann)
    body = {
        "instance_id": iid,
        "schema": "quality",
        "type": "rubric_eval",
        "state": [{"name": "accuracy", "value": "2"}, {"name": "clarity", "value": "5"}],
    }
    r = ann.post("/updateinstance", json=body)
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "quality") == {"accuracy": "2", "clarity": "5"}
    bad = {**body, "state": [{"name": "accuracy", "value": "9"}]}
    assert ann.post("/updateinstance", json=bad).status_code == 400
    assert stored(ann, iid, "quality") == {"accuracy": "2", "clarity": "5"}
    form = {"instance_id": iid, "action": "next_instance", "quality:overall": "3"}
    r = ann.post("/annotate", data=form, headers=csrf_headers(ann))
    assert r.status_code in (200, 302)
    assert stored(ann, iid, "quality")["overall"] == "3"


def test_a_required_rubric_needs_every_row_on_submit(make_project):
    app = make_project(schemes=[{**RUBRIC, "required": True}])
    ann = annotator(app)
    iid, r = send(ann, {"quality:accuracy": "4"}, draft=False)
    assert r.status_code == 400 and "missing: clarity, overall" in r.json["error"]
    assert stored(ann, iid, "quality") == {}
    _, r = send(
        ann, {f"quality:{row}": "3" for row in ("accuracy", "clarity", "overall")}, draft=False
    )
    assert r.status_code == 200, r.json
