"""Bundled instruments in phases (`instrument: tipi`, `instruments: [...]`), Potato's
`phases.<phase>.file` survey files and its older `surveyflow` form: all served by the same
phase pages, answers stored in the phase's transaction, instrument scores in the admin's
user state and in user_state.json. The projects are written here, in Potato's shapes."""

from __future__ import annotations

import json

import pytest
import yaml

from potato_like import create_app
from potato_like.errors import ConfigError
from tests.conftest import base_config, login, with_csrf, write_config, write_items

ADMIN = {"X-API-Key": "test-admin-key-123456"}
TIPI_HIGH_E = {f"tipi_{n}": "Neither agree nor disagree" for n in range(1, 11)}
TIPI_HIGH_E.update(tipi_1="Agree strongly", tipi_6="Disagree strongly")


def consent_file() -> list[dict]:
    # Potato's survey-demo consent file shape: a pure_display block and a one-choice question.
    return [
        {"name": "consent_info", "description": "<h3>Demo</h3>", "annotation_type": "pure_display"},
        {
            "name": "consent_agree",
            "description": "I agree to proceed.",
            "annotation_type": "radio",
            "labels": [{"name": "agree", "label": "I agree"}],
            "label_requirement": {"required": True},
        },
    ]


def survey_demo(tmp_path, **phases_extra):
    """Potato's examples/classification/survey-demo, written out: consent from a file,
    TIPI before annotation, SWLS and PSS-10 after it."""
    (tmp_path / "surveys").mkdir()
    (tmp_path / "surveys" / "consent.json").write_text(json.dumps(consent_file()))
    write_items(tmp_path / "data.jsonl", 2)
    phases = {
        "order": ["consent", "prestudy", "annotation", "poststudy"],
        "consent": {"type": "consent", "file": "surveys/consent.json"},
        "prestudy": {"type": "prestudy", "instrument": "tipi"},
        "annotation": {"type": "annotation"},
        "poststudy": {"type": "poststudy", "instruments": ["swls", "pss-10"]},
        **phases_extra,
    }
    return write_config(tmp_path, base_config(phases=phases, output_flush_seconds=3600))


@pytest.fixture
def app_for(open_app):
    return open_app


def phase(client) -> dict:
    return client.get("/api/phase").json


def finish_annotation(client) -> None:
    """Annotate every item (the projects here have at most two), then open /annotate, which
    moves a user with nothing left on to the next phase."""
    for _ in range(2):
        r = client.get("/api/current_instance")
        if r.status_code != 200 or not r.json.get("instance_id"):
            break
        body = {"instance_id": r.json["instance_id"], "annotations": {"sentiment:positive": "1"}}
        assert client.post("/updateinstance", json=body).status_code == 200
        client.post("/go_to", json={"action": "next_instance"})
    client.get("/annotate")


