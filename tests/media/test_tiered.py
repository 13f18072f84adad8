"""tiered_annotation: tiers from the config (dependent tiers need a parent, no cycles),
annotations validated against labels and parent constraints, and exported per tier."""

from __future__ import annotations

import json

import pytest

from potato_like.errors import ConfigError
from tests.conftest import ADMIN, base_config, current_id, login, write_config

TIERED = {
    "annotation_type": "tiered_annotation",
    "name": "tiers",
    "description": "Tiers",
    "source_field": "audio_url",
    "tiers": [
        {"name": "utterance", "labels": [{"name": "A"}, {"name": "B"}]},
        {
            "name": "word",
            "tier_type": "dependent",
            "parent_tier": "utterance",
            "constraint_type": "time_subdivision",
        },
    ],
}


@pytest.fixture
def app(tmp_path, open_app):
    row = {"id": "t1", "text": "x", "audio_url": "a.wav"}
    (tmp_path / "data.jsonl").write_text(json.dumps(row) + "\n")
    return open_app(write_config(tmp_path, base_config(annotation_schemes=[TIERED])))


def ann(i, tier, start, end, label=None, parent=None, value=""):
    return {
        "id": i,
        "tier": tier,
        "start_time": start,
        "end_time": end,
        "label": label,
        "parent_id": parent,
        "value": value,
    }


def put(c, iid, data):
    body = {"instance_id": iid, "annotations": {"tiers:_data": json.dumps(data)}}
    return c.post("/updateinstance", json=body)


def test_page_and_round_trip_and_export(app, tmp_path):
    c = login(app.test_client(), "ann")
    page = c.get("/annotate").get_data(as_text=True)
    assert 'data-tier="word"' in page and "js/tiered-annotation.js" in page
    assert "/project_files/a.wav" in page
    iid = current_id(c)
    data = {
        "annotations": {
            "utterance": [ann("u1", "utterance", 0, 2000, "A")],
            "word": [
                ann("w2", "word", 1000, 2000, parent="u1", value="world"),
                ann("w1", "word", 0, 1000, parent="u1", value="hello"),
            ],
        },
        "time_slots": {"ts1": 0},
    }
    assert put(c, iid, data).status_code == 200
    got = c.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]["tiers"]
    stored = json.loads(got["_data"])
    assert [a["id"] for a in stored["annotations"]["word"]] == ["w1", "w2"]
    assert "time_slots" not in stored
    import pympi

    path = tmp_path / "x.eaf"
    r = app.test_client().post("/admin/api/export", json={"format": "eaf"}, headers=ADMIN)
    path.write_text(r.data.decode())
    eaf = pympi.Elan.Eaf(str(path))
    assert sorted(eaf.get_annotation_data_for_tier("t1/ann/tiers.word")) == [
        (0, 1000, "hello"),
        (1000, 2000, "world"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"annotations": {"phoneme": []}}, "unknown tier"),
        ({"annotations": {"utterance": [ann("u", "utterance", 0, 10, "C")]}}, "unknown label"),
        ({"annotations": {"utterance": [ann("u", "utterance", 10, 5, "A")]}}, "ends before"),
        ({"annotations": {"word": [ann("w", "word", 0, 5)]}}, "needs a parent"),
        (
            {
                "annotations": {
                    "utterance": [ann("u", "utterance", 0, 100, "A")],
                    "word": [ann("w", "word", 50, 150, parent="u")],
                }
            },
            "outside its parent",
        ),
        (
            {
                "annotations": {
                    "utterance": [
                        ann("u", "utterance", 0, 100, "A"),
                        ann("u", "utterance", 0, 5, "B"),
                    ]
                }
            },
            "used twice",
        ),
    ],
)
def test_bad_tier_values(app, data, message):
    c = login(app.test_client(), "ann")
    r = put(c, current_id(c), data)
    assert r.status_code == 400 and message in r.json["error"], r.json


@pytest.mark.parametrize(
    ("tiers", "problem"),
    [
        ([{"name": "w", "tier_type": "dependent"}], "parent_tier"),
        ([{"name": "w", "tier_type": "dependent", "parent_tier": "nope"}], "no tier named"),
        (
            [
                {"name": "a", "tier_type": "dependent", "parent_tier": "b"},
                {"name": "b", "tier_type": "dependent", "parent_tier": "a"},
            ],
            "cycle",
        ),
        ([{"name": "a", "constraint_type": "inside"}], "constraint_type"),
        ([], "non-empty"),
    ],
)
def test_tier_config_problems(tmp_path, open_app, tiers, problem):
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "x", "text": "t"}) + "\n")
    scheme = {**TIERED, "tiers": tiers}
    with pytest.raises(ConfigError) as err:
        open_app(write_config(tmp_path, base_config(annotation_schemes=[scheme])))
    assert any(problem in p for p in err.value.problems), err.value.problems
