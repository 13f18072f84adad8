"""MACE admin API (seed 003 "MACE API"): overview, predictions, trigger; runs happen in the
background and their results are stored in the project's database."""

from __future__ import annotations

import pytest

from potato_like.config import load_config
from potato_like.errors import ConfigError
from potato_like.quality.mace_runs import runner
from tests.conftest import ADMIN, base_config, login, radio
from tests.web.gold_util import annotate_by, label

TRUTH = {f"item_{i:03d}": ["positive", "negative", "neutral"][i % 3] for i in range(1, 7)}
MACE = {"enabled": True, "trigger_every_n": 0, "min_annotations_per_item": 3, "min_items": 3}


def crowd(app, spammer: str = "spam"):
    for user in ("ann_a", "ann_b", "ann_c"):
        annotate_by(app, user, {k: label("sentiment", v) for k, v in TRUTH.items()})
    annotate_by(app, spammer, {k: label("sentiment", "positive") for k in TRUTH})


def run_now(app):
    client = app.test_client()
    response = client.post("/admin/api/mace/trigger", headers=ADMIN)
    assert response.status_code == 200, response.json
    # Potato's shape; the run itself goes on in the background
    assert response.json["status"] == "success"
    assert response.json["schemas_processed"] == len(response.json["schemas"]) >= 1
    assert response.json["run"] in ("started", "queued")
    assert runner(app.extensions["potato_like"]).wait(30)
    return client


def test_trigger_runs_in_the_background_and_the_spammer_ranks_lowest(make_project):
    app = make_project(items=6, mace=MACE)
    crowd(app)
    client = run_now(app)
    r = client.post("/admin/api/mace/trigger", headers=ADMIN)
    assert r.json["schemas"] == ["sentiment"] and r.json["schemas_processed"] == 1
    assert runner(app.extensions["potato_like"]).wait(30)
    body = client.get("/admin/api/mace/overview", headers=ADMIN).json
    assert body["enabled"] and body["has_results"]
    competence = {u: v["average"] for u, v in body["annotator_competence"].items()}
    assert min(competence, key=competence.get) == "spam"
    assert body["schemas"][0]["key"] == "sentiment"
    assert body["status"]["runs"] == 2 and body["status"]["last_error"] is None
    predictions = client.get("/admin/api/mace/predictions?schema=sentiment", headers=ADMIN).json
    assert predictions["predicted_labels"] == TRUTH
    assert set(predictions["label_entropy"]) == set(TRUTH)


def test_results_survive_a_restart(make_project, open_app, tmp_path):
    app = make_project(items=6, mace=MACE)
    crowd(app)
    run_now(app)
    app.extensions["potato_like"].close()
    again = open_app(tmp_path / "config.yaml")
    body = again.test_client().get("/admin/api/mace/overview", headers=ADMIN).json
    assert body["has_results"] and "spam" in body["annotator_competence"]


def test_one_instance_prediction(make_project):
    app = make_project(items=6, mace=MACE)
    crowd(app)
    client = run_now(app)
    r = client.get(
        "/admin/api/mace/predictions?schema=sentiment&instance_id=item_002", headers=ADMIN
    )
    assert r.status_code == 200
    assert r.json["predicted_label"] == TRUTH["item_002"]
    assert r.json["predicted_labels"] == {"item_002": TRUTH["item_002"]}
    assert r.json["label_entropy"]["item_002"] >= 0
    r = client.get("/admin/api/mace/predictions?schema=sentiment&instance_id=nope", headers=ADMIN)
    assert r.status_code == 404 and "nope" in r.json["error"]


def test_multiselect_is_one_yes_no_task_per_option(make_project):
    topics = {
        "annotation_type": "multiselect",
        "name": "topics",
        "description": "Topics?",
        "labels": ["food", "price"],
    }
    table = {k: {"topics:food": "1"} if i % 2 else {"topics:price": "1"} for i, k in
             enumerate(TRUTH)}  # fmt: skip
    app = make_project(items=6, schemes=[topics], mace=MACE)
    for user in ("ann_a", "ann_b", "ann_c"):
        annotate_by(app, user, table)
    client = run_now(app)
    body = client.get("/admin/api/mace/overview", headers=ADMIN).json
    assert [s["key"] for s in body["schemas"]] == ["topics::food", "topics::price"]
    both = client.get("/admin/api/mace/predictions?schema=topics", headers=ADMIN).json
    assert set(both["options"]) == {"food", "price"}
    food = client.get("/admin/api/mace/predictions?schema=topics::food", headers=ADMIN).json
    assert food["predicted_labels"]["item_002"] == "1"
    assert food["predicted_labels"]["item_001"] == "0"


def test_too_few_items_give_no_results_yet(make_project):
    app = make_project(items=6, mace={**MACE, "min_items": 50})
    crowd(app)
    client = run_now(app)
    assert client.get("/admin/api/mace/overview", headers=ADMIN).json["has_results"] is False
    r = client.get("/admin/api/mace/predictions?schema=sentiment", headers=ADMIN)
    assert r.status_code == 404


def test_trigger_every_n_starts_a_run_after_saves(make_project):
    app = make_project(items=6, mace={**MACE, "trigger_every_n": 3})
    mace = runner(app.extensions["potato_like"])
    mace.check_seconds = 0  # look at the counter after every save (normally every 2 s)
    crowd(app)
    assert mace.wait(30)
    assert mace.runs >= 1
    body = app.test_client().get("/admin/api/mace/overview", headers=ADMIN).json
    assert body["has_results"]


