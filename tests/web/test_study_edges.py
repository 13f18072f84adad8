"""The study flow and quality control at their edges: config changes between restarts for
users in the middle, scripts that use only the JSON API, and two tabs answering one check."""

from __future__ import annotations

import json
import time

import pytest
import yaml

from potato_like import create_app
from tests.conftest import ADMIN, login, with_csrf
from tests.web.crowd_util import (  # noqa: F401 - example is a fixture
    PROLIFIC,
    TRAINING_ANSWERS,
    annotate_until_done,
    example,
    prolific_link,
    submit_phase,
    train,
)
from tests.web.test_quality_control import annotate, qc_only
from tests.web.test_study_flow import (  # noqa: F401 - study is a fixture
    CONSENT_OK,
    phase,
    study,
    submit,
    through_to_annotation,
)

NO_QC = {"attention_checks": {"enabled": False}, "gold_standards": {"enabled": False}}


def reopen(app, edit):
    """Stop the server, edit its config and start it again on the same project."""
    project = app.extensions["potato_like"]
    path = project.config.config_path
    project.close()
    config = yaml.safe_load(path.read_text())
    edit(config)
    path.write_text(yaml.safe_dump(config))
    again = create_app(path)
    again.config["TESTING"] = True
    return again


def test_a_user_in_a_phase_removed_from_the_config_can_still_finish(study):  # noqa: F811
    app = study(max_annotations_per_user=2, **NO_QC)
    c = login(app.test_client(), "midway")
    assert submit(c, "consent", CONSENT_OK).json["phase"] == "prestudy"

    def drop_prestudy(config):
        config["phases"]["order"].remove("prestudy")
        del config["phases"]["prestudy"]

    app = reopen(app, drop_prestudy)
    try:
        c = login(app.test_client(), "midway")
        assert phase(c)["phase"] == "annotation"
        for _ in range(2):
            annotate(c)
        # No items left: on to the exit survey, not back and forth between /annotate and /phase.
        assert c.get("/annotate").headers["Location"].endswith("/phase")
        assert c.get("/phase").status_code == 200
        assert phase(c)["phase"] == "poststudy"
        state = c.get("/admin/user_state/midway", headers=ADMIN).json
        assert state["current_phase"] == "poststudy"
    finally:
        app.extensions["potato_like"].close()


def test_a_user_in_a_removed_last_phase_completes_the_study(study):  # noqa: F811
    app = study(max_annotations_per_user=1, **NO_QC)
    c = login(app.test_client(), "late")
    through_to_annotation(c)
    annotate(c)
    assert c.get("/annotate").headers["Location"].endswith("/phase")
    assert phase(c)["phase"] == "poststudy"

    def drop_poststudy(config):
        config["phases"]["order"].remove("poststudy")
        del config["phases"]["poststudy"]

    app = reopen(app, drop_poststudy)
    try:
        c = login(app.test_client(), "late")
        assert c.get("/annotate").headers["Location"].endswith("/phase")
        state = phase(c)
        assert (state["phase"], state["status"]) == ("annotation", "completed")
    finally:
        app.extensions["potato_like"].close()


def test_a_script_finishing_annotation_moves_on_through_the_json_api(study):  # noqa: F811
    app = study(max_annotations_per_user=2, **NO_QC)
    c = login(app.test_client(), "script")
    through_to_annotation(c)
    for _ in range(2):
        annotate(c)
    assert c.get("/api/current_instance").json["finished"] is True
    # No HTML page was opened: the phase API itself moves the user on.
    assert phase(c)["phase"] == "poststudy"
    r = submit(c, "poststudy", {"difficulty:Easy": "1", "comments:text_box": "ok"})
    assert r.status_code == 200 and r.json["study_status"] == "completed"


def test_a_finished_script_may_submit_the_next_phase_directly(study):  # noqa: F811
    app = study(max_annotations_per_user=1, **NO_QC)
    c = login(app.test_client(), "direct")
    through_to_annotation(c)
    annotate(c)
    r = submit(c, "poststudy", {"difficulty:Easy": "1", "comments:text_box": "ok"})
    assert r.status_code == 200, r.json
    assert r.json["study_status"] == "completed"


def test_the_phase_api_does_not_skip_a_check_due_after_the_last_item(study):  # noqa: F811
    app = study(
        max_annotations_per_user=1,
        edit=qc_only(gold_standards={"enabled": False}, attention_checks={"frequency": 1}),
    )
    c = login(app.test_client(), "checked")
    annotate(c)
    assert c.get("/api/current_instance").json["instance_id"] == "attn_1"
    assert phase(c)["status"] == "active"
    assert c.get("/api/current_instance").json["instance_id"] == "attn_1"
    annotate(c, "negative")
    assert phase(c)["status"] == "completed"


def test_a_check_answered_in_another_tab_gets_a_clear_conflict(study):  # noqa: F811
    app = study(edit=qc_only(gold_standards={"enabled": False}, attention_checks={"frequency": 1}))
    first = login(app.test_client(), "tabs")
    second = login(app.test_client(), "tabs")
    annotate(first)
    assert first.get("/api/current_instance").json["instance_id"] == "attn_1"
    body = {"instance_id": "attn_1", "annotations": {"sentiment:negative": "1"}}
    assert first.post("/updateinstance", json=body).status_code == 200
    r = second.post("/updateinstance", json=body)
    assert r.status_code == 409
    assert "already answered" in r.json["error"]
    qc = first.get("/admin/api/quality_control", headers=ADMIN).json["attention_checks"]
    assert qc["total_checks"] == 1


