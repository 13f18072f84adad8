"""The step-level agent-evaluation types through the real app: each renders its steps from
the item, saves Potato's JSON answer through /updateinstance, refuses bad answers with a
400 naming the problem, exports, and gets per-step agreement."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from potato_like.config import load_config
from potato_like.errors import ConfigError
from tests.conftest import ADMIN, REPO, base_config, current_id, login, write_config

from .display_util import assert_csp_clean

STEPS = [
    {"agent": "planner", "action": "search(q)", "content": "plan"},
    {"agent": "coder", "action": "write()", "content": "code"},
    {"agent": "planner", "action": "finish()", "content": "done"},
]
TURNS = [
    {"speaker": "A", "agent_id": "a", "text": "Let us do X"},
    {"speaker": "B", "agent_id": "b", "text": "Agreed"},
    {"speaker": "C", "agent_id": "c", "text": "Decided: X"},
]

SCHEMES = {
    "process_reward": {
        "annotation_type": "process_reward",
        "name": "prm",
        "steps_key": "steps",
        "mode": "per_step",
        "allow_neutral": True,
    },
    "first_error": {"annotation_type": "process_reward", "name": "fe", "steps_key": "steps"},
    "trajectory_eval": {
        "annotation_type": "trajectory_eval",
        "name": "te",
        "steps_key": "steps",
        "error_types": [{"name": "reasoning", "subtypes": ["logic"]}, "execution"],
        "severities": [{"name": "minor", "weight": -1}, {"name": "major", "weight": -5}],
    },
    "trajectory_edit": {
        "annotation_type": "trajectory_edit",
        "name": "ed",
        "steps_key": "steps",
        "edit_final_answer": True,
    },
    "consensus_tracking": {
        "annotation_type": "consensus_tracking",
        "name": "ct",
        "turns_key": "conversation",
    },
    "failure_attribution": {
        "annotation_type": "failure_attribution",
        "name": "fa",
        "steps_key": "steps",
        "agent_key": "agent",
    },
}


@pytest.fixture
def app(tmp_path, open_app):
    rows = [
        {"id": f"i{n}", "text": "t", "steps": STEPS, "conversation": TURNS, "final_answer": "42"}
        for n in range(3)
    ]
    with (tmp_path / "data.jsonl").open("w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    config = base_config(
        annotation_schemes=list(SCHEMES.values()), assignment_strategy="fixed_order"
    )
    return open_app(write_config(tmp_path, config))


def send(client, schema, document, iid=None):
    iid = iid or current_id(client)
    value = document if isinstance(document, str) else json.dumps(document)
    body = {"instance_id": iid, "annotations": {f"{schema}:{schema}": value}}
    return client.post("/updateinstance", json=body)


def stored(client, schema):
    got = client.get(f"/get_annotations?instance_id={current_id(client)}").json
    raw = got["label_annotations"].get(schema, {}).get(schema)
    return None if raw is None else json.loads(raw)


def test_page_lists_the_steps_of_the_item_for_every_type(app):
    html = login(app.test_client(), "ann").get("/annotate").get_data(as_text=True)
    for name in ("prm", "fe", "te", "ed", "ct"):
        part = html[html.index(f'data-scheme="{name}" data-type=') :]
        part = part[: part.index("</fieldset>")]
        assert part.count('data-testid="step-row"') == 3, name
        assert f'data-scheme="{name}" data-label="{name}"' in part
    assert '<option value="planner">planner</option>' in html  # failure_attribution agents
    assert '<option value="coder">coder</option>' in html
    assert "js/steps.js" in html
    assert_csp_clean(html)


def test_process_reward_saves_per_step_rewards(app):
    ann = login(app.test_client(), "ann")
    r = send(
        ann,
        "prm",
        {
            "mode": "per_step",
            "steps": [
                {"index": 0, "reward": 1},
                {"index": 1, "reward": 0},
                {"index": 2, "reward": None},
            ],
        },
    )
    assert r.status_code == 200, r.json
    assert stored(ann, "prm") == {
        "mode": "per_step",
        "steps": [{"index": 0, "reward": 1}, {"index": 1, "reward": 0}],
    }


def test_first_error_mode_cascades_on_the_server(app):
    ann = login(app.test_client(), "ann")
    r = send(
        ann,
        "fe",
        {
            "steps": [
                {"index": 0, "reward": 1},
                {"index": 1, "reward": -1},
                {"index": 2, "reward": 1},
            ]
        },
    )
    assert r.status_code == 200, r.json
    assert [s["reward"] for s in stored(ann, "fe")["steps"]] == [1, -1, -1]


@pytest.mark.parametrize(
    ("schema", "document", "message"),
    [
        ("prm", "{not json", "not valid JSON"),
        ("prm", {"steps": [{"index": 0, "reward": 5}]}, "reward 5 must be one of 1, 0, -1"),
        ("prm", {"steps": [{"index": -1, "reward": 1}]}, "out of range"),
        ("prm", {"steps": [{"index": "a", "reward": 1}]}, "whole number"),
        ("prm", {"steps": [{"index": 0, "reward": 1}, {"index": 0, "reward": -1}]}, "given twice"),
        ("prm", {"mode": "first_error", "steps": []}, "does not match"),
        ("prm", {"steps": "all good"}, "'steps' must be a list"),
        ("fe", {"steps": [{"index": 0, "reward": 0}]}, "must be one of 1, -1"),
        ("fe", {"steps": [{"index": 0, "reward": True}]}, "must be one of"),
        ("te", {"steps": [{"step_index": 0, "correctness": "great"}]}, "correctness 'great'"),
        (
            "te",
            {"steps": [{"step_index": 0, "correctness": "incorrect", "error_type": "vibes"}]},
            "error_type 'vibes'",
        ),
        (
            "te",
            {
                "steps": [
                    {
                        "step_index": 0,
                        "correctness": "incorrect",
                        "error_type": "reasoning",
                        "error_subtype": "typo",
                    }
                ]
            },
            "error_subtype",
        ),
        (
            "te",
            {"steps": [{"step_index": 0, "correctness": "incorrect", "severity": "fatal"}]},
            "severity 'fatal'",
        ),
        (
            "ed",
            {"steps": [{"step_index": 0, "field": "secret", "edited_text": "x"}]},
            "not editable",
        ),
        ("ed", {"steps": [{"step_index": 0, "edited_text": 3}]}, "edited_text must be text"),
        ("ed", ["x"], "must be an object"),
        ("ct", [{"turn": 0, "act": "shouting"}], "act 'shouting'"),
        ("ct", [{"turn": 0, "act": "proposal", "ref": 1}], "takes no ref"),
        ("ct", [{"turn": 1, "act": "agreement", "ref": 1}], "refer to itself"),
        ("fa", {"responsible_agent": ["x"]}, "responsible_agent"),
        ("fa", {"decisive_step": 99999}, "out of range"),
        ("fa", [1], "must be an object"),
    ],
)
def test_bad_answers_are_refused_naming_the_problem(app, schema, document, message):
    ann = login(app.test_client(), "ann")
    r = send(ann, schema, document)
    assert r.status_code == 400, r.json
    assert message in r.json["error"] and schema in r.json["error"]


def test_a_wrong_label_name_is_refused(app):
    ann = login(app.test_client(), "ann")
    body = {"instance_id": current_id(ann), "annotations": {"prm:reward": "1"}}
    r = ann.post("/updateinstance", json=body)
    assert r.status_code == 400 and "'prm:prm'" in r.json["error"]


def test_trajectory_eval_edit_consensus_and_attribution_save(app):
    ann = login(app.test_client(), "ann")
    te = {
        "steps": [
            {
                "step_index": 1,
                "correctness": "incorrect",
                "error_type": "reasoning",
                "error_subtype": "logic",
                "severity": "major",
                "rationale": "wrong",
            }
        ]
    }
    assert send(ann, "te", te).status_code == 200
    assert stored(ann, "te") == {"steps": te["steps"], "score": 95}
    ed = {
        "steps": [{"step_index": 2, "field": "action", "edited_text": "finish(ok)"}],
        "final_answer": {"edited_text": "43"},
    }
    assert send(ann, "ed", ed).status_code == 200
    assert stored(ann, "ed")["n_steps_edited"] == 1
    ct = [{"turn": 0, "act": "proposal"}, {"turn": 1, "act": "agreement", "ref": 0}]
    assert send(ann, "ct", ct).status_code == 200
    assert stored(ann, "ct") == ct
    fa = {"responsible_agent": "coder", "decisive_step": "1", "reason": "bad code"}
    assert send(ann, "fa", fa).status_code == 200
    assert stored(ann, "fa") == {
        "responsible_agent": "coder",
        "decisive_step": 1,
        "reason": "bad code",
    }
    assert send(ann, "fa", "").status_code == 200 and stored(ann, "fa") is None


def test_an_item_without_steps_says_so(tmp_path, open_app):
    (tmp_path / "data.jsonl").write_text('{"id": "empty", "text": "no steps"}\n')
    config = base_config(annotation_schemes=list(SCHEMES.values()))
    app = open_app(write_config(tmp_path, config))
    html = login(app.test_client(), "ann").get("/annotate").get_data(as_text=True)
    assert html.count('data-testid="steps-missing"') == len(SCHEMES)


def test_export_and_per_step_agreement(app):
    rewards = {"ann": [1, 1, -1], "bob": [1, -1, -1], "cy": [1, 1, -1]}
    for user, values in rewards.items():
        c = login(app.test_client(), user)
        for _ in range(2):
            steps = [{"index": i, "reward": r} for i, r in enumerate(values)]
            assert send(c, "prm", {"mode": "per_step", "steps": steps}).status_code == 200
            c.post("/go_to", json={"action": "next_instance"})
    admin = app.test_client()
    rows = admin.post("/admin/api/export", json={"format": "jsonl"}, headers=ADMIN).data
    answers = [json.loads(line)["answers"]["prm"] for line in rows.decode().splitlines()]
    assert answers[0]["steps"][2] == {"index": 2, "reward": -1}
    table = admin.post("/admin/api/export", json={"format": "csv"}, headers=ADMIN).data.decode()
    cells = [r["prm:::prm"] for r in csv.DictReader(io.StringIO(table)) if r["prm:::prm"]]
    assert len(cells) == 6 and json.loads(cells[0])["mode"] == "per_step"
    entry = admin.get("/admin/api/agreement?schema=prm", headers=ADMIN).json["by_schema"]["prm"]
    assert entry["unit"] == "step" and entry["steps_evaluated"] == 6
    assert entry["items_evaluated"] == 2
    assert entry["krippendorff_alpha"] is not None and entry["krippendorff_alpha"] < 1
    first = entry["first_error_step"]
    assert first["annotator_pairs"] == 6
    assert first["exact_agreement"] == pytest.approx(2 / 6, abs=1e-4)  # ann-cy agree; bob is 1 off
    assert first["mean_distance"] == pytest.approx(4 / 6, abs=1e-4)


@pytest.mark.parametrize(
    ("scheme", "message"),
    [
        ({"annotation_type": "process_reward", "name": "p", "mode": "best"}, "mode"),
        (
            {
                "annotation_type": "trajectory_eval",
                "name": "t",
                "severities": [{"name": "x", "weight": "big"}],
            },
            "severities",
        ),
        (
            {"annotation_type": "trajectory_eval", "name": "t", "error_types": [{"subtypes": []}]},
            "error_types",
        ),
        (
            {
                "annotation_type": "consensus_tracking",
                "name": "c",
                "acts": ["a"],
                "linked_acts": ["b"],
            },
            "linked_acts",
        ),
    ],
)
def test_bad_config_is_refused(tmp_path, scheme, message):
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "t"}\n')
    with pytest.raises(ConfigError, match=message):
        load_config(write_config(tmp_path, base_config(annotation_schemes=[scheme])))


def test_the_example_project_serves_its_first_trace(tmp_path, open_app):
    shutil.copytree(REPO / "example_projects" / "agent_traces", tmp_path / "ex")
    app = open_app(tmp_path / "ex" / "config.yaml")
    html = login(app.test_client(), "ann").get("/annotate").get_data(as_text=True)
    for kind in (
        "agent_trace",
        "eval_trace",
        "cot_trace",
        "coding_trace",
        "web_agent_trace",
        "interactive_chat",
    ):
        assert f'data-display-type="{kind}"' in html, kind
    assert html.count('data-testid="step-row"') == 5 * 3 + 3  # three step schemes + turns
    assert 'data-testid="web-overlay"' in html and 'data-testid="chat-unavailable"' not in html
    assert_csp_clean(html)


TOOL_STEPS = [
    {
        "agent": "Agent",
        "content": "weather",
        "tool_calls": [{"name": "get_weather", "args": {"city": "NYC"}}],
    },
    {"agent": "Tool", "content": "22C"},
    {"agent": "Agent", "tool": "book_table", "args": {"time": "7pm"}},
]


@pytest.fixture
def tool_app(tmp_path, open_app):
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "a", "text": "t", "steps": TOOL_STEPS}))
    scheme = {"annotation_type": "tool_call_review", "name": "tcr", "steps_key": "steps"}
    return open_app(write_config(tmp_path, base_config(annotation_schemes=[scheme])))


def test_tool_call_review_lists_the_calls_and_saves_verdicts(tool_app):
    ann = login(tool_app.test_client(), "ann")
    html = ann.get("/annotate").get_data(as_text=True)
    assert html.count('data-testid="step-row"') == 2
    assert "get_weather (step 1)" in html and "book_table (step 3)" in html
    assert 'data-step="2" data-tool="book_table"' in html
    calls = [{"index": 1, "step": 2, "tool": "book_table", "verdict": "wrong_args", "notes": "x"}]
    assert send(ann, "tcr", calls).status_code == 200
    assert stored(ann, "tcr") == calls


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([{"index": 0, "verdict": "meh"}], "verdict 'meh'"),
        ([{"verdict": "correct"}], "whole number"),
        ([{"index": 0, "verdict": "correct"}, {"index": 0, "verdict": "correct"}], "twice"),
        ([3], "must be an object"),
    ],
)
def test_tool_call_review_refuses_bad_verdicts(tool_app, document, message):
    ann = login(tool_app.test_client(), "ann")
    r = send(ann, "tcr", document)
    assert r.status_code == 400 and message in r.json["error"]


@pytest.fixture
def scorecard_app(tmp_path, open_app):
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "a", "text": "t", "steps": STEPS}))
    scheme = {
        "annotation_type": "agent_scorecard",
        "name": "sc",
        "steps_key": "steps",
        "scale": 5,
        "milestones": ["plan made"],
    }
    return open_app(write_config(tmp_path, base_config(annotation_schemes=[scheme])))


def test_agent_scorecard_rows_come_from_the_trace_and_scores_save(scorecard_app):
    ann = login(scorecard_app.test_client(), "ann")
    html = ann.get("/annotate").get_data(as_text=True)
    assert '<th scope="row">planner</th>' in html and '<th scope="row">coder</th>' in html
    assert 'data-m="plan made"' in html
    doc = {
        "agents": {"coder": {"contribution": 4}},
        "team": {"efficiency": 2},
        "milestones": {"plan made": True},
    }
    assert send(ann, "sc", doc).status_code == 200
    assert stored(ann, "sc") == doc


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"agents": {"coder": {"contribution": 6}}}, "must be 1-5"),
        ({"agents": {"coder": {"charisma": 3}}}, "unknown dimension 'charisma'"),
        ({"team": {"efficiency": True}}, "must be 1-5"),
        ({"milestones": {"world peace": True}}, "unknown milestone"),
        ({"milestones": {"plan made": "yes"}}, "true or false"),
        ([1], "must be an object"),
    ],
)
def test_agent_scorecard_refuses_bad_scores(scorecard_app, document, message):
    ann = login(scorecard_app.test_client(), "ann")
    r = send(ann, "sc", document)
    assert r.status_code == 400 and message in r.json["error"]


@pytest.fixture
def handoff_app(tmp_path, open_app):
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "a", "text": "t", "steps": STEPS}))
    scheme = {"annotation_type": "handoff_review", "name": "ho", "steps_key": "steps"}
    return open_app(write_config(tmp_path, base_config(annotation_schemes=[scheme])))


def test_handoff_review_lists_agent_changes_and_saves(handoff_app):
    ann = login(handoff_app.test_client(), "ann")
    html = ann.get("/annotate").get_data(as_text=True)
    assert html.count('data-testid="step-row"') == 2  # planner → coder → planner
    assert "planner → coder (step 2)" in html and "coder → planner (step 3)" in html
    doc = [
        {
            "index": 1,
            "step": 2,
            "from": "coder",
            "to": "planner",
            "flags": ["goal_drift"],
            "quality": 2,
        }
    ]
    assert send(ann, "ho", doc).status_code == 200
    assert stored(ann, "ho") == doc


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([{"index": 0, "flags": ["rudeness"]}], "flags must be a list of"),
        ([{"index": 0, "quality": 9}], "quality 9 must be 1-5"),
        ([{"flags": ["garbling"]}], "whole number"),
    ],
)
def test_handoff_review_refuses_bad_entries(handoff_app, document, message):
    ann = login(handoff_app.test_client(), "ann")
    r = send(ann, "ho", document)
    assert r.status_code == 400 and message in r.json["error"]