def test_no_run_before_trigger_every_n_saves(make_project):
    app = make_project(items=6, mace={**MACE, "trigger_every_n": 100})
    mace = runner(app.extensions["potato_like"])
    mace.check_seconds = 0
    crowd(app)
    assert mace.runs == 0 and not mace.running


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/api/mace/overview"),
        ("get", "/admin/api/mace/predictions?schema=sentiment"),
        ("post", "/admin/api/mace/trigger"),
    ],
)
def test_annotators_and_strangers_are_refused(make_project, method, path):
    app = make_project(items=6, mace=MACE)
    assert getattr(app.test_client(), method)(path).status_code == 403
    client = login(app.test_client(), "ann_a")
    assert getattr(client, method)(path, json={}).status_code == 403
    wrong = {"X-API-Key": "not-the-key-at-all"}
    assert getattr(app.test_client(), method)(path, headers=wrong).status_code == 403


def test_bad_requests(make_project):
    app = make_project(items=6, mace=MACE)
    client = app.test_client()
    r = client.get("/admin/api/mace/predictions", headers=ADMIN)
    assert r.status_code == 400 and "schema" in r.json["error"]
    r = client.get("/admin/api/mace/predictions?schema=sentimnt", headers=ADMIN)
    assert r.status_code == 400 and "sentiment" in r.json["error"]


def test_trigger_answers_at_once_while_a_run_is_going_on(make_project, monkeypatch):
    import threading

    from potato_like.quality import mace_runs

    app = make_project(items=6, mace=MACE)
    crowd(app)
    release = threading.Event()
    real = mace_runs.run_all
    monkeypatch.setattr(mace_runs, "run_all", lambda project: release.wait(30) and real(project))
    client = app.test_client()
    first = client.post("/admin/api/mace/trigger", headers=ADMIN)
    second = client.post("/admin/api/mace/trigger", headers=ADMIN)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json["run"], second.json["run"]) == ("started", "queued")
    assert client.get("/admin/api/mace/overview", headers=ADMIN).json["has_results"] is False
    release.set()
    assert runner(app.extensions["potato_like"]).wait(30)
    assert client.get("/admin/api/mace/overview", headers=ADMIN).json["has_results"] is True


def test_disabled_mace(make_project):
    app = make_project(items=6)
    client = app.test_client()
    body = client.get("/admin/api/mace/overview", headers=ADMIN).json
    assert body == {"enabled": False, "message": "MACE not configured"}
    assert client.post("/admin/api/mace/trigger", headers=ADMIN).status_code == 400
    r = client.get("/admin/api/mace/predictions?schema=sentiment", headers=ADMIN)
    assert r.status_code == 400


def test_schemes_without_categories_are_left_out(make_project):
    notes = {"annotation_type": "text", "name": "notes", "description": "Notes?"}
    app = make_project(
        items=6, schemes=[radio("sentiment", ["positive", "negative", "neutral"]), notes], mace=MACE
    )
    crowd(app)
    body = run_now(app).get("/admin/api/mace/overview", headers=ADMIN).json
    assert [s["key"] for s in body["schemas"]] == ["sentiment"]


@pytest.mark.parametrize(
    ("mace", "problem"),
    [
        ({"num_restarts": 0}, "mace.num_restarts"),
        ({"alpha": 0}, "mace.alpha"),
        ({"beta": -1}, "mace.beta"),
        ({"min_items": "many"}, "mace.min_items"),
        ({"trigger_every_n": -2}, "mace.trigger_every_n"),
        ({"enabled": "maybe"}, "mace.enabled"),
    ],
)
def test_config_problems_name_the_key(tmp_path, mace, problem):
    with pytest.raises(ConfigError) as err:
        load_config(base_config(mace={"enabled": True, **mace}), config_dir=tmp_path)
    assert any(p.startswith(problem) for p in err.value.problems), err.value.problems


def test_unknown_mace_key_gets_a_hint(tmp_path):
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "x"}\n')
    config = load_config(base_config(mace={"enabled": True, "num_restart": 3}), config_dir=tmp_path)
    assert any("mace.num_restart" in w and "num_restarts" in w for w in config.warnings)


def test_final_labels_come_from_mace_when_nobody_adjudicated(make_project):
    import json

    app = make_project(items=7, mace=MACE)
    # item_007: two annotators disagree and MACE has no result for it (too few answers)
    extra = {"ann_a": "positive", "ann_b": "neutral"}
    for user in ("ann_a", "ann_b", "ann_c"):
        table = {k: label("sentiment", v) for k, v in TRUTH.items()}
        if user in extra:
            table["item_007"] = label("sentiment", extra[user])
        annotate_by(app, user, table)
    annotate_by(app, "spam", {k: label("sentiment", "positive") for k in TRUTH})
    client = run_now(app)
    text = client.post("/admin/api/export", json={"format": "jsonl"}, headers=ADMIN)
    records = {}
    for line in text.get_data(as_text=True).splitlines():
        record = json.loads(line)
        records.setdefault(record["id"], record)
    for item_id, truth in TRUTH.items():
        assert records[item_id]["final_labels"]["sentiment"] == {"answer": truth, "source": "mace"}
        assert records[item_id]["gold"] == {}
    assert records["item_007"]["final_labels"] == {}
