"""rollout_evaluation: violations, clean streams, preference and counterfactual validated on
save (4xx naming the problem, nothing written); blinding and per-annotator order on the page;
require_clean on submit; dashboard summary and per-stream tiers in the ELAN export."""

from __future__ import annotations

import json

import pytest

from potato_like.errors import ConfigError
from tests.conftest import ADMIN, REPO, login

EXAMPLE = REPO / "example_projects" / "world_model_rollouts"


@pytest.fixture
def app(example_project):
    return example_project(EXAMPLE)


def start(app, user="ann1"):
    c = login(app.test_client(), user)
    c.environ_base["HTTP_ACCEPT"] = "application/json"
    assert c.get("/api/current_instance").json["instance_id"] == "ball_drop"
    return c


@pytest.fixture
def client(app):
    return start(app)


def save(client, value, draft=True):
    return client.post("/updateinstance", json={"instance_id": "ball_drop", "draft": draft,
                       "annotations": {"rollout_review:_data": json.dumps(value)}})  # fmt: skip


def stored(client):
    maps = client.get("/get_annotations?instance_id=ball_drop").json["label_annotations"]
    return json.loads(maps["rollout_review"]["_data"]) if "rollout_review" in maps else {}


GOOD = {
    "violations": [
        {"stream": "gen_a", "t": 1.8, "type": "gravity_violation", "severity": 3, "note": ""}
    ],
    "clean": ["real", "gen_b"],
    "preference": {"winner": "gen_b", "confidence": 2, "rubric": {"physics": 4}},
    "counterfactual": {"verdict": "unclear", "t": None, "note": ""},
}


def test_a_full_answer_is_stored(client):
    assert save(client, GOOD).status_code == 200
    value = stored(client)
    assert value["violations"][0]["severity"] == 3 and value["clean"] == ["real", "gen_b"]
    assert value["preference"] == {"winner": "gen_b", "confidence": 2, "rubric": {"physics": 4}}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {
                "violations": [
                    {"stream": "gen_c", "t": 1, "type": "gravity_violation", "severity": 1}
                ]
            },
            "is not one of",
        ),
        (
            {"violations": [{"stream": "gen_a", "t": 1, "type": "teleport", "severity": 1}]},
            "not a violation type",
        ),
        (
            {
                "violations": [
                    {"stream": "gen_a", "t": 1, "type": "gravity_violation", "severity": 9}
                ]
            },
            "severity",
        ),
        (
            {
                "violations": [
                    {"stream": "gen_a", "t": -1, "type": "gravity_violation", "severity": 1}
                ]
            },
            "negative",
        ),
        ({"clean": ["gen_a", "real"]}, "marked clean and has violations"),
        ({"preference": {"winner": "gen_z"}}, "not a stream"),
        ({"preference": {"winner": "gen_a", "confidence": 7}}, "confidence"),
        ({"preference": {"rubric": {"beauty": 3}}}, "rubric dimension 'beauty'"),
        ({"preference": {"rubric": {"physics": 6}}}, "must be 1..5"),
        ({"counterfactual": {"verdict": "maybe"}}, "verdict 'maybe'"),
        ({"ranking": []}, "unknown part 'ranking'"),
    ],
)
def test_bad_answers_are_refused_and_nothing_saved(client, change, message):
    r = save(client, {**GOOD, **change})
    assert r.status_code == 400 and message in r.json["error"], r.json
    assert stored(client) == {}


def test_every_stream_must_be_marked_or_cleared_to_submit(client):
    r = save(client, {"violations": GOOD["violations"]}, draft=False)
    assert r.status_code == 400 and "2 left" in r.json["error"]
    assert save(client, GOOD, draft=False).status_code == 200


def test_blind_panels_in_a_per_annotator_order(app):
    def panels(c):
        page = c.get("/annotate").get_data(as_text=True)
        config = json.loads(
            page.split('data-type="rollout_evaluation"')[1].split("data-config='")[1].split("'")[0]
        )
        return config["panels"], page

    first, page = panels(start(app, "ann1"))
    assert [p["caption"] for p in first] == ["Rollout 1", "Rollout 2", "Rollout 3"]
    assert "Model A" not in page and "Recording" not in page
    assert {p["stream"] for p in first} == {"real", "gen_a", "gen_b"}
    assert all(p["src"].startswith("/project_files/media/") for p in first)
    orders = {tuple(p["stream"] for p in panels(start(app, f"user{i}"))[0]) for i in range(8)}
    assert len(orders) > 1  # shuffled per annotator
    assert [p["stream"] for p in panels(start(app, "ann1"))[0]] == [p["stream"] for p in first]


def test_config_problems_are_listed(example_project):
    def edit(config):
        scheme = config["annotation_schemes"][0]
        scheme["streams"] = [{"name": "no field"}, {"field": "real"}, {"field": "real"}]
        scheme["layers"] = ["violations", "vibes"]

    with pytest.raises(ConfigError) as err:
        example_project(EXAMPLE, edit=edit)
    text = str(err.value)
    assert "streams[0]" in text and "listed twice" in text and "'vibes'" in text


def test_dashboard_and_elan_export(client):
    assert save(client, GOOD, draft=False).status_code == 200
    q = client.get("/admin/api/questions", headers=ADMIN).json
    (entry,) = [x for x in q["questions"] if x.get("name", x.get("schema")) == "rollout_review"]
    assert entry["summary"]["violations_by_type"] == {"gravity_violation": 1}
    assert entry["summary"]["winners"] == {"gen_b": 1}
    del client.environ_base["HTTP_ACCEPT"]
    eaf = client.post("/admin/api/export", json={"format": "eaf"}, headers=ADMIN).get_data(
        as_text=True
    )
    assert "rollout_review_gen_a" in eaf and "gravity_violation (severity 3)" in eaf
