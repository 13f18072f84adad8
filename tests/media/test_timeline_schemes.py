"""audio_annotation and video_annotation: config, validation of the `_data` value, page,
save and reload through /updateinstance, requirement of min_segments."""

from __future__ import annotations

import json

import pytest

from tests.conftest import base_config, current_id, login, write_config

from .make_media import write_mp4, write_wav

AUDIO = {
    "annotation_type": "audio_annotation",
    "name": "segs",
    "description": "Mark segments",
    "mode": "label",
    "labels": [
        {"name": "speech", "color": "#4ECDC4", "key_value": "1"},
        {"name": "music", "key_value": "2"},
    ],
    "min_segments": 1,
    "zoom_enabled": True,
    "playback_rate_control": True,
    "spectrogram": True,
}
VIDEO = {
    "annotation_type": "video_annotation",
    "name": "vid",
    "description": "Mark video",
    "mode": "combined",
    "labels": [{"name": "person"}, {"name": "car"}],
    "video_fps": 10,
    "tracking_options": {"interpolation": "linear"},
}


@pytest.fixture
def project(tmp_path, open_app):
    root = tmp_path / "proj"
    root.mkdir()
    write_wav(root / "a.wav", seconds=2.0)
    write_mp4(root / "v.mp4", frames=30, fps=10)
    rows = [{"id": "i1", "text": "a.wav", "video": "v.mp4"}]
    (root / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    video = {**VIDEO, "source_field": "video"}
    app = open_app(write_config(root, base_config(annotation_schemes=[AUDIO, video])))
    return app


def seg(i, start, end, label="speech", **extra):
    return {"id": f"s{i}", "start_time": start, "end_time": end, "label": label, **extra}


def put(client, iid, schema, data, draft=True):
    value = data if isinstance(data, str) else json.dumps(data)
    return client.post(
        "/updateinstance",
        json={"instance_id": iid, "annotations": {f"{schema}:_data": value}, "draft": draft},
    )


def test_page_has_the_widgets_and_their_scripts(project):
    c = login(project.test_client(), "ann")
    page = c.get("/annotate").get_data(as_text=True)
    assert 'data-type="audio_annotation"' in page and 'data-type="video_annotation"' in page
    assert "js/audio-annotation.js" in page and "js/video-annotation.js" in page
    assert "css/media-annotation.css" in page
    assert "/project_files/v.mp4" in page  # source_field resolved for the page
    assert 'name="segs:_data"' in page


def test_scripts_are_not_loaded_without_the_types(tmp_path, open_app):
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "x", "text": "t"}) + "\n")
    app = open_app(write_config(tmp_path, base_config()))
    page = login(app.test_client(), "u").get("/annotate").get_data(as_text=True)
    assert "audio-annotation.js" not in page and "media-annotation.css" not in page


def test_audio_segments_save_and_reload(project):
    c = login(project.test_client(), "ann")
    iid = current_id(c)
    data = {"segments": [seg(2, 1.0, 1.5, "music"), seg(1, 0.25, 0.75)], "duration": 2.0}
    r = put(c, iid, "segs", data)
    assert r.status_code == 200, r.json
    stored = c.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]["segs"]
    value = json.loads(stored["_data"])
    assert [s["id"] for s in value["segments"]] == ["s1", "s2"]  # sorted by start
    assert value["segments"][0] == {
        "id": "s1",
        "start_time": 0.25,
        "end_time": 0.75,
        "label": "speech",
        "annotations": {},
    }
    page = c.get("/annotate").get_data(as_text=True)
    assert "0.25" in page and "s2" in page  # restored into the hidden input


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"segments": [seg(1, 1.0, 0.5)]}, "ends"),
        ({"segments": [seg(1, 1.0, 1.0)]}, "ends"),
        ({"segments": [seg(1, -1, 0.5)]}, "negative"),
        ({"segments": [seg(1, 0, 3.0)], "duration": 2.0}, "after the media"),
        ({"segments": [seg(1, 0, 1, "noise")]}, "unknown label"),
        ({"segments": [seg(1, 0, 1, None)]}, "needs a label"),
        ({"segments": [seg(1, 0, 1), seg(1, 1, 2)]}, "used twice"),
        ({"segments": [seg(1, 0, "x")]}, "number of seconds"),
        ({"segments": [seg(1, 0, float("inf"))]}, "JSON|number"),
        ({"segments": "nope"}, "must be a list"),
        ({"segments": [seg(1, 0, 1, annotations=[1])]}, "must be an object"),
        ({"file_labels": ["nope"]}, "unknown label"),
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_bad_audio_values_are_400(project, data, message):
    import re

    c = login(project.test_client(), "ann")
    iid = current_id(c)
    r = put(c, iid, "segs", data if isinstance(data, str) else json.dumps(data, allow_nan=True))
    assert r.status_code == 400, r.json
    assert re.search(message, r.json["error"]), r.json["error"]
    assert c.get(f"/get_annotations?instance_id={iid}").json["label_annotations"] == {}


