"""Adjudication (seed 003 "Adjudication API"): the queue of items annotators disagree on,
item detail, decisions, skips, stats, similar items, the admin overview, and who may use it."""

from __future__ import annotations

import csv
import io
import json

import pytest

from potato_like.config import load_config
from potato_like.errors import ConfigError
from tests.conftest import ADMIN, BOSS_PASSWORD, base_config, login, write_items
from tests.web.gold_util import annotate_by, label

JUDGE = {"username": "judge", "password": "judge-pw-1"}
BOSS = {"username": "boss", "password": BOSS_PASSWORD}
TOPICS = {
    "annotation_type": "multiselect",
    "name": "topics",
    "description": "Topics?",
    "labels": ["food", "price"],
}
TEXTS = [
    "The pasta was cold and the waiter rude.",
    "Great pizza, friendly staff, fair prices.",
    "Cold pasta again and a rude waiter.",
    "Prices are fair and the pizza is great.",
    "Parking was easy.",
    "Lovely view from the terrace.",
]


def adjudication(**extra):
    return {"enabled": True, "adjudicator_users": ["judge"], **extra}


@pytest.fixture
def project(make_project, tmp_path):
    """Six items; ann_a and ann_b agree on items 2, 4, 6 and disagree on 1, 3, 5."""

    def make(adjudication_config=None, **overrides):
        app = make_project(
            items=6,
            adjudication=adjudication_config or adjudication(),
            user_config={"users": [JUDGE, BOSS]},
            admin_users=["boss"],
            **overrides,
        )
        return app

    return make


def seed(app, items: int = 6):
    a = {f"item_{i:03d}": label("sentiment", "positive") for i in range(1, items + 1)}
    b = {
        f"item_{i:03d}": label("sentiment", "negative" if i % 2 else "positive")
        for i in range(1, items + 1)
    }
    annotate_by(app, "ann_a", a)
    annotate_by(app, "ann_b", b)


def judge(app):
    return login(app.test_client(), "judge", JUDGE["password"])


def test_queue_holds_the_items_annotators_disagree_on(project):
    app = project()
    seed(app)
    body = judge(app).get("/adjudicate/api/queue").json
    assert [i["instance_id"] for i in body["items"]] == ["item_001", "item_003", "item_005"]
    assert body["total"] == 3
    first = body["items"][0]
    assert first["agreement_scores"] == {"sentiment": 0.5}
    assert first["overall_agreement"] == 0.5 and first["status"] == "pending"
    assert first["num_annotators"] == 2


def test_show_all_items_and_threshold(project):
    app = project(adjudication(show_all_items=True))
    seed(app)
    assert judge(app).get("/adjudicate/api/queue").json["total"] == 6


def test_min_annotations_keeps_items_out_until_enough_answers(project):
    app = project(adjudication(min_annotations=3))
    seed(app)
    assert judge(app).get("/adjudicate/api/queue").json["total"] == 0


def test_item_detail_shows_every_answer_with_who_and_time(project):
    app = project()
    seed(app)
    body = judge(app).get("/adjudicate/api/item/item_001").json
    assert body["item_text"] == "Text number 1."
    assert body["item"]["annotations"] == {
        "ann_a": {"sentiment": {"positive": "1"}},
        "ann_b": {"sentiment": {"negative": "1"}},
    }
    assert set(body["item"]["behavioral_data"]) == {"ann_a", "ann_b"}
    scheme = body["schemes"][0]
    assert scheme["name"] == "sentiment"
    assert sorted(a["answer"] for a in scheme["answers"]) == ["negative", "positive"]
    assert {tuple(a["annotators"]) for a in scheme["answers"]} == {("ann_a",), ("ann_b",)}
    assert body["decision"] is None
    signals = body["annotator_signals"]
    assert signals["ann_a"]["items_done"] == 6
    assert signals["ann_b"]["qc_checks"] == 0 and signals["ann_b"]["mace_competence"] == {}


