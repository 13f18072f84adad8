"""Helpers for the crowd tests: copies of the crowd example projects, and walking a worker
through a study."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO

PROLIFIC = REPO / "example_projects" / "prolific_study"
MTURK = REPO / "example_projects" / "mturk_hit"
STUDY_ID = "65f0c0ffee0000000000beef"
CHECK_ANSWERS = {"attn_1": "negative", "attn_2": "positive"}
TRAINING_ANSWERS = {"train_1": "positive", "train_2": "negative"}


@pytest.fixture
def example(example_project):
    """example(path, edit=None, **overrides) -> app for a copy of a crowd example project."""
    return example_project


def prolific_link(pid: str = "PID0001", study: str = STUDY_ID, session: str = "SES1") -> str:
    return f"/?PROLIFIC_PID={pid}&STUDY_ID={study}&SESSION_ID={session}"


def mturk_link(worker="W1", assignment="A1", hit="H1", submit="https://workersandbox.mturk.com"):
    return f"/?workerId={worker}&assignmentId={assignment}&hitId={hit}&turkSubmitTo={submit}"


def submit_phase(client, name, annotations=None, **extra):
    body = {"phase": name, **extra}
    if annotations is not None:
        body["annotations"] = annotations
    r = client.post("/phase", json=body)
    assert r.status_code == 200, r.json
    return r.json


def train(client, answers: dict[str, str], schema: str = "sentiment") -> dict:
    """Answer training questions until it is decided, with `answers` per question id."""
    for _ in range(20):
        state = client.get("/api/phase").json
        if state["type"] != "training" or state["status"] != "active":
            return state
        qid = state["question"]["id"]
        label = answers[qid]
        submit_phase(client, state["phase"], {f"{schema}:{label}": "1"}, question=qid)
    raise AssertionError("training never ended")


def annotate_until_done(client, schema="sentiment", label="positive", checks=None) -> list[str]:
    """Answer everything shown (checks with their right answer unless `checks` says else)."""
    checks = CHECK_ANSWERS if checks is None else checks
    seen = []
    for _ in range(50):
        r = client.get("/api/current_instance")
        if r.status_code != 200 or r.json.get("finished"):
            return seen
        iid = r.json["instance_id"]
        seen.append(iid)
        answer = checks.get(iid, label)
        r = client.post(
            "/updateinstance", json={"instance_id": iid, "annotations": {f"{schema}:{answer}": "1"}}
        )
        if r.status_code != 200 or r.json.get("status") == "blocked":
            return seen
        client.post("/go_to", json={"action": "next_instance"})
    raise AssertionError("annotation never finished")


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
