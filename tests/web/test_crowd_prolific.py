"""Prolific workers end to end: arrival with PROLIFIC_PID / STUDY_ID / SESSION_ID, resuming,
each outcome's code and the redirect back, bad links, duplicate tabs and the time limit.

Built on example_projects/prolific_study (consent, instructions, training, annotation with
attention checks; codes C1PRLFC0 / C1SCREEN / C1NOPAY)."""

from __future__ import annotations

import time

from tests.conftest import ADMIN
from tests.web.crowd_util import (
    PROLIFIC,
    STUDY_ID,
    TRAINING_ANSWERS,
    annotate_until_done,
    csrf_token,
    example,  # noqa: F401 (fixture)
    prolific_link,
    submit_phase,
    train,
)

DONE_URL = "https://app.prolific.com/submissions/complete?cc="


def arrive(app, pid="PID0001", **kw):
    c = app.test_client()
    r = c.get(prolific_link(pid, **kw))
    assert r.status_code == 302 and r.headers["Location"].endswith("/annotate"), r.data
    return c


def through_training(c, training=TRAINING_ANSWERS) -> dict:
    submit_phase(c, "consent", {"agree:I agree": "1"})
    submit_phase(c, "instructions")
    return train(c, training)


def test_worker_arrives_works_and_leaves_with_the_completion_code(example):  # noqa: F811
    app = example(PROLIFIC)
    project = app.extensions["potato_like"]
    c = arrive(app)
    user = project.store.users.by_name("PID0001")
    assert user.login_kind == "prolific"
    session = project.store.crowd.get(user.id)
    assert (session.platform, session.study_id, session.session_id) == (
        "prolific",
        STUDY_ID,
        "SES1",
    )
    assert c.get("/annotate").headers["Location"].endswith("/phase")
    assert through_training(c)["type"] == "annotation"
    seen = annotate_until_done(c)
    assert len([i for i in seen if i.startswith("h")]) == 4  # max_annotations_per_user
    assert "attn_1" in seen

    assert c.get("/annotate").headers["Location"].endswith("/phase")
    page = c.get("/phase").data.decode()
    assert 'data-testid="completion-code">C1PRLFC0<' in page
    assert f'href="{DONE_URL}C1PRLFC0"' in page
    assert 'data-auto-ms="4000"' in page  # login.auto_redirect_on_completion / _delay
    state = c.get("/api/phase").json
    assert state["status"] == "completed"
    assert state["completion"]["code"] == "C1PRLFC0"
    assert state["completion"]["redirect_url"] == DONE_URL + "C1PRLFC0"
    assert state["completion"]["outcome"] == "completed"

    report = c.get("/admin/api/crowdsourcing", headers=ADMIN).json
    assert report["summary"] == {
        "total_workers": 1,
        "prolific_workers": 1,
        "mturk_workers": 0,
        "other_workers": 0,
    }
    assert report["prolific"]["completion_codes_issued"] == 1
    worker = report["prolific"]["workers"][0]
    assert worker["worker_id"] == "PID0001" and worker["session_id"] == "SES1"
    assert (worker["status"], worker["outcome"], worker["completion_code"]) == (
        "completed",
        "completed",
        "C1PRLFC0",
    )
    assert worker["annotations"] == 4
    assert worker["attention_checks"] == {"passed": 1, "failed": 0}
    issued_at = worker["code_issued_at"]

    # Coming back with the same link: the same account, the same code, issued once.
    again = arrive(app)
    assert project.store.users.count() == 1
    assert b"C1PRLFC0" in again.get("/phase").data
    worker = c.get("/admin/api/crowdsourcing", headers=ADMIN).json["prolific"]["workers"][0]
    assert worker["visits"] == 2 and worker["code_issued_at"] == issued_at


def test_a_returning_worker_resumes_where_they_left(example):  # noqa: F811
    app = example(PROLIFIC)
    c = arrive(app, "PID0002")
    submit_phase(c, "consent", {"agree:I agree": "1"})
    fresh = app.test_client()  # another browser, same link later
    assert fresh.get(prolific_link("PID0002", session="SES2")).status_code == 302
    assert fresh.get("/api/phase").json["phase"] == "instructions"
    project = app.extensions["potato_like"]
    session = project.store.crowd.get(project.store.users.by_name("PID0002").id)
    assert session.session_id == "SES2" and session.visits == 2
    # Back on the home page without parameters: the session resumes.
    assert fresh.get("/").headers["Location"].endswith("/annotate")


