"""ICL labelling end to end with the builtin model as predictor (no LLM configured): agreed
items become examples, unanswered items get predictions in the background, human answers
verify them, accuracy is measured; the seed-003 endpoints, their bad requests and who may
call them."""

from __future__ import annotations

import pytest

from potato_like.ai.builtin.runner import trainer
from potato_like.ai.icl import worker
from tests.ai_texts import write_reviews
from tests.conftest import ADMIN, answer, base_config, login, write_config

SENTIMENT = {
    "annotation_type": "radio",
    "name": "sentiment",
    "description": "Sentiment?",
    "labels": ["positive", "negative"],
}
ICL = {
    "enabled": True,
    "example_selection": {"min_agreement_threshold": 0.8, "min_annotators_per_instance": 2},
    "llm_labeling": {"batch_size": 5, "trigger_threshold": 3, "confidence_threshold": 0.5},
    "verification": {"enabled": True, "sample_rate": 0.3},
    "persistence": {"predictions_file": "icl_predictions.json"},
}


@pytest.fixture
def icl_app(tmp_path, open_app):
    truth = write_reviews(tmp_path / "data.jsonl", 40)
    config = base_config(
        annotation_schemes=[SENTIMENT], max_annotations_per_item=2, icl_labeling=ICL
    )
    return open_app(write_config(tmp_path, config)), truth


def label(client, item_id, value):
    client.post("/go_to", json={"go_to": item_id})
    assert client.get("/api/current_instance").json["instance_id"] == item_id
    assert answer(client, item_id, **{f"sentiment:{value}": "1"}).status_code == 200


def agree_on(app, truth, ids, users=("a", "b")):
    for user in users:
        client = login(app.test_client(), user)
        for item_id in ids:
            label(client, item_id, truth[item_id])


def run(app, action="batch_label", **body):
    r = app.test_client().post("/admin/api/icl/trigger", json={"action": action, **body},
                               headers=ADMIN)  # fmt: skip
    assert r.status_code == 202, r.json
    assert worker(app.extensions["potato_like"]).wait(30)
    return r.json


def test_examples_predictions_verification_and_accuracy(icl_app):
    app, truth = icl_app
    project = app.extensions["potato_like"]
    admin = app.test_client()
    taught = list(truth)[:12]
    agree_on(app, truth, taught)
    trainer(project).wait(30)
    trainer(project).run_once()
    run(app, "refresh_examples")
    examples = admin.get("/admin/api/icl/examples?schema=sentiment", headers=ADMIN).json
    assert examples["total_count"] == 10  # max_examples_per_schema (default 10)
    first = examples["examples"]["sentiment"][0]
    assert first["agreement_score"] == 1.0 and first["annotator_count"] == 2
    assert first["label"] == truth[first["instance_id"]]

    run(app, "batch_label", schema="sentiment")
    listed = admin.get("/admin/api/icl/predictions?limit=50", headers=ADMIN).json
    assert listed["total_count"] == 5
    predicted = listed["predictions"]
    assert {p["instance_id"] for p in predicted}.isdisjoint(taught)  # only unanswered items
    for p in predicted:
        assert p["verification_status"] == "pending"
        assert p["model_name"].startswith("builtin:sentiment@")
        assert p["confidence_score"] >= 0.5
    status = admin.get("/admin/api/icl/status", headers=ADMIN).json
    assert status["enabled"] and status["total_predictions"] == 5
    assert status["verification_queue_size"] == 5 and status["worker_running"] is False

    # A human answers a predicted item (blind: the page shows no prediction): verified.
    one, two = predicted[0]["instance_id"], predicted[1]["instance_id"]
    label(login(app.test_client(), "c"), one, truth[one])
    run(app, "refresh_examples")
    # And one through the API, with the wrong label on purpose.
    wrong = "negative" if predicted[1]["predicted_label"] == "positive" else "positive"
    c = login(app.test_client(), "c")
    r = c.post("/api/icl/record_verification",
               json={"instance_id": two, "schema_name": "sentiment", "human_label": wrong})  # fmt: skip
    assert r.status_code == 200 and r.json == {
        "success": True,
        "message": "Verification recorded",
        "correct": False,
    }
    acc = admin.get("/admin/api/icl/accuracy?schema=sentiment", headers=ADMIN).json
    right = int(predicted[0]["predicted_label"] == truth[one])
    assert acc["total_verified"] == 2 and acc["verified_correct"] == right
    assert acc["accuracy"] == right / 2 and acc["pending_verification"] == 3
    done = admin.get("/admin/api/icl/predictions?status=verified_incorrect", headers=ADMIN).json
    assert two in {p["instance_id"] for p in done["predictions"]}
    assert next(p for p in done["predictions"] if p["instance_id"] == two)["verified_by"] == "c"