@pytest.mark.postgres
def test_a_mixed_crowd_session_is_counted_right_on_postgres(example, pg_url):  # noqa: F811
    """Completed, blocked, failed training, screened out and timed out workers on PostgreSQL:
    each gets their own code, and both admin reports count them."""
    app = example(
        PROLIFIC, database_url=pg_url, edit=lambda c: c["attention_checks"].update(frequency=1)
    )
    project = app.extensions["potato_like"]
    assert project.store.engine.dialect.name == "postgresql"

    def arrive(pid):
        client = app.test_client()
        assert client.get(prolific_link(pid)).status_code == 302
        return client

    def through_training(client, answers=TRAINING_ANSWERS):
        submit_phase(client, "consent", {"agree:I agree": "1"})
        submit_phase(client, "instructions")
        return train(client, answers)

    done, blocked, failed = arrive("DONE"), arrive("BLOCKED"), arrive("FAILED")
    through_training(done)
    annotate_until_done(done)
    through_training(blocked)
    annotate_until_done(blocked, checks={"attn_1": "positive", "attn_2": "negative"})
    through_training(failed, {"train_1": "negative", "train_2": "positive"})
    submit_phase(arrive("NO"), "consent", {"agree:I do not agree": "1"})
    late = arrive("LATE")
    project.store.crowd.set_deadline(project.store.users.by_name("LATE").id, time.time() - 1)
    codes = {
        name: c.get("/api/phase").json["completion"]["code"]
        for name, c in (("DONE", done), ("BLOCKED", blocked), ("FAILED", failed), ("LATE", late))
    }
    assert codes == {
        "DONE": "C1PRLFC0",
        "BLOCKED": "C1NOPAY",
        "FAILED": "C1SCREEN",
        "LATE": "C1NOPAY",
    }

    report = done.get("/admin/api/crowdsourcing", headers=ADMIN).json
    assert report["summary"]["prolific_workers"] == 5
    assert report["prolific"]["completion_codes_issued"] == 1
    workers = {w["worker_id"]: w for w in report["prolific"]["workers"]}
    assert {w: workers[w]["outcome"] for w in workers} == {
        "DONE": "completed",
        "BLOCKED": "blocked",
        "FAILED": "failed_training",
        "NO": None,  # never saw the end page
        "LATE": "timed_out",
    }
    # a pool of two checks: each asked once (checks never repeat for one annotator)
    assert workers["DONE"]["attention_checks"] == {"passed": 2, "failed": 0}
    assert workers["BLOCKED"]["attention_checks"] == {"passed": 0, "failed": 2}
    qc = done.get("/admin/api/quality_control", headers=ADMIN).json["attention_checks"]
    assert (qc["total_checks"], qc["total_passed"], qc["total_failed"]) == (4, 2, 2)
    lines = done.post("/admin/api/export", json={"format": "jsonl"}, headers=ADMIN).data
    records = [json.loads(line) for line in lines.decode().splitlines()]
    assert sum("quality_control" in r for r in records) == 4
    assert sum("quality_control" not in r for r in records) == 4 + 2  # DONE 4, BLOCKED 2


CROWD = {
    "login": {"type": "prolific"},
    "crowdsourcing": {
        "provider": "prolific",
        "time_limit_minutes": 30,
        "prolific": {"completion": {"code": "C1DONE", "failed_code": "C1NOPAY"}},
    },
}


def test_no_countdown_on_the_exit_survey_where_time_no_longer_counts(study):  # noqa: F811
    """After annotation the worker may finish: a clock there would reload the page at zero
    and wipe the answers being typed."""
    app = study(max_annotations_per_user=1, **NO_QC, **CROWD)
    c = app.test_client()
    assert c.get(prolific_link("PID9")).status_code == 302
    assert 'data-testid="crowd-timer"' in c.get("/phase").data.decode()  # consent: counted
    through_to_annotation(c)
    assert 'data-testid="crowd-timer"' in c.get("/annotate").data.decode()
    annotate(c)
    assert phase(c)["phase"] == "poststudy"
    page = c.get("/phase").data.decode()
    assert "Before you go" in page and 'data-testid="crowd-timer"' not in page


def test_a_form_answer_that_blocks_leads_to_the_end_page(study):  # noqa: F811
    """The annotation page's no-JavaScript form: the answer that blocks is recorded and the
    annotator is sent on to the end page, not shown a bare 403."""
    app = study(
        edit=qc_only(
            gold_standards={"enabled": False},
            attention_checks={
                "frequency": 1,
                "failure_handling": {"warn_threshold": 1, "block_threshold": 1},
            },
        )
    )
    c = with_csrf(login(app.test_client(), "nojs"))  # a form post carries its token
    annotate(c)
    assert c.get("/api/current_instance").json["instance_id"] == "attn_1"
    r = c.post(
        "/annotate",
        data={"instance_id": "attn_1", "sentiment": "positive", "action": "next_instance"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/annotate")
    assert c.get("/annotate").headers["Location"].endswith("/phase")
    assert b"too many incorrect responses" in c.get("/phase").data
    qc = c.get("/admin/api/quality_control", headers=ADMIN).json["attention_checks"]
    assert qc["total_failed"] == 1
