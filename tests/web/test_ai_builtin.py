"""The builtin model inside a served project: trained in the background on the project's
answers, stored versions that a restarted process loads, suggestions while a training run
is going on, cold start messages, and the admin view (admins only)."""

from __future__ import annotations

import threading
import time

import pytest

from potato_like import create_app
from potato_like.ai.builtin import runner as runner_module
from potato_like.ai.builtin.runner import models, trainer
from potato_like.ai.providers.builtin import Builtin
from potato_like.ai.providers.registry import provider_class
from potato_like.ai.suggestion import ProviderUnavailable, SuggestionRequest
from tests.ai_texts import write_reviews
from tests.conftest import ADMIN, answer, base_config, login, write_config

SCHEMES = [
    {
        "annotation_type": "radio",
        "name": "sentiment",
        "description": "Sentiment?",
        "labels": ["positive", "negative"],
    },
    {
        "annotation_type": "span",
        "name": "cues",
        "description": "Mark cue words",
        "labels": ["CUE"],
    },
    {"annotation_type": "text", "name": "note", "description": "Anything else?"},
]


@pytest.fixture
def reviews_project(tmp_path, open_app):
    def make(n=40, **overrides):
        truth = write_reviews(tmp_path / "data.jsonl", n)
        config = base_config(annotation_schemes=SCHEMES, **overrides)
        path = write_config(tmp_path, config)
        return open_app(path), truth, path

    return make


def label_items(app, truth, count, user="ann1"):
    client = login(app.test_client(), user)
    done = []
    for _ in range(count):
        info = client.get("/api/current_instance").json
        if info.get("finished"):
            break
        iid = info["instance_id"]
        r = answer(client, iid, **{f"sentiment:{truth[iid]}": "1"})
        assert r.status_code == 200, r.json
        done.append(iid)
        client.post("/go_to", json={"action": "next_instance"})
    return done


def ask(project, text, schema="sentiment"):
    provider = Builtin(project, {})
    return provider.suggest(
        SuggestionRequest(item_id="x", text=text, schema=schema, annotation_type="radio")
    )


def test_builtin_is_registered_with_its_settings():
    assert provider_class("builtin") is Builtin
    _settings, problems = Builtin.read_settings({"retrain_every": 0}, "ai_support.ai_config")
    assert problems == ["ai_support.ai_config.retrain_every: must be a whole number >= 1"]


def test_cold_start_then_suggestions_with_evidence_after_background_training(reviews_project):
    app, truth, _ = reviews_project()
    project = app.extensions["potato_like"]
    with pytest.raises(ProviderUnavailable, match="not been trained"):
        ask(project, "wonderful")
    label_items(app, truth, 6)  # 3 per label: fewer than min_answers_per_label (5)
    trainer(project).run_once()
    with pytest.raises(ProviderUnavailable, match="each label needs 5 answers"):
        ask(project, "wonderful superb")
    label_items(app, truth, 10)
    trainer(project).run_once()
    s = ask(project, "the staff was superb and wonderful")
    assert s.label == "positive" and s.provider == "builtin"
    assert s.confidence > 0.5 and s.model_version == "sentiment@1"
    assert {"superb", "wonderful"} & set(s.evidence)
    # The span scheme has no marked spans yet: still cold; the text scheme is not learnt.
    with pytest.raises(ProviderUnavailable, match="each label needs"):
        ask(project, "wonderful", schema="cues")
    with pytest.raises(ProviderUnavailable, match="does not learn 'note'"):
        ask(project, "wonderful", schema="note")


def test_model_versions_survive_a_restart(reviews_project):
    app, truth, path = reviews_project()
    project = app.extensions["potato_like"]
    label_items(app, truth, 12)
    trainer(project).run_once()
    label_items(app, truth, 4, user="ann2")
    trainer(project).run_once()
    before = ask(project, "awful broken room")
    assert before.model_version == "sentiment@2"
    project.close()
    again = create_app(path)
    reopened = again.extensions["potato_like"]
    try:
        after = ask(reopened, "awful broken room")  # no training in this process
        assert trainer(reopened).runs == 0
        assert after.model_version == "sentiment@2"
        assert (after.label, after.confidence) == (before.label, before.confidence)
        listed = again.test_client().get("/admin/api/ai/builtin", headers=ADMIN).json
        versions = [(m["schema"], m["version"], m["n_answers"]) for m in listed["models"]]
        assert versions == [("sentiment", 2, 16), ("sentiment", 1, 12)]
        assert listed["models"][0]["label_counts"] == {"positive": 8, "negative": 8}
    finally:
        reopened.close()


def test_training_runs_in_the_background_and_suggestions_answer_meanwhile(
    reviews_project, monkeypatch
):
    app, truth, _ = reviews_project(ai_support={"enabled": True, "endpoint_type": "builtin"})
    project = app.extensions["potato_like"]
    label_items(app, truth, 12)  # the 10th finished item started a run: let it end
    assert trainer(project).wait(30)
    trainer(project).run_once()
    version = models(project).get("sentiment")[0]
    release, entered = threading.Event(), threading.Event()
    real = runner_module.train_scheme

    def slow_train(*args, **kwargs):
        entered.set()
        assert release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(runner_module, "train_scheme", slow_train)
    trainer(project).check_seconds = 0
    client = login(app.test_client(), "ann9")
    started = time.monotonic()
    for _ in range(10):  # retrain_every (10) finished items: the save starts a run
        info = client.get("/api/current_instance").json
        answer(client, info["instance_id"], **{f"sentiment:{truth[info['instance_id']]}": "1"})
        client.post("/go_to", json={"action": "next_instance"})
    assert entered.wait(5), "the saves did not start a training run"
    assert trainer(project).running
    # While the run is blocked: requests and suggestions answer from the stored model.
    s = ask(project, "superb wonderful")
    assert s.model_version == f"sentiment@{version}"
    r = app.test_client().get("/admin/api/ai/builtin", headers=ADMIN)
    assert r.status_code == 200 and r.json["trainer"]["running"] is True
    assert time.monotonic() - started < 5
    release.set()
    assert trainer(project).wait(30)
    assert models(project).get("sentiment")[0] == version + 1


