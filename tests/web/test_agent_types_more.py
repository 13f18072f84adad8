"""The second half of the agent-evaluation types (context_attribution, emergent_behavior,
gui_trajectory, agent_interaction_graph, multimodal_reasoning, tool_contention) through the
real app, on the example project: each renders from the item, saves Potato's stored shape,
refuses bad answers with a 400 naming the problem (also answers that do not fit the item),
exports, and is summarised on the dashboard."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from potato_like.config import load_config
from potato_like.errors import ConfigError
from tests.conftest import ADMIN, REPO, base_config, current_id, login, write_config

from .display_util import assert_csp_clean

TYPES = {
    "memory_use": "context_attribution",
    "emergent": "emergent_behavior",
    "graph": "agent_interaction_graph",
    "gui_review": "gui_trajectory",
    "reasoning_review": "multimodal_reasoning",
    "contention": "tool_contention",
}


@pytest.fixture
def app(example_project):
    return example_project(REPO / "example_projects" / "agent_traces_more")


def send(client, schema, document):
    value = document if isinstance(document, str) else json.dumps(document)
    body = {"instance_id": current_id(client), "annotations": {f"{schema}:{schema}": value}}
    return client.post("/updateinstance", json=body)


def stored(client, schema):
    got = client.get(f"/get_annotations?instance_id={current_id(client)}").json
    raw = got["label_annotations"].get(schema, {}).get(schema)
    return None if raw is None else json.loads(raw)


def part(html, schema):
    start = html.index(f'data-scheme="{schema}" data-type=')
    end = html.find('<fieldset class="scheme', start)
    return html[start : end if end > 0 else len(html)]


def test_the_example_page_renders_every_type_from_the_item(app):
    html = login(app.test_client(), "ann").get("/annotate").get_data(as_text=True)
    for schema, kind in TYPES.items():
        assert f'data-scheme="{schema}" data-type="{kind}"' in html, kind
    assert part(html, "memory_use").count('data-testid="step-row"') == 5
    assert "hallucinated context" in part(html, "memory_use")
    assert part(html, "emergent").count('class="eb-check"') == 4 * 6  # behaviours x turns
    graph = part(html, "graph")
    assert graph.count('class="ag-node"') == 3  # Planner, Coder, Reviewer
    for edge in ("Planner-&gt;Coder", "Coder-&gt;Reviewer", "Reviewer-&gt;Coder"):
        assert f'data-edge="{edge}"' in graph
    gui = part(html, "gui_review")
    assert gui.count('data-testid="step-row"') == 3
    assert gui.count('class="gt-marker"') == 2  # the typing step has no click
    assert 'data-x="0.25" data-y="0.19" data-space="normalized"' in gui
    mmr = part(html, "reasoning_review")
    assert 'class="mmr-img"' in mmr and "<code>zoom</code>" in mmr and "region" in mmr
    contention = part(html, "contention")
    # inventory_db: Order/Restock overlap 1-2 s, Restock/Audit 2.5-3 s; same-agent and
    # different-resource pairs are not contentions.
    assert contention.count('data-testid="step-row"') == 2
    assert "OrderAgent:read_stock ↔ RestockAgent:write_stock" in contention
    assert "RestockAgent:write_stock ↔ AuditAgent:lock_table" in contention
    for script in ("js/steps.js", "js/agent-graph.js"):
        assert script in html
    assert_csp_clean(html)


GOOD = {
    "memory_use": [
        {"turn": 3, "act": "ignored_context"},
        {"turn": 4, "act": "hallucinated_context", "ref": 0, "agent_id": "assistant"},
    ],
    "emergent": {"groupthink": {"turns": [4, 2], "note": "nobody checks"}, "collusion": {}},
    "graph": {"critical_nodes": ["Coder"], "edges": {"Coder->Reviewer": "problematic"}},
    "gui_review": [
        {"index": 0, "verdict": "correct"},
        {"index": 2, "verdict": "wrong_element", "notes": "Help, not Sign in"},
    ],
    "reasoning_review": [{"index": 3, "type": "text", "verdict": "incoherent"}],
    "contention": {"contentions": {"0": "race_condition", "1": "benign"}},
}
CANONICAL = {
    "memory_use": GOOD["memory_use"],
    "emergent": {"groupthink": {"turns": [2, 4], "note": "nobody checks"}},
    "graph": GOOD["graph"],
    "gui_review": [
        {"index": 0, "step": 0, "verdict": "correct", "notes": ""},
        {"index": 2, "step": 2, "verdict": "wrong_element", "notes": "Help, not Sign in"},
    ],
    "reasoning_review": [
        {"index": 3, "step": 3, "type": "text", "verdict": "incoherent", "notes": ""}
    ],
    "contention": GOOD["contention"],
}


@pytest.mark.parametrize("schema", list(TYPES))
def test_a_good_answer_is_saved_in_potatos_shape_and_can_be_cleared(app, schema):
    ann = login(app.test_client(), "ann")
    r = send(ann, schema, GOOD[schema])
    assert r.status_code == 200, r.json
    assert stored(ann, schema) == CANONICAL[schema]
    assert send(ann, schema, "").status_code == 200 and stored(ann, schema) is None


@pytest.mark.parametrize(
    ("schema", "document", "message"),
    [
        ("memory_use", [{"turn": 1, "act": "proposal"}], "act 'proposal'"),
        ("memory_use", [{"turn": 3, "act": "ignored_context", "ref": 1}], "takes no ref"),
        ("memory_use", [{"turn": 9, "act": "ignored_context"}], "turn 9 does not exist"),
        ("memory_use", [{"turn": 1, "act": "hallucinated_context", "ref": 3}], "later turn 3"),
        ("emergent", {"telepathy": {"turns": [1]}}, "behavior 'telepathy'"),
        ("emergent", {"groupthink": {"turns": "1,2"}}, "turns must be a list"),
        ("emergent", {"groupthink": {"turns": [6]}}, "turn 6 does not exist"),
        ("emergent", ["groupthink"], "must be an object"),
        ("graph", {"critical_nodes": ["Mallory"]}, "'Mallory' is not an agent"),
        ("graph", {"edges": {"Reviewer->Planner": "critical"}}, "no edge 'Reviewer->Planner'"),
        ("graph", {"edges": {"Coder->Reviewer": "meh"}}, "state 'meh'"),
        ("graph", {"edges": {"CoderReviewer": "critical"}}, "not of the form"),
        ("graph", {"nodes": []}, "unknown key 'nodes'"),
        ("gui_review", [{"index": 0, "verdict": "great"}], "verdict 'great'"),
        ("gui_review", [{"index": 3, "verdict": "correct"}], "step 3 does not exist"),
        ("gui_review", [{"index": 0, "verdict": "correct"}] * 2, "given twice"),
        ("reasoning_review", [{"index": "x", "verdict": "coherent"}], "whole number"),
        ("reasoning_review", [{"index": 0, "notes": 5}], "notes must be text"),
        ("contention", {"contentions": {"0": "livelock"}}, "label 'livelock'"),
        ("contention", {"contentions": {"2": "benign"}}, "contention 2 does not exist"),
        ("contention", {"contentions": ["benign"]}, "must be an object"),
        ("contention", "{oops", "not valid JSON"),
    ],
)
def test_bad_answers_are_refused_naming_the_problem(app, schema, document, message):
    ann = login(app.test_client(), "ann")
    r = send(ann, schema, document)
    assert r.status_code == 400, r.json
    assert message in r.json["error"] and schema in r.json["error"]
    assert stored(ann, schema) is None


@pytest.mark.parametrize(
    ("scheme", "message"),
    [
        (
            {"annotation_type": "gui_trajectory", "name": "g", "coord_space": "inches"},
            "coord_space",
        ),
        (
            {
                "annotation_type": "multimodal_reasoning",
                "name": "m",
                "verdict_options": list("abcdefghij"),
            },
            "at most 9",
        ),
        (
            {
                "annotation_type": "tool_contention",
                "name": "t",
                "contention_labels": list("abcdefghij"),
            },
            "at most 9",
        ),
        (
            {"annotation_type": "context_attribution", "name": "c", "linked_acts": ["nope"]},
            "linked_acts",
        ),
    ],
)
def test_bad_config_is_refused(tmp_path, scheme, message):
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "t"}\n')
    with pytest.raises(ConfigError, match=message):
        load_config(write_config(tmp_path, base_config(annotation_schemes=[scheme])))


def test_export_dashboard_and_per_step_agreement(app):
    for user, verdicts in {
        "ann": ("correct", "wrong_element"),
        "bob": ("correct", "correct"),
    }.items():
        c = login(app.test_client(), user)
        gui = [{"index": 0, "verdict": verdicts[0]}, {"index": 2, "verdict": verdicts[1]}]
        assert send(c, "gui_review", gui).status_code == 200
        assert send(c, "contention", GOOD["contention"]).status_code == 200
        assert send(c, "emergent", GOOD["emergent"]).status_code == 200
        assert send(c, "graph", GOOD["graph"]).status_code == 200
    admin = app.test_client()
    table = admin.post("/admin/api/export", json={"format": "csv"}, headers=ADMIN).data.decode()
    rows = [r for r in csv.DictReader(io.StringIO(table)) if r["gui_review:::gui_review"]]
    assert len(rows) == 2
    assert json.loads(rows[0]["contention:::contention"]) == GOOD["contention"]
    questions = admin.get("/admin/api/questions?fresh=1", headers=ADMIN).json
    text = json.dumps(questions)
    assert '"race_condition": 2' in text and '"benign": 2' in text
    assert '"wrong_element": 1' in text and '"correct": 3' in text
    assert '"groupthink": 2' in text
    assert '"Coder->Reviewer": 2' in text
    entry = admin.get("/admin/api/agreement?schema=gui_review", headers=ADMIN).json
    gui = entry["by_schema"]["gui_review"]
    assert gui["unit"] == "step" and gui["steps_evaluated"] == 2


def test_long_step_lists_are_sent_for_windowing(tmp_path, open_app):
    steps = [{"action": f"click {i}", "text": f"step {i}"} for i in range(250)]
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "a", "text": "t", "steps": steps}))
    schemes = [
        {"annotation_type": "gui_trajectory", "name": "gui", "steps_key": "steps"},
        {
            "annotation_type": "process_reward",
            "name": "prm",
            "steps_key": "steps",
            "mode": "per_step",
        },
    ]
    app = open_app(write_config(tmp_path, base_config(annotation_schemes=schemes)))
    html = login(app.test_client(), "ann").get("/annotate").get_data(as_text=True)
    gui = part(html, "gui")  # rows differ per step: all sent, in a <template>
    assert '<ol class="step-rows" data-windowed></ol>' in gui
    assert (
        '<template class="step-rows-source">' in gui and gui.count('data-testid="step-row"') == 250
    )
    prm = part(html, "prm")  # the same controls on every step: JSON + one copy of them
    assert 'data-testid="step-row"' not in prm and prm.count('class="step-controls"') == 1
    rows = re.search(
        r'<script type="application/json" class="step-rows-data">(.*?)</script>', prm, re.S
    )
    data = json.loads(rows.group(1))
    assert len(data) == 250 and data[249] == {
        "index": 249,
        "number": 250,
        "speaker": None,
        "text": "click 249",
    }
