"""The embedding map API (seed 003 "Embedding Visualization API"): data, refresh, stats and
reorder; maps are computed in the background and stored. Small projects here (fewer than
8 items) use the SVD path, so these tests never compile UMAP; the UMAP path is tested in
tests/unit/test_embedding_pipeline.py and the browser test."""

from __future__ import annotations

import threading

import pytest

from potato_like.embeddings import map_runs
from potato_like.embeddings.map_runs import runner
from tests.conftest import ADMIN, answer, csrf_headers, current_id, login, radio, register
from tests.web.gold_util import annotate_by, label

MAP = {"enabled": True, "label_source": "majority"}


def project_of(app):
    return app.extensions["potato_like"]


def computed(app, client=None):
    client = client or app.test_client()
    r = client.post("/admin/api/embedding_viz/refresh", headers=ADMIN, json={})
    assert r.status_code == 200, r.json
    assert r.json["status"] == "success" and r.json["computation"] in ("started", "queued")
    assert runner(project_of(app)).wait(60)
    assert runner(project_of(app)).last_error is None
    return client


def test_data_answers_potatos_shape_with_labels_annotators_and_disagreement(make_project):
    app = make_project(items=6, embedding_visualization=MAP)
    annotate_by(app, "ann_a", {"item_001": label("sentiment", "positive"),
                               "item_002": label("sentiment", "negative")})  # fmt: skip
    annotate_by(app, "ann_b", {"item_001": label("sentiment", "positive"),
                               "item_002": label("sentiment", "positive")})  # fmt: skip
    client = computed(app)
    body = client.get("/admin/api/embedding_viz/data", headers=ADMIN).json
    assert body["stats"] == {
        "total_instances": 6,
        "visualized_instances": 6,
        "annotated_instances": 2,
        "unannotated_instances": 4,
    }
    points = {p["instance_id"]: p for p in body["points"]}
    assert set(points) == {f"item_{i:03d}" for i in range(1, 7)}
    one, two, three = points["item_001"], points["item_002"], points["item_003"]
    assert one["label"] == "positive" and one["label_source"] == "majority"
    assert one["annotated"] and one["annotation_count"] == 2
    assert one["annotators"] == ["ann_a", "ann_b"] and one["disagreement"] == 0
    assert two["disagreement"] == 0.5 and two["label"] in ("positive", "negative")
    assert three["label"] is None and not three["annotated"] and three["disagreement"] is None
    assert three["preview"] == "Text number 3." and three["preview_type"] == "text"
    assert all(isinstance(p["x"], float) and isinstance(p["y"], float) for p in points.values())
    assert body["labels"] == ["positive", "negative", "neutral", None]
    assert set(body["label_colors"]) == {"positive", "negative", "neutral", "null"}
    assert body["next_cursor"] is None and body["version"] >= 1


def test_pages_cover_every_point_once(make_project):
    app = make_project(items=7, embedding_visualization=MAP)
    client = computed(app)
    seen, cursor = [], 0
    while cursor is not None:
        page = client.get(f"/admin/api/embedding_viz/data?limit=3&cursor={cursor}", headers=ADMIN)
        assert page.status_code == 200
        seen += [p["instance_id"] for p in page.json["points"]]
        assert (page.json["stats"] is None) == (cursor != 0)
        cursor = page.json["next_cursor"]
    assert sorted(seen) == [f"item_{i:03d}" for i in range(1, 8)]


def test_first_data_request_starts_a_run_in_the_background(make_project):
    app = make_project(items=5, embedding_visualization=MAP)
    client = app.test_client()
    first = client.get("/admin/api/embedding_viz/data", headers=ADMIN).json
    assert first["points"] == [] and first["computation"] == "started"
    assert first["stats"]["visualized_instances"] == 0
    assert runner(project_of(app)).wait(60)
    again = client.get("/admin/api/embedding_viz/data", headers=ADMIN).json
    assert len(again["points"]) == 5 and "computation" not in again


