"""Every shipped project (quick start and example_projects/) starts and takes one annotation."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from potato_like import create_app
from tests.conftest import REPO

CONFIGS = [
    REPO / "configs" / "quickstart.yaml",
    *sorted((REPO / "example_projects").glob("*/config.yaml")),
]

# One valid submission per scheme type, in the frontend format.
ANSWERS = {
    "radio": lambda s: {f"{s.name}:{s.label_names[0]}": "1"},
    "multiselect": lambda s: {f"{s.name}:{s.label_names[0]}": "1"},
    "likert": lambda s: {f"{s.name}:{s.label_names[-1]}": "1"},
    "select": lambda s: {f"{s.name}:select-one": s.label_names[0]},
    "text": lambda s: {f"{s.name}:{s.label_names[0]}": "a note"},
    "number": lambda s: {f"{s.name}:number": str(s.min_value if s.min_value is not None else 1)},
    "slider": lambda s: {f"{s.name}:slider": str(s.max_value)},
    # scale and structure types (Potato's wire format of each)
    "triage": lambda s: {f"{s.name}:decision": "accept"},
    "rubric_eval": lambda s: {f"{s.name}:{row}": "3" for row in s.label_names},
    "semantic_differential": lambda s: {f"{s.name}:{row}": "2" for row in s.label_names},
    "confidence": lambda s: {f"{s.name}:{s.label_names[-1]}": s.label_names[-1]},
    "vas": lambda s: {f"{s.name}:{s.name}": "42.5"},
    "range_slider": lambda s: {f"{s.name}:range_low": str(s.min_value)},
    "constant_sum": lambda s: {f"{s.name}:{s.label_names[0]}": str(s.total)},
    "soft_label": lambda s: {f"{s.name}:{s.label_names[0]}": str(s.total)},
    "hierarchical_multiselect": lambda s: {f"{s.name}:selected_labels": s.label_names[0]},
    "card_sort": lambda s: {f"{s.name}:{s.name}": json.dumps({s.groups[0]: ["a card"]})},
    "conjoint": lambda s: {f"{s.name}:{s.name}": "1"},
    # survey methods
    "cloze": lambda s: {f"{s.name}:blank_1": "an answer"},
    "list_experiment": lambda s: {f"{s.name}:number": "1"},
    "randomized_response": lambda s: {f"{s.name}:{s.label_names[0]}": "1"},
    "bdm": lambda s: {f"{s.name}:{s.name}": json.dumps({"bid": s.low})},
    "belief_elicitation": lambda s: {
        f"{s.name}:{s.name}": json.dumps(
            {"report": 50} if s.mode == "point" else {"bins": [100] + [0] * (len(s.bins) - 1)}
        )
    },
    "price_list": lambda s: {f"{s.name}:{s.name}": json.dumps({"choices": ["A"] * len(s.rows)})},
    # fieldwork instruments (Potato's JSON value of each)
    "free_list": lambda s: {
        f"{s.name}:{s.name}": json.dumps(
            {"items": ["tea", "bread", "eggs"], "timings_ms": [900, 2100, 4000]}
        )
    },
    "triad_test": lambda s: {
        f"{s.name}:{s.name}": json.dumps({"triads": [[*t, t[0]] for t in s.design_for({})[1]]})
    },
    "ego_network": lambda s: {
        f"{s.name}:{s.name}": json.dumps(
            {
                "alters": [
                    {"id": "a1", "name": "Ann", "named_in": [s.stages[0]["id"]]},
                    {"id": "a2", "name": "Bo", "named_in": [s.stages[0]["id"]]},
                ],
                "attributes": {
                    a: {
                        name: q["labels"][0]
                        for name, q in s.questions.items()
                        if q["type"] == "radio"
                    }
                    for a in ("a1", "a2")
                },
                "census": {"a1|a2": False},
            }
        )
    },
    # the first sentence of example_projects/interlinear_gloss
    "interlinear_gloss": lambda s: {
        f"{s.name}:{s.name}": json.dumps(
            {
                "words": [
                    {"word": "Odada", "morphemes": "oda-da", "gloss": "room-LOC"},
                    {"word": "çocuklar", "morphemes": "çocuk-lar", "gloss": "child-PL"},
                    {"word": "var", "morphemes": "var", "gloss": "EXIST"},
                ]
            }
        )
    },
    "listening_test": lambda s: {f"{s.name}:{s.name}": json.dumps(_listening(s.method))},
    "spectrogram_annotation": lambda s: {
        f"{s.name}:{s.name}": json.dumps(
            [
                {
                    "start_s": 0.1,
                    "end_s": 0.2,
                    "low_hz": 100,
                    "high_hz": 200,
                    "label": s.label_names[0],
                }
            ]
        )
    },
    "audio_annotation": lambda s: _timeline(s, {"segments": [_segment(s)]}),
    "video_annotation": lambda s: _timeline(s, {"segments": [_segment(s)]}),
    "temporal_grounding": lambda s: _timeline(s, {"events": {"0": {"start": 0.5, "end": 1.5}}}),
    "episode_annotation": lambda s: _timeline(
        s, {"phases": [{"start": 0, "end": 1, "label": s.label_names[0]}]}
    ),
    "rollout_evaluation": lambda s: _timeline(s, {"clean": s.stream_fields}),
    "geo_annotation": lambda s: {
        f"{s.name}:{s.name}": json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [8.54, 47.37]},
                        "properties": {"label": s.map_label_names[0]},
                    }
                ]
                if s.task != "classify_region"
                else [  # a choropleth: every region of the outline gets the first label
                    {
                        "type": "Feature",
                        "geometry": None,
                        "properties": {"region": r["id"], "label": s.map_label_names[0]},
                    }
                    for r in s.base_regions
                ],
            }
        )
    },
    "volume_annotation": lambda s: {  # the example's first item: a 24 x 20 x 16 phantom
        f"{s.name}:{s.name}": json.dumps(
            {"shape": [24, 20, 16], "masks": {s.map_label_names[0]: {"8": [250, 2, 228]}}}
        )
    },
    "viewer_selection": lambda s: {
        f"{s.name}:{s.name}": json.dumps(
            {
                "viewer": "protein_structure",
                "items": [{"chain": "A", "resi": 57, "resn": "HIS", "label": s.map_label_names[0]}],
            }
        )
    },
    "spatial_annotation": lambda s: {
        f"{s.name}:_data": json.dumps(
            [{"type": "point_3d", "label": s.label_names[0], "coordinates": [1, 2, 0]}]
        )
    },
    "pairwise": lambda s: (
        {f"{s.name}:{k}": "A" for k in s.value_keys}
        if s.mode != "scale"
        else {f"{s.name}:scale_value": str(s.min_value)}
    ),
    "ranking": lambda s: {f"{s.name}:rank_order": ",".join(s.label_names)},
    "multirate": lambda s: {f"{s.name}:{o}": s.label_names[0] for o in s.options},
    "bws": lambda s: {f"{s.name}:best": "A", f"{s.name}:worst": "B"},
    # step-level agent types: one JSON document as the scheme's single label
    "process_reward": lambda s: step_doc(s, {"mode": s.mode, "steps": [{"index": 0, "reward": 1}]}),
    "trajectory_eval": lambda s: step_doc(
        s, {"steps": [{"step_index": 0, "correctness": s.correctness[0]}]}
    ),
    "trajectory_edit": lambda s: step_doc(
        s, {"steps": [{"step_index": 0, "field": s.editable_fields[0], "edited_text": "x"}]}
    ),
    "failure_attribution": lambda s: step_doc(
        s, {"responsible_agent": "a", "decisive_step": 0, "reason": "r"}
    ),
    "consensus_tracking": lambda s: step_doc(s, [{"turn": 0, "act": s.acts[0]}]),
    "context_attribution": lambda s: step_doc(s, [{"turn": 0, "act": s.acts[0]}]),
    "emergent_behavior": lambda s: step_doc(s, {s.behaviors[0]: {"turns": [0], "note": ""}}),
    # the first agent of example_projects/agent_traces_more's first trace
    "agent_interaction_graph": lambda s: step_doc(s, {"critical_nodes": ["Planner"]}),
    "gui_trajectory": lambda s: step_doc(s, [{"index": 0, "verdict": s.verdicts[0]}]),
    "multimodal_reasoning": lambda s: step_doc(s, [{"index": 0, "verdict": s.verdicts[0]}]),
    "tool_contention": lambda s: step_doc(s, {"contentions": {"0": s.labels_allowed[0]}}),
}


def _segment(s) -> dict:
    return {"id": "s1", "start_time": 0.5, "end_time": 1.5, "label": s.label_names[0]}


def _timeline(s, data: dict) -> dict:
    return {f"{s.name}:_data": json.dumps(data)}


def step_doc(scheme, document) -> dict:
    return {f"{scheme.name}:{scheme.name}": json.dumps(document)}


def structured_answers(schemes, text: str) -> dict:
    """Spans (one per label, on successive words), then a link and an event that fit their
    types' label constraints, for the span-type schemes of a project."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    body: dict = {}
    spans: dict[str, list[dict]] = {}
    for s in schemes:
        if s.type_name == "span":
            spans[s.name] = [
                {"id": f"{s.name}_{i}", "label": label, "start": words[i][0], "end": words[i][1]}
                for i, label in enumerate(s.label_names)
            ]
            body.setdefault("span_annotations", {})[s.name] = spans[s.name]

    def pick(schema, allowed, used=()):
        return next(
            sp["id"]
            for sp in spans[schema]
            if (not allowed or sp["label"] in allowed) and sp["id"] not in used
        )

    for s in schemes:
        if s.type_name == "span_link":
            kind = next(iter(s.link_types.values()))
            source = pick(s.span_schema, kind.sources)
            target = pick(s.span_schema, kind.targets, (source,))
            link = {"link_type": kind.name, "span_ids": [source, target]}
            body.setdefault("link_annotations", {})[s.name] = [link]
        elif s.type_name == "event_annotation":
            kind = next(iter(s.event_types.values()))
            trigger = pick(s.span_schema, kind.trigger_labels)
            used, args = [trigger], []
            for role in kind.roles:
                span_id = pick(s.span_schema, role.entity_types, used)
                used.append(span_id)
                args.append({"role": role.name, "span_id": span_id})
            event = {"event_type": kind.name, "trigger_span_id": trigger, "arguments": args}
            body.setdefault("event_annotations", {})[s.name] = [event]
    return body