def test_names_and_timing_can_be_hidden(project):
    app = project(adjudication(show_annotator_names=False, show_timing_data=False))
    seed(app)
    body = judge(app).get("/adjudicate/api/item/item_001").json
    assert set(body["item"]["annotations"]) == {"Annotator 1", "Annotator 2"}
    assert body["item"]["behavioral_data"] == {}
    assert "ann_a" not in json.dumps(body)


def test_submit_a_decision_then_it_is_completed(project):
    app = project()
    seed(app)
    client = judge(app)
    r = client.post(
        "/adjudicate/api/submit",
        json={
            "instance_id": "item_001",
            "label_decisions": {"sentiment": "negative"},
            "confidence": "high",
            "notes": "sarcasm",
            "error_taxonomy": ["edge_case"],
            "time_spent_ms": 4200,
        },
    )
    assert r.status_code == 200, r.json
    assert r.json["source"] == {"sentiment": "annotator:ann_b"}
    item = client.get("/adjudicate/api/item/item_001").json
    assert item["item"]["status"] == "completed"
    assert item["decision"]["label_decisions"] == {"sentiment": {"negative": "1"}}
    assert item["decision"]["adjudicator_id"] == "judge"
    assert item["decision"]["time_spent_ms"] == 4200
    stats = client.get("/adjudicate/api/stats").json
    assert (stats["completed"], stats["pending"], stats["total"]) == (1, 2, 3)
    assert stats["adjudicator_stats"] == {"judge": {"completed": 1, "total_time_ms": 4200}}
    assert client.get("/adjudicate/api/next").json["item"]["instance_id"] == "item_003"


def test_an_answer_nobody_gave_is_the_adjudicators_own(project):
    app = project(adjudication(require_notes_on_override=True))
    seed(app)
    client = judge(app)
    decision = {"instance_id": "item_001", "label_decisions": {"sentiment": "neutral"},
                "confidence": "low"}  # fmt: skip
    r = client.post("/adjudicate/api/submit", json=decision)
    assert r.status_code == 400 and "notes" in r.json["error"]
    r = client.post("/adjudicate/api/submit", json={**decision, "notes": "both wrong"})
    assert r.status_code == 200 and r.json["source"] == {"sentiment": "adjudicator"}


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"label_decisions": {"sentiment": "great"}}, 400, "great"),
        ({"label_decisions": {"sentimnt": "positive"}}, 400, "sentiment"),
        ({"label_decisions": {}}, 400, "label_decisions"),
        ({"label_decisions": "positive"}, 400, "label_decisions"),
        ({"label_decisions": {"sentiment": ["positive", "negative"]}}, 400, "sentiment"),
        ({"confidence": None}, 400, "confidence"),
        ({"confidence": "very"}, 400, "confidence"),
        ({"error_taxonomy": ["typo"]}, 400, "typo"),
        ({"error_taxonomy": [3]}, 400, "error_taxonomy"),
        ({"notes": 5}, 400, "notes"),
        ({"notes": "x" * 10_001}, 400, "notes"),
        ({"time_spent_ms": -1}, 400, "time_spent_ms"),
        ({"time_spent_ms": "soon"}, 400, "time_spent_ms"),
        ({"instance_id": ""}, 400, "instance_id"),
        ({"instance_id": 7}, 400, "instance_id"),
        ({"instance_id": "nope"}, 404, "nope"),
        ({"instance_id": "item_002", "label_decisions": {"sentiment": "positive"}}, 200, ""),
    ],
)
def test_bad_decisions_are_refused_and_nothing_is_saved(project, change, status, words):
    app = project()
    seed(app, items=5)  # item_006 is nobody's
    client = judge(app)
    body = {"instance_id": "item_001", "label_decisions": {"sentiment": "negative"},
            "confidence": "high", **change}  # fmt: skip
    r = client.post("/adjudicate/api/submit", json=body)
    assert r.status_code == status, r.json
    if status != 200:
        assert words in r.json["error"]
        assert client.get("/adjudicate/api/stats").json["adjudicator_stats"] == {}


def test_decisions_on_items_without_enough_answers_conflict(project):
    app = project()
    seed(app, items=5)
    r = judge(app).post(
        "/adjudicate/api/submit",
        json={"instance_id": "item_006", "label_decisions": {"sentiment": "positive"},
              "confidence": "high"},
    )  # fmt: skip
    assert r.status_code == 409