def test_potatos_survey_demo_shape_serves_instruments_and_scores_them(tmp_path, app_for):
    app = app_for(survey_demo(tmp_path))
    c = login(app.test_client(), "ann")
    assert c.post("/phase", json={"annotations": {"consent_agree:agree": "1"}}).status_code == 200
    p = phase(c)
    assert p["phase"] == "prestudy"
    assert [q["name"] for q in p["questions"]] == [f"tipi_{n}" for n in range(1, 11)]
    page = c.get("/prestudy")
    assert page.status_code == 200
    assert b"Ten-Item Personality Inventory" in page.data
    assert b"I see myself as: Extraverted, enthusiastic." in page.data
    # Every item is required: a missing one is named and nothing is stored.
    partial = {f"{k}:{v}": "1" for k, v in TIPI_HIGH_E.items() if k != "tipi_10"}
    r = c.post("/phase", json={"annotations": partial})
    assert r.status_code == 400 and "tipi_10" in r.json["error"]
    # A label that is not on the scale is refused.
    bad = {**partial, "tipi_10:Very much": "1"}
    assert c.post("/phase", json={"annotations": bad}).status_code == 400
    full = {f"{k}:{v}": "1" for k, v in TIPI_HIGH_E.items()}
    assert c.post("/phase", json={"annotations": full}).json["phase"] == "annotation"

    state = c.application.test_client().get("/admin/user_state/ann", headers=ADMIN).json
    tipi = state["instrument_scores"]["prestudy"]["tipi"]
    assert tipi["extraversion"] == {"value": 7}  # 7 and reversed 1 -> 7
    assert tipi["openness"] == {"value": 4}
    assert state["phase_answers"]["prestudy"]["tipi_6"] == {"Disagree strongly": "1"}

    finish_annotation(c)
    p = phase(c)
    assert p["phase"] == "poststudy"
    names = [q["name"] for q in p["questions"]]
    assert names[:5] == [f"swls_{n}" for n in range(1, 6)] and len(names) == 15
    post = {f"swls_{n}:Agree": "1" for n in range(1, 6)}
    post.update({f"pss10_{n}:Sometimes": "1" for n in range(1, 11)})
    assert c.post("/phase", json={"annotations": post}).json["study_status"] == "completed"

    state = c.application.test_client().get("/admin/user_state/ann", headers=ADMIN).json
    scores = state["instrument_scores"]["poststudy"]
    assert scores["swls"] == {"total": {"value": 30, "band": "satisfied"}}
    assert scores["pss-10"] == {"total": {"value": 20}}

    project = app.extensions["potato_like"]
    project.output.flush()
    user_state = json.loads((project.config.output_dir / "ann" / "user_state.json").read_text())
    assert user_state["instrument_scores"]["poststudy"]["swls"]["total"]["value"] == 30
    assert user_state["instrument_scores"]["prestudy"]["tipi"]["extraversion"]["value"] == 7


def test_an_instrument_and_a_file_on_one_page_and_html_forms(tmp_path, app_for):
    (tmp_path / "extra.json").write_text(
        json.dumps(
            [
                {
                    "id": "age",
                    "text": "Your age group?",
                    "schema": "radio",
                    "choices": ["under 30", "30 or over"],
                }
            ]
        )
    )
    config = survey_demo(tmp_path, prestudy={"instrument": "phq-2", "file": "extra.json"})
    app = app_for(config)
    c = login(app.test_client(), "ann")
    c.post("/phase", json={"annotations": {"consent_agree:agree": "1"}})
    assert [q["name"] for q in phase(c)["questions"]] == ["phq2_1", "phq2_2", "age"]
    with_csrf(c)
    form = {
        "phase": "prestudy",
        "phq2_1": "Nearly every day",
        "phq2_2": "Several days",
        "age": "under 30",
    }
    r = c.post("/prestudy", data=form)
    assert r.status_code == 302 and phase(c)["phase"] == "annotation"
    state = app.test_client().get("/admin/user_state/ann", headers=ADMIN).json
    assert state["instrument_scores"]["prestudy"]["phq-2"] == {
        "total": {"value": 4, "band": "positive screen"}
    }


@pytest.mark.parametrize(
    "prestudy, expected",
    [
        ({"instrument": "tipy"}, "phases.prestudy.instrument: 'tipy' is not a bundled instrument"),
        ({"instrument": "tipy"}, "did you mean 'tipi'"),
        ({"instruments": ["swls", "swls"]}, "'swls' is named twice"),
        ({"instrument": "ghq-12"}, "its licence does not allow redistribution"),
        ({"instruments": ["tipi", "nfc"]}, "'nfc' is one of Potato's instruments, not bundled"),
        ({"instruments": [""]}, "phases.prestudy.instruments[0]: must be a non-empty string"),
        ({"type": "prestudy"}, "needs questions, content or an instrument"),
    ],
)
def test_bad_instrument_configs_are_reported_with_key_paths(tmp_path, prestudy, expected):
    with pytest.raises(ConfigError) as err:
        create_app(survey_demo(tmp_path, prestudy=prestudy))
    assert expected in str(err.value)