def _listening(method: str) -> dict:
    """A complete answer of a listening test's first slot(s) by method."""
    return {
        "mushra": {"ratings": {"s1": 100}},
        "bs1116": {"ratings": {"A": 5.0}},
        "abx": {"choice": "A"},
        "p835": {"sig": 0, "bak": 0, "ovrl": 0},
    }.get(method, {"rating": 0})


@pytest.mark.parametrize(
    "config_path", CONFIGS, ids=lambda p: p.parent.name if p.name == "config.yaml" else p.stem
)
def test_example_project_runs_and_annotates(tmp_path, config_path: Path):
    # Copy the project so the test never writes into the repository.
    work = tmp_path / "project"
    shutil.copytree(
        config_path.parent, work, ignore=shutil.ignore_patterns("*_output", "annotation_output")
    )
    app = create_app(work / config_path.name, admin_api_key="example-admin-key-0001")
    project = app.extensions["potato_like"]
    try:
        # The tests' admin key is short on purpose (a warning on loopback, see key_policy).
        warnings = [w for w in project.config.warnings if not w.startswith("admin_api_key:")]
        assert not warnings, warnings
        c = app.test_client()
        crowd = project.config.crowd
        if crowd is not None and project.config.login.from_url:
            arrival = c.get(platform_link(crowd))  # workers come from their platform's link
            assert arrival.status_code == 302, arrival.data
        elif project.config.require_password:
            assert (
                c.post("/register", data={"username": "tester", "password": "pw-12345"}).status_code
                == 302
            )
        else:
            assert c.post("/auth", data={"username": "tester"}).status_code == 302
        walk_phases(c, project)
        assert c.get("/annotate").status_code == 200
        iid = c.get("/api/current_instance").json["instance_id"]
        schemes = project.config.schemes
        annotations = {}
        for scheme in schemes:
            if scheme.type_name in ANSWERS:
                annotations.update(ANSWERS[scheme.type_name](scheme))
        text = c.get(f"/api/spans/{iid}").json["text"]
        body = {"instance_id": iid, "annotations": annotations}
        body.update(structured_answers(schemes, text))
        r = c.post("/updateinstance", json=body)
        assert r.status_code == 200, r.json
        assert r.json["instance_status"] == "completed"
        got = c.get(f"/get_annotations?instance_id={iid}").json
        assert set(got["label_annotations"]) == {s.name for s in schemes if s.type_name in ANSWERS}
        spans = sum(len(s.label_names) for s in schemes if s.type_name == "span")
        assert len(got["span_annotations"]) == spans
        assert len(got.get("link_annotations", [])) == len(body.get("link_annotations", {}))
        assert len(got.get("event_annotations", [])) == len(body.get("event_annotations", {}))
        assert c.post("/go_to", json={"action": "next_instance"}).json["current_index"] == 1
    finally:
        project.close()


