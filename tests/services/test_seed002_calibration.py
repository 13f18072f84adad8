"""Seed 002 calibration batches: their tasks become training questions of the project
(checked against the task's `expected_response`), never items: nobody is served them as
annotation work and training answers to them never appear in exports as annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from potato_like.export.registry import exporter
from potato_like.workspace.app import create_workspace_app

from ..conftest import radio
from ..workspaces import write_project, write_workspace
from .test_seed002_batches import Annotator, get, post, served_copy

LABELS = ["kitten", "not kitten"]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = write_workspace(tmp_path_factory.mktemp("cal") / "ws", ())
    directory = write_project(
        root,
        "alpha",
        annotation_schemes=[radio("sentiment", LABELS)],
        training={"data_file": "training.json"},
    )
    question = {"id": "q1", "text": "A kitten.", "correct_answers": {"sentiment": "kitten"}}
    (directory / "training.json").write_text(json.dumps({"training_instances": [question]}))
    write_project(root, "plain", annotation_schemes=[radio("sentiment", LABELS)])
    create_workspace_app(root).extensions["potato_like"].close()
    return root


@pytest.fixture
def server(template: Path, tmp_path: Path):
    yield from served_copy(template, tmp_path)


def task(ws, text: str, **extra):
    body = {"batch": "cal", "attachment": text, "categories": LABELS, **extra}
    return post(ws, "/v1/task/categorization", body)


def phase(ann: Annotator) -> dict:
    r = ann.http.get(f"{ann.base}/api/phase", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def answer(ann: Annotator, question: str, label: str) -> dict:
    body = {"phase": "training", "question": question, "annotations": {f"sentiment:{label}": "1"}}
    r = ann.http.post(f"{ann.base}/phase", json=body, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_calibration_tasks_are_training_questions_not_items(server) -> None:
    ws = server
    batch = post(ws, "/v1/batches", {"project": "alpha", "name": "cal", "calibration_batch": True})
    assert batch.status_code == 200 and batch.json()["calibration_batch"] is True
    # a calibration task needs its answer, one of its categories
    r = task(ws, "no answer")
    assert r.status_code == 400 and "expected_response" in r.json()["error"]
    assert task(ws, "bad", expected_response="puppy").status_code == 400
    first = task(ws, "Is this a kitten? (yes)", expected_response="kitten").json()["task_id"]
    second = task(ws, "And this? (no)", expected_response="not kitten").json()["task_id"]
    assert post(ws, "/v1/batches/cal/finalize").status_code == 200
    # done at once: the tasks are training questions now, with no annotations
    assert get(ws, "/v1/batches/cal/status").json() == {
        "status": "completed",
        "tasks_pending": 0,
        "tasks_completed": 2,
    }
    assert get(ws, f"/v1/task/{first}").json()["response"]["annotations"] == []
    project = ws.projects()["alpha"]
    assert project.store.items.by_id(first) is None and project.store.items.by_id(second) is None

    # a wrong first answer to a calibration question is a mistake (the default passing
    # criterion is every question right at the first answer): training fails
    slow = Annotator(ws, "slow")
    p = phase(slow)
    assert p["type"] == "training" and p["training"]["total_questions"] == 3
    assert answer(slow, "q1", "kitten")["feedback"]["correct"] is True
    assert phase(slow)["question"] == {"id": first, "text": "Is this a kitten? (yes)"}
    wrong = answer(slow, first, "not kitten")["feedback"]
    assert wrong["correct"] is False and wrong["correct_answer"] == {"sentiment": "kitten"}
    answer(slow, first, "kitten")  # allow_retry: asked again, right, but it does not score
    last = answer(slow, second, "not kitten")
    assert last["study_status"] == "failed" and last["feedback"]["outcome"] == "failed"
    assert last["feedback"]["correct_answers"] == 2 and phase(slow)["status"] == "failed"
    # all right: on to annotation
    ann = Annotator(ws, "trainee")
    answer(ann, "q1", "kitten")
    answer(ann, first, "kitten")
    assert answer(ann, second, "not kitten")["phase"] == "annotation"
    # the annotation phase serves only the project's own items
    seen = {ann.answer_and_next() for _ in range(3)}
    assert len(seen) == 3 and not seen & {first, second}
    exported = "".join(str(part) for part in exporter("jsonl").stream(project))
    assert all(i in exported for i in seen)  # the annotations are there, the questions not
    assert first not in exported and second not in exported


def test_calibration_needs_a_project_with_training(server) -> None:
    r = post(server, "/v1/batches", {"project": "plain", "name": "c2", "calibration_batch": True})
    assert r.status_code == 409 and "training" in r.json()["error"]
    assert get(server, "/v1/batches/c2").status_code == 404
