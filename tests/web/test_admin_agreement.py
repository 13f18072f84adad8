"""GET /admin/api/agreement against a scripted project (seed 003 "Get Agreement Metrics")."""

from __future__ import annotations

import pytest

from potato_like.quality import agreement as agreement_module
from potato_like.web import admin_agreement
from tests.conftest import ADMIN, BOSS_PASSWORD, BOSS_USERS, answer, current_id, login, radio

SCHEMES = [
    radio("sentiment", ["positive", "negative"]),
    {"annotation_type": "likert", "name": "intensity", "description": "How strong?", "size": 5},
    {"annotation_type": "multiselect", "name": "topics", "description": "Topics?",
     "labels": ["sports", "politics", "science"]},
    {"annotation_type": "slider", "name": "confidence", "description": "Sure?",
     "min_value": 0, "max_value": 100},
    {"annotation_type": "text", "name": "notes", "description": "Anything else?"},
]  # fmt: skip

# What everyone answers for each item: the answers differ between items, so alpha is defined.
ANSWERS = {
    "item_001": {"sentiment:positive": "1", "intensity:1": "1", "topics:sports": "1",
                 "confidence:slider": "10", "notes:text_box": "fine"},
    "item_002": {"sentiment:negative": "1", "intensity:3": "1", "topics:sports": "1",
                 "topics:politics": "1", "confidence:slider": "50"},
    "item_003": {"sentiment:positive": "1", "intensity:5": "1", "topics:science": "1",
                 "confidence:slider": "90"},
    "item_004": {"sentiment:negative": "1", "intensity:2": "1", "topics:politics": "1",
                 "confidence:slider": "20"},
}  # fmt: skip


def sentiment(item: str) -> dict[str, str]:
    """Only the sentiment part of ANSWERS, for projects with just that scheme."""
    return {k: v for k, v in ANSWERS[item].items() if k.startswith("sentiment:")}


@pytest.fixture
def make_agreement_project(make_project):
    """make_project with the agreement blueprint, registered before the first request."""

    def make(**overrides):
        app = make_project(**overrides)
        if "admin_agreement" not in app.blueprints:
            app.register_blueprint(admin_agreement.bp)
        return app

    return make


def annotate(app, user: str, limit: int = 10, only_sentiment: bool = False) -> list[str]:
    """`user` answers every item they are given as ANSWERS says."""
    client = login(app.test_client(), user)
    done = []
    for _ in range(limit):
        info = client.get("/api/current_instance").json
        if info.get("finished") or info["instance_id"] in done:
            break
        item = info["instance_id"]
        labels = sentiment(item) if only_sentiment else ANSWERS[item]
        assert answer(client, item, **labels).status_code == 200
        done.append(item)
        client.post("/go_to", json={"action": "next_instance"})
    return done


def test_everyone_agrees(make_agreement_project):
    app = make_agreement_project(items=4, schemes=SCHEMES, max_annotations_per_item=3)
    for user in ("ann", "bob", "cy"):
        assert len(annotate(app, user)) == 4
    response = app.test_client().get("/admin/api/agreement", headers=ADMIN)
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"enabled", "overall", "by_schema", "warnings"}
    assert body["enabled"] is True
    assert body["overall"] == {
        "average_krippendorff_alpha": 1.0,
        "schemas_evaluated": 4,
        "interpretation": "Good agreement",
    }
    assert set(body["by_schema"]) == {"sentiment", "intensity", "topics", "confidence"}
    metrics = {name: entry["metric_type"] for name, entry in body["by_schema"].items()}
    assert metrics == {
        "sentiment": "nominal",
        "intensity": "ordinal",
        "topics": "masi",
        "confidence": "interval",
    }
    for entry in body["by_schema"].values():
        assert entry["krippendorff_alpha"] == 1.0
        assert entry["items_evaluated"] == 4
        assert entry["total_annotations"] == 12
        assert entry["interpretation"] == "Good agreement"
    sentiment = body["by_schema"]["sentiment"]
    assert sentiment["fleiss_kappa"] == {
        "kappa": 1.0,
        "interpretation": "Almost perfect agreement",
        "raters_per_item": 3,
        "items": 4,
        "items_skipped": 0,
    }
    assert sentiment["pairwise_cohen_kappa"] == [
        {"a": "ann", "b": "bob", "kappa": 1.0, "items": 4},
        {"a": "ann", "b": "cy", "kappa": 1.0, "items": 4},
        {"a": "bob", "b": "cy", "kappa": 1.0, "items": 4},
    ]
    assert body["by_schema"]["confidence"]["fleiss_kappa"] is None
    assert body["warnings"] == [
        "notes: skipped (text): free text has no agreement measure",
    ]


def test_disagreement_lowers_alpha(make_agreement_project):
    app = make_agreement_project(items=4, schemes=SCHEMES[:1], max_annotations_per_item=2)
    annotate(app, "ann", only_sentiment=True)
    bob = login(app.test_client(), "bob")
    for _ in range(4):
        item = current_id(bob)
        # bob agrees with ann except on item_004 (negative), where he says positive.
        choice = "sentiment:positive" if item == "item_004" else next(iter(sentiment(item)))
        assert answer(bob, item, **{choice: "1"}).status_code == 200
        bob.post("/go_to", json={"action": "next_instance"})
    body = app.test_client().get("/admin/api/agreement", headers=ADMIN).json
    entry = body["by_schema"]["sentiment"]
    # Units: (pos,pos) (neg,neg) (pos,pos) (neg,pos). n_pos = 5, n_neg = 3, n = 8;
    # sum o_ck off the diagonal = 2; alpha = 1 - 7 * 2 / (64 - 25 - 9) = 1 - 14/30 = 0.5333
    assert entry["krippendorff_alpha"] == round(1 - 14 / 30, 4)
    assert entry["interpretation"] == "Poor agreement"
    # Cohen: p_o = 3/4, ann pos 2/4, bob pos 3/4: p_e = 1/2 * 3/4 + 1/2 * 1/4 = 1/2 -> 0.5
    assert entry["pairwise_cohen_kappa"] == [{"a": "ann", "b": "bob", "kappa": 0.5, "items": 4}]


