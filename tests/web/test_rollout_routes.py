"""Potato's rollout endpoints on the world_model_rollouts example: the per-annotator rollout
set, the judge over a real local HTTP server standing in for an OpenAI-compatible vision
model (the contact sheet it receives is decoded), the stored batch and its alignment with
the annotators' marks; unhappy paths answer 4xx/503 JSON."""

from __future__ import annotations

import base64
import json

import cv2
import numpy as np
import openai  # noqa: F401 - the SDK's import (seconds, once) is not a request's budget
import pytest

from tests.conftest import ADMIN, REPO, login
from tests.llm_fakes import FakeLLM

EXAMPLE = REPO / "example_projects" / "world_model_rollouts"
NO_BREAK = {"break_tile": 0, "violation_type": "", "confidence": 0.7, "rationale": "fine"}
TIMES = [0.125 + 0.25 * i for i in range(12)]  # 12 tiles over the examples' 3 s clips
SECOND_ITEM = {"id": "remote_one", "prompt": "A cup slides.", "real": "media/real.webm",
               "gen_a": "https://example.com/a.mp4", "gen_b": "media/gen_b.webm", "note": "x"}  # fmt: skip


@pytest.fixture
def fake():
    server = FakeLLM("openai", default=NO_BREAK)
    yield server
    server.close()


def ai(url: str) -> dict:
    return {"enabled": True, "endpoint_type": "vllm",
            "ai_config": {"model": "judge-model", "base_url": url, "timeout": 5}}  # fmt: skip


@pytest.fixture
def app(example_project, fake):
    items = (EXAMPLE / "items.jsonl").read_text() + json.dumps(SECOND_ITEM) + "\n"
    return example_project(EXAMPLE, files={"items.jsonl": items}, ai_support=ai(fake.url))


def user(app, name="ann1"):
    c = login(app.test_client(), name)
    assert c.get("/api/current_instance").json["instance_id"] == "ball_drop"
    return c


def mark(client, item_id, value):
    r = client.post("/updateinstance", json={"instance_id": item_id, "draft": True,
                    "annotations": {"rollout_review:_data": json.dumps(value)}})  # fmt: skip
    assert r.status_code == 200, r.json


def test_rollout_set_is_blind_ordered_per_annotator_and_measured(app):
    c = user(app)
    r = c.get("/api/rollout/set?schema=rollout_review")
    assert r.status_code == 200, r.json
    body = r.json
    assert body["set_id"] == "ball_drop" and body["blind"] is True
    assert body["prompt"].startswith("A ball is dropped")
    assert {s["stream_id"] for s in body["streams"]} == {"real", "gen_a", "gen_b"}
    assert [s["name"] for s in body["streams"]] == ["Rollout 1", "Rollout 2", "Rollout 3"]
    assert [s["position"] for s in body["streams"]] == [0, 1, 2]
    assert {s["role"] for s in body["streams"]} == {"hidden"}  # "real" would unblind
    assert all(s["duration"] == 3.0 and s["num_frames"] == 30 for s in body["streams"])
    assert body["duration"] == 3.0 and body["num_frames"] == 30 and body["warnings"] == []
    assert "Model A" not in r.get_data(as_text=True)
    assert c.get("/api/rollout/set?schema=rollout_review").json == body  # stable on reload
    # The page shows the panels in the same order.
    page = c.get("/annotate").get_data(as_text=True)
    shown = [page.index(f"/project_files/media/{s['stream_id']}.webm") for s in body["streams"]]
    assert shown == sorted(shown)


def test_rollout_set_unhappy_paths(app, example_project, fake):
    c = user(app)
    assert app.test_client().get("/api/rollout/set?schema=rollout_review").status_code == 401
    r = c.get("/api/rollout/set")
    assert r.status_code == 400 and "schema" in r.json["error"]
    r = c.get("/api/rollout/set?schema=nope")
    assert r.status_code == 404 and "nope" in r.json["error"]

    def add_radio(config):
        config["annotation_schemes"].append(
            {"annotation_type": "radio", "name": "ok", "description": "ok?", "labels": ["y", "n"]}
        )

    other = user(example_project(EXAMPLE, edit=add_radio), "ann2")
    r = other.get("/api/rollout/set?schema=ok")
    assert r.status_code == 400 and "radio" in r.json["error"]