def test_refresh_while_running_queues_one_more_run(make_project, monkeypatch):
    app = make_project(items=5, embedding_visualization=MAP)
    release = threading.Event()
    real = map_runs.compute_map

    def held(project, timings=None):
        assert release.wait(30)
        return real(project, timings)

    monkeypatch.setattr(map_runs, "compute_map", held)
    client = app.test_client()
    first = client.post("/admin/api/embedding_viz/refresh", headers=ADMIN).json
    second = client.post("/admin/api/embedding_viz/refresh", headers=ADMIN).json
    third = client.post("/admin/api/embedding_viz/refresh", headers=ADMIN).json
    assert (first["computation"], second["computation"], third["computation"]) == (
        "started", "queued", "queued")  # fmt: skip
    stats = client.get("/admin/api/embedding_viz/stats", headers=ADMIN).json
    assert stats["status"]["running"] and stats["embedding_count"] == 0
    release.set()
    work = runner(project_of(app))
    assert work.wait(60) and work.runs == 2 and work.last_error is None
    stats = client.get("/admin/api/embedding_viz/stats", headers=ADMIN).json
    assert stats["embedding_count"] == 5 and stats["cache_valid"] and stats["version"] == 2


def test_the_stored_map_survives_a_restart(make_project, open_app, tmp_path):
    app = make_project(items=6, embedding_visualization=MAP)
    before = computed(app).get("/admin/api/embedding_viz/data", headers=ADMIN).json
    project_of(app).close()
    again = open_app(tmp_path / "config.yaml")
    after = again.test_client().get("/admin/api/embedding_viz/data", headers=ADMIN).json
    assert "computation" not in after and not after["computing"]
    assert after["version"] == before["version"]
    assert [(p["instance_id"], p["x"], p["y"]) for p in after["points"]] == [
        (p["instance_id"], p["x"], p["y"]) for p in before["points"]
    ]


def test_stats_shape(make_project):
    app = make_project(items=5, embedding_visualization={**MAP, "umap": {"n_neighbors": 5}})
    body = app.test_client().get("/admin/api/embedding_viz/stats", headers=ADMIN).json
    assert body["enabled"] is True and body["umap_available"] is True
    assert body["embedder"] in ("tfidf", "sentence_transformers:all-MiniLM-L6-v2")
    assert body["config"]["umap_n_neighbors"] == 5 and body["config"]["sample_size"] == 1000
    assert body["cache_valid"] is False and body["queue_front"] == {"items": 0, "open": 0}


def test_sample_size_bounds_the_map_and_keeps_answered_items(make_project):
    app = make_project(items=7, embedding_visualization={**MAP, "sample_size": 3})
    annotate_by(app, "ann_a", {"item_006": label("sentiment", "neutral")})
    body = computed(app).get("/admin/api/embedding_viz/data", headers=ADMIN).json
    ids = [p["instance_id"] for p in body["points"]]
    assert len(ids) == 3 and "item_006" in ids
    assert body["stats"]["total_instances"] == 7 and body["stats"]["visualized_instances"] == 3


def test_reorder_then_the_next_leased_item_is_a_reordered_one(make_project):
    app = make_project(items=7, embedding_visualization=MAP, assignment_strategy="fixed_order")
    client = app.test_client()
    r = client.post(
        "/admin/api/embedding_viz/reorder",
        headers=ADMIN,
        json={"selections": [{"instance_ids": ["item_006", "item_004"], "priority": 2},
                             {"instance_ids": ["item_007", "nope"], "priority": 1}]},
    )  # fmt: skip
    assert r.status_code == 200, r.json
    assert r.json["success"] and r.json["reordered_count"] == 3 and r.json["unknown_ids"] == 1
    assert r.json["new_order_preview"] == ["item_007", "item_006", "item_004"]
    user = login(app.test_client(), "ann_a")
    order = []
    for _ in range(4):
        iid = current_id(user)
        order.append(iid)
        assert answer(user, iid, **{"sentiment:positive": "1"}).status_code == 200
        user.post("/go_to", json={"action": "next_instance"})
    # the front first, then fixed_order resumes at the start of the file
    assert order == ["item_007", "item_006", "item_004", "item_001"]