def surveyflow_project(tmp_path, flow: dict, **extra):
    sf = tmp_path / "surveyflow"
    sf.mkdir()
    lines = {
        "intro.jsonl": [{"id": "1", "text": "Welcome!", "schema": "pure_display"}],
        "consent.jsonl": [
            {
                "id": "1",
                "text": "Do you consent?",
                "schema": "radio",
                "choices": ["Yes", "No"],
                "label_requirement": {"right_label": ["Yes"]},
            },
        ],
        "demographic_questions.jsonl": [
            {"id": "1", "text": "Native language?", "schema": "text"},
            {
                "id": "2",
                "text": "Gender",
                "schema": "radio",
                "choices": ["F", "M", "other"],
                "label_requirement": {"required": True},
            },
        ],
    }
    for name, rows in lines.items():
        (sf / name).write_text("\n".join(json.dumps(x) for x in rows) + "\n")
    write_items(tmp_path / "data.jsonl", 1)
    return write_config(tmp_path, base_config(surveyflow=flow, **extra))


FLOW = {
    "on": True,
    "order": ["pre_annotation", "post_annotation"],
    "pre_annotation": ["surveyflow/intro.jsonl", "surveyflow/consent.jsonl"],
    "post_annotation": ["surveyflow/demographic_questions.jsonl"],
}


def test_surveyflow_files_become_phase_pages_around_annotation(tmp_path, app_for):
    app = app_for(surveyflow_project(tmp_path, FLOW))
    study = app.extensions["potato_like"].config.study
    assert [(p.name, p.type) for p in study.phases] == [
        ("intro", "prestudy"),
        ("consent", "consent"),
        ("annotation", "annotation"),
        ("demographic_questions", "poststudy"),
    ]
    c = login(app.test_client(), "ann")
    assert b"Welcome!" in c.get("/prestudy").data
    assert c.post("/phase", json={}).json["phase"] == "consent"
    # The consent gate works as in phases: a "No" ends the study politely.
    other = login(app.test_client(), "other")
    other.post("/phase", json={})
    assert other.post("/consent", json={"annotations": {"1:No": "1"}}).json["study_status"] == (
        "failed"
    )
    assert c.post("/consent", json={"annotations": {"1:Yes": "1"}}).json["phase"] == "annotation"
    finish_annotation(c)
    assert phase(c)["phase"] == "demographic_questions"
    r = c.post("/poststudy", json={"annotations": {"1:text_box": "Welsh", "2:other": "1"}})
    assert r.json["study_status"] == "completed", r.json


def test_surveyflow_yaml_shapes(tmp_path):
    # Potato's examples keep it off with a quoted 'on': false; an unquoted `on:` is read by
    # YAML 1.1 as the key true and works the same.
    config = surveyflow_project(tmp_path, {**FLOW, "on": False})
    app = create_app(config)
    assert [p.type for p in app.extensions["potato_like"].config.study.phases] == ["annotation"]
    app.extensions["potato_like"].close()
    raw = yaml.safe_load(config.read_text())
    text = config.read_text().replace("  'on': false", "  on: true")
    assert text != config.read_text() and raw["surveyflow"]["on"] is False
    config.write_text(text)
    app = create_app(config)
    assert len(app.extensions["potato_like"].config.study.phases) == 4
    app.extensions["potato_like"].close()


@pytest.mark.parametrize(
    "flow, extra, expected",
    [
        ({**FLOW, "order": ["pre_annotation", "testing"]}, {}, "surveyflow.order: 'testing'"),
        (
            FLOW,
            {"phases": {"order": ["annotation"]}},
            "surveyflow: give either phases or surveyflow, not both",
        ),
        (
            {**FLOW, "pre_annotation": ["surveyflow/missing.jsonl"]},
            {},
            "file not found",
        ),
    ],
)
def test_bad_surveyflow_configs(tmp_path, flow, extra, expected):
    with pytest.raises(ConfigError) as err:
        create_app(surveyflow_project(tmp_path, flow, **extra))
    assert expected in str(err.value)
