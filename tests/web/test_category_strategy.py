"""`assignment_strategy: category_based` (Potato's `category_assignment`): annotators get the
items of the categories they qualified for in training; otherwise the fallback; overlap holds
under concurrency."""

from __future__ import annotations

import json

import pytest

from potato_like.assign.categories import CategoryConfig
from potato_like.config import load_config
from potato_like.errors import ConfigError
from tests.conftest import annotate_all, annotate_concurrently, base_config, login, write_config

# item -> category ("" for none)
CATEGORIES = {
    "item_001": "sports",
    "item_002": "politics",
    "item_003": ["sports", "politics"],
    "item_004": "",
    "item_005": "sports",
    "item_006": "",
    "item_007": "science",
}
TRAINING = [
    {
        "id": "t_sports",
        "text": "A goal.",
        "correct_answers": {"sentiment": "positive"},
        "categories": ["sports"],
    },
    {
        "id": "t_politics",
        "text": "A vote.",
        "correct_answers": {"sentiment": "negative"},
        "categories": "politics",
    },
]


@pytest.fixture
def project(tmp_path, open_app):
    def make(category_assignment=None, min_correct=1, **overrides):
        with (tmp_path / "data.jsonl").open("w") as fh:
            for item_id, cat in CATEGORIES.items():
                row = {"id": item_id, "text": f"text {item_id}"}
                if cat:
                    row["topic"] = cat
                fh.write(json.dumps(row) + "\n")
        (tmp_path / "training.json").write_text(json.dumps({"training_instances": TRAINING}))
        config = base_config(
            assignment_strategy="category_based",
            training={
                "enabled": True,
                "data_file": "training.json",
                "passing_criteria": {"min_correct": min_correct},
            },
            category_assignment={
                "qualification": {"threshold": 1.0},
                **(category_assignment or {}),
            },
        )
        config.update(overrides)
        config["item_properties"]["category_key"] = "topic"
        return open_app(write_config(tmp_path, config))

    return make


def trained(app, name, answers):
    """Log in and answer training questions until training passes: answers = {question:
    labels given in turn} (training asks again after a wrong answer)."""
    answers = {q: list(labels) for q, labels in answers.items()}
    c = login(app.test_client(), name)
    for _ in range(10):
        p = c.get("/api/phase").json
        if p["type"] != "training" or p["status"] != "active":
            break
        qid = p["question"]["id"]
        r = c.post(
            "/phase",
            json={
                "phase": "training",
                "question": qid,
                "annotations": {f"sentiment:{answers[qid].pop(0)}": "1"},
            },
        )
        assert r.status_code == 200, r.json
    assert c.get("/api/phase").json["type"] == "annotation"
    return c


def items_in(ids):
    return sorted(ids)


def test_qualified_categories_give_their_items(project):
    app = project()  # training passes at the first right answer (the sports question)
    ann = trained(app, "ann", {"t_sports": ["positive"]})
    assert items_in(annotate_all(ann)) == ["item_001", "item_003", "item_005"]


def test_every_qualified_category_counts(project):
    app = project(min_correct=2)
    bob = trained(app, "bob", {"t_sports": ["positive"], "t_politics": ["negative"]})
    assert items_in(annotate_all(bob)) == ["item_001", "item_002", "item_003", "item_005"]


NEEDS_TWO = {"qualification": {"threshold": 1.0, "min_questions": 2}}


def test_no_qualification_falls_back_to_uncategorized_items(project):
    app = project(NEEDS_TWO)  # one right answer is too few questions to qualify
    zed = trained(app, "zed", {"t_sports": ["positive"]})
    assert items_in(annotate_all(zed)) == ["item_004", "item_006"]


def test_fallback_none_and_random(project):
    app = project({**NEEDS_TWO, "fallback": "none"})
    zed = trained(app, "zed", {"t_sports": ["positive"]})
    r = zed.get("/api/current_instance")  # nothing to annotate: the study is complete
    assert r.status_code == 409 and "completed" in r.json["error"]
    store = app.extensions["potato_like"].store
    assert store.assignments.user_items(store.users.by_name("zed").id) == []
    app = project({**NEEDS_TWO, "fallback": "random"})
    amy = trained(app, "amy", {"t_sports": ["positive"]})
    assert items_in(annotate_all(amy)) == sorted(CATEGORIES)


def test_overlap_holds_under_concurrency(project):
    app = project({"fallback": "random"}, max_annotations_per_item=2, training={"enabled": False})
    counts, errors = annotate_concurrently(app, users=5)
    assert errors == []
    assert set(counts.values()) == {2} and len(counts) == len(CATEGORIES)


def test_qualification_counts_every_attempt():
    cfg = CategoryConfig(
        threshold=0.6, min_questions=2, question_categories={"q1": ("a",), "q2": ("a", "b")}
    )
    assert cfg.qualified([("q1", True), ("q2", True)]) == ["a"]  # b: one question only
    assert cfg.qualified([("q1", False), ("q1", True), ("q2", True)]) == ["a"]  # 2/3
    assert cfg.qualified([("q1", False), ("q1", False), ("q2", True)]) == []  # 1/3


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"fallback": "everything"}, "category_assignment.fallback"),
        ({"qualification": {"threshold": 2}}, "qualification.threshold"),
        ({"qualification": {"min_questions": 0}}, "qualification.min_questions"),
    ],
)
def test_bad_settings_are_config_errors(tmp_path, block, message):
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "a", "text": "t"}) + "\n")
    cfg = base_config(assignment_strategy="category_based", category_assignment=block)
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path, cfg))
    assert message in str(err.value)
