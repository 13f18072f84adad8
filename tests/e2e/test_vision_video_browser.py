"""Vision detections on a video item in a real Chromium: the tracks the detector found on
sampled frames are in the video page as editable pre-annotations (listed, deletable), and
the annotator's edit is what gets saved."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from potato_like import create_app
from potato_like.ai.vision.service import vision
from tests.llm_fakes import FakeLLM
from tests.web.test_ai_vision_video import video_project

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 15_000


def test_detected_tracks_are_editable_on_the_video_page(page: Page, tmp_path, serve_app):
    box = {"x": 0.25, "y": 0.25, "width": 0.25, "height": 0.25}
    answer = {"detections": [{"label": "person", "bbox": box, "confidence": 0.7}]}
    fake = FakeLLM("ollama", default=answer)
    try:
        app = create_app(
            video_project(tmp_path, "ollama_vision", base_url=fake.url, timeout=20, max_frames=3)
        )
        project = app.extensions["potato_like"]
        found, message = vision(project).get("a", "clip.mp4")  # ready before the page opens
        assert found and not message
        base = serve_app(app)
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        assert page.request.post(f"{base}/auth", form={"username": "ann"}).ok
        page.goto(f"{base}/annotate")
        expect(page.get_by_test_id("prefilled")).to_be_visible()
        listed = page.locator('ul[data-role="others"] li')
        expect(listed).to_have_count(1)
        expect(listed.first).to_contain_text("person (ai_1): 3 keyframe box(es)")
        raw = page.locator('input[name="vid:_data"]').input_value()
        track = json.loads(raw)["tracking"]["ai_1"]
        assert [k["bbox"]["x"] for k in track["keyframes"].values()] == [40.0] * 3
        listed.first.get_by_role("button", name="Delete").click()  # the annotator's edit:
        expect(listed).to_have_count(0)  # the detection deleted, a box of their own drawn
        overlay = page.locator('canvas[data-role="overlay"]')
        overlay.scroll_into_view_if_needed()
        area = overlay.bounding_box()
        page.mouse.move(area["x"] + area["width"] * 0.6, area["y"] + area["height"] * 0.6)
        page.mouse.down()
        page.mouse.move(area["x"] + area["width"] * 0.8, area["y"] + area["height"] * 0.8, steps=4)
        page.mouse.up()
        expect(page.get_by_test_id("save-state")).to_have_text("Saved")
        page.reload()
        expect(listed).to_have_count(1)
        expect(listed.first).not_to_contain_text("ai_1")
        expect(page.get_by_test_id("prefilled")).to_have_count(0)
        saved = json.loads(page.locator('input[name="vid:_data"]').input_value())["tracking"]
        ((_, mine),) = saved.items()
        assert mine["label"] == "person" and not mine["id"].startswith("ai_")
        (frame,) = mine["keyframes"].values()
        assert frame["bbox"]["x"] == pytest.approx(96, abs=3)
    finally:
        fake.close()
