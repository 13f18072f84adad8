"""Potato's text box options (min_chars on submit, show_char_count, allow_paste: false,
collapsible) and a slider's `step`, enforced by the server."""

from __future__ import annotations

import pytest

from tests.conftest import current_id, login


def text_scheme(**options):
    return {"annotation_type": "text", "name": "why", "description": "Why?", **options}


def post(client, iid, value, draft=False):
    body = {"instance_id": iid, "annotations": {"why:text_box": value}, "draft": draft}
    return client.post("/updateinstance", json=body)


def test_min_chars_is_checked_on_submit_but_a_draft_may_be_shorter(make_project):
    app = make_project(schemes=[text_scheme(min_chars=10, multiline=True)])
    assert not [w for w in app.extensions["potato_like"].config.warnings if "min_chars" in w]
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    assert post(ann, iid, "too short", draft=True).status_code == 200
    r = post(ann, iid, "   too short   ")
    assert r.status_code == 400 and "write at least 10 characters, not 9" in r.json["error"]
    assert post(ann, iid, "long enough now").status_code == 200
    page = ann.get("/annotate").data.decode()
    assert 'data-min-chars="10"' in page and "js/text-box.js" in page


def test_char_count_paste_blocking_and_collapsible_on_the_page(make_project):
    app = make_project(
        schemes=[text_scheme(show_char_count=True, allow_paste=False, collapsible=True)]
    )
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    assert "data-char-count" in page and "data-no-paste" in page
    assert '<details class="text-collapsible"' in page and "js/text-box.js" in page


def test_plain_text_boxes_load_no_script(make_project):
    page = login(make_project(schemes=[text_scheme()]).test_client(), "ann").get("/annotate")
    text = page.data.decode()
    assert "js/text-box.js" not in text and "data-char-count" not in text


def test_bad_text_options_are_config_errors(make_project):
    with pytest.raises(Exception, match="min_chars"):
        make_project(schemes=[text_scheme(min_chars=-1)])


@pytest.mark.parametrize(
    ("value", "ok"),
    [("0", True), ("25", True), ("100", True), ("30", False), ("12.5", False), ("-25", False)],
)
def test_slider_values_must_lie_on_its_steps(make_project, value, ok):
    scheme = {
        "annotation_type": "slider",
        "name": "level",
        "description": "Level",
        "min_value": 0,
        "max_value": 100,
        "step": 25,
    }
    ann = login(make_project(schemes=[scheme]).test_client(), "ann")
    iid = current_id(ann)
    r = ann.post(
        "/updateinstance", json={"instance_id": iid, "annotations": {"level:slider": value}}
    )
    assert (r.status_code == 200) is ok, r.json
    if not ok and value in ("30", "12.5"):
        assert "not on the slider's steps" in r.json["error"]


def test_fractional_steps_allow_rounding_errors(make_project):
    scheme = {
        "annotation_type": "slider",
        "name": "level",
        "min_value": 0,
        "max_value": 1,
        "step": 0.1,
    }
    ann = login(make_project(schemes=[scheme]).test_client(), "ann")
    iid = current_id(ann)
    for value in ("0.3", "0.7", "1"):
        body = {"instance_id": iid, "annotations": {"level:slider": value}}
        assert ann.post("/updateinstance", json=body).status_code == 200
    body = {"instance_id": iid, "annotations": {"level:slider": "0.35"}}
    assert ann.post("/updateinstance", json=body).status_code == 400
