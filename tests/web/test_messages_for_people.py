"""Messages written for annotators, not developers (issue 21, point 7)."""

from __future__ import annotations

from tests.conftest import csrf_headers, login
from tests.web.test_study_flow import study  # noqa: F401  (fixture)


def test_a_consent_form_missing_an_answer_names_the_question_not_the_api(study):  # noqa: F811
    app = study()
    c = login(app.test_client(), "ann")
    page = c.get("/phase").get_data(as_text=True)
    assert 'name="phase"' in page
    r = c.post("/phase", data={"phase": "consent", "adult": "Yes"}, headers=csrf_headers(c))
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Please answer first:" in html
    assert "draft" not in html and "schema" not in html


def test_back_to_the_login_form_after_logging_in_goes_on_to_the_task(make_project):
    app = make_project()
    c = app.test_client()
    r = c.get("/login")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    login(c, "ann")
    r = c.get("/login")
    assert r.status_code == 302 and r.headers["Location"].endswith("/annotate")


def test_an_ended_session_is_explained_in_words(make_project):
    app = make_project()
    c = login(app.test_client(), "ann")
    headers = csrf_headers(c)
    c.get("/logout")  # as if logged out in another tab
    login(c, "ann")
    r = c.post("/go_to", data={"action": "next_instance"}, headers=headers)
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "out of date" in html and "CSRF" not in html


def test_going_to_an_item_out_of_range_says_which_ones_exist(make_project):
    app = make_project(items=5)
    c = login(app.test_client(), "ann")
    c.get("/api/current_instance")
    r = c.post("/go_to", json={"go_to": 49})
    assert r.status_code == 400 and r.json["max_index"] == 1  # the next item may be leased
