"""Potato's corpus map (`corpus_map`): a background build over a generated corpus of three
topics (clusters separate them, neighbours share the topic), every endpoint's JSON shape,
400 while disabled, 409 while not built, goto for a document the annotator may and may not
take, unknown documents and clusters, and no login."""

from __future__ import annotations

import json
import random
import sys

import pytest

from potato_like import create_app
from potato_like.config.corpus_map import CorpusMapConfig
from potato_like.embeddings.corpus_map import n_clusters, runner
from tests.conftest import ADMIN, base_config, login, write_config

TOPICS = {
    "sport": [
        "football",
        "goal",
        "match",
        "team",
        "striker",
        "league",
        "coach",
        "stadium",
        "referee",
        "season",
    ],
    "cook": [
        "recipe",
        "oven",
        "flour",
        "butter",
        "sugar",
        "bake",
        "dough",
        "garlic",
        "sauce",
        "kitchen",
    ],
    "space": [
        "planet",
        "telescope",
        "orbit",
        "galaxy",
        "star",
        "comet",
        "nebula",
        "asteroid",
        "moon",
        "astronomer",
    ],
}
PER_TOPIC = 12
MAP = {
    "enabled": True,
    "build_on_start": False,
    "embedding_model": "all-MiniLM-L6-v2",
    "clustering": {"num_clusters": "auto", "items_per_cluster": 12},
    "umap": {"n_neighbors": 8, "min_dist": 0.1, "metric": "cosine"},
    "knn": {"k": 5},
    "cluster_labeling": {"enabled": True, "use_llm": False},
}


def corpus() -> list[dict[str, str]]:
    rng = random.Random(7)
    docs = []
    for topic, words in TOPICS.items():
        for i in range(PER_TOPIC):
            text = " ".join(rng.choice(words) for _ in range(10))
            docs.append({"id": f"{topic}_{i:02d}", "text": f"The report today says {text}."})
    return docs


def write_project(path, **overrides):
    path.mkdir(parents=True, exist_ok=True)
    (path / "data.jsonl").write_text("".join(json.dumps(d) + "\n" for d in corpus()))
    return write_config(path, base_config(**overrides))