def test_failed_training_gets_the_screen_out_code(example):  # noqa: F811
    app = example(PROLIFIC)
    c = arrive(app)
    state = through_training(c, {"train_1": "negative", "train_2": "positive"})
    assert (state["status"], state["completion"]["outcome"]) == ("failed", "failed_training")
    page = c.get("/phase").data.decode()
    assert "C1SCREEN" in page and "C1PRLFC0" not in page
    assert f'href="{DONE_URL}C1SCREEN"' in page
    worker = c.get("/admin/api/crowdsourcing", headers=ADMIN).json["prolific"]["workers"][0]
    assert (worker["outcome"], worker["completion_code"]) == ("failed_training", "C1SCREEN")
    assert (
        c.get("/admin/api/crowdsourcing", headers=ADMIN).json["prolific"]["completion_codes_issued"]
        == 0
    )


def test_declining_consent_is_a_screen_out(example):  # noqa: F811
    app = example(PROLIFIC)
    c = arrive(app)
    submit_phase(c, "consent", {"agree:I do not agree": "1"})
    state = c.get("/api/phase").json
    assert state["completion"]["outcome"] == "screened_out"
    assert state["completion"]["code"] == "C1SCREEN"


def blocking(config):
    config["attention_checks"]["frequency"] = 1


def test_blocked_worker_gets_the_no_payment_code(example):  # noqa: F811
    app = example(PROLIFIC, edit=blocking)
    c = arrive(app)
    through_training(c)
    annotate_until_done(c, checks={"attn_1": "positive", "attn_2": "negative"})
    state = c.get("/api/phase").json
    assert state["status"] == "blocked"
    assert state["completion"]["code"] == "C1NOPAY"
    page = c.get("/phase").data.decode()
    assert "C1NOPAY" in page and "C1PRLFC0" not in page
    assert "data-auto-ms" not in page  # only finished work is sent back by itself


def test_without_a_code_for_the_outcome_there_is_no_code_and_no_redirect(example):  # noqa: F811
    def no_failed_code(config):
        blocking(config)
        del config["crowdsourcing"]["prolific"]["completion"]["failed_code"]

    app = example(PROLIFIC, edit=no_failed_code)
    c = arrive(app)
    through_training(c)
    annotate_until_done(c, checks={"attn_1": "positive", "attn_2": "negative"})
    page = c.get("/phase").data.decode()
    assert c.get("/api/phase").json["completion"]["code"] is None
    assert "C1PRLFC0" not in page and DONE_URL not in page
    assert 'data-testid="crowd-no-code"' in page


def test_bad_or_missing_link_parameters_get_a_clear_page_and_create_nothing(example):  # noqa: F811
    app = example(PROLIFIC)
    project = app.extensions["potato_like"]
    c = app.test_client()
    cases = {
        f"/?STUDY_ID={STUDY_ID}&SESSION_ID=S": b"missing its PROLIFIC_PID",
        "/?PROLIFIC_PID=&STUDY_ID=x": b"missing its PROLIFIC_PID",
        prolific_link(study="another-study"): b"another Prolific study",
        "/?PROLIFIC_PID=a/b": b"not a valid id",
        "/?PROLIFIC_PID=" + "x" * 101: b"not a valid id",
        "/?PROLIFIC_PID=P1&SESSION_ID=" + "s" * 300: b"too long",
        "/": b"opened from Prolific",
    }
    for url, text in cases.items():
        r = c.get(url)
        assert r.status_code == 400, url
        assert r.mimetype == "text/html" and text in r.data, (url, r.data)
    assert project.store.users.count() == 0


def test_a_password_account_cannot_be_taken_over_by_a_link(example):  # noqa: F811
    app = example(PROLIFIC, user_config={"users": [{"username": "PIDX", "password": "pw-12345"}]})
    r = app.test_client().get(prolific_link("PIDX"))
    assert r.status_code == 401 and b"password account" in r.data


def test_a_second_tab_of_the_same_worker_keeps_the_first_working(example):  # noqa: F811
    app = example(PROLIFIC)
    c = arrive(app)
    token = csrf_token(c.get("/phase").data.decode())
    arrive_again = c.get(prolific_link())  # the link opened again in another tab
    assert arrive_again.status_code == 302
    browser = {"Origin": "http://localhost", "Referer": "http://localhost/phase"}
    form = {"csrf_token": token, "phase": "consent", "agree": "I agree"}
    r = c.post("/phase", data=form, headers=browser)
    assert r.status_code == 302, r.data  # the first tab's form still goes through
    assert c.get("/api/phase").json["phase"] == "instructions"