def test_non_json_body(project):
    app = project()
    r = judge(app).post("/adjudicate/api/submit", data="x", content_type="text/plain")
    assert r.status_code in (400, 415)


def test_confidence_may_be_optional(project):
    app = project(adjudication(require_confidence=False))
    seed(app)
    r = judge(app).post(
        "/adjudicate/api/submit",
        json={"instance_id": "item_001", "label_decisions": {"sentiment": {"negative": "1"}}},
    )
    assert r.status_code == 200


def test_skip_moves_the_item_behind_the_pending_ones(project):
    app = project()
    seed(app)
    client = judge(app)
    assert client.post("/adjudicate/api/skip/item_001", json={}).json["status"] == "ok"
    assert client.get("/adjudicate/api/next").json["item"]["instance_id"] == "item_003"
    queue = client.get("/adjudicate/api/queue").json["items"]
    assert [(i["instance_id"], i["status"]) for i in queue][-1] == ("item_001", "skipped")
    assert client.get("/adjudicate/api/queue?status=skipped").json["total"] == 1
    assert client.post("/adjudicate/api/skip/item_002", json={}).status_code == 404  # not queued
    assert client.post("/adjudicate/api/skip/nope", json={}).status_code == 404
    assert client.get("/adjudicate/api/queue?status=odd").status_code == 400


def test_next_when_everything_is_decided(project):
    app = project()
    seed(app)
    client = judge(app)
    for iid in ("item_001", "item_003", "item_005"):
        body = {"instance_id": iid, "label_decisions": {"sentiment": "positive"},
                "confidence": "medium"}  # fmt: skip
        assert client.post("/adjudicate/api/submit", json=body).status_code == 200
    assert client.get("/adjudicate/api/next").json == {
        "item": None,
        "message": "No more items to adjudicate",
    }
    assert client.get("/adjudicate/api/item/item_002").status_code == 404


def test_similar_items_by_tfidf(project, tmp_path):
    app = project(adjudication(similarity_enabled=True, similarity_top_k=2))
    with (tmp_path / "data.jsonl").open("w") as fh:
        for i, text in enumerate(TEXTS, 1):
            fh.write(json.dumps({"id": f"item_{i:03d}", "text": text}) + "\n")
    app.extensions["potato_like"].close()
    from potato_like import create_app

    app = create_app(tmp_path / "config.yaml")
    app.config["TESTING"] = True
    try:
        seed(app)
        # Not built yet: the item comes without similar items (no waiting in that request).
        assert judge(app).get("/adjudicate/api/item/item_001").json["similar_items"] == []
        body = judge(app).get("/adjudicate/api/similar/item_001").json
        assert body["enabled"] is True
        assert body["similar_items"][0]["instance_id"] == "item_003"
        assert body["similar_items"][0]["label_source"] == "none"  # a tie: no majority
        assert len(body["similar_items"]) <= 2
        item = judge(app).get("/adjudicate/api/item/item_001").json
        assert item["similar_items"][0]["instance_id"] == "item_003"
    finally:
        app.extensions["potato_like"].close()


def test_similar_when_disabled(project):
    app = project()
    seed(app)
    body = judge(app).get("/adjudicate/api/similar/item_001").json
    assert body == {"instance_id": "item_001", "enabled": False, "similar_items": []}
    assert judge(app).get("/adjudicate/api/similar/nope").status_code == 404


def test_multiselect_decision_and_agreement(project):
    app = project(schemes=[TOPICS])
    annotate_by(app, "ann_a", {"item_001": {"topics:food": "1"}})
    annotate_by(app, "ann_b", {"item_001": {"topics:food": "1", "topics:price": "1"}})
    client = judge(app)
    assert client.get("/adjudicate/api/queue").json["items"][0]["instance_id"] == "item_001"
    ok = {"instance_id": "item_001", "label_decisions": {"topics": ["food", "price"]},
          "confidence": "high"}  # fmt: skip
    r = client.post("/adjudicate/api/submit", json=ok)
    assert r.status_code == 200 and r.json["source"] == {"topics": "annotator:ann_b"}
    bad = {**ok, "label_decisions": {"topics": ["food", "wine"]}}
    assert client.post("/adjudicate/api/submit", json=bad).status_code == 400


