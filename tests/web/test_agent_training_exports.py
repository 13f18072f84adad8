"""`trajectory_correction` (+ `trajectory_sft`, `trajectory_dpo`) and `judge_alignment`
through the real export endpoint: corrected traces round-trip to the stored edits, and the
judge's agreement with the humans matches scikit-learn's Cohen's kappa."""

from __future__ import annotations

import json

import pytest
from sklearn.metrics import cohen_kappa_score

from tests.conftest import ADMIN, base_config, current_id, login, write_config

STEPS = [
    {"thought": "find the file", "action": "ls"},
    {"thought": "read it", "action": "cat a.txt"},
    {"thought": "answer", "action": "finish(42)"},
]


def export(app, name):
    r = app.test_client().post("/admin/api/export", json={"format": name}, headers=ADMIN)
    assert r.status_code == 200, r.data
    text = r.data.decode()
    return (
        json.loads(text)
        if name == "judge_alignment"
        else [json.loads(x) for x in text.splitlines()]
    )


@pytest.fixture
def edit_app(tmp_path, open_app):
    with (tmp_path / "data.jsonl").open("w") as fh:
        for n in range(2):
            row = {
                "id": f"t{n}",
                "text": "t",
                "task": f"task {n}",
                "steps": STEPS,
                "final_answer": "42",
            }
            fh.write(json.dumps(row) + "\n")
    scheme = {
        "annotation_type": "trajectory_edit",
        "name": "fix",
        "steps_key": "steps",
        "step_text_key": "action",
        "editable_fields": ["action", "thought"],
        "edit_final_answer": True,
    }
    config = base_config(annotation_schemes=[scheme], assignment_strategy="fixed_order")
    return open_app(write_config(tmp_path, config))


def save(client, schema, value):
    body = {
        "instance_id": current_id(client),
        "annotations": {f"{schema}:{schema}": json.dumps(value)},
    }
    r = client.post("/updateinstance", json=body)
    assert r.status_code == 200, r.json


def test_trajectory_correction_sft_and_dpo_round_trip(edit_app):
    ann = login(edit_app.test_client(), "ann")
    edits = {
        "steps": [
            {
                "step_index": 1,
                "field": "action",
                "edited_text": "cat b.txt",
                "reason": "wrong file",
            },
            {"step_index": 2, "field": "thought", "edited_text": "check first"},
        ],
        "final_answer": {"edited_text": "43"},
    }
    save(ann, "fix", edits)
    bob = login(edit_app.test_client(), "bob")
    save(
        bob, "fix", {"steps": [{"step_index": 0, "field": "action", "edited_text": "ls"}]}
    )  # no change

    records = export(edit_app, "trajectory_correction")
    assert len(records) == 1  # bob's edit gives the step its own text: no correction
    r = records[0]
    assert (r["trace_id"], r["annotator"], r["task"], r["n_edits"]) == ("t0", "ann", "task 0", 3)
    assert r["original_trace"]["steps"] == STEPS and r["original_trace"]["final_answer"] == "42"
    fixed = r["corrected_trace"]
    assert fixed["steps"][1] == {"thought": "read it", "action": "cat b.txt"}
    assert fixed["steps"][2] == {"thought": "check first", "action": "finish(42)"}
    assert fixed["final_answer"] == "43"
    assert r["edits"][0] == {"step_index": 1, "field": "action", "original_text": "cat a.txt",
                             "edited_text": "cat b.txt", "reason": "wrong file"}  # fmt: skip
    # Round trip: the edits in the export, applied to the original, give the stored answer.
    stored = json.loads(
        ann.get("/get_annotations?instance_id=t0").json["label_annotations"]["fix"]["fix"]
    )
    back = [{"step_index": e["step_index"], "field": e["field"], "edited_text": e["edited_text"]}
            for e in r["edits"] if e["step_index"] is not None]  # fmt: skip
    assert back == [
        {k: s[k] for k in ("step_index", "field", "edited_text")} for s in stored["steps"]
    ]

    (sft,) = export(edit_app, "trajectory_sft")
    assert sft == {"prompt": "task 0", "completion": fixed, "trace_id": "t0"}
    (dpo,) = export(edit_app, "trajectory_dpo")
    assert dpo["chosen"] == fixed and dpo["rejected"] == r["original_trace"]


HUMANS = {  # item -> labels of ann, bob, cy
    "j0": ("correct", "correct", "correct"),
    "j1": ("incorrect", "incorrect", "correct"),
    "j2": ("correct", "incorrect", "incorrect"),
    "j3": ("incorrect", "incorrect", "incorrect"),
    "j4": ("correct", "correct", "incorrect"),
    "j5": ("correct", "incorrect", None),  # a tie: left out of the majority comparison
}
JUDGE = {"j0": "correct", "j1": "correct", "j2": "incorrect", "j3": "incorrect", "j4": "correct", "j5": "correct"}  # fmt: skip


@pytest.fixture
def judge_app(tmp_path, open_app):
    with (tmp_path / "data.jsonl").open("w") as fh:
        for item_id, verdict in JUDGE.items():
            verdicts = {"ok": {"predicted_label": verdict, "confidence": 0.9}}
            if item_id == "j0":
                verdicts = {"ok": verdict}  # the plain form
            fh.write(json.dumps({"id": item_id, "text": "t", "judge_verdicts": verdicts}) + "\n")
    config = base_config(
        annotation_schemes=[
            {"annotation_type": "radio", "name": "ok", "labels": ["correct", "incorrect"]}
        ],
        assignment_strategy="fixed_order",
    )
    return open_app(write_config(tmp_path, config))


def test_judge_alignment_matches_scikit_learn(judge_app):
    for n, user in enumerate(("ann", "bob", "cy")):
        c = login(judge_app.test_client(), user)
        for item_id, labels in HUMANS.items():
            assert current_id(c) == item_id
            if labels[n] is not None:
                body = {"instance_id": item_id, "annotations": {f"ok:{labels[n]}": "1"}}
                assert c.post("/updateinstance", json=body).status_code == 200
            c.post("/go_to", json={"action": "next_instance"})
    report = export(judge_app, "judge_alignment")["schemas"]["ok"]
    majority = {
        "j0": "correct",
        "j1": "incorrect",
        "j2": "incorrect",
        "j3": "incorrect",
        "j4": "correct",
    }
    human = [majority[i] for i in sorted(majority)]
    judge = [JUDGE[i] for i in sorted(majority)]
    assert report["items_compared"] == 5 and report["ties_skipped"] == 1
    assert report["accuracy"] == pytest.approx(4 / 5)
    assert report["cohen_kappa"] == pytest.approx(cohen_kappa_score(human, judge), abs=1e-4)
    assert report["confusion"] == {
        "correct": {"correct": 2},
        "incorrect": {"correct": 1, "incorrect": 2},
    }
    assert report["disagreements"] == [{"id": "j1", "human": "incorrect", "judge": "correct"}]
    bob = report["per_annotator"]["bob"]
    bob_labels = [HUMANS[i][1] for i in sorted(HUMANS)]
    judge_all = [JUDGE[i] for i in sorted(HUMANS)]
    assert bob["items_compared"] == 6
    assert bob["cohen_kappa"] == pytest.approx(cohen_kappa_score(bob_labels, judge_all), abs=1e-4)


def test_judge_alignment_without_verdicts_is_empty(edit_app):
    assert export(edit_app, "judge_alignment")["schemas"] == {}