def test_no_predictions_before_enough_examples(icl_app):
    app, truth = icl_app
    agree_on(app, truth, list(truth)[:2])  # 2 examples; trigger_threshold is 3
    run(app)
    status = app.test_client().get("/admin/api/icl/status", headers=ADMIN).json
    assert status["total_predictions"] == 0
    assert "trigger_threshold" in status["notes"]["sentiment"]


def test_bad_requests_and_wrong_users(icl_app):
    app, _ = icl_app
    annotator = login(app.test_client(), "ann")
    for path in ("status", "examples", "predictions", "accuracy"):
        assert annotator.get(f"/admin/api/icl/{path}").status_code == 403
    assert (
        annotator.post("/admin/api/icl/trigger", json={"action": "batch_label"}).status_code == 403
    )
    anonymous = app.test_client()
    r = anonymous.post("/api/icl/record_verification", json={"instance_id": "r0001"})
    assert r.status_code == 401
    admin = app.test_client()
    for query, needle in (
        ("predictions?status=maybe", "status must be one of"),
        ("predictions?limit=abc", "limit must be"),
        ("predictions?limit=0", "limit must be"),
        ("examples?schema=nope", "unknown ICL schema"),
        ("accuracy?schema=nope", "unknown ICL schema"),
    ):
        r = admin.get(f"/admin/api/icl/{query}", headers=ADMIN)
        assert r.status_code == 400 and needle in r.json["error"], query
    for body, needle in (
        ({"action": "explode"}, "action must be one of"),
        ({"action": "batch_label", "schema": "nope"}, "unknown ICL schema"),
        (["not", "an", "object"], "JSON object"),
    ):
        r = admin.post("/admin/api/icl/trigger", json=body, headers=ADMIN)
        assert r.status_code == 400 and needle in r.json["error"], body
    r = admin.post("/admin/api/icl/trigger", json={"action": "save_state"}, headers=ADMIN)
    assert r.status_code == 200 and r.json["success"] is True
    for body, needle in (
        ({"instance_id": "r0001", "schema_name": "sentiment"}, "required"),
        ({"instance_id": "r0001", "schema_name": "x", "human_label": "positive"}, "unknown ICL"),
        ({"instance_id": "r0001", "schema_name": "sentiment", "human_label": "meh"}, "meh"),
    ):
        r = annotator.post("/api/icl/record_verification", json=body)
        assert r.status_code == 400 and needle in r.json["error"], body
    r = annotator.post("/api/icl/record_verification",
                       json={"instance_id": "r0001", "schema_name": "sentiment",
                             "human_label": "positive"})  # fmt: skip
    assert r.status_code == 200 and r.json["success"] is False  # nothing predicted yet


def test_endpoints_without_icl_configured(make_project):
    app = make_project()
    admin = app.test_client()
    assert admin.get("/admin/api/icl/status", headers=ADMIN).json["enabled"] is False
    assert admin.get("/admin/api/icl/predictions", headers=ADMIN).json["total_count"] == 0
    assert admin.get("/admin/api/icl/accuracy", headers=ADMIN).json["total_predictions"] == 0
    r = admin.post("/admin/api/icl/trigger", json={"action": "batch_label"}, headers=ADMIN)
    assert r.status_code == 400 and "not configured" in r.json["error"]
    c = login(app.test_client(), "ann")
    r = c.post("/api/icl/record_verification",
               json={"instance_id": "item_001", "schema_name": "sentiment", "human_label": "positive"})  # fmt: skip
    assert r.status_code == 400


def test_saves_start_rounds_in_the_background_at_the_configured_intervals(tmp_path, open_app):
    truth = write_reviews(tmp_path / "data.jsonl", 30)
    icl = {
        **ICL,
        "example_selection": {"min_annotators_per_instance": 1, "refresh_interval_seconds": 0},
        "llm_labeling": {"batch_size": 3, "trigger_threshold": 3, "confidence_threshold": 0,
                         "batch_interval_seconds": 0, "max_unlabeled_ratio": 1.0},
    }  # fmt: skip
    app = open_app(write_config(tmp_path, base_config(annotation_schemes=[SENTIMENT],
                                                      icl_labeling=icl)))  # fmt: skip
    project = app.extensions["potato_like"]
    client = login(app.test_client(), "a")
    for item_id in list(truth)[:12]:
        label(client, item_id, truth[item_id])
    assert trainer(project).wait(30)
    trainer(project).run_once()
    assert worker(project).wait(30)  # rounds started by the saves above have ended
    before = project.store.icl.metrics("sentiment")["total_predictions"]
    label(client, list(truth)[12], truth[list(truth)[12]])  # this save starts a round
    assert worker(project).wait(30)
    assert worker(project).last_batch is not None
    assert project.store.icl.metrics("sentiment")["total_predictions"] >= before + 3
