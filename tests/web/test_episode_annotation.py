"""episode_annotation: phases, outcome, reward and instructions validated on save (4xx naming
the problem, nothing written); the episode manifest served with stream URLs and decimated
series; hostile manifests refused; dashboard summary and the phases tier in ELAN export."""

from __future__ import annotations

import json

import pytest

from potato_like.errors import ConfigError
from tests.conftest import ADMIN, REPO, login

EXAMPLE = REPO / "example_projects" / "robot_episodes"


@pytest.fixture
def app(example_project):
    return example_project(EXAMPLE)


@pytest.fixture
def client(app):
    c = login(app.test_client(), "ann1")
    c.environ_base["HTTP_ACCEPT"] = "application/json"
    assert c.get("/api/current_instance").json["instance_id"] == "ep0"
    return c


def save(client, value, draft=True):
    return client.post("/updateinstance", json={"instance_id": "ep0", "draft": draft,
                       "annotations": {"episode_review:_data": json.dumps(value)}})  # fmt: skip


def stored(client):
    maps = client.get("/get_annotations?instance_id=ep0").json["label_annotations"]
    return json.loads(maps["episode_review"]["_data"]) if "episode_review" in maps else {}


GOOD = {
    "phases": [
        {"start": 1.2, "end": 2.0, "label": "grasp"},
        {"start": 0, "end": 1.2, "label": "reach"},
    ],
    "outcome": {"result": "failure", "cause": "object slipped"},
    "reward": [{"t": 1.0, "value": 0.5}, {"t": 0.0, "value": 0}],
    "instructions": [{"text": "picked the red block", "start": None, "end": None}],
}


def test_a_full_answer_is_stored_sorted(client):
    assert save(client, GOOD).status_code == 200
    value = stored(client)
    assert [p["label"] for p in value["phases"]] == ["reach", "grasp"]
    assert value["reward"] == [{"t": 0.0, "value": 0.0}, {"t": 1.0, "value": 0.5}]
    assert value["outcome"] == {"result": "failure", "cause": "object slipped"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"phases": [{"start": 2, "end": 1, "label": "reach"}]}, "before or where it starts"),
        ({"phases": [{"start": 0, "end": 1, "label": "dance"}]}, "unknown label 'dance'"),
        ({"phases": [{"start": -1, "end": 1, "label": "reach"}]}, "must not be negative"),
        ({"outcome": {"result": "great"}}, "is not one of"),
        ({"outcome": {"result": "success", "cause": "collision"}}, "has no failure cause"),
        ({"outcome": {"result": "failure", "cause": "gremlins"}}, "cause 'gremlins'"),
        ({"reward": [{"t": 0, "value": 1.5}]}, "in [0, 1]"),
        ({"reward": [{"t": "x", "value": 0.5}]}, "number of seconds"),
        ({"score": 3}, "unknown part 'score'"),
    ],
)
def test_bad_answers_are_refused_and_nothing_saved(client, change, message):
    r = save(client, {**GOOD, **change})
    assert r.status_code == 400 and message in r.json["error"], r.json
    assert stored(client) == {}


def test_a_disabled_layer_is_refused(example_project):
    def edit(config):
        config["annotation_schemes"][0]["layers"] = ["phases"]

    c = login(example_project(EXAMPLE, edit=edit).test_client(), "ann1")
    c.get("/api/current_instance")
    r = save(c, {"reward": [{"t": 0, "value": 0.5}]})
    assert r.status_code == 400 and "reward layer is not enabled" in r.json["error"]


def test_config_problems_are_listed(example_project):
    def edit(config):
        config["annotation_schemes"][0]["layers"] = ["phases", "mood"]
        config["annotation_schemes"][0]["reward_range"] = [1, 0]

    with pytest.raises(ConfigError) as err:
        example_project(EXAMPLE, edit=edit)
    assert "'mood'" in str(err.value) and "reward_range" in str(err.value)


def test_manifest_is_served_with_stream_urls_and_series(client):
    m = client.get("/api/episode/media/episodes/ep0/episode.json").json
    assert (m["fps"], m["num_frames"], m["duration"]) == (10.0, 40, 4.0)
    assert m["streams"][0] == {
        "name": "overhead",
        "url": "/project_files/media/episodes/ep0/video/overhead.webm",
    }
    assert client.get(m["streams"][1]["url"]).status_code == 200
    assert [s["name"] for s in m["series"]] == ["gripper", "wrist_force"]
    small = client.get("/api/episode/episodes/ep0/episode.json?max_samples=10").json
    assert small["series"][0]["step"] == 4 and len(small["series"][0]["values"]) == 10


@pytest.mark.parametrize(
    ("content", "status"),
    [("{not json", 415), ("[1, 2]", 415), ('{"fps": 0}', 415),
     ('{"fps": 10, "series": [{"values": ["a"]}]}', 415),
     ('{"fps": 10, "streams": [{"name": "x"}]}', 415)],
)  # fmt: skip
def test_bad_manifests_are_refused(client, app, content, status):
    root = app.extensions["potato_like"].config.config_path.parent
    (root / "media" / "bad.json").write_text(content)
    r = client.get("/api/episode/media/bad.json")
    assert r.status_code == status and r.json["error"]


def test_streams_outside_the_project_are_not_linked(client, app):
    root = app.extensions["potato_like"].config.config_path.parent
    (root / "media" / "out.json").write_text(
        json.dumps(
            {
                "fps": 10,
                "num_frames": 5,
                "streams": [{"name": "x", "url": "../../../etc/passwd.mp4"}],
            }
        )
    )
    assert client.get("/api/episode/media/out.json").json["streams"] == [{"name": "x", "url": None}]


@pytest.mark.parametrize(
    "url", ["/api/episode/../config.yaml", "/api/episode/config.yaml", "/api/episode/items.jsonl",
            "/api/episode/media/none.json", "/api/episode/annotation_output/x.json"],
)  # fmt: skip
def test_manifest_paths_are_guarded(client, url):
    assert client.get(url).status_code == 404


def test_dashboard_and_elan_export(client):
    assert save(client, GOOD, draft=False).status_code == 200
    q = client.get("/admin/api/questions", headers=ADMIN).json
    (entry,) = [x for x in q["questions"] if x.get("name", x.get("schema")) == "episode_review"]
    assert entry["summary"]["outcomes"] == {"failure": 1}
    assert entry["summary"]["phases_by_label"] == {"grasp": 1, "reach": 1}
    del client.environ_base["HTTP_ACCEPT"]
    eaf = client.post("/admin/api/export", json={"format": "eaf"}, headers=ADMIN).get_data(
        as_text=True
    )
    assert "episode_review_phases" in eaf and "grasp" in eaf


def test_per_item_eaf_download(client, tmp_path):
    assert client.get("/api/item_eaf/ep0").status_code == 404  # nothing time-aligned yet
    assert save(client, GOOD).status_code == 200
    r = client.get("/api/item_eaf/ep0")
    assert r.status_code == 200 and r.mimetype == "application/xml"
    assert 'filename="ep0.eaf"' in r.headers["Content-Disposition"]
    import pympi

    path = tmp_path / "ep0.eaf"
    path.write_bytes(r.data)
    eaf = pympi.Elan.Eaf(str(path))
    (tier,) = eaf.get_tier_names()
    assert tier == "ep0/ann1/episode_review_phases"
    assert sorted(eaf.get_annotation_data_for_tier(tier)) == [
        (0, 1200, "reach"),
        (1200, 2000, "grasp"),
    ]
    assert client.get("/api/item_eaf/nope").status_code == 404
