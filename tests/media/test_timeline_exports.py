"""EAF, TextGrid, WebVTT, SRT and MOT exports of audio/video annotations, each read back
with the format's reference reader where one exists (pympi-ling, textgrid)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ADMIN, base_config, current_id, login, write_config

from .test_timeline_schemes import AUDIO, VIDEO, put, seg


@pytest.fixture
def annotated(tmp_path, open_app):
    root = tmp_path / "proj"
    root.mkdir()
    rows = [{"id": "clip<1>", "text": "a.wav"}, {"id": "clip2", "text": "b.wav"}]
    (root / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = base_config(annotation_schemes=[AUDIO, VIDEO], assignment_strategy="fixed_order")
    app = open_app(write_config(root, config))
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    audio = {
        "segments": [
            seg(1, 0.25, 1.0, "speech"),
            seg(2, 0.5, 1.5, "music"),  # overlaps the first
            seg(3, 2.0, 3.125, "speech", annotations={"note": "x"}),
        ]
    }
    assert put(c, iid, "segs", audio).status_code == 200
    video = {
        "segments": [seg(9, 0.1, 0.4, "car")],
        "tracking": {
            "o1": {
                "label": "car",
                "keyframes": {
                    "0": {"frame": 0, "bbox": {"x": 0, "y": 0, "width": 10, "height": 10}},
                    "2": {"frame": 2, "bbox": {"x": 4, "y": 2, "width": 10, "height": 10}},
                },
            },
            "o2": {
                "label": "person",
                "keyframes": {"1": {"frame": 1, "bbox": {"x": 1, "y": 1, "width": 5, "height": 5}}},
            },
        },
    }
    assert put(c, iid, "vid", video).status_code == 200
    return app, root


def export(app, fmt):
    r = app.test_client().post("/admin/api/export", json={"format": fmt}, headers=ADMIN)
    assert r.status_code == 200, r.data
    return r.data.decode()


def test_eaf_reads_back_with_pympi(annotated, tmp_path):
    import pympi

    app, _root = annotated
    path = tmp_path / "out.eaf"
    path.write_text(export(app, "eaf"))
    eaf = pympi.Elan.Eaf(str(path))
    tiers = eaf.get_tier_names()
    assert set(tiers) == {"clip<1>/ann/segs", "clip<1>/ann/vid"}
    got = sorted(eaf.get_annotation_data_for_tier("clip<1>/ann/segs"))
    assert got == [(250, 1000, "speech"), (500, 1500, "music"), (2000, 3125, "speech")]
    assert eaf.get_annotation_data_for_tier("clip<1>/ann/vid") == [(100, 400, "car")]
    assert eaf.media_descriptors[0]["MEDIA_URL"] == "a.wav"


def test_textgrid_reads_back_with_textgrid(annotated, tmp_path):
    import textgrid

    app, _root = annotated
    path = tmp_path / "out.TextGrid"
    path.write_text(export(app, "textgrid"))
    grid = textgrid.TextGrid.fromFile(str(path))
    names = [t.name for t in grid.tiers]
    assert names == ["clip<1>/ann/segs", "clip<1>/ann/segs#2", "clip<1>/ann/vid"]
    first = [(i.minTime, i.maxTime, i.mark) for i in grid.tiers[0] if i.mark]
    assert first == [(0.25, 1.0, "speech"), (2.0, 3.125, "speech")]
    second = [(i.minTime, i.maxTime, i.mark) for i in grid.tiers[1] if i.mark]
    assert second == [(0.5, 1.5, "music")]
    assert grid.maxTime == 3.125


def test_webvtt_and_srt(annotated):
    app, _root = annotated
    vtt = export(app, "vtt")
    assert vtt.startswith("WEBVTT\n\nNOTE item=clip<1> annotator=ann\n\n")
    assert "clip<1>/ann/segs/1\n00:00:00.250 --> 00:00:01.000\nspeech\n\n" in vtt
    assert "00:00:02.000 --> 00:00:03.125\nspeech" in vtt
    cues = [block for block in vtt.split("\n\n") if "-->" in block]
    assert len(cues) == 4
    starts = [c.splitlines()[1].split(" --> ")[0] for c in cues]
    assert starts == sorted(starts)
    srt = export(app, "srt")
    blocks = [b for b in srt.strip().split("\n\n")]
    assert blocks[0] == "1\n00:00:00,100 --> 00:00:00,400\n[clip<1>/ann/vid] car"
    assert [b.splitlines()[0] for b in blocks] == ["1", "2", "3", "4"]


def test_mot_tracks_with_interpolation(annotated):
    app, _root = annotated
    lines = export(app, "mot").splitlines()
    assert lines == [
        "1,1,0.0,0.0,10.0,10.0,1,2,1,-1",
        "2,1,2.0,1.0,10.0,10.0,1,2,1,-1",
        "3,1,4.0,2.0,10.0,10.0,1,2,1,-1",
        "2,2,1.0,1.0,5.0,5.0,1,1,1,-1",
    ]


def test_exports_of_a_project_without_timelines_are_empty(tmp_path, open_app):
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "x", "text": "t"}) + "\n")
    app = open_app(write_config(tmp_path, base_config()))
    assert export(app, "srt") == "" and export(app, "mot") == ""
    assert export(app, "vtt") == "WEBVTT\n\n"