def topic(doc_id: str) -> str:
    return doc_id.split("_")[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One app whose map is built once (UMAP's first import takes a few seconds)."""
    app = create_app(
        write_project(
            tmp_path_factory.mktemp("cmap"),
            corpus_map=MAP,
            max_annotations_per_item=1,
            random_seed=3,
        )
    )
    app.config["TESTING"] = True
    project = app.extensions["potato_like"]
    assert runner(project).trigger() == "started"
    assert runner(project).wait(120)
    assert runner(project).last_error is None
    yield app
    project.close()


def test_clusters_separate_topics_and_neighbours_share_them(built):
    c = login(built.test_client(), "ann")
    data = c.get("/corpus/api/map_data").json
    assert len(data["points"]) == 3 * PER_TOPIC
    assert {tuple(sorted(p)) for p in data["points"]} == {
        ("cluster", "doc_id", "snippet", "x", "y")
    }
    by_cluster: dict[int, set[str]] = {}
    for p in data["points"]:
        by_cluster.setdefault(p["cluster"], set()).add(topic(p["doc_id"]))
    assert len(by_cluster) == 3 and all(len(t) == 1 for t in by_cluster.values())
    # the label names the cluster's topic by its own words
    for cluster in data["clusters"]:
        assert set(cluster) == {"id", "label", "description", "size"}
        assert cluster["size"] == PER_TOPIC
        (name,) = by_cluster[cluster["id"]]
        assert any(term in TOPICS[name] for term in cluster["label"].split(", "))
    for doc in ("sport_00", "cook_05", "space_11"):
        near = c.get(f"/corpus/api/knn/{doc}").json["neighbors"]
        assert len(near) == 5
        assert all(set(n) == {"doc_id", "score", "snippet"} for n in near)
        assert all(topic(n["doc_id"]) == topic(doc) and n["doc_id"] != doc for n in near)
        scores = [n["score"] for n in near]
        assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= 1


def test_status_clusters_and_cluster_docs(built):
    c = login(built.test_client(), "bea")
    status = c.get("/corpus/api/build_status").json
    assert status["state"] == "done" and status["built"] is True and status["n_docs"] == 36
    assert status["error"] is None and status["info"]["layout"] == "umap"
    assert status["info"]["embedder"] in ("tfidf", "sentence_transformers:all-MiniLM-L6-v2")
    clusters = c.get("/corpus/api/clusters").json["clusters"]
    assert sorted(cl["size"] for cl in clusters) == [12, 12, 12]
    first = clusters[0]
    assert len(first["doc_ids"]) == 12 and len({topic(d) for d in first["doc_ids"]}) == 1
    docs = c.get(f"/corpus/api/cluster/{first['id']}/docs").json["docs"]
    assert sorted(d["doc_id"] for d in docs) == sorted(first["doc_ids"])
    assert all(set(d) == {"doc_id", "snippet"} and d["snippet"] for d in docs)
    r = c.get("/corpus/api/cluster/99/docs")
    assert r.status_code == 404 and "99" in r.json["error"]
    r = c.get("/corpus/api/knn/nope")
    assert r.status_code == 404 and "nope" in r.json["error"]


def test_goto_moves_the_annotator(built):
    c = login(built.test_client(), "cal")
    r = c.post("/corpus/api/goto", json={"doc_id": "space_04"})
    assert r.status_code == 200, r.json
    assert r.json["success"] is True and r.json["doc_id"] == "space_04"
    assert r.json["url"].endswith("/annotate")
    assert c.get("/api/current_instance").json["instance_id"] == "space_04"
    page = c.get("/annotate").get_data(as_text=True)
    assert "space_04" in page and 'href="/corpus/map"' in page  # the page links to the map


def test_goto_refuses_what_the_annotator_may_not_take(built):
    first = login(built.test_client(), "dan")
    assert first.post("/corpus/api/goto", json={"doc_id": "cook_09"}).status_code == 200
    other = login(built.test_client(), "eve")
    r = other.post("/corpus/api/goto", json={"doc_id": "cook_09"})  # one annotator per item
    assert r.status_code == 403 and "enough annotators" in r.json["error"]
    assert other.get("/api/current_instance").json["instance_id"] != "cook_09"
    r = other.post("/corpus/api/goto", json={"doc_id": "no_such_doc"})
    assert r.status_code == 404 and "no_such_doc" in r.json["error"]
    for body in ({}, {"doc_id": ""}, {"doc_id": ["x"]}, [1]):
        r = other.post("/corpus/api/goto", json=body)
        assert r.status_code == 400 and r.json["error"]


def test_no_login_and_annotators_cannot_rebuild(built):
    anon = built.test_client()
    for url in ("/corpus/api/map_data", "/corpus/api/build_status", "/corpus/api/knn/cook_01"):
        assert anon.get(url).status_code == 401
    assert anon.post("/corpus/api/goto", json={"doc_id": "cook_01"}).status_code == 401
    page = anon.get("/corpus/map")
    assert page.status_code == 302 and "/corpus" not in page.headers["Location"]
    ann = login(built.test_client(), "fay")
    r = ann.post("/corpus/api/rebuild", json={})
    assert r.status_code in (401, 403), r.json


def test_map_page_has_no_inline_script(built):
    c = login(built.test_client(), "gus")
    html = c.get("/corpus/map").get_data(as_text=True)
    assert 'data-testid="corpus-map"' in html and "js/corpus-map" in html
    assert "<script>" not in html and " style=" not in html and " onclick" not in html
    assert 'data-knn-url="/corpus/api/knn/__DOC__"' in html


def test_not_built_409_then_rebuild_builds(tmp_path):
    app = create_app(write_project(tmp_path, corpus_map={**MAP, "umap": {"n_neighbors": 5}}))
    project = app.extensions["potato_like"]
    try:
        c = login(app.test_client(), "ann")
        status = c.get("/corpus/api/build_status").json
        assert status == {"state": "idle", "built": False, "n_docs": 0, "error": None}
        for url in ("/corpus/api/map_data", "/corpus/api/clusters", "/corpus/api/knn/cook_01",
                    "/corpus/api/cluster/0/docs"):  # fmt: skip
            r = c.get(url)
            assert r.status_code == 409 and "not built" in r.json["error"]
        r = app.test_client().post("/corpus/api/rebuild", headers=ADMIN)
        assert r.status_code == 200 and r.json["status"] == "rebuild started"
        assert runner(project).wait(120) and runner(project).last_error is None
        assert c.get("/corpus/api/build_status").json["n_docs"] == 36
        assert len(c.get("/corpus/api/map_data").json["points"]) == 36
    finally:
        project.close()


def test_disabled_answers_400(make_project):
    app = make_project(items=3)
    c = login(app.test_client(), "ann")
    for url in ("/corpus/api/map_data", "/corpus/api/build_status", "/corpus/api/clusters"):
        r = c.get(url)
        assert r.status_code == 400 and "not enabled" in r.json["error"]
    assert c.post("/corpus/api/goto", json={"doc_id": "item_001"}).status_code == 400
    assert app.test_client().post("/corpus/api/rebuild", headers=ADMIN).status_code == 400
    assert "corpus-map-link" not in c.get("/annotate").get_data(as_text=True)


def test_config_keys_and_warnings(tmp_path):
    path = write_project(
        tmp_path,
        corpus_map={
            **MAP,
            "colour": "red",
            "clustering": {"num_clusters": 4, "batch_size": 8},
            "cluster_labeling": {"use_llm": True},
        },
    )
    app = create_app(path)
    project = app.extensions["potato_like"]
    try:
        cfg = project.config.corpus_map
        assert cfg.num_clusters == 4 and cfg.k == 5 and cfg.n_neighbors == 8
        text = " ".join(project.config.warnings)
        for key in ("corpus_map.colour", "batch_size", "use_llm"):
            assert key in text
    finally:
        project.close()
    off = create_app(write_project(tmp_path / "off", corpus_map={"enabled": False}))
    assert off.extensions["potato_like"].config.corpus_map is None
    off.extensions["potato_like"].close()


def test_auto_cluster_count():
    cfg = CorpusMapConfig(items_per_cluster=6)
    assert [n_clusters(n, cfg) for n in (0, 1, 2, 5, 36, 600)] == [0, 1, 2, 2, 6, 100]
    assert n_clusters(3, CorpusMapConfig(num_clusters=10)) == 3


def test_build_and_goto_on_postgres(tmp_path, pg_url):
    """Small corpus (fewer than 8 documents: the layout needs no UMAP) on PostgreSQL."""
    path = tmp_path / "pg"
    path.mkdir()
    docs = [d for d in corpus() if d["id"].endswith(("_00", "_01"))]
    (path / "data.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs))
    config = base_config(corpus_map={**MAP, "knn": {"k": 1}}, database_url=pg_url)
    app = create_app(write_config(path, config))
    project = app.extensions["potato_like"]
    try:
        assert runner(project).trigger() == "started" and runner(project).wait(60)
        assert runner(project).last_error is None
        c = login(app.test_client(), "ann")
        assert c.get("/corpus/api/build_status").json["info"]["layout"] == "pca"
        points = c.get("/corpus/api/map_data").json["points"]
        assert sorted(p["doc_id"] for p in points) == sorted(d["id"] for d in docs)
        (near,) = c.get("/corpus/api/knn/cook_00").json["neighbors"]
        assert near["doc_id"] == "cook_01"
        assert c.post("/corpus/api/goto", json={"doc_id": "space_01"}).status_code == 200
        assert c.get("/api/current_instance").json["instance_id"] == "space_01"
    finally:
        project.close()


def test_without_umap_the_layout_is_pca(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "umap", None)  # `import umap` raises ImportError
    app = create_app(write_project(tmp_path, corpus_map=MAP, random_seed=1))
    project = app.extensions["potato_like"]
    try:
        assert runner(project).trigger() == "started" and runner(project).wait(60)
        assert runner(project).last_error is None
        c = login(app.test_client(), "ann")
        assert c.get("/corpus/api/build_status").json["info"]["layout"] == "pca"
        points = c.get("/corpus/api/map_data").json["points"]
        assert len({(p["x"], p["y"]) for p in points}) > 30  # spread out, not one spot
        by_cluster: dict[int, set[str]] = {}
        for p in points:
            by_cluster.setdefault(p["cluster"], set()).add(topic(p["doc_id"]))
        assert sorted(len(t) for t in by_cluster.values()) == [1, 1, 1]
    finally:
        project.close()