def platform_link(crowd) -> str:
    """The link a platform sends its worker with (MTurk adds its assignment parameters)."""
    link = f"/?{crowd.id_param}=tester"
    if crowd.provider == "mturk":
        link += "&assignmentId=A1&hitId=H1&turkSubmitTo=https://workersandbox.mturk.com"
    if crowd.provider == "prolific":
        link += f"&STUDY_ID={crowd.study_id or 'S1'}&SESSION_ID=X1"
    return link


def walk_phases(client, project) -> None:
    """Answer every phase before annotation: the accepted answer of gated questions, the
    expected answer in training, any valid answer elsewhere."""
    study = project.config.study
    for _ in range(50):
        state = client.get("/api/phase").json
        if state["type"] == "annotation":
            return
        assert state["status"] == "active", state
        page = study.page(state["phase"])
        if state["type"] == "training":
            item = next(i for i in study.training.items if i.id == state["question"]["id"])
            annotations = {
                f"{schema}:{label}": value
                for schema, label_map in item.answer_maps.items()
                for label, value in label_map.items()
            }
        else:
            gates = dict(page.gates)
            annotations = {}
            for scheme in page.schemes:
                if scheme.name in gates:
                    annotations[f"{scheme.name}:{gates[scheme.name][0]}"] = "1"
                else:
                    annotations.update(ANSWERS[scheme.type_name](scheme))
        body = {"phase": state["phase"], "annotations": annotations}
        if state["type"] == "training":
            body["question"] = state["question"]["id"]
        r = client.post("/phase", json=body)
        assert r.status_code == 200, r.json
    raise AssertionError("phases never reached annotation")
