"""The agent exports: `agent_eval` (a line per annotated step, with the step's content) and
`prm` (every step with its reward) through the real export endpoint, each read back into the
same stored answers (round trip)."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from potato_like.config import load_config
from tests.conftest import ADMIN, base_config, current_id, login, write_config

STEPS = [
    {"agent": "a", "text": "think"},
    {"agent": "b", "text": "act"},
    {"agent": "a", "text": "done"},
]
SCHEMES = [
    {
        "annotation_type": "process_reward",
        "name": "prm",
        "steps_key": "steps",
        "step_text_key": "text",
        "mode": "per_step",
        "allow_neutral": True,
    },
    {
        "annotation_type": "trajectory_eval",
        "name": "te",
        "steps_key": "steps",
        "step_text_key": "text",
        "error_types": ["planning"],
        "show_score": False,
    },
    {"annotation_type": "failure_attribution", "name": "fa", "steps_key": "steps"},
    {"annotation_type": "radio", "name": "ok", "labels": ["yes", "no"]},
]
ANSWERS = {
    "prm": {"mode": "per_step", "steps": [{"index": 0, "reward": 1}, {"index": 2, "reward": -1}]},
    "te": {"steps": [{"step_index": 1, "correctness": "incorrect", "error_type": "planning"}]},
    "fa": {"responsible_agent": "b", "decisive_step": 1, "reason": "bad plan"},
}


@pytest.fixture
def project(tmp_path, open_app):
    with (tmp_path / "data.jsonl").open("w") as fh:
        for n in range(2):
            fh.write(json.dumps({"id": f"i{n}", "text": "t", "steps": STEPS}) + "\n")
    path = write_config(tmp_path, base_config(annotation_schemes=SCHEMES))
    app = open_app(path)
    for user in ("ann", "bob"):
        c = login(app.test_client(), user)
        iid = current_id(c)
        body = {
            "instance_id": iid,
            "annotations": {f"{k}:{k}": json.dumps(v) for k, v in ANSWERS.items()},
        }
        assert c.post("/updateinstance", json=body).status_code == 200
    return app, load_config(path)


def export(app, name):
    r = app.test_client().post("/admin/api/export", json={"format": name}, headers=ADMIN)
    assert r.status_code == 200, r.data
    return [json.loads(line) for line in r.data.decode().splitlines()]


def test_agent_eval_lists_each_step_with_its_content_and_round_trips(project):
    app, config = project
    lines = export(app, "agent_eval")
    assert len(lines) == 2 * 4  # two annotators: two rewards, one verdict, one attribution
    first = next(x for x in lines if x["schema"] == "prm" and x["step_index"] == 2)
    assert first["step"] == "done" and first["agent"] == "a" and first["type"] == "process_reward"
    grouped = defaultdict(list)
    for line in lines:
        grouped[(line["user"], line["schema"])].append(line["label"])
    for (user, schema), labels in grouped.items():
        scheme = config.scheme(schema)
        if schema == "fa":
            rebuilt = labels[0]
        elif schema == "prm":
            rebuilt = {"mode": "per_step", "steps": labels}
        else:
            rebuilt = {"steps": labels}
        assert scheme.from_answer(rebuilt) == scheme.from_answer(ANSWERS[schema]), (user, schema)


def test_prm_export_has_every_step_with_its_reward_and_round_trips(project):
    app, config = project
    lines = export(app, "prm")
    assert {x["user"] for x in lines} == {"ann", "bob"} and {x["schema"] for x in lines} == {"prm"}
    line = lines[0]
    assert line["first_error_step"] == 2
    assert line["steps"] == [
        {"index": 0, "step": "think", "reward": 1},
        {"index": 1, "step": "act", "reward": None},
        {"index": 2, "step": "done", "reward": -1},
    ]
    scheme = config.scheme("prm")
    rebuilt = {
        "mode": line["mode"],
        "steps": [{"index": s["index"], "reward": s["reward"]} for s in line["steps"]],
    }
    assert scheme.from_answer(rebuilt) == scheme.from_answer(ANSWERS["prm"])


def test_a_project_without_step_schemes_exports_nothing(tmp_path, open_app):
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "t"}\n')
    app = open_app(write_config(tmp_path, base_config()))
    assert export(app, "agent_eval") == [] and export(app, "prm") == []