def test_admin_view_and_train_need_an_admin(reviews_project):
    app, _truth, _ = reviews_project()
    annotator = login(app.test_client(), "ann1")
    assert annotator.get("/admin/api/ai/builtin").status_code == 403
    assert annotator.post("/admin/api/ai/builtin/train", json={}).status_code == 403
    admin = app.test_client()
    r = admin.post("/admin/api/ai/builtin/train", headers=ADMIN)
    assert r.status_code == 202 and r.json["status"] in ("started", "queued")
    assert trainer(app.extensions["potato_like"]).wait(30)
    body = admin.get("/admin/api/ai/builtin", headers=ADMIN).json
    assert body["trainer"]["runs"] == 1
    assert body["trainer"]["cold_start"]["sentiment"]["label_counts"] == {
        "positive": 0,
        "negative": 0,
    }


def test_train_refuses_a_project_without_learnable_schemes(make_project):
    app = make_project(schemes=[{"annotation_type": "text", "name": "t", "description": "?"}])
    r = app.test_client().post("/admin/api/ai/builtin/train", headers=ADMIN)
    assert r.status_code == 400 and "learns" in r.json["error"]


def test_multiselect_and_span_schemes_learn_from_saved_answers(tmp_path, open_app):
    import json
    import random

    from tests.ai_texts import CUES

    rng = random.Random(4)
    rows = []
    for i in range(24):
        good, bad = i % 2 == 0, i % 2 == 1 or i % 3 == 0
        words = ["the", "room", "was"]
        words += rng.sample(CUES["positive"], 1) if good else []
        words += rng.sample(CUES["negative"], 1) if bad else []
        rows.append({"id": f"m{i:02d}", "text": " ".join(words), "good": good, "bad": bad})
    with (tmp_path / "data.jsonl").open("w") as fh:
        for row in rows:
            fh.write(json.dumps({"id": row["id"], "text": row["text"]}) + "\n")
    schemes = [
        {"annotation_type": "multiselect", "name": "tone", "description": "?",
         "labels": ["good", "bad"]},
        {"annotation_type": "span", "name": "cues", "description": "?", "labels": ["CUE"]},
    ]  # fmt: skip
    config = base_config(annotation_schemes=schemes, ai_support={"enabled": True})
    app = open_app(write_config(tmp_path, config))
    client = login(app.test_client(), "ann")
    for row in rows:
        r = client.post("/go_to", json={"go_to": row["id"]})
        assert r.status_code == 200, r.json
        text = row["text"]
        spans = [
            {"label": "CUE", "start": text.index(w), "end": text.index(w) + len(w)}
            for w in text.split()[3:]
        ]
        labels = {f"tone:{k}": "1" for k in ("good", "bad") if row[k]}
        body = {"instance_id": row["id"], "annotations": labels,
                "span_annotations": {"cues": spans}}  # fmt: skip
        assert client.post("/updateinstance", json=body).status_code == 200
    project = app.extensions["potato_like"]
    assert trainer(project).wait(30)
    trainer(project).run_once()
    provider = Builtin(project, {})
    text = "the room was wonderful terrible"
    tone = provider.suggest(
        SuggestionRequest(item_id="x", text=text, schema="tone", annotation_type="multiselect")
    )
    assert sorted(tone.label) == ["bad", "good"]
    assert {"wonderful", "terrible"} <= set(tone.evidence)
    cues = provider.suggest(
        SuggestionRequest(item_id="x", text=text, schema="cues", annotation_type="span")
    )
    assert [(s["label"], s["text"]) for s in cues.label] == [
        ("CUE", "wonderful"),
        ("CUE", "terrible"),
    ]


def test_ai_support_without_an_endpoint_serves_builtin_suggestions_on_the_endpoints(
    reviews_project,
):
    """The two AI branches together: `ai_support: {enabled: true}` picks the builtin model,
    its own keys are read (not warned about), and /api/get_ai_suggestion answers with it."""
    app, truth, _ = reviews_project(
        n=40,
        ai_support={"enabled": True, "ai_config": {"min_answers_per_label": 3}},
    )
    project = app.extensions["potato_like"]
    assert project.config.ai.endpoint_type == "builtin"
    assert not [w for w in project.config.warnings if "min_answers_per_label" in w]
    label_items(app, truth, 16)
    assert trainer(project).trigger() in ("started", "queued")
    assert trainer(project).wait(120), trainer(project).status()
    client = login(app.test_client(), "asker")
    iid = client.get("/api/current_instance").json["instance_id"]
    answer_body = client.get(f"/api/get_ai_suggestion?instance_id={iid}").json
    [suggestion] = [s for s in answer_body["suggestions"] if s["schema"] == "sentiment"]
    assert suggestion["label"] in ("positive", "negative")
    assert suggestion["provider"] == "builtin"
    assert 0.0 <= suggestion["confidence"] <= 1.0
