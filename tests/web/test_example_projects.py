"""Every shipped project (quick start and example_projects/) starts and takes one annotation."""

from __future__ import annotations

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
}


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
        assert not project.config.warnings, project.config.warnings
        c = app.test_client()
        crowd = project.config.crowd
        if crowd is not None and project.config.login.from_url:
            arrival = c.get(platform_link(crowd))  # workers come from their platform's link
            assert arrival.status_code == 302, arrival.data
        elif project.config.require_password:
            assert (
                c.post("/register", data={"username": "tester", "password": "pw-1234"}).status_code
                == 302
            )
        else:
            assert c.post("/auth", data={"username": "tester"}).status_code == 302
        walk_phases(c, project)
        assert c.get("/annotate").status_code == 200
        iid = c.get("/api/current_instance").json["instance_id"]
        annotations = {}
        for scheme in project.config.schemes:
            annotations.update(ANSWERS[scheme.type_name](scheme))
        r = c.post("/updateinstance", json={"instance_id": iid, "annotations": annotations})
        assert r.status_code == 200, r.json
        assert r.json["instance_status"] == "completed"
        saved = c.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
        assert set(saved) == set(project.config.scheme_names)
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