@pytest.mark.parametrize("strategy", ["random", "least_annotated", "max_diversity"])
def test_reorder_works_with_other_strategies(make_project, strategy):
    app = make_project(items=7, embedding_visualization=MAP, assignment_strategy=strategy)
    r = app.test_client().post(
        "/admin/api/embedding_viz/reorder",
        headers=ADMIN,
        json={"selections": [{"instance_ids": ["item_005"]}], "interleave": False},
    )
    assert r.status_code == 200
    assert current_id(login(app.test_client(), "ann_b")) == "item_005"


def test_later_reorders_go_ahead_and_replace_empties_the_front(make_project):
    app = make_project(items=7, embedding_visualization=MAP)
    client = app.test_client()

    def move(ids, **extra):
        body = {"selections": [{"instance_ids": ids}], **extra}
        r = client.post("/admin/api/embedding_viz/reorder", headers=ADMIN, json=body)
        assert r.status_code == 200, r.json

    move(["item_002", "item_003"])
    move(["item_006"])
    assert project_of(app).store.queue_front.order() == ["item_006", "item_002", "item_003"]
    move(["item_005"], replace=True)
    assert project_of(app).store.queue_front.order() == ["item_005"]


def test_interleave_follows_potato(make_project):
    app = make_project(items=7, embedding_visualization=MAP)
    body = {
        "selections": [
            {"instance_ids": ["item_001", "item_002", "item_003"], "priority": 1},
            {"instance_ids": ["item_006", "item_007"], "priority": 2},
        ]
    }
    r = app.test_client().post("/admin/api/embedding_viz/reorder", headers=ADMIN, json=body)
    assert r.json["new_order_preview"] == [
        "item_001", "item_006", "item_002", "item_007", "item_003"]  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [
        None,
        {},
        {"selections": []},
        {"selections": "item_001"},
        {"selections": [{"instance_ids": "item_001"}]},
        {"selections": [{"instance_ids": [1, 2]}]},
        {"selections": [{"instance_ids": ["item_001"], "priority": "high"}]},
        {"selections": [{"instance_ids": ["item_001"]}], "interleave": "yes"},
    ],
)
def test_bad_reorder_bodies_are_400(make_project, body):
    app = make_project(items=3, embedding_visualization=MAP)
    r = app.test_client().post("/admin/api/embedding_viz/reorder", headers=ADMIN, json=body)
    assert r.status_code == 400 and r.json["error"]


def test_reorder_is_refused_for_strategies_that_give_each_annotator_their_own_items(
    make_project,
):
    app = make_project(
        items=4,
        embedding_visualization=MAP,
        assignment_strategy="batch",
        batch_assignment={
            "groups": [{"name": "g1", "users": ["ann_a"], "instances": ["item_001"]}]
        },
    )
    r = app.test_client().post(
        "/admin/api/embedding_viz/reorder",
        headers=ADMIN,
        json={"selections": [{"instance_ids": ["item_002"]}]},
    )
    assert r.status_code == 409 and "batch" in r.json["error"]


def test_bad_query_parameters_are_400(make_project):
    app = make_project(items=3, embedding_visualization=MAP)
    client = app.test_client()
    for query in ("limit=0", "limit=abc", "cursor=-1", "schema=nope", "limit=999999"):
        r = client.get(f"/admin/api/embedding_viz/data?{query}", headers=ADMIN)
        assert r.status_code == 400 and r.json["error"], query


def test_disabled_map_answers_clear_errors(make_project):
    app = make_project(items=3)
    client = app.test_client()
    for method, path in [("get", "data"), ("post", "refresh"), ("post", "reorder")]:
        r = getattr(client, method)(f"/admin/api/embedding_viz/{path}", headers=ADMIN, json={})
        assert r.status_code == 400 and "not enabled" in r.json["error"]
    assert client.get("/admin/api/embedding_viz/stats", headers=ADMIN).json["enabled"] is False


def test_admin_only(make_project):
    app = make_project(items=3, embedding_visualization=MAP)
    anonymous = app.test_client()
    annotator = register(app.test_client(), "someone")
    for client in (anonymous, annotator):
        for method, path in [("get", "data"), ("get", "stats"), ("post", "refresh"),
                             ("post", "reorder")]:  # fmt: skip
            kwargs = {"json": {}}
            if method == "post" and client is annotator:
                kwargs["headers"] = csrf_headers(client)
            r = getattr(client, method)(f"/admin/api/embedding_viz/{path}", **kwargs)
            assert r.status_code == 403, (path, r.status_code)
    assert project_of(app).store.embed_map.current() is None
    page = anonymous.get("/admin/embedding_map/")
    assert page.status_code == 302 and "/admin/login" in page.headers["Location"]
    assert annotator.get("/admin/embedding_map/").status_code == 302


