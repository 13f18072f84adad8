"""Attention checks, gold standards, auto-promotion and pre-annotation during annotation, and
GET /admin/api/quality_control (seed 003 shapes)."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ADMIN, login
from tests.web.test_study_flow import study  # noqa: F401 - the fixture


def qc_only(**changes):
    """The study_flow example without phases and training (annotation from the start)."""

    def edit(config):
        config.pop("phases")
        config.pop("training")
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(config.get(key), dict):
                config[key].update(value)
            else:
                config[key] = value

    return edit


def annotate(client, label: str = "positive", draft: bool = False) -> dict:
    """Answer whatever is shown now (an item or a check), then go on."""
    iid = client.get("/api/current_instance").json["instance_id"]
    r = client.post(
        "/updateinstance",
        json={"instance_id": iid, "annotations": {f"sentiment:{label}": "1"}, "draft": draft},
    )
    assert r.status_code == 200, r.json
    body = {**r.json, "instance_id": iid}
    if r.json["status"] == "success" and not draft:
        client.post("/go_to", json={"action": "next_instance"})
    return body


def test_attention_check_after_every_fourth_item_warns_and_never_counts(study):  # noqa: F811
    app = study(edit=qc_only(gold_standards={"enabled": False}))
    c = login(app.test_client(), "reader")
    for _ in range(4):
        assert annotate(c)["instance_id"].startswith("review_")
    pos = c.get("/api/current_instance").json
    assert pos["instance_id"] == "attn_1"
    assert (pos["current_index"], pos["total_instances"]) == (3, 24)  # progress unchanged
    # Navigating away is not possible while a check is pending.
    moved = c.post("/go_to", json={"action": "next_instance"}).json
    assert moved["instance_id"] == "attn_1"
    assert c.get("/api/spans/attn_1").json["text"].startswith("This is a check item")
    assert c.get("/get_annotations?instance_id=attn_1").json["label_annotations"] == {}
    check_page = c.get("/annotate").data.decode()
    assert "This is a check item" in check_page
    assert re.search(r'data-testid="item-status">\s*to do', check_page)
    # An autosave of a check keeps nothing; the submit is evaluated.
    assert annotate(c, "positive", draft=True)["instance_status"] == "in_progress"
    result = annotate(c, "positive")  # wrong: the check asks for negative
    assert result["warning"] is True
    assert result["warning_message"].startswith("That was a check item")
    assert result["qc_result"] == {"type": "attention_check", "passed": False, "warning": True}
    nxt = c.get("/api/current_instance").json
    assert nxt["instance_id"] == "review_05" and nxt["current_index"] == 4
    # Checks are never annotations: not in the user's count, output or agreement.
    project = app.extensions["potato_like"]
    assert project.store.annotations.count() == 4
    row = c.get("/admin/api/annotators", headers=ADMIN).json["annotators"][0]
    assert row["completed_items"] == 4
    for _ in range(4):
        annotate(c)
    assert c.get("/api/current_instance").json["instance_id"] == "attn_2"
    assert "warning" not in annotate(c, "positive")  # attn_2 asks for positive: passed
    qc = c.get("/admin/api/quality_control", headers=ADMIN).json
    att = qc["attention_checks"]
    assert (att["total_checks"], att["total_passed"], att["total_failed"]) == (2, 1, 1)
    assert att["by_user"] == {"reader": {"passed": 1, "failed": 1, "pass_rate": 0.5}}
    assert att["total_items"] == 2
    row = c.get("/admin/api/annotators", headers=ADMIN).json["annotators"][0]
    assert (row["qc_checks"], row["qc_pass_rate"], row["study_status"]) == (2, 0.5, "active")
    admin = app.test_client()
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"], "next": "/admin"})
    page = admin.get("/admin/annotators/").data
    assert b"QC pass rate" in page and b'title="2 checks">50%' in page
    # Exports keep check answers apart, marked as quality control.
    lines = c.post("/admin/api/export", json={"format": "jsonl"}, headers=ADMIN).data
    records = [json.loads(line) for line in lines.decode().splitlines()]
    checks = [r for r in records if "quality_control" in r]
    assert [r["id"] for r in checks] == ["attn_1", "attn_2"]
    assert checks[0]["quality_control"] == {
        "type": "attention_check",
        "correct": False,
        "seconds": checks[0]["quality_control"]["seconds"],
        "flags": [],
    }
    assert checks[1]["answers"] == {"sentiment": "positive"} and checks[1]["user"] == "reader"
    assert len(records) - len(checks) == 8  # the annotations themselves


def test_too_many_failed_checks_block_the_user(study):  # noqa: F811
    app = study(
        edit=qc_only(
            gold_standards={"enabled": False},
            attention_checks={
                "frequency": 1,
                "failure_handling": {"warn_threshold": 1, "block_threshold": 2},
            },
        )
    )
    c = login(app.test_client(), "clicker")
    annotate(c)
    assert annotate(c, "positive")["warning"] is True  # attn_1 wants negative
    annotate(c)
    blocked = annotate(c, "negative")  # attn_2 wants positive
    assert blocked["status"] == "blocked"
    assert blocked["message"] == "You have been blocked due to too many incorrect responses."
    r = c.get("/api/current_instance")
    assert r.status_code == 403 and r.json["status"] == "blocked"
    r = c.post("/updateinstance", json={"instance_id": "review_03", "annotations": {}})
    assert r.status_code == 403
    assert c.get("/annotate").headers["Location"].endswith("/phase")
    assert b"too many incorrect responses" in c.get("/phase").data
    assert c.get("/api/phase").json["status"] == "blocked"


def test_too_fast_answers_fail_the_check(study):  # noqa: F811
    app = study(
        edit=qc_only(
            gold_standards={"enabled": False},
            attention_checks={"frequency": 1, "min_response_time": 60},
        )
    )
    c = login(app.test_client(), "speedy")
    annotate(c)
    assert c.get("/api/current_instance").json["instance_id"] == "attn_1"
    annotate(c, "negative")  # right answer, but within a second of seeing it
    qc = c.get("/admin/api/quality_control", headers=ADMIN).json
    assert qc["attention_checks"]["by_user"]["speedy"]["failed"] == 1


def test_gold_items_give_feedback_and_track_accuracy(study):  # noqa: F811
    app = study(
        edit=qc_only(
            attention_checks={"enabled": False},
            gold_standards={"frequency": 2, "auto_promote": {"enabled": False}},
        )
    )
    c = login(app.test_client(), "gold")
    annotate(c)
    annotate(c)
    assert c.get("/api/current_instance").json["instance_id"] == "gold_1"
    result = annotate(c, "positive")  # gold_1 is negative
    assert result["status"] == "success"
    assert result["qc_result"] == {
        "type": "gold_standard",
        "correct": False,
        "gold_label": {"sentiment": "negative"},
        "explanation": "A product falling apart at first use is a clear complaint.",
    }
    annotate(c)
    annotate(c)
    assert annotate(c, "positive")["qc_result"]["correct"] is True  # gold_2
    qc = c.get("/admin/api/quality_control", headers=ADMIN).json["gold_standards"]
    assert (qc["total_evaluations"], qc["total_correct"], qc["total_incorrect"]) == (2, 1, 1)
    assert qc["by_user"]["gold"] == {
        "correct": 1,
        "total": 2,
        "accuracy": 0.5,
        "below_threshold": False,  # evaluation_count is 3
    }
    assert qc["by_item"] == {
        "gold_1": {"correct": 0, "total": 1, "accuracy": 0.0},
        "gold_2": {"correct": 1, "total": 1, "accuracy": 1.0},
    }


def test_gold_accuracy_below_threshold_can_block(study):  # noqa: F811
    app = study(
        edit=qc_only(
            attention_checks={"enabled": False},
            gold_standards={
                "frequency": 1,
                "accuracy": {
                    "min_threshold": 0.9,
                    "evaluation_count": 2,
                    "block_below_threshold": True,
                },
            },
        )
    )
    c = login(app.test_client(), "sloppy")
    annotate(c)
    assert annotate(c, "negative")["qc_result"]["correct"] is True
    annotate(c)
    assert annotate(c, "negative")["status"] == "blocked"  # gold_2 is positive: 1 of 2


def test_auto_promotion_and_candidates(study):  # noqa: F811
    app = study(
        edit=qc_only(
            attention_checks={"enabled": False},
            gold_standards={"enabled": False, "auto_promote": {"min_annotators": 3}},
            max_annotations_per_item=None,
        )
    )
    clients = [login(app.test_client(), f"u{i}") for i in range(3)]
    for c in clients:  # review_01: all agree; review_02: two of three
        annotate(c, "positive")
    annotate(clients[0], "negative")
    annotate(clients[1], "negative")
    annotate(clients[2], "neutral")
    annotate(clients[0], "neutral")  # review_03: one annotator so far
    annotate(clients[1], "neutral")  # review_03: two agree so far: a candidate
    auto = clients[0].get("/admin/api/quality_control", headers=ADMIN).json["auto_promotion"]
    assert auto["promoted_count"] == 1
    promoted = auto["promoted_items"][0]
    assert promoted["item_id"] == "review_01"
    assert promoted["consensus_label"] == {"sentiment": "positive"}
    assert promoted["annotator_count"] == 3 and promoted["promoted_at"].endswith("Z")
    assert auto["candidates"] == [
        {
            "item_id": "review_03",
            "annotator_count": 2,
            "needed_annotators": 3,
            "schema_agreement": {
                "sentiment": {"value": "neutral", "count": 2, "total": 2, "agreement": 1.0}
            },
        }
    ]


def test_promoted_items_become_gold_checks_for_later_annotators(study):  # noqa: F811
    app = study(
        edit=qc_only(
            attention_checks={"enabled": False},
            gold_standards={
                "items_file": None,
                "frequency": 1,
                "auto_promote": {"min_annotators": 2},
                "feedback": {"show_correct_answer": True},
            },
            max_annotations_per_item=2,
        )
    )
    a, b = (login(app.test_client(), name) for name in ("first", "second"))
    annotate(a, "negative")
    annotate(b, "negative")  # review_01 promoted: both said negative
    late = login(app.test_client(), "late")
    assert annotate(late, "positive")["instance_id"] == "review_03"  # 01 and 02 are full
    assert late.get("/api/current_instance").json["instance_id"] == "review_01"
    result = annotate(late, "negative")
    assert result["qc_result"] == {
        "type": "gold_standard",
        "correct": True,
        "gold_label": {"sentiment": "negative"},
    }
    qc = late.get("/admin/api/quality_control", headers=ADMIN).json["gold_standards"]
    assert qc["total_items"] == 1
    assert qc["by_item"] == {"review_01": {"correct": 1, "total": 1, "accuracy": 1.0}}
    # The check was not an annotation of review_01 by this user.
    project = app.extensions["potato_like"]
    late_id = project.store.users.by_name("late").id
    assert project.store.assignments.status_of(late_id, 1) is None


def test_pre_annotation_prefills_the_form_and_is_counted(study):  # noqa: F811
    app = study(
        edit=qc_only(attention_checks={"enabled": False}, gold_standards={"enabled": False})
    )
    c = login(app.test_client(), "prefill")
    page = c.get("/annotate")
    assert b"Pre-filled from a model prediction" in page.data
    assert b"confidence 55%" in page.data and b"low-confidence" in page.data
    assert re.search(rb'data-label="positive"[^>]*checked', page.data)
    assert not re.search(rb'data-label="negative"[^>]*checked', page.data)
    qc = c.get("/admin/api/quality_control", headers=ADMIN).json
    assert qc["pre_annotation"] == {
        "enabled": True,
        "field": "predictions",
        "items_with_predictions": 12,
    }
    # Saved answers win over predictions.
    annotate(c, "neutral")
    c.post("/go_to", json={"action": "prev_instance"})
    assert b"Pre-filled" not in c.get("/annotate").data


def test_predictions_can_be_locked(study):  # noqa: F811
    app = study(
        edit=qc_only(
            attention_checks={"enabled": False},
            gold_standards={"enabled": False},
            pre_annotation={"allow_modification": False},
        )
    )
    c = login(app.test_client(), "locked")
    assert c.get("/api/current_instance").json["instance_id"] == "review_01"
    r = c.post(
        "/updateinstance",
        json={"instance_id": "review_01", "annotations": {"sentiment:negative": "1"}},
    )
    assert r.status_code == 400 and "model prediction" in r.json["error"]
    r = c.post(
        "/updateinstance",
        json={"instance_id": "review_01", "annotations": {"sentiment:positive": "1"}},
    )
    assert r.status_code == 200


def test_quality_control_endpoint_needs_admin_and_reports_disabled_parts(make_project):
    app = make_project()
    c = app.test_client()
    assert c.get("/admin/api/quality_control").status_code == 403
    assert c.get("/admin/api/quality_control", headers={"X-API-Key": "x" * 20}).status_code == 403
    assert (
        login(app.test_client(), "annotator").get("/admin/api/quality_control").status_code == 403
    )
    qc = c.get("/admin/api/quality_control", headers=ADMIN).json
    assert qc["enabled"] is False
    assert qc["attention_checks"]["enabled"] is False
    assert qc["attention_checks"]["total_checks"] == 0
    assert qc["gold_standards"]["by_user"] == {}
    assert qc["auto_promotion"]["promoted_items"] == []
    assert qc["pre_annotation"]["items_with_predictions"] == 0


@pytest.mark.parametrize("bad", [{"frequency": 3, "probability": 0.2}, {"probability": 2}])
def test_bad_check_schedules_are_config_errors(study, bad):  # noqa: F811
    from potato_like.errors import ConfigError

    with pytest.raises(ConfigError):
        study(edit=qc_only(attention_checks=bad))


def test_a_promoted_item_still_handed_out_is_not_used_as_a_check(study):  # noqa: F811
    # Unlimited overlap: review_01 stays open after its promotion, so a later annotator may
    # still be assigned it. Showing it as a gold check first would give the answer away.
    app = study(
        edit=qc_only(
            attention_checks={"enabled": False},
            gold_standards={
                "items_file": None,
                "frequency": 1,
                "auto_promote": {"min_annotators": 2},
            },
            max_annotations_per_item=None,
            assignment_strategy="fixed_order",
        )
    )
    for name in ("first", "second"):
        annotate(login(app.test_client(), name), "negative")
    qc = app.test_client().get("/admin/api/quality_control", headers=ADMIN).json
    assert qc["auto_promotion"]["promoted_count"] == 1
    late = login(app.test_client(), "late")
    late.post("/go_to", json={"go_to": "review_05"})  # before ever holding review_01
    assert annotate(late, "negative")["instance_id"] == "review_05"
    # review_01 comes next as a normal item to annotate, not first as a gold check.
    assert annotate(late, "negative")["instance_id"] == "review_01"
    annotated = late.get("/get_annotations?instance_id=review_01").json["label_annotations"]
    assert annotated == {"sentiment": {"negative": "1"}}
    qc = late.get("/admin/api/quality_control", headers=ADMIN).json["gold_standards"]
    assert qc["total_evaluations"] == 0
