"""Agent traces in a real Chromium: a process-reward trace answered with the keyboard only
(move between steps, mark them) is saved, and the marks are back after a reload; the trace
display and the step list run under the Content-Security-Policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from potato_like import create_app

from ..conftest import base_config, write_config
from .test_annotate_browser import _fast_timeouts, expect_item  # noqa: F401
from .test_csp_browser import violations as violations

pytestmark = pytest.mark.e2e

STEPS = [
    {"speaker": "Agent (Thought)", "text": "Compute 6 x 3 = 18."},
    {"speaker": "Agent (Action)", "text": "discount(18, 0.25)"},
    {"speaker": "Environment", "text": "13.5"},
    {"speaker": "Agent (Final Answer)", "text": "$13.50"},
]


@pytest.fixture
def prm_server(tmp_path: Path, serve_app) -> str:
    project = tmp_path / "project"
    project.mkdir()
    (project / "data.jsonl").write_text(
        json.dumps({"id": "t1", "text": "q", "steps": STEPS}) + "\n"
    )
    config = base_config(
        instance_display={"fields": [{"key": "steps", "type": "agent_trace"}]},
        annotation_schemes=[
            {
                "annotation_type": "process_reward",
                "name": "prm",
                "steps_key": "steps",
                "step_text_key": "text",
                "mode": "per_step",
                "allow_neutral": True,
            }
        ],
        assignment_strategy="fixed_order",
    )
    return serve_app(create_app(write_config(project, config)))


def test_process_reward_with_the_keyboard_survives_a_reload(
    page: Page, prm_server: str, violations: list[str]
) -> None:
    page.goto(prm_server + "/login")
    page.get_by_label("Username").fill("kb")
    page.get_by_role("button", name="Log in").click()
    expect_item(page, "1 of 1")
    expect(page.get_by_test_id("trace-step")).to_have_count(4)

    rows = page.get_by_test_id("step-row")
    expect(rows).to_have_count(4)
    page.locator("fieldset[data-scheme='prm']").focus()
    page.keyboard.press("j")  # first step
    expect(rows.nth(0)).to_have_class("step-row step-active")
    page.keyboard.press("1")  # correct; per-step mode moves on to the next step
    expect(rows.nth(1)).to_have_class("step-row step-active")
    page.keyboard.press("1")  # step 2 correct
    page.keyboard.press("3")  # step 3 neutral
    page.keyboard.press("3")  # step 4 neutral (the last step: stays)
    page.keyboard.press("k")  # back to step 3
    page.keyboard.press("0")  # clear it
    expect(page.locator(".step-count")).to_have_text("3 of 4 steps answered")
    page.keyboard.press("2")  # and mark it incorrect
    expect(page.locator(".step-count")).to_have_text("4 of 4 steps answered")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=10_000)

    page.reload()
    expect_item(page, "1 of 1")
    pressed = page.locator("fieldset[data-scheme='prm'] button[aria-pressed='true']")
    expect(pressed).to_have_count(4)
    values = [pressed.nth(i).get_attribute("data-step-value") for i in range(4)]
    assert values == ["1", "1", "-1", "0"]
    saved = json.loads(page.locator("input.step-data").get_attribute("value"))
    assert [s["reward"] for s in saved["steps"]] == [1, 1, -1, 0]
    assert violations == []
