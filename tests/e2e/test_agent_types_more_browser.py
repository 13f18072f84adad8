"""The newer agent types in a real Chromium, keyboard only, on their example project: GUI
steps judged with j/k and digits (the click marker placed on the screenshot), agent-graph
nodes and edges marked with Tab and Enter, contention regions labelled; everything is saved
and back after a reload, under the Content-Security-Policy."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from potato_like import create_app

from ..conftest import REPO
from .conftest import tab_to
from .test_annotate_browser import _fast_timeouts, expect_item  # noqa: F401
from .test_csp_browser import violations as violations

pytestmark = pytest.mark.e2e


@pytest.fixture
def example(tmp_path: Path, serve_app) -> str:
    shutil.copytree(REPO / "example_projects" / "agent_traces_more", tmp_path / "ex")
    return serve_app(create_app(tmp_path / "ex" / "config.yaml"))


def saved(page: Page, schema: str):
    value = page.locator(f"input.step-data[data-scheme='{schema}']").get_attribute("value")
    return json.loads(value) if value else None


def test_gui_graph_and_contention_with_the_keyboard(
    page: Page, example: str, violations: list[str]
) -> None:
    page.goto(example + "/login")
    page.get_by_label("Username").fill("kb")
    page.get_by_role("button", name="Log in").click()
    expect_item(page, "1 of 2")

    gui = page.locator("fieldset[data-scheme='gui_review']")
    marker = gui.locator(".gt-marker").first
    expect(marker).to_have_attribute("data-placed", "")  # positioned by the script
    assert marker.evaluate("m => m.style.left") == "25%"
    gui.focus()
    page.keyboard.press("j")  # step 1
    page.keyboard.press("1")  # correct
    page.keyboard.press("j")
    page.keyboard.press("j")  # step 3
    page.keyboard.press("2")  # wrong element
    expect(gui.locator(".step-count")).to_have_text("2 of 3 steps answered")

    tab_to(page, ".ag-node[data-node='Coder']")
    page.keyboard.press("Enter")
    tab_to(page, ".ag-edge[data-edge='Coder->Reviewer']")
    page.keyboard.press("Enter")
    page.keyboard.press(" ")  # critical -> problematic
    expect(page.get_by_test_id("ag-summary")).to_contain_text("Coder → Reviewer (problematic)")

    contention = page.locator("fieldset[data-scheme='contention']")
    contention.focus()
    page.keyboard.press("k")  # to the first region (Tab may have passed through the list)
    page.keyboard.press("k")
    page.keyboard.press("3")  # race condition
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=10_000)

    page.reload()
    expect_item(page, "1 of 2")
    assert [(e["index"], e["verdict"]) for e in saved(page, "gui_review")] == [
        (0, "correct"),
        (2, "wrong_element"),
    ]
    assert saved(page, "graph") == {
        "critical_nodes": ["Coder"],
        "edges": {"Coder->Reviewer": "problematic"},
    }
    assert saved(page, "contention") == {"contentions": {"0": "race_condition"}}
    expect(page.locator(".ag-node[data-node='Coder']")).to_have_attribute("aria-pressed", "true")
    expect(gui.locator("button[aria-pressed='true']")).to_have_count(2)
    assert violations == []