def test_judge_sends_a_numbered_contact_sheet_and_stores_nothing(app, fake):
    fake.script(("ok", {"break_tile": 5, "violation_type": "Gravity_Violation",
                        "confidence": 0.8, "rationale": "the ball floats"}))  # fmt: skip
    c = user(app)
    r = c.post("/api/rollout/judge", json={"schema": "rollout_review", "streams": ["gen_a"],
                                           "prompt_version": "v1"})  # fmt: skip
    assert r.status_code == 200, r.json
    (p,) = r.json["predictions"]
    assert r.json["instance_id"] == "ball_drop" and r.json["schema"] == "rollout_review"
    assert p["stream_id"] == "gen_a" and p["error"] == ""
    assert p["t"] == pytest.approx(TIMES[4]) and p["violation_type"] == "gravity_violation"
    assert p["confidence"] == 0.8 and p["resolution"] == 0.125
    assert p["model_name"] == "judge-model" and p["prompt_version"] == "v1"
    (sent,) = fake.requests
    assert sent["path"] == "/v1/chat/completions" and sent["body"]["model"] == "judge-model"
    text, image = sent["body"]["messages"][-1]["content"]
    assert "12 frames" in text["text"] and "gravity_violation" in text["text"]
    assert "A ball is dropped" in text["text"]
    jpeg = base64.b64decode(image["image_url"]["url"].split(",", 1)[1])
    sheet = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert sheet.shape[:2] == (3 * 240, 4 * 320)  # 80x60 frames as 320x240 tiles, 4 x 3
    maps = c.get("/get_annotations?instance_id=ball_drop").json["label_annotations"]
    assert maps == {}


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ("I think it is fine", "usable JSON"),
        ({"break_tile": 13, "violation_type": ""}, "tile 13 of 12"),
        ({"break_tile": "soon"}, "unusable break_tile"),
    ],
)
def test_bad_model_answers_are_errors_not_verdicts(app, fake, answer, error):
    fake.script(("ok", answer))
    r = user(app).post("/api/rollout/judge", json={"schema": "rollout_review",
                                                    "streams": ["gen_b"]})  # fmt: skip
    (p,) = r.json["predictions"]
    assert error in p["error"] and p["t"] is None


def test_judge_unhappy_paths(app, example_project, fake):
    c = user(app)
    assert app.test_client().post("/api/rollout/judge", json={}).status_code == 401
    assert c.post("/api/rollout/judge", json=[1]).status_code == 400
    assert c.post("/api/rollout/judge", json={"schema": "x"}).status_code == 404
    r = c.post("/api/rollout/judge", json={"schema": "rollout_review", "streams": ["gen_z"]})
    assert r.status_code == 400 and "gen_z" in r.json["error"]
    r = c.post("/api/rollout/judge", json={"schema": "rollout_review", "streams": "gen_a"})
    assert r.status_code == 400
    fake.script(("status", 500), ("status", 500), ("status", 500), ("status", 500))
    r = c.post("/api/rollout/judge", json={"schema": "rollout_review", "streams": ["real"]})
    assert r.status_code == 200 and r.json["predictions"][0]["error"]
    no_ai = user(example_project(EXAMPLE), "ann3")
    r = no_ai.post("/api/rollout/judge", json={"schema": "rollout_review"})
    assert r.status_code == 503 and "vision" in r.json["error"]
    text_only = {"enabled": True, "endpoint_type": "anthropic",
                 "ai_config": {"model": "m", "api_key": "k", "base_url": fake.url}}  # fmt: skip
    other = user(example_project(EXAMPLE, ai_support=text_only), "ann4")
    asked = len(fake.requests)
    r = other.post("/api/rollout/judge", json={"schema": "rollout_review"})
    assert r.status_code == 503 and len(fake.requests) == asked