ENDPOINTS = [
    ("get", "/adjudicate"),
    ("get", "/adjudicate/api/queue"),
    ("get", "/adjudicate/api/item/item_001"),
    ("post", "/adjudicate/api/submit"),
    ("get", "/adjudicate/api/stats"),
    ("post", "/adjudicate/api/skip/item_001"),
    ("get", "/adjudicate/api/next"),
    ("get", "/adjudicate/api/similar/item_001"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_annotators_get_403_and_strangers_401(project, method, path):
    app = project()
    seed(app)
    annotator = login(app.test_client(), "ann_a")
    assert getattr(annotator, method)(path, json={}).status_code == 403
    assert getattr(app.test_client(), method)(path, json={}).status_code == 401


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_everything_is_404_when_adjudication_is_off(make_project, method, path):
    app = make_project(items=6, user_config={"users": [JUDGE]})
    client = login(app.test_client(), "judge", JUDGE["password"])
    assert getattr(client, method)(path, json={}).status_code == 404


def test_admins_may_adjudicate_too(project):
    app = project()
    seed(app)
    boss = login(app.test_client(), "boss", BOSS_PASSWORD)
    assert boss.get("/adjudicate/api/queue").status_code == 200


def test_the_adjudicator_name_cannot_be_claimed_without_the_password(project):
    app = project()
    # No arrival can create or take the name: registration, passwordless login, wrong password.
    r = app.test_client().post("/register", data={"username": "Judge", "password": "pw-123456"})
    assert r.status_code == 403
    client = app.test_client()
    client.post("/auth", data={"username": "judge", "password": "wrong"})
    assert client.get("/adjudicate/api/queue").status_code == 401
    client.post("/auth", data={"username": "judge", "password": ""})
    assert client.get("/adjudicate/api/queue").status_code == 401


def test_the_page_loads_its_script_and_no_inline_code(project):
    app = project()
    seed(app)
    html = judge(app).get("/adjudicate").get_data(as_text=True)
    assert "/static/js/adjudicate.js" in html
    assert "style=" not in html
    assert "<script>" not in html


def test_admin_overview(project):
    app = project()
    seed(app)
    client = judge(app)
    client.post(
        "/adjudicate/api/submit",
        json={"instance_id": "item_003", "label_decisions": {"sentiment": "positive"},
              "confidence": "high"},
    )  # fmt: skip
    body = app.test_client().get("/admin/api/adjudication", headers=ADMIN).json
    assert body["enabled"] and body["stats"]["completed"] == 1
    assert body["recent_decisions"][0]["instance_id"] == "item_003"
    assert body["adjudicators"] == ["judge"]
    assert app.test_client().get("/admin/api/adjudication").status_code == 403
    assert judge(app).get("/admin/api/adjudication").status_code == 403


def test_admin_overview_when_off(make_project):
    app = make_project(items=2)
    body = app.test_client().get("/admin/api/adjudication", headers=ADMIN).json
    assert body["enabled"] is False


def test_gold_and_final_labels_in_exports(project):
    app = project()
    seed(app)
    client = judge(app)
    client.post(
        "/adjudicate/api/submit",
        json={"instance_id": "item_001", "label_decisions": {"sentiment": "negative"},
              "confidence": "high"},
    )  # fmt: skip
    admin = app.test_client()
    lines = admin.post("/admin/api/export", json={"format": "jsonl"}, headers=ADMIN)
    records = [json.loads(x) for x in lines.get_data(as_text=True).splitlines()]
    by_item = {}
    for record in records:
        by_item.setdefault(record["id"], record)
    first = by_item["item_001"]
    assert first["gold"] == {"sentiment": "negative"}
    assert first["gold_info"]["adjudicator"] == "judge"
    assert first["gold_info"]["source"] == {"sentiment": "annotator:ann_b"}
    assert first["final_labels"]["sentiment"] == {"answer": "negative", "source": "adjudicated"}
    assert by_item["item_002"]["final_labels"]["sentiment"] == {
        "answer": "positive",
        "source": "majority",
    }
    assert by_item["item_003"]["final_labels"] == {}  # a tie and no decision
    table = admin.post("/admin/api/export", json={"format": "csv"}, headers=ADMIN)
    rows = list(csv.DictReader(io.StringIO(table.get_data(as_text=True))))
    row = next(r for r in rows if r["instance_id"] == "item_001")
    assert row["gold:sentiment"] == "negative" and row["gold_adjudicator"] == "judge"
    assert row["final_source:sentiment"] == "adjudicated"
    assert row["gold_source:sentiment"] == "annotator:ann_b"
    assert float(row["gold_decided_at"]) > 0


def test_exports_without_gold_keep_their_columns(make_project):
    app = make_project(items=2)
    annotate_by(app, "ann_a", {"item_001": label("sentiment", "positive")})
    table = app.test_client().post("/admin/api/export", json={"format": "csv"}, headers=ADMIN)
    assert "gold" not in table.get_data(as_text=True).splitlines()[0]


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"enabled": True}, "adjudication.adjudicator_users"),
        ({"adjudicator_users": "judge", "agreement_threshold": 2}, "adjudication.agreement"),
        ({"adjudicator_users": ["judge"], "min_annotations": 0}, "adjudication.min_annotations"),
        ({"adjudicator_users": ["judge"], "error_taxonomy": [""]}, "adjudication.error_taxonomy"),
        ({"adjudicator_users": ["judge"], "similarity": {"top_k": 0}}, "adjudication.similarity"),
    ],
)
def test_config_problems_name_the_key(tmp_path, config, problem):
    write_items(tmp_path / "data.jsonl", 1)
    with pytest.raises(ConfigError) as err:
        load_config(base_config(adjudication=config), config_dir=tmp_path)
    assert any(p.startswith(problem) for p in err.value.problems), err.value.problems


