"""spectrogram_annotation: the server-computed spectrogram (image + axes, cached, STFT or
mel), Potato's list of boxes on the wire, boxes checked against the audio's duration and
Nyquist frequency, bad boxes refused with nothing written, exports and the dashboard."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from potato_like.media import spectrogram
from tests.conftest import ADMIN, current_id, login

EXAMPLE = Path(__file__).resolve().parents[2] / "example_projects" / "spectrogram_boxes"
CALL = {"start_s": 0.2, "end_s": 0.45, "low_hz": 1400.0, "high_hz": 3100.0, "label": "rising_call"}


@pytest.fixture
def app(example_project):
    return example_project(EXAMPLE)


def send(client, iid, value, schema="calls", key=None, **extra):
    raw = value if isinstance(value, str) else json.dumps(value)
    return client.post(
        "/updateinstance",
        json={"instance_id": iid, "annotations": {f"{schema}:{key or schema}": raw}, **extra},
    )


def stored(client, iid, schema="calls"):
    got = client.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    raw = got.get(schema, {}).get("_data")
    return json.loads(raw) if raw else None


def generate(client, schema="calls", audio="media/recording1.wav"):
    return client.post("/api/spectrogram/generate", json={"audio_url": audio, "schema": schema})


def test_page_renders_the_canvas_labels_and_audio(app):
    ann = login(app.test_client(), "ann")
    page = ann.get("/annotate").data.decode()
    assert 'data-type="spectrogram_annotation"' in page
    assert "js/spectrogram-annotation.js" in page and "css/spectrogram-annotation.css" in page
    assert 'data-generate-url="/api/spectrogram/generate"' in page
    assert 'src="/project_files/media/recording1.wav"' in page
    assert 'name="calls:_data"' in page
    assert "<kbd>1</kbd>" in page and "<kbd>3</kbd>" in page  # Potato's default label keys


def test_the_spectrogram_is_computed_once_with_its_axes(app):
    ann = login(app.test_client(), "ann")
    r = generate(ann)
    assert r.status_code == 200, r.json
    meta = r.json
    assert meta["duration"] == pytest.approx(1.0, abs=1e-3)
    assert meta["sample_rate"] == 11025 and meta["nyquist"] == 5512.5
    assert meta["max_freq"] == 5000 and meta["min_freq"] == 0
    assert meta["frequency_scale"] == "linear" and meta["fft_size"] == 512
    # rows: the STFT bins from 0 to 5000 Hz at 11025/512 Hz spacing
    assert meta["height"] == int(5000 // (11025 / 512)) + 1
    image = ann.get(meta["image_url"])
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
    again = generate(ann).json
    assert again["cache_key"] == meta["cache_key"]
    mel = generate(ann, schema="calls_mel").json
    assert mel["frequency_scale"] == "mel" and mel["height"] == 64 and mel["n_mels"] == 64
    assert mel["cache_key"] != meta["cache_key"]


def test_the_image_shows_energy_where_the_call_is():
    """The 4000 Hz whistle of recording1 (0.60-0.85 s) is the brightest row there."""
    import cv2

    png, meta = spectrogram.compute(
        EXAMPLE / "media" / "recording1.wav",
        {**spectrogram.DEFAULTS, "fft_size": 512, "colormap": "grayscale"},
    )
    gray = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    column = int(0.72 / meta["duration"] * meta["width"])
    row = int(np.argmax(gray[:, column]))
    hz = (1 - row / (meta["height"] - 1)) * (meta["max_freq"] - meta["min_freq"])
    assert hz == pytest.approx(4000, abs=50)


def test_the_mel_image_puts_the_call_where_the_htk_mel_axis_says():
    """recording1's 4000 Hz whistle, found on the mel image, maps back to 4000 Hz through the
    axis the page uses: rows evenly spaced in m = 2595 log10(1 + f / 700)."""
    import cv2

    png, meta = spectrogram.compute(
        EXAMPLE / "media" / "recording1.wav",
        {**spectrogram.DEFAULTS, "fft_size": 512, "frequency_scale": "mel", "n_mels": 64,
         "colormap": "grayscale"},
    )  # fmt: skip
    gray = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert gray.shape == (64, meta["width"]) and meta["max_freq"] == 5512.5
    row = int(np.argmax(gray[:, int(0.72 / meta["duration"] * meta["width"])]))
    top = spectrogram.hz_to_mel(meta["max_freq"])
    # mel band centres are evenly spaced between fmin and fmax, band k at (k + 1) / (n + 1)
    mel = top * (64 - row) / 65
    assert 700 * (10 ** (mel / 2595) - 1) == pytest.approx(4000, rel=0.04)


def test_spectrogram_route_refuses_bad_requests(app):
    ann = login(app.test_client(), "ann")
    assert generate(ann, schema="nope").status_code == 404
    assert generate(ann, audio="../config.yaml").status_code in (400, 404)
    assert generate(ann, audio="media/missing.wav").status_code == 404
    assert ann.post("/api/spectrogram/generate", json={}).status_code == 400
    assert ann.get("/api/spectrogram/0123.png").status_code == 404
    assert app.test_client().post("/api/spectrogram/generate", json={}).status_code in (401, 302)


def test_unreadable_audio_is_a_422(app, tmp_path):
    project = app.extensions["potato_like"]
    bad = Path(project.config.config_path).parent / "media" / "broken.wav"
    bad.write_bytes(b"RIFF0000WAVEnot really")
    ann = login(app.test_client(), "ann")
    r = generate(ann, audio="media/broken.wav")
    assert r.status_code == 422 and "error" in r.json


def test_boxes_are_stored_as_potatos_list_sorted(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    whistle = {"start_s": 0.6, "end_s": 0.85, "low_hz": 3800, "high_hz": 4200, "label": "whistle"}
    band = {"start_s": 0.1, "end_s": 0.15, "low_hz": None, "high_hz": None, "label": "pip",
            "source": "birdnet", "confidence": 0.8, "edited": True}  # fmt: skip
    assert send(ann, iid, [whistle, CALL, band]).status_code == 200
    got = stored(ann, iid)
    assert [b["label"] for b in got] == ["pip", "rising_call", "whistle"]
    assert got[0] == {**band, "confidence": 0.8}
    assert got[2]["high_hz"] == 4200.0
    # Potato's page sends the list under the schema's own name or under _data
    assert send(ann, iid, [CALL], key="_data").status_code == 200
    assert stored(ann, iid) == [CALL]
    assert send(ann, iid, "", draft=True).status_code == 200 and stored(ann, iid) is None


@pytest.mark.parametrize(
    ("box", "problem"),
    [
        ({**CALL, "end_s": 0.1}, "end_s must be after start_s"),
        ({**CALL, "start_s": -1}, "must not be negative"),
        ({**CALL, "high_hz": 1000.0}, "high_hz must be above low_hz"),
        ({**CALL, "high_hz": None}, "both low_hz and high_hz"),
        ({**CALL, "label": "frog"}, "unknown label 'frog'"),
        ({**CALL, "end_s": 1.5}, "after the end of the audio"),
        ({**CALL, "high_hz": 6000.0}, "Nyquist"),
        ({**CALL, "start_s": "0.2"}, "number of seconds"),
        ({**CALL, "low_hz": float("nan")}, "number of hertz"),
        ("not a box", "must be an object"),
    ],
)
def test_bad_boxes_are_refused_and_nothing_is_written(app, box, problem):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, json.dumps([box]).replace("NaN", "NaN"))
    assert r.status_code == 400 and problem in r.json["error"], r.json
    assert stored(ann, iid) is None


def test_not_a_list_and_too_many_boxes_are_refused(app, example_project):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    assert "JSON list" in send(ann, iid, {"start_s": 1}).json["error"]
    assert "not valid JSON" in send(ann, iid, "[{").json["error"]
    capped = example_project(EXAMPLE, edit=lambda c: c["annotation_schemes"][0].update(max_boxes=1))
    other = login(capped.test_client(), "ann")
    r = send(other, current_id(other), [CALL, CALL])
    assert r.status_code == 400 and "at most 1 boxes" in r.json["error"]


def test_min_boxes_is_required_on_submit_not_for_drafts(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, "[]")
    assert r.status_code == 400 and "at least 1 box(es)" in r.json["error"]
    assert send(ann, iid, "[]", draft=True).status_code == 200


def test_exports_and_dashboard_read_the_boxes(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    whistle = {"start_s": 0.6, "end_s": 0.85, "low_hz": 3800, "high_hz": 4200, "label": "whistle"}
    assert send(ann, iid, [CALL, whistle]).status_code == 200
    ann.post("/annotate", json={"action": "next_instance", "instance_id": iid})
    admin = app.test_client()
    grid = admin.post("/admin/api/export", json={"format": "textgrid"}, headers=ADMIN)
    assert grid.status_code == 200
    text = grid.get_data(as_text=True)
    assert 'text = "rising_call"' in text and "xmin = 0.6" in text
    boxes = admin.post("/admin/api/export", json={"format": "spectrogram_boxes"}, headers=ADMIN)
    assert boxes.status_code == 200
    lines = boxes.get_data(as_text=True).splitlines()
    assert lines[0] == "user_id,instance_id,schema,start_s,end_s,low_hz,high_hz,label"
    assert "ann,rec1,calls,0.6,0.85,3800.0,4200.0,whistle" in lines
    summary = admin.get("/admin/api/questions", headers=ADMIN).json
    text = json.dumps(summary)
    assert "boxes_per_label" in text and "rising_call" in text


def test_config_problems_are_reported(make_project):
    from potato_like.errors import ConfigError

    bad = [
        {"annotation_type": "spectrogram_annotation", "name": "a", "labels": ["x"],
         "fft_size": 1000, "colormap": "jet", "min_freq": 500, "max_freq": 100},
        {"annotation_type": "spectrogram_annotation", "name": "b"},
        {"annotation_type": "spectrogram_annotation", "name": "c", "labels": ["y"],
         "frequency_scale": "bark", "hop_length": 4096},
    ]  # fmt: skip
    with pytest.raises(ConfigError) as err:
        make_project(schemes=bad)
    text = str(err.value) + " ".join(getattr(err.value, "problems", []))
    for part in ("fft_size", "'jet' is not one of", "max_freq", "labels", "'bark' is not one of",
                 "hop_length"):  # fmt: skip
        assert part in text, part


def test_every_potato_key_is_accepted_without_a_warning(make_project):
    scheme = {
        "annotation_type": "spectrogram_annotation", "name": "s", "description": "d",
        "labels": [{"name": "Turdus migratorius", "color": "#2563eb", "key_value": "t"}, "other"],
        "source_field": "audio_url", "min_freq": 500, "max_freq": 8000, "fft_size": 2048,
        "colormap": "grayscale", "height": 300, "min_boxes": 0, "max_boxes": 10,
        "instructions": "Box every call",
    }  # fmt: skip
    app = make_project(schemes=[scheme])
    config = app.extensions["potato_like"].config
    assert not [w for w in config.warnings if "annotation_schemes" in w], config.warnings
    s = config.scheme("s")
    assert s.key_bindings == {"t": "Turdus migratorius", "2": "other"}
    assert s.spectrogram_settings["fft_size"] == 2048 and s.max_freq == 8000