def test_batch_then_alignment_against_the_annotators(app, fake):
    a, b = user(app, "ann1"), user(app, "ann2")
    mark(a, "ball_drop", {"violations": [
        {"stream": "gen_a", "t": 1.0, "type": "gravity_violation", "severity": 2}],
        "clean": ["real", "gen_b"]})  # fmt: skip
    mark(b, "ball_drop", {"violations": [
        {"stream": "gen_a", "t": 1.4, "type": "gravity_violation", "severity": 2},
        {"stream": "gen_b", "t": 2.0, "type": "appearance_drift", "severity": 1}],
        "clean": ["real"]})  # fmt: skip
    # Streams in the scheme's order: real, gen_a, gen_b; then the second item's local ones.
    gen_a_break = {"break_tile": 5, "violation_type": "gravity_violation", "confidence": 0.9}
    fake.script(("ok", NO_BREAK), ("ok", gen_a_break), ("ok", NO_BREAK))
    admin = app.test_client()
    r = admin.post("/admin/api/rollout/judge-batch", json={"prompt_version": "v2"},
                   headers=ADMIN)  # fmt: skip
    assert r.status_code == 200, r.json
    s = r.json
    assert s["judged"] == 5 and s["failed"] == 1 and s["prompt_version"] == "v2"
    assert s["skipped"] == ["remote_one::gen_a: not a project file, so its frames cannot be "
                            "sampled"] and s["schemas"] == ["rollout_review"]  # fmt: skip
    assert len(fake.requests) == 5
    store = app.extensions["potato_like"].store
    assert store.rollout_predictions.count("v2") == 6

    r = admin.get("/admin/api/rollout/alignment?tolerance=0.5", headers=ADMIN)
    assert r.status_code == 200, r.json
    assert r.json["prompt_version"] == "v2"
    report = r.json["schemas"]["rollout_review"]
    # real: clean x2 vs no break; gen_a: median(1.0, 1.4) = 1.2 vs 1.125; gen_b: one mark,
    # one clean -> no break vs no break. remote_one was never annotated: not compared.
    assert report["n_compared"] == 3 and report["n_excluded_errors"] == 1
    assert report["detection"] == {"both_found": 1, "judge_only": 0, "human_only": 0,
                                   "neither_found": 2, "agreement_rate": 1.0}  # fmt: skip
    assert report["localization"]["mean_offset"] == pytest.approx(0.075)
    assert report["category"] == {"n_compared": 1, "matched": 1, "match_rate": 1.0}
    fine = admin.get("/admin/api/rollout/alignment?tolerance=0.05", headers=ADMIN).json
    assert "finer than the judge's own resolution" in fine["schemas"]["rollout_review"]["error"]
    other = admin.get("/admin/api/rollout/alignment?prompt_version=v9", headers=ADMIN).json
    assert "no predictions recorded" in other["schemas"]["rollout_review"]["error"]


def test_batch_and_alignment_unhappy_paths(app, example_project, fake):
    admin = app.test_client()
    assert admin.post("/admin/api/rollout/judge-batch", json={}).status_code == 403
    assert admin.get("/admin/api/rollout/alignment").status_code == 403
    bad_key = {"X-API-Key": "wrong"}
    assert admin.get("/admin/api/rollout/alignment", headers=bad_key).status_code == 403
    r = admin.get("/admin/api/rollout/alignment", headers=ADMIN)
    assert r.status_code == 404 and "run the batch first" in r.json["error"]
    for body, word in [
        ({"max_items": 0}, "max_items"),
        ({"max_items": "5"}, "max_items"),
        ({"schemas": ["nope"]}, "nope"),
        ({"schemas": "rollout_review"}, "schemas"),
        ({"prompt_version": 3}, "prompt_version"),
        ([1, 2], "JSON object"),
    ]:
        r = admin.post("/admin/api/rollout/judge-batch", json=body, headers=ADMIN)
        assert r.status_code == 400 and word in r.json["error"], (body, r.json)
    assert not fake.requests
    r = admin.get("/admin/api/rollout/alignment?tolerance=soon", headers=ADMIN)
    assert r.status_code == 400 and "tolerance" in r.json["error"]
    r = admin.get("/admin/api/rollout/alignment?tolerance=-1", headers=ADMIN)
    assert r.status_code == 400
    r = admin.get("/admin/api/rollout/alignment?schema=other", headers=ADMIN)
    assert r.status_code == 404
    r = admin.post("/admin/api/rollout/judge-batch", json={"max_items": 1}, headers=ADMIN)
    assert r.json["skipped"][-1] == "rollout_review: stopped at the 1-item limit"
    no_ai = example_project(EXAMPLE).test_client()
    r = no_ai.post("/admin/api/rollout/judge-batch", json={}, headers=ADMIN)
    assert r.status_code == 503


@pytest.mark.postgres
def test_predictions_replace_per_version_on_postgres(example_project, fake, pg_url):
    app = example_project(EXAMPLE, ai_support=ai(fake.url), database_url=pg_url)
    admin = app.test_client()
    for _ in range(2):  # the same version twice: rows replaced, not duplicated
        r = admin.post("/admin/api/rollout/judge-batch", json={}, headers=ADMIN)
        assert r.status_code == 200 and r.json["judged"] == 3, r.json
    store = app.extensions["potato_like"].store
    assert store.rollout_predictions.count("v0") == 3
    assert store.rollout_predictions.latest_version() == "v0"
    report = admin.get("/admin/api/rollout/alignment", headers=ADMIN).json
    assert report["schemas"]["rollout_review"]["n_compared"] == 0  # nobody annotated yet
