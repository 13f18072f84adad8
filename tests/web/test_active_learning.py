"""`assignment_strategy: active_learning` and `llm_confidence`: a cold start in the base order,
then the items the builtin model is least sure about first (ranked in the background after
training), overlap and leases kept, diversity and random mixing, and the config block."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from potato_like.ai.builtin.runner import trainer
from potato_like.assign.active_learning import rank
from potato_like.errors import ConfigError
from tests.ai_texts import CUES, review
from tests.conftest import annotate_concurrently, answer, base_config, login, write_config

SENTIMENT = {
    "annotation_type": "radio",
    "name": "sentiment",
    "description": "Sentiment?",
    "labels": ["positive", "negative"],
}
CLEAR = 40
UNSURE = 8


def write_data(path):
    """Clear items (two cue words of one label) and unsure ones (one of each label)."""
    rng = random.Random(2)
    truth = {}
    with path.open("w", encoding="utf-8") as fh:
        for i in range(CLEAR):
            label = ("positive", "negative")[i % 2]
            truth[f"c{i:03d}"] = label
            fh.write(json.dumps({"id": f"c{i:03d}", "text": review(rng, label)}) + "\n")
        for i in range(UNSURE):
            words = [rng.choice(CUES["positive"]), rng.choice(CUES["negative"]), "the", "movie"]
            fh.write(json.dumps({"id": f"u{i:03d}", "text": " ".join(words)}) + "\n")
    return truth


@pytest.fixture
def al_project(tmp_path, open_app):
    def make(strategy="active_learning", al=None, **overrides):
        truth = write_data(tmp_path / "data.jsonl")
        block = {
            "enabled": True,
            "update_frequency": 5,
            "min_instances_for_training": 10,
            "random_sample_percent": 0,
            "hybrid_weights": {"uncertainty": 1.0, "diversity": 0.0},
            **(al or {}),
        }
        config = base_config(
            annotation_schemes=[SENTIMENT],
            assignment_strategy=strategy,
            active_learning=block,
            random_seed=7,
            **overrides,
        )
        return open_app(write_config(tmp_path, config)), truth

    return make


def label(client, item_id, value):
    client.post("/go_to", json={"go_to": item_id})
    assert client.get("/api/current_instance").json["instance_id"] == item_id
    assert answer(client, item_id, **{f"sentiment:{value}": "1"}).status_code == 200


def first_offered(app, user, n):
    client = login(app.test_client(), user)
    seen = []
    for _ in range(n):
        info = client.get("/api/current_instance").json
        if info.get("finished"):
            break
        seen.append(info["instance_id"])
        client.post("/go_to", json={"action": "next_instance"})
    return seen


def teach(app, truth, count=30):
    """An admin-free way to answer chosen clear items: jump to each (jumping is allowed)."""
    client = login(app.test_client(), "teacher")
    for item_id in list(truth)[:count]:
        label(client, item_id, truth[item_id])
    project = app.extensions["potato_like"]
    assert trainer(project).wait(30)
    trainer(project).run_once()  # train and rank now (the test thread is no request)
    return project


def test_cold_start_uses_the_base_order_then_uncertain_items_come_first(al_project):
    app, truth = al_project()
    project = app.extensions["potato_like"]
    assert project.policy.strategy.ranked() is False
    cold = first_offered(app, "early", 6)
    assert len(cold) == 6  # random order while no model exists
    teach(app, truth)
    project.policy.strategy._checked = -1e9  # look again now, not in 2 s
    assert project.policy.strategy.ranked() is True
    offered = first_offered(app, "late", UNSURE)
    assert set(offered) == {f"u{i:03d}" for i in range(UNSURE)}, offered


def test_cold_start_strategy_fixed_order(al_project):
    app, _ = al_project(al={"cold_start_strategy": "fixed_order"})
    assert first_offered(app, "a", 3) == ["c000", "c001", "c002"]


def test_ranked_order_keeps_overlap_and_never_repeats_an_item(al_project):
    app, truth = al_project(max_annotations_per_item=2)
    teach(app, truth)
    app.extensions["potato_like"].policy.strategy._checked = -1e9
    a = first_offered(app, "a", 3)
    b = first_offered(app, "b", 3)
    c = first_offered(app, "c", 3)
    assert a[0].startswith("u") and a[0] == b[0]  # two annotators per item
    assert c[0] not in (a[0],)  # the first item is full (a and b hold it)
    for seen in (a, b, c):
        assert len(set(seen)) == len(seen)
    counts, errors = annotate_concurrently(app, users=4)
    assert errors == []
    assert max(counts.values()) <= 2


def test_rank_mixes_for_diversity_and_random_share():
    uncertainty = np.array([0.9, 0.89, 0.88, 0.2, 0.1, 0.5])
    vectors = np.eye(6)
    vectors[1] = vectors[0]  # item 1 is a copy of item 0
    rng = random.Random(0)
    assert rank(uncertainty, vectors, 3, 0.0, 0.0, rng) == [0, 1, 2]
    assert rank(uncertainty, vectors, 3, 0.5, 0.0, rng)[:2] == [0, 2]
    mixed = rank(uncertainty, None, 3, 0.0, 1.0, random.Random(1))
    assert not set(mixed) & {0, 1, 2}  # every slot given to a random pool item


def test_llm_confidence_without_a_provider_ranks_by_the_builtin_model(al_project):
    app, truth = al_project(strategy="llm_confidence")
    teach(app, truth)
    app.extensions["potato_like"].policy.strategy._checked = -1e9
    offered = first_offered(app, "late", 4)
    assert all(i.startswith("u") for i in offered), offered


def test_config_block_is_checked(tmp_path):
    from potato_like.config import load_config

    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "x"}\n')
    bad = base_config(
        annotation_schemes=[
            SENTIMENT,
            {"annotation_type": "text", "name": "t", "description": "?"},
        ],
        assignment_strategy="active_learning",
        active_learning={"schema_names": ["t"], "update_frequency": 0},
    )
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path, bad))
    text = "\n".join(err.value.problems)
    assert "active_learning.schema_names" in text and "'t'" in text
    assert "active_learning.update_frequency" in text
    ok = base_config(
        annotation_schemes=[SENTIMENT],
        assignment_strategy="active_learning",
        active_learning={"classifier_name": "sklearn.svm.SVC", "query_strategy": "bald"},
    )
    config = load_config(write_config(tmp_path, ok))
    assert config.active_learning.schema_names == ("sentiment",)
    assert any("classifier_name" in w for w in config.warnings)
    assert not any("bald" in w for w in config.warnings)  # served (assign/query_strategies)
    assert config.active_learning.bald_estimators == 5
    tags = {"annotation_type": "multiselect", "name": "tags", "description": "?",
            "labels": ["a", "b"]}  # fmt: skip
    only_sets = base_config(
        annotation_schemes=[tags],
        assignment_strategy="active_learning",
        active_learning={"query_strategy": "badge", "bald_params": {"n_estimators": 1}},
    )
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path, only_sets))
    assert "active_learning.bald_params.n_estimators" in "\n".join(err.value.problems)
    only_sets["active_learning"]["bald_params"] = {"n_estimators": 3, "bootstrap_fraction": 0.5}
    config = load_config(write_config(tmp_path, only_sets))
    assert any("'badge' needs a single-label scheme" in w for w in config.warnings)
    assert config.active_learning.bald_fraction == 0.5


def test_badge_ranks_the_least_sure_item_first(al_project):
    app, truth = al_project(al={"query_strategy": "badge"})
    teach(app, truth)
    project = app.extensions["potato_like"]
    project.policy.strategy._checked = -1e9
    assert project.policy.strategy.ranked() is True
    offered = first_offered(app, "late", 3)
    # BADGE starts with the longest gradient embedding: the least sure item (a mixed one).
    assert offered[0].startswith("u"), offered


def test_bald_ranks_by_ensemble_disagreement(al_project):
    """BALD prefers items the ensemble members disagree on (epistemic uncertainty), not
    items every member finds 50/50 (the mixed-cue items, which uncertainty picks first)."""
    from potato_like.ai.builtin.runner import models
    from potato_like.assign.query_strategies import bald_scores

    app, truth = al_project(al={"query_strategy": "bald", "bald_params": {"n_estimators": 8}})
    teach(app, truth)
    project = app.extensions["potato_like"]
    project.policy.strategy._checked = -1e9
    assert project.policy.strategy.ranked() is True
    offered = first_offered(app, "late", 3)
    model = models(project).get("sentiment")[1]
    taught = list(truth)[:30]
    lines = (project.config.task_dir / "data.jsonl").read_text().splitlines()
    texts = {r["id"]: r["text"] for r in map(json.loads, lines)}
    vec = model.vectorizer
    pool = sorted(texts)
    mi = bald_scores(vec.transform([texts[i] for i in taught]), [truth[i] for i in taught],
                     vec.transform([texts[i] for i in pool]), n_estimators=40,
                     fraction=0.8, seed=11)  # fmt: skip
    by_id = dict(zip(pool, mi, strict=True))
    assert np.mean([by_id[i] for i in offered]) > np.median(list(by_id.values())), offered
    assert not all(i.startswith("u") for i in offered)  # not uncertainty's order
