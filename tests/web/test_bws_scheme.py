"""`bws` with `bws_config`: tuples from a pool, answers by position letter, best != worst on
the server, the tuple's items in /api/current_instance, scoring endpoints."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import ADMIN, current_id, login
from tests.web.comparison_util import POOL, bws_config, bws_scheme, comparison_app


def send(client, iid, **labels):
    return client.post("/updateinstance", json={"instance_id": iid, "annotations": labels})


@pytest.fixture
def bws_app(tmp_path, open_app):
    return comparison_app(tmp_path, open_app, POOL, [bws_scheme()], bws_config=bws_config())


def test_tuples_are_made_from_the_pool_and_served(bws_app, tmp_path):
    tuples = [
        json.loads(x) for x in (tmp_path / "out" / "bws_tuples.jsonl").read_text().splitlines()
    ]
    # 8 items x 2 appearances / 4 per tuple
    assert len(tuples) == 4
    seen = [e["source_id"] for t in tuples for e in t["_bws_items"]]
    assert sorted(seen) == sorted([p["id"] for p in POOL] * 2)
    assert all(len({e["source_id"] for e in t["_bws_items"]}) == 4 for t in tuples)

    ann = login(bws_app.test_client(), "ann")
    data = ann.get("/api/current_instance").json
    assert data["instance_id"] == "bws_tuple_0001"
    items = data["data"]["_bws_items"]
    assert [e["position"] for e in items] == ["A", "B", "C", "D"]
    assert set(items[0]) == {"source_id", "text", "position"}
    page = ann.get("/annotate").data.decode()
    assert items[0]["text"] in page
    assert 'data-label="best" data-value="A"' in page and 'data-key="q"' in page


def test_same_seed_same_tuples_across_restarts(tmp_path, open_app):
    first = comparison_app(tmp_path, open_app, POOL, [bws_scheme()], bws_config=bws_config())
    text = (tmp_path / "out" / "bws_tuples.jsonl").read_text()
    first.extensions["potato_like"].close()
    comparison_app(tmp_path, open_app, POOL, [bws_scheme()], bws_config=bws_config())
    assert (tmp_path / "out" / "bws_tuples.jsonl").read_text() == text


def test_best_and_worst_are_validated(bws_app):
    ann = login(bws_app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, **{"intensity:best": "A", "intensity:worst": "A"})
    assert r.status_code == 400 and "best and worst must be different" in r.json["error"]
    r = send(ann, iid, **{"intensity:best": "E"})
    assert r.status_code == 400 and "not a position of this tuple" in r.json["error"]
    r = send(ann, iid, **{"intensity:middle": "B"})
    assert r.status_code == 400 and "unknown label 'middle'" in r.json["error"]
    assert send(ann, iid, **{"intensity:best": "b", "intensity:worst": "D"}).status_code == 200
    got = ann.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    assert got == {"intensity": {"best": "B", "worst": "D"}}
    # changing only best to the current worst is refused too (checked after merging)
    r = send(ann, iid, **{"intensity:best": "D"})
    assert r.status_code == 400
    assert ann.get(f"/get_annotations?instance_id={iid}").json["label_annotations"] == got


def test_bws_scoring_endpoints(bws_app):
    admin = bws_app.test_client()
    empty = admin.get("/admin/api/bws_scoring", headers=ADMIN).json
    assert empty["total_items"] == 8 and empty["scores"] == [] and empty["method"] == "counting"
    ann = login(bws_app.test_client(), "ann")
    for _ in range(4):
        data = ann.get("/api/current_instance").json
        ids = [e["source_id"] for e in data["data"]["_bws_items"]]
        # best: the highest sentence number, worst: the lowest
        best = "ABCD"[ids.index(max(ids))]
        worst = "ABCD"[ids.index(min(ids))]
        r = send(ann, data["instance_id"], **{"intensity:best": best, "intensity:worst": worst})
        assert r.status_code == 200
        ann.post("/go_to", json={"action": "next_instance"})
    r = admin.post("/admin/api/bws_scoring/generate?method=bradley_terry", headers=ADMIN)
    assert r.status_code == 200, r.json
    body = r.json
    assert body["status"] == "success" and body["total_annotations"] == 4
    assert body["method"] == "bradley_terry"
    assert body["scores"][0]["item_id"] == "s08" and body["scores"][-1]["item_id"] == "s01"
    assert admin.get("/admin/api/bws_scoring", headers=ADMIN).json["scores"] == body["scores"]
    r = admin.post("/admin/api/bws_scoring/generate", json={"method": "counting"}, headers=ADMIN)
    assert r.json["scores"][0]["score"] == 1.0 and r.json["scores"][-1]["score"] == -1.0


def test_bws_scoring_bad_inputs(bws_app, make_project):
    admin = bws_app.test_client()
    r = admin.post("/admin/api/bws_scoring/generate?method=elo", headers=ADMIN)
    assert r.status_code == 400 and "unknown scoring method 'elo'" in r.json["error"]
    r = admin.post(
        "/admin/api/bws_scoring/generate",
        data="[1]",
        headers={**ADMIN, "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert admin.get("/admin/api/bws_scoring").status_code in (401, 403)
    assert admin.post("/admin/api/bws_scoring/generate").status_code in (400, 401, 403)
    assert admin.get("/admin/api/ibws_status", headers=ADMIN).status_code == 400
    assert (
        "IBWS not configured" in admin.get("/admin/api/ibws_ranking", headers=ADMIN).json["error"]
    )


def test_bws_not_configured(make_project):
    admin = make_project().test_client()
    r = admin.get("/admin/api/bws_scoring", headers=ADMIN)
    assert r.status_code == 400 and "BWS not configured" in r.json["error"]


def test_bad_bws_config_is_reported(tmp_path, open_app):
    from potato_like.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        comparison_app(
            tmp_path,
            open_app,
            POOL,
            [bws_scheme()],
            bws_config={"tuple_size": 1, "scoring": {"method": "elo"}},
        )
    text = "\n".join(err.value.problems)
    assert "bws_config.tuple_size: must be at least 2" in text
    assert "bws_config.scoring.method: 'elo' is not one of" in text


def test_pool_smaller_than_a_tuple_is_a_data_error(tmp_path, open_app):
    from potato_like.errors import ConfigError

    with pytest.raises(ConfigError, match="larger than the pool"):
        comparison_app(tmp_path, open_app, POOL[:3], [bws_scheme()], bws_config=bws_config())


def test_ibws_rounds_advance_until_stable(tmp_path, open_app):
    pool = [{"id": f"s{i:02d}", "text": f"sentence {i}"} for i in range(1, 13)]
    app = comparison_app(
        tmp_path,
        open_app,
        pool,
        [bws_scheme()],
        ibws_config={"tuple_size": 4, "seed": 3, "tuples_per_item_per_round": 4},
    )
    project = app.extensions["potato_like"]
    admin = app.test_client()
    status = admin.get("/admin/api/ibws_status", headers=ADMIN).json
    assert status["current_round"] == 1 and status["total_tuples_this_round"] == 12
    ann = login(app.test_client(), "ann")
    rounds_seen = set()
    for _ in range(80):
        data = ann.get("/api/current_instance").json
        if data.get("instance_id") is None or "data" not in data:
            project.poll_ibws_round()
            advancer = project.cache("ibws_advancer", lambda: None)
            if advancer.thread is not None:
                advancer.thread.join(10)
            project._caches["ibws_polled"][0] = 0.0
            if admin.get("/admin/api/ibws_status", headers=ADMIN).json["completed"]:
                break
            time.sleep(0.1)
            continue
        rounds_seen.add(data["data"].get("_ibws_round"))
        ids = [e["source_id"] for e in data["data"]["_bws_items"]]
        best, worst = "ABCD"[ids.index(max(ids))], "ABCD"[ids.index(min(ids))]
        assert (
            send(
                ann, data["instance_id"], **{"intensity:best": best, "intensity:worst": worst}
            ).status_code
            == 200
        )
        ann.post("/go_to", json={"action": "next_instance"})
        project._caches.get("ibws_polled", [0.0])[0] = 0.0
        project.poll_ibws_round()
        advancer = project.cache("ibws_advancer", lambda: None)
        if advancer is not None and advancer.thread is not None:
            advancer.thread.join(10)
    status = admin.get("/admin/api/ibws_status", headers=ADMIN).json
    assert status["completed"] and status["current_round"] >= 2
    assert {1, 2} <= rounds_seen
    ranking = admin.get("/admin/api/ibws_ranking", headers=ADMIN).json
    assert ranking["completed"]
    order = [r["item_id"] for r in ranking["ranking"]]
    assert sorted(order) == sorted(p["id"] for p in pool)
    # consistent judges (higher number = better): the ends are exact, the thirds in order
    assert order[0] == "s12" and order[-1] == "s01"
    numbers = [int(i[1:]) for i in order]
    assert sum(numbers[:4]) > sum(numbers[4:8]) > sum(numbers[8:])


def test_scheme_tuple_size_must_match_the_tuples(tmp_path, open_app):
    from potato_like.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        comparison_app(
            tmp_path, open_app, POOL, [bws_scheme(tuple_size=3)], bws_config=bws_config()
        )
    assert "tuple_size 3 differs from the tuples' tuple_size 4 (bws_config)" in "\n".join(
        err.value.problems
    )


def test_bws_scheme_without_tuples_warns(tmp_path, open_app):
    app = comparison_app(tmp_path, open_app, POOL, [bws_scheme()])
    warnings = app.extensions["potato_like"].config.warnings
    assert any("neither bws_config nor ibws_config" in w for w in warnings)


def answer_all(app, n=4):
    ann = login(app.test_client(), "ann")
    for _ in range(n):
        data = ann.get("/api/current_instance").json
        body = {"intensity:best": "A", "intensity:worst": "B"}
        assert send(ann, data["instance_id"], **body).status_code == 200
        ann.post("/go_to", json={"action": "next_instance"})


def test_a_slow_run_answers_202_and_finishes_in_the_background(bws_app, monkeypatch):
    import threading

    from potato_like.comparisons import service
    from potato_like.web import admin_comparisons

    answer_all(bws_app)
    release = threading.Event()
    real = service.compute_bws

    def slow(project, method):
        release.wait(10)
        return real(project, method)

    monkeypatch.setattr(service, "compute_bws", slow)
    monkeypatch.setattr(admin_comparisons, "GENERATE_WAIT_SECONDS", 0.05)
    admin = bws_app.test_client()
    r = admin.post("/admin/api/bws_scoring/generate", headers=ADMIN)
    assert r.status_code == 202 and r.json["status"] == "running"
    assert admin.get("/admin/api/bws_scoring", headers=ADMIN).json["status"] == "running"
    release.set()
    board = bws_app.extensions["potato_like"].cache("bws_scores", lambda: None)
    board.running.join(10)
    done = admin.get("/admin/api/bws_scoring", headers=ADMIN).json
    assert done["status"] == "success" and done["total_annotations"] == 4


def test_a_failed_run_is_reported_on_the_status(bws_app, monkeypatch):
    from potato_like.comparisons import service

    def broken(project, method):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(service, "compute_bws", broken)
    r = bws_app.test_client().post("/admin/api/bws_scoring/generate", headers=ADMIN)
    assert r.status_code == 200
    assert r.json["status"] == "error" and "disk on fire" in r.json["error_detail"]


def test_scores_survive_a_restart(tmp_path, open_app):
    app = comparison_app(tmp_path, open_app, POOL, [bws_scheme()], bws_config=bws_config())
    answer_all(app)
    first = app.test_client().post("/admin/api/bws_scoring/generate", headers=ADMIN).json
    app.extensions["potato_like"].close()
    again = comparison_app(tmp_path, open_app, POOL, [bws_scheme()], bws_config=bws_config())
    kept = again.test_client().get("/admin/api/bws_scoring", headers=ADMIN).json
    assert kept["scores"] == first["scores"] and kept["status"] == "success"


def test_potato_backend_format_answers_a_tuple(bws_app):
    ann = login(bws_app.test_client(), "ann")
    iid = current_id(ann)
    body = {
        "instance_id": iid,
        "schema": "intensity",
        "type": "bws",
        "state": [{"name": "best", "value": "C"}, {"name": "worst", "value": "A"}],
    }
    assert ann.post("/updateinstance", json=body).status_code == 200
    got = ann.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    assert got == {"intensity": {"best": "C", "worst": "A"}}
    body["state"] = [{"name": "best", "value": "A"}, {"name": "worst", "value": "A"}]
    r = ann.post("/updateinstance", json=body)
    assert r.status_code == 400 and "must be different" in r.json["error"]