def test_min_segments_is_required_on_submit(project):
    c = login(project.test_client(), "ann")
    iid = current_id(c)
    r = put(c, iid, "segs", {"segments": [], "file_labels": ["music"]}, draft=False)
    assert r.status_code == 400 and "at least 1 segment" in r.json["error"]


def test_video_value_round_trip_and_interpolated_tracks(project):
    c = login(project.test_client(), "ann")
    iid = current_id(c)
    data = {
        "video_metadata": {"duration": 3.0, "fps": 10, "width": 64, "height": 48},
        "segments": [seg(1, 0.5, 1.5, "car", start_frame=5, end_frame=15)],
        "frame_annotations": {"7": {"frame": 7, "time": 0.7, "label": "person"}},
        "keyframes": [{"id": "k1", "frame": 3, "time": 0.3, "label": "person", "note": "x"}],
        "tracking": {
            "object_1": {
                "id": "object_1",
                "label": "person",
                "keyframes": {
                    "0": {"frame": 0, "bbox": {"x": 0, "y": 0, "width": 10, "height": 10}},
                    "4": {"frame": 4, "bbox": {"x": 8, "y": 4, "width": 10, "height": 10}},
                },
            }
        },
    }
    assert put(c, iid, "vid", data).status_code == 200
    stored = c.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]["vid"]
    value = json.loads(stored["_data"])
    assert value["segments"][0]["start_frame"] == 5
    assert value["frame_annotations"]["7"]["label"] == "person"
    scheme = project.extensions["potato_like"].config.scheme("vid")
    rows = scheme.tracks(stored)
    assert [r[2] for r in rows] == [0, 1, 2, 3, 4]
    assert rows[2][3] == {"x": 4.0, "y": 2.0, "width": 10.0, "height": 10.0}


@pytest.mark.parametrize(
    "bad",
    [
        {"frame_annotations": {"x": {"label": "person"}}},
        {"frame_annotations": {"3": {"label": "dog"}}},
        {"keyframes": [{"frame": -1}]},
        {"tracking": {"o": {"label": "person", "keyframes": {"1": {"bbox": {"x": 0}}}}}},
        {
            "video_metadata": {"width": 64, "height": 48},
            "tracking": {
                "o": {
                    "label": "person",
                    "keyframes": {"1": {"bbox": {"x": 60, "y": 0, "width": 20, "height": 5}}},
                }
            },
        },
        {
            "tracking": {
                "o": {
                    "label": "person",
                    "keyframes": {"1": {"bbox": {"x": 0, "y": 0, "width": 0, "height": 5}}},
                }
            }
        },
        {"segments": [seg(1, 0, 5)], "video_metadata": {"duration": 3.0}},
    ],
)
def test_bad_video_values_are_400(project, bad):
    c = login(project.test_client(), "ann")
    r = put(c, current_id(c), "vid", bad)
    assert r.status_code == 400, r.json


@pytest.mark.parametrize(
    ("scheme", "problem"),
    [
        ({**AUDIO, "mode": "loud"}, "mode"),
        ({**AUDIO, "labels": None}, "labels"),
        ({**AUDIO, "mode": "questions", "labels": None}, "segment_schemes"),
        ({**AUDIO, "min_segments": -1}, "min_segments"),
        ({**AUDIO, "max_segments": 0}, "max_segments"),
        ({**VIDEO, "mode": "boxes"}, "mode"),
        ({**VIDEO, "video_fps": 0}, "video_fps"),
        ({**VIDEO, "timeline_height": 10}, "timeline_height"),
    ],
)
def test_config_problems(tmp_path, open_app, scheme, problem):
    from potato_like.errors import ConfigError

    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "x", "text": "t"}) + "\n")
    scheme = {k: v for k, v in scheme.items() if v is not None}
    with pytest.raises(ConfigError) as err:
        open_app(write_config(tmp_path, base_config(annotation_schemes=[scheme])))
    assert any(problem in p for p in err.value.problems), err.value.problems


def test_potato_backend_format_carries_the_data_label(project):
    c = login(project.test_client(), "ann")
    iid = current_id(c)
    data = json.dumps({"segments": [seg(1, 0.5, 1.0)]})
    body = {
        "instance_id": iid,
        "schema": "segs",
        "type": "audio_annotation",
        "state": [{"name": "_data", "value": data}],
    }
    r = c.post("/updateinstance", json=body)
    assert r.status_code == 200, r.json
    stored = c.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]["segs"]
    assert json.loads(stored["_data"])["segments"][0]["start_time"] == 0.5
    body["state"] = [{"name": "_data", "value": "{not json"}]
    assert c.post("/updateinstance", json=body).status_code == 400