def test_page_renders_for_admins(make_project):
    app = make_project(items=3, embedding_visualization=MAP)
    client = app.test_client()
    client.post("/admin/login", data={"key": ADMIN["X-API-Key"]})
    page = client.get("/admin/embedding_map/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="emap-canvas"' in html and "js/embedding-map" in html and "style=" not in html
    assert 'data-schema="sentiment"' in html
    overview = client.get("/admin").get_data(as_text=True)
    assert "/admin/embedding_map/" in overview


def test_config_keys_and_warnings(make_project):
    app = make_project(
        items=3,
        embedding_visualization={**MAP, "umap": {"metric": "euclidean", "extra": 1}},
        embeddings={"backend": "video", "cache_dir": "x"},
    )
    config = project_of(app).config
    assert config.embedding_map.metric == "euclidean"
    text = "\n".join(config.warnings)
    assert "umap.extra" in text and "embeddings.backend" in text and "embeddings.cache_dir" in text
    # both blocks are served: no "accepted but not implemented" warning names them
    assert not [w for w in config.warnings if w.startswith(("embedding_visualization:",
                                                            "embeddings:"))]  # fmt: skip


def test_bad_config_values_are_problems(make_project):
    from potato_like.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        make_project(
            items=3,
            embedding_visualization={"sample_size": 0, "label_source": "vote",
                                     "umap": {"metric": "hamming"}},
            embeddings={"backend": "word2vec"},
        )  # fmt: skip
    text = "\n".join(err.value.problems)
    for key in ("sample_size", "label_source", "umap.metric", "embeddings.backend"):
        assert key in text


def test_mace_label_source_colours_by_mace_prediction(make_project):
    from potato_like.quality.mace_runs import runner as mace_runner

    truth = {f"item_{i:03d}": ["positive", "negative"][i % 2] for i in range(1, 7)}
    app = make_project(
        items=6,
        embedding_visualization={"enabled": True},  # label_source defaults to mace
        mace={"enabled": True, "trigger_every_n": 0, "min_annotations_per_item": 3,
              "min_items": 3},
        schemes=[radio("sentiment", ["positive", "negative"])],
    )  # fmt: skip
    for user in ("a1", "a2", "a3"):
        annotate_by(app, user, {k: label("sentiment", v) for k, v in truth.items()})
    client = app.test_client()
    assert client.post("/admin/api/mace/trigger", headers=ADMIN).status_code == 200
    assert mace_runner(project_of(app)).wait(30)
    body = computed(app, client).get("/admin/api/embedding_viz/data", headers=ADMIN).json
    got = {p["instance_id"]: (p["label"], p["label_source"]) for p in body["points"]}
    assert got == {k: (v, "mace") for k, v in truth.items()}


@pytest.mark.postgres
def test_map_and_reorder_on_postgresql(tmp_path, pg_url):
    import json as _json

    from potato_like import create_app
    from tests.conftest import base_config, write_config

    with (tmp_path / "data.jsonl").open("w") as fh:
        for i in range(1, 8):
            fh.write(_json.dumps({"id": f"item_{i:03d}", "text": f"Text number {i}."}) + "\n")
    config = base_config(database_url=pg_url, embedding_visualization=MAP,
                         assignment_strategy="fixed_order")  # fmt: skip
    app = create_app(write_config(tmp_path, config))
    try:
        assert project_of(app).store.engine.dialect.name == "postgresql"
        client = computed(app)
        body = client.get("/admin/api/embedding_viz/data", headers=ADMIN).json
        assert len(body["points"]) == 7
        r = client.post(
            "/admin/api/embedding_viz/reorder",
            headers=ADMIN,
            json={"selections": [{"instance_ids": ["item_006"]}]},
        )
        assert r.status_code == 200
        assert current_id(login(app.test_client(), "pg_user")) == "item_006"
    finally:
        project_of(app).close()