def test_potato_similarity_block_is_read(tmp_path):
    write_items(tmp_path / "data.jsonl", 1)
    config = load_config(
        base_config(
            adjudication={
                "enabled": True,
                "adjudicator_users": ["judge"],
                "similarity": {"enabled": True, "model": "all-MiniLM-L6-v2", "top_k": 3},
                "show_all_itmes": True,
            }
        ),
        config_dir=tmp_path,
    )
    assert config.adjudication.similarity_enabled and config.adjudication.similarity_top_k == 3
    assert any("similarity.model" in w for w in config.warnings)
    assert any("show_all_itmes" in w and "show_all_items" in w for w in config.warnings)


def test_an_adjudicator_without_a_password_is_named_in_the_warning(tmp_path):
    write_items(tmp_path / "data.jsonl", 1)
    config = load_config(
        base_config(adjudication={"enabled": True, "adjudicator_users": ["judge"]}),
        config_dir=tmp_path,
    )
    assert any(
        w.startswith("adjudication.adjudicator_users: judge has no password")
        for w in config.warnings
    ), config.warnings


def test_require_fully_annotated_waits_for_every_annotator(project):
    app = project(adjudication(require_fully_annotated=True), max_annotations_per_item=3)
    seed(app)
    client = judge(app)
    assert client.get("/adjudicate/api/queue").json["total"] == 0  # 2 of 3 annotators
    annotate_by(app, "ann_c", {"item_001": label("sentiment", "neutral")})
    queue = client.get("/adjudicate/api/queue").json["items"]
    assert [i["instance_id"] for i in queue] == ["item_001"]
    assert queue[0]["num_annotators"] == 3


def test_a_flagged_item_enters_the_queue_even_when_annotators_agree(project):
    app = project()
    seed(app)
    c = login(app.test_client(), "ann_a")
    r = c.post("/api/flag_item", json={"instance_id": "item_002", "comment": "Sarcasm?"})
    assert r.status_code == 200
    items = judge(app).get("/adjudicate/api/queue").json["items"]
    flagged = {i["instance_id"]: i["flagged"] for i in items}
    assert flagged == {"item_001": False, "item_002": True, "item_003": False, "item_005": False}
