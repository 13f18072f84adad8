"""A Potato `task_layout` in a real Chromium: the layout's grid (from /project.css) places the
two questions side by side, and an annotator answers both with the keyboard and moves on."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from potato_like import create_app

from ..conftest import base_config, radio, write_config, write_items

pytestmark = pytest.mark.e2e

LAYOUT = """<style>
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
</style>
<h3 class="layout-title">Review</h3>
<div class="pair">
  <form id="tone" class="annotation-form radio"><input type="radio" name="tone" value="warm"
     onclick="registerAnnotation(this)"></form>
  <form id="topic" class="annotation-form radio"></form>
</div>
<script>document.title = "hacked"</script>
"""


def test_layout_answered_with_the_keyboard(page: Page, tmp_path, serve_app) -> None:
    write_items(tmp_path / "data.jsonl", 2)
    (tmp_path / "task.html").write_text(LAYOUT)
    tone = radio("tone", [{"name": "warm", "key_value": "1"}, {"name": "cold", "key_value": "2"}])
    topic = radio(
        "topic", [{"name": "news", "key_value": "n"}, {"name": "sport", "key_value": "s"}]
    )
    config = base_config(
        annotation_schemes=[tone, topic], task_layout="task.html", assignment_strategy="fixed_order"
    )
    app = create_app(write_config(tmp_path, config))
    base = serve_app(app)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(base + "/")
    page.get_by_label("Username").fill("ann")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("task-layout")).to_be_visible()
    expect(page.locator(".layout-title")).to_have_text("Review")
    left = page.locator('[data-scheme-slot="tone"]').bounding_box()
    right = page.locator('[data-scheme-slot="topic"]').bounding_box()
    assert abs(left["y"] - right["y"]) < 2 and right["x"] > left["x"] + left["width"] - 1
    first = page.get_by_test_id("instance-id").inner_text()
    page.keyboard.press("2")
    page.keyboard.press("s")
    expect(page.locator('input[name="tone"][value="cold"]')).to_be_checked()
    expect(page.locator('input[name="topic"][value="sport"]')).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("instance-id")).not_to_have_text(first)
    assert page.title() != "hacked"
    api = page.request.get(base + f"/get_annotations?instance_id={first}").json()
    assert api["label_annotations"] == {"tone": {"cold": "1"}, "topic": {"sport": "1"}}
    assert not [e for e in errors if "Content Security Policy" in e]
