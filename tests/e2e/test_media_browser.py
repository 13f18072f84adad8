"""Audio and video segments in a real Chromium: drag on the waveform / timeline, save,
reload, and the segments come back at the same times."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from potato_like import create_app

from ..conftest import base_config, write_config
from ..media.make_media import write_mp4, write_wav
from ..media.test_timeline_schemes import AUDIO, VIDEO

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 15_000


@pytest.fixture
def media_server(tmp_path, serve_app) -> str:
    root = tmp_path / "proj"
    (root / "media").mkdir(parents=True)
    write_wav(root / "media" / "a.wav", seconds=4.0)
    write_mp4(root / "media" / "v.mp4", frames=40, fps=10, size=(160, 120))
    row = {"id": "m1", "text": "media/a.wav", "video": "media/v.mp4"}
    (root / "data.jsonl").write_text(json.dumps(row) + "\n")
    video = {**VIDEO, "mode": "segment", "source_field": "video"}
    return serve_app(create_app(write_config(root, base_config(annotation_schemes=[AUDIO, video]))))


def drag(page: Page, canvas, start: float, end: float) -> None:
    """Drag across `canvas` from fraction `start` to fraction `end` of its width."""
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * start, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * (start + end) / 2, y, steps=4)
    page.mouse.move(box["x"] + box["width"] * end, y, steps=4)
    page.mouse.up()


def segments(page: Page, schema: str) -> list[dict]:
    raw = page.locator(f'input[name="{schema}:_data"]').input_value()
    return json.loads(raw)["segments"] if raw else []


def test_audio_and_video_segments_survive_a_reload(page: Page, media_server: str):
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    assert page.request.post(f"{media_server}/auth", form={"username": "ann"}).ok
    page.goto(f"{media_server}/annotate")
    wave = page.locator('fieldset[data-scheme="segs"] canvas[data-role="waveform"]')
    expect(wave).to_have_attribute("data-ready", "1")
    page.locator('fieldset[data-scheme="segs"] .media-label[data-label-name="music"]').click()
    drag(page, wave, 0.25, 0.5)
    timeline = page.locator('fieldset[data-scheme="vid"] canvas[data-role="timeline"]')
    expect(timeline).to_have_attribute("data-ready", "1")
    drag(page, timeline, 0.5, 0.75)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    audio = segments(page, "segs")
    video = segments(page, "vid")
    assert len(audio) == 1 and len(video) == 1
    assert audio[0]["label"] == "music"
    assert audio[0]["start_time"] == pytest.approx(1.0, abs=0.1)
    assert audio[0]["end_time"] == pytest.approx(2.0, abs=0.1)
    assert video[0]["label"] == "person"
    assert video[0]["start_time"] == pytest.approx(2.0, abs=0.1)
    assert video[0]["end_time"] == pytest.approx(3.0, abs=0.1)

    page.reload()
    expect(wave).to_have_attribute("data-ready", "1")
    expect(page.locator('fieldset[data-scheme="segs"] .media-segment')).to_have_count(1)
    expect(page.locator('fieldset[data-scheme="vid"] .media-segment')).to_have_count(1)
    again_audio = segments(page, "segs")
    again_video = segments(page, "vid")
    assert [(s["start_time"], s["end_time"], s["label"]) for s in again_audio] == [
        (s["start_time"], s["end_time"], s["label"]) for s in audio
    ]
    assert [(s["start_time"], s["end_time"], s["label"]) for s in again_video] == [
        (s["start_time"], s["end_time"], s["label"]) for s in video
    ]
    assert not errors, errors


def test_audio_keyboard_spectrogram_and_delete(page: Page, media_server: str):
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    assert page.request.post(f"{media_server}/auth", form={"username": "kb"}).ok
    page.goto(f"{media_server}/annotate")
    scheme = page.locator('fieldset[data-scheme="segs"]')
    expect(scheme.locator('canvas[data-role="waveform"]')).to_have_attribute("data-ready", "1")
    page.locator("body").click(position={"x": 1, "y": 1})
    page.keyboard.press("2")  # label key of "music"
    expect(scheme.locator('.media-label[data-label-name="music"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    page.keyboard.press(" ")  # play
    expect(scheme.locator('[data-action="play"]')).to_have_text("Pause")
    page.keyboard.press("[")
    page.wait_for_function(
        '() => document.querySelector(\'fieldset[data-scheme="segs"] [data-role="time"]\')'
        ".textContent > '0:00.400'"
    )
    page.keyboard.press("]")
    page.keyboard.press(" ")  # pause
    expect(scheme.locator('[data-action="play"]')).to_have_text("Play")
    expect(scheme.locator(".media-segment")).to_have_count(1)
    made = segments(page, "segs")
    assert made[0]["label"] == "music" and made[0]["end_time"] > made[0]["start_time"]
    page.keyboard.press("Delete")  # the new segment is selected
    expect(scheme.locator(".media-segment")).to_have_count(0)
    scheme.locator('[data-role="spectrogram"]').check()
    expect(scheme.locator('[data-role="spectrogram-view"]')).to_have_attribute("data-drawn", "1")
    assert not errors, errors


def test_tracking_box_is_saved_in_video_pixels(page: Page, tmp_path, serve_app):
    root = tmp_path / "track"
    (root / "media").mkdir(parents=True)
    write_mp4(root / "media" / "v.mp4", frames=40, fps=10, size=(160, 120))
    (root / "data.jsonl").write_text(json.dumps({"id": "t", "text": "media/v.mp4"}) + "\n")
    scheme = {**VIDEO, "mode": "tracking"}
    base = serve_app(create_app(write_config(root, base_config(annotation_schemes=[scheme]))))
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    assert page.request.post(f"{base}/auth", form={"username": "tr"}).ok
    page.goto(f"{base}/annotate")
    expect(page.locator('canvas[data-role="timeline"]')).to_have_attribute("data-ready", "1")
    overlay = page.locator('canvas[data-role="overlay"]')
    overlay.scroll_into_view_if_needed()
    box = overlay.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5, steps=4)
    page.mouse.up()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    raw = page.locator('input[name="vid:_data"]').input_value()
    track = next(iter(json.loads(raw)["tracking"].values()))
    frame = next(iter(track["keyframes"].values()))
    assert track["label"] == "person" and frame["frame"] == 0
    assert frame["bbox"]["x"] == pytest.approx(40, abs=3)
    assert frame["bbox"]["width"] == pytest.approx(40, abs=3)
    assert frame["bbox"]["height"] == pytest.approx(30, abs=3)
    page.reload()
    expect(page.locator('ul[data-role="others"] li')).to_have_count(1)
