"""MTurk ExternalQuestion HITs end to end: preview without an account, accepting, the
externalSubmit form at the end (per outcome), bad links, sandbox vs production and the CLI's
ExternalQuestion XML. Built on example_projects/mturk_hit."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from potato_like import cli
from tests.conftest import ADMIN
from tests.web.crowd_util import (
    MTURK,
    PROLIFIC,
    TRAINING_ANSWERS,
    annotate_until_done,
    example,  # noqa: F401 (fixture)
    mturk_link,
    submit_phase,
    train,
)

SANDBOX_SUBMIT = "https://workersandbox.mturk.com/mturk/externalSubmit"


def form_of(html: str) -> tuple[str, dict[str, str], bool]:
    """(action, hidden fields, auto-submits) of the externalSubmit form on a page."""
    form = re.search(
        r'<form method="post" action="([^"]+)" id="crowd-submit"(.*?)</form>', html, re.S
    )
    assert form, html
    fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))
    )
    return form.group(1), fields, "data-auto-ms" in form.group(2)


def accept(app, **kw):
    c = app.test_client()
    r = c.get(mturk_link(**kw))
    assert r.status_code == 302 and r.headers["Location"].endswith("/annotate"), r.data
    return c


def test_preview_shows_the_task_read_only_and_creates_no_account(example):  # noqa: F811
    app = example(MTURK)
    project = app.extensions["potato_like"]
    c = app.test_client()
    r = c.get("/?assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&hitId=H1")
    assert r.status_code == 200
    page = r.data.decode()
    assert 'data-testid="crowd-preview"' in page
    assert "What year did the first person walk on the moon?" in page  # an example item
    assert "<fieldset disabled" in page and 'name="answerable"' in page
    assert "public information" in page  # the instructions
    assert project.store.users.count() == 0
    assert c.get("/api/current_instance").status_code == 401


def test_worker_accepts_annotates_and_the_hit_is_submitted(example):  # noqa: F811
    app = example(MTURK)
    project = app.extensions["potato_like"]
    c = accept(app)
    row = project.store.users.by_name("W1")
    assert row.login_kind == "mturk"
    s = project.store.crowd.get(row.id)
    assert (s.platform, s.study_id, s.session_id, s.submit_to) == (
        "mturk",
        "H1",
        "A1",
        "https://workersandbox.mturk.com",
    )
    seen = annotate_until_done(c, schema="answerable", label="yes")
    assert len(seen) == 5  # max_annotations_per_user
    assert c.get("/annotate").headers["Location"].endswith("/done")
    action, fields, auto = form_of(c.get("/done").data.decode())
    assert action == SANDBOX_SUBMIT
    assert fields == {
        "assignmentId": "A1",
        "outcome": "completed",
        "completionCode": "HITDONE-7F3A",
    }
    assert auto  # finished HITs go in by themselves
    report = c.get("/admin/api/crowdsourcing", headers=ADMIN).json
    assert report["summary"]["mturk_workers"] == 1
    assert report["mturk"]["hits_completed"] == 1
    worker = report["mturk"]["workers"][0]
    assert (worker["session_id"], worker["study_id"], worker["outcome"]) == (
        "A1",
        "H1",
        "completed",
    )


def test_production_submit_url_and_a_full_submit_address(example):  # noqa: F811
    app = example(MTURK)
    c = accept(app, worker="W2", submit="https://www.mturk.com/mturk/externalSubmit")
    annotate_until_done(c, schema="answerable", label="no")
    assert form_of(c.get("/done").data.decode())[0] == "https://www.mturk.com/mturk/externalSubmit"


def test_without_turk_submit_to_the_configured_environment_is_used(example):  # noqa: F811
    def production(config):
        config["crowdsourcing"]["mturk"]["sandbox"] = False

    for edit, expected in (
        (None, SANDBOX_SUBMIT),
        (production, "https://www.mturk.com/mturk/externalSubmit"),
    ):
        app = example(MTURK, edit=edit)
        c = app.test_client()
        assert c.get("/?workerId=W3&assignmentId=A3&hitId=H3").status_code == 302
        annotate_until_done(c, schema="answerable", label="no")
        assert form_of(c.get("/done").data.decode())[0] == expected


def test_bad_hit_links_get_a_clear_page(example):  # noqa: F811
    app = example(MTURK)
    c = app.test_client()
    cases = {
        "/?workerId=W1&hitId=H1": b"missing its assignmentId",
        "/?assignmentId=A1&hitId=H1": b"missing its workerId",
        mturk_link(submit="javascript:alert(1)"): b"not a web address",
        # the completion code would be posted there: only MTurk's own addresses
        mturk_link(submit="https://mturk.example.net"): b"does not point to Mechanical Turk",
        mturk_link(submit="https://www.mturk.com.evil.net"): b"does not point to Mechanical Turk",
        "/": b"opened from MTurk",
    }
    for url, text in cases.items():
        r = c.get(url)
        assert r.status_code == 400 and text in r.data, (url, r.data)
    assert app.extensions["potato_like"].store.users.count() == 0


def test_submit_hosts_lets_a_proxy_or_test_server_receive_the_work(example):  # noqa: F811
    def edit(config):
        config["crowdsourcing"]["mturk"]["submit_hosts"] = ["http://127.0.0.1:9999"]

    app = example(MTURK, edit)
    c = app.test_client()
    assert c.get(mturk_link(submit="http://127.0.0.1:9999")).status_code == 302
    assert c.get(mturk_link(worker="W2", submit="https://www.mturk.com")).status_code == 400


def with_study(config):
    """The HIT with a consent, training and attention checks (the Prolific example's files)."""
    config["annotation_schemes"][0].update(
        name="sentiment", labels=["positive", "neutral", "negative"]
    )
    config["phases"] = {
        "order": ["consent", "training", "annotation"],
        "consent": {"file": str(PROLIFIC / "phases" / "consent.json")},
    }
    config["training"] = {
        "enabled": True,
        "data_file": str(PROLIFIC / "phases" / "training.json"),
        "passing_criteria": {"min_correct": 2, "max_mistakes": 1},
        "allow_retry": False,
    }
    config["attention_checks"] = {
        "enabled": True,
        "items_file": str(PROLIFIC / "phases" / "attention_checks.json"),
        "frequency": 1,
        "failure_handling": {"warn_threshold": 1, "block_threshold": 2},
    }
    config["crowdsourcing"]["mturk"]["completion"]["failed_code"] = "HITFAIL"


def test_failed_training_offers_the_form_without_the_completion_code(example):  # noqa: F811
    app = example(MTURK, edit=with_study)
    c = accept(app)
    submit_phase(c, "consent", {"agree:I agree": "1"})
    state = train(c, {"train_1": "neutral", "train_2": "neutral"})
    assert state["completion"]["outcome"] == "failed_training"
    _, fields, auto = form_of(c.get("/phase").data.decode())
    assert fields == {
        "assignmentId": "A1",
        "outcome": "failed_training",
        "completionCode": "HITFAIL",
    }
    assert not auto  # the worker chooses: submit, or return the HIT


def test_blocked_worker_form_says_blocked(example):  # noqa: F811
    app = example(MTURK, edit=with_study)
    c = accept(app)
    submit_phase(c, "consent", {"agree:I agree": "1"})
    train(c, TRAINING_ANSWERS)
    annotate_until_done(c, checks={"attn_1": "positive", "attn_2": "negative"})
    assert c.get("/api/phase").json["status"] == "blocked"
    _, fields, auto = form_of(c.get("/phase").data.decode())
    assert fields["outcome"] == "blocked" and fields["completionCode"] == "HITFAIL"
    assert not auto
    worker = c.get("/admin/api/crowdsourcing", headers=ADMIN).json["mturk"]["workers"][0]
    assert worker["status"] == "blocked" and worker["attention_checks"]["failed"] == 2
    assert c.get("/admin/api/crowdsourcing", headers=ADMIN).json["mturk"]["hits_completed"] == 0


def test_plain_url_direct_recognises_mturk_arrivals(make_project):
    app = make_project(
        login={"type": "url_direct", "url_argument": "workerId"}, completion_code="X1", items=1
    )
    c = app.test_client()
    assert c.get("/?assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE").status_code == 200  # preview
    assert c.get(mturk_link(worker="WU")).status_code == 302
    annotate_until_done(c)
    action, fields, _ = form_of(c.get("/done").data.decode())
    assert action == SANDBOX_SUBMIT and fields["completionCode"] == "X1"


def test_cli_prints_the_external_question(capsys):
    config = str(MTURK / "config.yaml")
    assert cli.main(["mturk-xml", config, "--url", "https://annotate.example.org/hit?a=1&b=2"]) == 0
    out = capsys.readouterr().out
    root = ET.fromstring(out.encode())  # noqa: S314 (our own output)
    ns = "{http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd}"
    assert root.tag == f"{ns}ExternalQuestion"
    assert root.find(f"{ns}ExternalURL").text == "https://annotate.example.org/hit?a=1&b=2"
    assert root.find(f"{ns}FrameHeight").text == "900"  # mturk.frame_height
    assert "&amp;" in out
    assert cli.main(["mturk-xml", config, "--url", "http://insecure.example.org/"]) == 2
    assert "https" in capsys.readouterr().err


def test_time_up_ends_the_hit_and_refuses_more_answers(example):  # noqa: F811
    import time

    app = example(MTURK)
    project = app.extensions["potato_like"]
    c = accept(app, worker="WT")
    assert 'data-testid="crowd-timer"' in c.get("/annotate").data.decode()
    iid = c.get("/api/current_instance").json["instance_id"]
    r = c.post("/updateinstance", json={"instance_id": iid, "annotations": {"answerable:yes": "1"}})
    assert r.status_code == 200
    c.post("/go_to", json={"action": "next_instance"})
    iid = c.get("/api/current_instance").json["instance_id"]
    project.store.crowd.set_deadline(project.store.users.by_name("WT").id, time.time() - 1)
    r = c.post("/updateinstance", json={"instance_id": iid, "annotations": {"answerable:yes": "1"}})
    assert r.status_code == 403 and r.json["status"] == "time_up"
    assert c.get("/annotate").headers["Location"].endswith("/done")
    page = c.get("/done").data.decode()
    assert "Your time is up" in page
    _, fields, auto = form_of(page)
    assert fields["outcome"] == "completed" and auto


def test_time_up_with_nothing_answered_is_not_completed(example):  # noqa: F811
    import time

    app = example(MTURK)
    project = app.extensions["potato_like"]
    c = accept(app, worker="WZ")
    c.get("/annotate")
    project.store.crowd.set_deadline(project.store.users.by_name("WZ").id, time.time() - 1)
    page = c.get("/done").data.decode()
    assert 'data-testid="not-completed"' in page
    _, fields, auto = form_of(page)
    assert fields["outcome"] == "not_completed" and not auto


def test_session_cookie_works_inside_mturks_iframe_over_https(example):  # noqa: F811
    app = example(MTURK)
    c = app.test_client()
    r = c.get(mturk_link(worker="WS"), base_url="https://annotate.example.org")
    cookie = r.headers["Set-Cookie"]
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie
    r = app.test_client().get(mturk_link(worker="WP"))  # plain http: browsers refuse None
    assert "SameSite=Lax" in r.headers["Set-Cookie"]