def test_too_few_overlapping_items_and_cache_refresh(make_agreement_project, monkeypatch):
    app = make_agreement_project(items=4, schemes=SCHEMES[:1], max_annotations_per_item=2)
    computed = []
    real = agreement_module.project_agreement
    monkeypatch.setattr(
        agreement_module,
        "project_agreement",
        lambda *args, **kwargs: computed.append(1) or real(*args, **kwargs),
    )
    ann = login(app.test_client(), "ann")
    bob = login(app.test_client(), "bob")
    first = current_id(ann)
    assert answer(ann, first, **sentiment(first)).status_code == 200
    assert (
        answer(bob, current_id(bob), **sentiment(first)).status_code == 200
    )  # fixed order: bob gets the same item
    admin = app.test_client()
    body = admin.get("/admin/api/agreement", headers=ADMIN).json
    entry = body["by_schema"]["sentiment"]
    assert entry["krippendorff_alpha"] is None
    assert entry["items_evaluated"] == 1
    assert entry["interpretation"] == "Insufficient data"
    assert any("too few overlapping items" in w for w in body["warnings"])
    assert body["overall"]["average_krippendorff_alpha"] is None
    assert body["overall"]["schemas_evaluated"] == 0
    assert admin.get("/admin/api/agreement", headers=ADMIN).json == body
    assert len(computed) == 1  # the second load came from the cache

    # A new finished annotation changes the cache key: the next load sees it at once.
    for client in (ann, bob):
        client.post("/go_to", json={"action": "next_instance"})
        item = current_id(client)
        assert answer(client, item, **sentiment(item)).status_code == 200
    entry = admin.get("/admin/api/agreement", headers=ADMIN).json["by_schema"]["sentiment"]
    assert entry["items_evaluated"] == 2
    assert entry["krippendorff_alpha"] == 1.0
    assert len(computed) == 2


def test_identical_values_give_null_with_a_warning(make_agreement_project):
    app = make_agreement_project(items=2, schemes=SCHEMES[:1], max_annotations_per_item=2)
    for user in ("ann", "bob"):
        client = login(app.test_client(), user)
        for _ in range(2):
            answer(client, current_id(client), **{"sentiment:positive": "1"})
            client.post("/go_to", json={"action": "next_instance"})
    body = app.test_client().get("/admin/api/agreement", headers=ADMIN).json
    assert body["by_schema"]["sentiment"]["krippendorff_alpha"] is None
    assert body["by_schema"]["sentiment"]["items_evaluated"] == 2
    assert any("alpha is undefined" in w for w in body["warnings"])


def test_schema_filter(make_agreement_project):
    app = make_agreement_project(items=4, schemes=SCHEMES, max_annotations_per_item=3)
    for user in ("ann", "bob"):
        annotate(app, user)
    c = app.test_client()
    body = c.get("/admin/api/agreement?schema=confidence", headers=ADMIN).json
    assert list(body["by_schema"]) == ["confidence"]
    assert body["by_schema"]["confidence"]["krippendorff_alpha"] == 1.0
    assert body["warnings"] == []
    notes = c.get("/admin/api/agreement?schema=notes", headers=ADMIN).json
    assert notes["by_schema"] == {} and notes["warnings"][0].startswith("notes: skipped")
    bad = c.get("/admin/api/agreement?schema=nope", headers=ADMIN)
    assert bad.status_code == 400
    assert "unknown schema 'nope'" in bad.json["error"]


def test_only_admins(make_agreement_project):
    app = make_agreement_project(admin_users=["boss"], user_config=BOSS_USERS)
    assert app.test_client().get("/admin/api/agreement").status_code == 403
    wrong = {"X-API-Key": "nope-nope-nope"}
    assert app.test_client().get("/admin/api/agreement", headers=wrong).status_code == 403
    assert login(app.test_client(), "ann").get("/admin/api/agreement").status_code == 403
    boss = login(app.test_client(), "boss", BOSS_PASSWORD).get("/admin/api/agreement")
    assert boss.status_code == 200
    assert boss.json["overall"]["schemas_evaluated"] == 0


def test_rows_come_only_from_items_two_annotators_finished(make_agreement_project):
    from potato_like.store.agreement_rows import answers_for_agreement

    app = make_agreement_project(items=4, schemes=SCHEMES[:1], max_annotations_per_item=2)
    ann = login(app.test_client(), "ann")
    bob = login(app.test_client(), "bob")
    for client in (ann, bob):
        item = current_id(client)
        assert answer(client, item, **sentiment(item)).status_code == 200
        client.post("/go_to", json={"action": "next_instance"})
    # ann finishes item_002; bob only saves a draft of it (not finished: not counted).
    assert answer(ann, "item_002", **sentiment("item_002")).status_code == 200
    draft = {"instance_id": "item_002", "annotations": sentiment("item_002"), "draft": True}
    assert bob.post("/updateinstance", json=draft).status_code == 200
    store = app.extensions["potato_like"].store
    rows = list(answers_for_agreement(store, "sentiment"))
    assert rows == [
        (1, "ann", {"positive": "1"}),
        (1, "bob", {"positive": "1"}),
    ]
    assert list(answers_for_agreement(store, "other")) == []