def test_another_worker_in_the_same_browser_cannot_write_with_the_old_page(example):  # noqa: F811
    app = example(PROLIFIC)
    c = arrive(app, "PID_A")
    token = csrf_token(c.get("/phase").data.decode())
    arrive(app, "PID_B")  # other client: unrelated
    assert c.get(prolific_link("PID_C")).status_code == 302  # same browser, new worker
    browser = {"Origin": "http://localhost", "Referer": "http://localhost/phase"}
    r = c.post(
        "/phase",
        data={"csrf_token": token, "phase": "consent", "agree": "I agree"},
        headers=browser,
    )
    assert r.status_code == 400  # PID_A's page cannot answer for PID_C
    assert c.get("/api/phase").json["phase"] == "consent"


def test_time_limit_shows_a_countdown_and_ends_annotation(example):  # noqa: F811
    app = example(PROLIFIC)
    project = app.extensions["potato_like"]
    c = arrive(app)
    uid = project.store.users.by_name("PID0001").id
    deadline = project.store.crowd.get(uid).deadline
    assert 29 * 60 < deadline - time.time() <= 30 * 60
    page = c.get("/phase").data.decode()
    assert 'data-testid="crowd-timer"' in page and f'data-deadline="{deadline}"' in page
    through_training(c)
    c.post(
        "/updateinstance",
        json={
            "instance_id": c.get("/api/current_instance").json["instance_id"],
            "annotations": {"sentiment:neutral": "1"},
        },
    )
    assert 'data-testid="crowd-timer"' in c.get("/annotate").data.decode()
    project.store.crowd.set_deadline(uid, time.time() - 1)
    r = c.get("/annotate")
    assert r.headers["Location"].endswith("/phase")
    state = c.get("/api/phase").json
    assert state["status"] == "completed" and state["completion"]["code"] == "C1PRLFC0"
    assert c.get("/api/current_instance").status_code == 409
    assert 'data-testid="crowd-timer"' not in c.get("/phase").data.decode()


def test_time_running_out_before_annotation_ends_the_study(example):  # noqa: F811
    app = example(PROLIFIC)
    project = app.extensions["potato_like"]
    c = arrive(app)
    uid = project.store.users.by_name("PID0001").id
    project.store.crowd.set_deadline(uid, time.time() - 1)
    state = c.get("/api/phase").json
    assert (state["status"], state["completion"]["outcome"]) == ("failed", "timed_out")
    assert state["completion"]["code"] == "C1NOPAY"
    assert b"Your time is up" in c.get("/phase").data


def test_potato_top_level_keys_and_plain_url_direct(make_project):
    app = make_project(
        login={"type": "url_direct"},
        completion_code="TOPCODE",
        auto_redirect_on_completion=True,
        auto_redirect_delay=1500,
        items=2,
    )
    c = app.test_client()
    assert c.get("/?PROLIFIC_PID=P9&STUDY_ID=S&SESSION_ID=X").status_code == 302
    project = app.extensions["potato_like"]
    row = project.store.users.by_name("P9")
    assert row.login_kind == "url_direct"
    assert project.store.crowd.get(row.id).platform == "prolific"
    annotate_until_done(c)
    page = c.get("/done").data.decode()
    assert f'href="{DONE_URL}TOPCODE"' in page and 'data-auto-ms="1500"' in page


def test_dashboard_lists_workers_with_status_time_checks_and_code(example):  # noqa: F811
    app = example(PROLIFIC)
    c = arrive(app)
    through_training(c)
    annotate_until_done(c)
    c.get("/annotate")  # nothing left: the study completes
    c.get("/phase")  # the end page issues the code
    arrive(app, "PID0002")
    admin = app.test_client()
    assert admin.get("/admin/crowd/").headers["Location"].startswith("/admin/login")
    admin.post("/admin/login", data={"key": "test-admin-key-123456"})
    page = admin.get("/admin/crowd/").data.decode()
    assert 'data-testid="crowd-workers"' in page and ">Crowd</a>" in page
    assert "PID0001" in page and "PID0002" in page
    assert "<code>C1PRLFC0</code>" in page and "1 passed, 0 failed" in page
    assert "Prolific 2" in page and "completion codes issued 1" in page
    r = app.test_client().get("/admin/api/crowdsourcing")
    assert r.status_code == 403
