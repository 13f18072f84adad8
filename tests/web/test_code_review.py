"""code_review: verdict, inline comments on lines and per-file ratings as Potato's record;
bad verdicts, categories, lines and ratings are refused with nothing written; agreement."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ADMIN, base_config, current_id, login, write_config

from . import text_work_util

TRACE = [
    {"role": "assistant", "tool_calls": [{"tool": "Read", "input": {"file_path": "src/login.py"}}]},
    {"role": "assistant", "tool_calls": [{"tool": "Glob", "input": {"path": "src/"}}]},
    {
        "role": "assistant",
        "tool_calls": [{"tool": "Edit", "input": {"file_path": "tests/test_login.py"}}],
    },
]
SCHEME = {
    "annotation_type": "code_review",
    "name": "review",
    "description": "Review the change",
    "comment_categories": ["bug", "style"],
    "verdict_options": ["approve", "request_changes"],
    "file_rating_dimensions": ["correctness", "quality"],
}


@pytest.fixture
def app(tmp_path, open_app):
    with (tmp_path / "data.jsonl").open("w") as fh:
        for i in (1, 2):
            fh.write(json.dumps({"id": f"s{i}", "task": "Fix login", "turns": TRACE}) + "\n")
    config = base_config(
        annotation_schemes=[SCHEME],
        item_properties={"id_key": "id", "text_key": "task"},
        assignment_strategy="fixed_order",
    )
    return open_app(write_config(tmp_path, config))


def send(client, iid, record):
    return text_work_util.send(client, iid, "review", record)


def stored(client, iid):
    return text_work_util.stored(client, iid, "review")


def test_page_offers_the_trace_files_for_ratings(app):
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    assert (
        '<tr data-file="src/login.py">' in page and '<tr data-file="tests/test_login.py">' in page
    )
    assert 'data-file="src/"' not in page  # a directory listed by a tool is not a file
    assert "js/code-review.js" in page and 'value="request_changes"' in page


def test_a_review_is_stored(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    record = {
        "verdict": "request_changes",
        "comments": [
            {"category": "bug", "file": "src/login.py", "line": "12", "text": "Admin bypass"},
            {"category": "style", "file": "", "line": None, "text": "   "},  # empty: dropped
        ],
        "file_ratings": {"src/login.py": {"correctness": 2, "quality": 4}},
    }
    assert send(ann, iid, record).status_code == 200
    assert stored(ann, iid) == {
        "verdict": "request_changes",
        "comments": [
            {"category": "bug", "file": "src/login.py", "line": 12, "text": "Admin bypass"}
        ],
        "file_ratings": {"src/login.py": {"correctness": 2, "quality": 4}},
    }


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"verdict": "merge"}, "unknown verdict 'merge'"),
        ({"comments": [{"category": "praise", "text": "x"}]}, "unknown category 'praise'"),
        (
            {"comments": [{"category": "bug", "line": 0, "text": "x"}]},
            "'line' must be a line number",
        ),
        ({"comments": "x"}, "'comments' must be a list"),
        ({"file_ratings": {"a.py": {"speed": 3}}}, "unknown rating dimension 'speed'"),
        ({"file_ratings": {"a.py": {"quality": 6}}}, "quality must be 1-5"),
        ({"file_ratings": {"a.py": 3}}, "must be an object"),
    ],
)
def test_bad_reviews_are_refused_and_nothing_is_written(app, record, problem):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, record)
    assert r.status_code == 400 and problem in r.json["error"], r.json
    assert stored(ann, iid) is None


def test_agreement_on_verdicts_and_file_ratings(app):
    answers = {
        "ann": {"verdict": "approve", "file_ratings": {"src/login.py": {"quality": 5}}},
        "bob": {"verdict": "approve", "file_ratings": {"src/login.py": {"quality": 3}}},
    }
    for name, record in answers.items():
        client = login(app.test_client(), name)
        for _ in range(2):
            assert send(client, current_id(client), record).status_code == 200
            client.post("/go_to", json={"action": "next_instance"})
    entry = app.test_client().get("/admin/api/agreement", headers=ADMIN).json["by_schema"]
    # ratings 5 and 3 on a 1-5 scale: 1 - 2/4
    assert entry["review"]["pairwise_scores"] == {
        "verdict_agreement": 1.0,
        "file_rating_agreement": 0.5,
    }
