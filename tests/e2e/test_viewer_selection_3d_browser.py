"""viewer_selection's 3-D view in Chromium: residues found under the pointer in the three.js
view are clicked (His57) and Shift+clicked (a range to Gly59); the sequence view and the saved
answer follow, the sequence's keys drive the 3-D view and the 3-D view's keys move the shared
cursor and select; after a reload both views show the selection."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from .test_annotate_browser import browser_errors, register_via_api  # noqa: F401
from .test_viewer_selection_browser import items, server  # noqa: F401

pytestmark = pytest.mark.e2e

# Hover every 6th pixel of the canvas and note where each residue is picked.
SCAN = """canvas => {
  const r = canvas.getBoundingClientRect();
  const found = {};
  for (let y = 3; y < r.height; y += 6) for (let x = 3; x < r.width; x += 6) {
    canvas.dispatchEvent(new PointerEvent("pointermove", {clientX: r.left + x, clientY: r.top + y, bubbles: true}));
    const h = canvas.dataset.hover;
    if (h && !(h in found)) found[h] = [r.left + x, r.top + y];
  }
  return found;
}"""


def test_click_residues_in_3d(page: Page, server: str, browser_errors: list[str]) -> None:  # noqa: F811
    register_via_api(page, server, "structural")
    page.goto(server + "/annotate")
    view = page.get_by_test_id("viewer-3d-site")
    expect(view).to_have_attribute("data-ready", "1", timeout=15_000)
    expect(view).to_have_attribute("data-selected", "0")
    spots = view.evaluate(SCAN)
    where = view.bounding_box()
    assert {"A HIS 57", "A GLY 59", "B CYS 2"} <= set(spots), spots
    page.mouse.click(*spots["A HIS 57"])
    seq = page.get_by_test_id("viewer-sequence-site")
    expect(seq.locator(".vs-res.vs-on")).to_have_count(1)
    expect(seq.locator(".vs-res.vs-on")).to_have_attribute("data-resi", "57")
    expect(seq.locator(".vs-res.vs-cursor")).to_have_attribute("data-resi", "57")
    expect(view).to_have_attribute("data-cursor", "A HIS 57")
    assert view.bounding_box() == where  # selecting does not scroll the page
    page.keyboard.down("Shift")
    page.mouse.click(*spots["A GLY 59"])
    page.keyboard.up("Shift")
    expect(seq.locator(".vs-res.vs-on")).to_have_count(3)
    expect(view).to_have_attribute("data-selected", "3")
    # the sequence view drives the 3-D view too: Space on the cursor (A59) clears it
    seq.focus()
    page.keyboard.press(" ")
    expect(view).to_have_attribute("data-selected", "2")
    # and the 3-D view's own keys: "." moves the shared cursor to A60, Space selects it
    view.focus()
    page.keyboard.press(".")
    expect(view).to_have_attribute("data-cursor", "A SER 60")
    expect(seq.locator(".vs-res.vs-cursor")).to_have_attribute("data-resi", "60")
    page.keyboard.press(" ")
    expect(view).to_have_attribute("data-selected", "3")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=10_000)

    page.reload()
    expect(view).to_have_attribute("data-ready", "1", timeout=15_000)
    assert items(page) == [
        ("A", 57, "HIS", "binding site"),
        ("A", 58, "LEU", "binding site"),
        ("A", 60, "SER", "binding site"),
    ]
    expect(seq.locator(".vs-res.vs-on")).to_have_count(3)
    expect(view).to_have_attribute("data-selected", "3")
    # a click on a selected residue in 3-D clears it
    spots = view.evaluate(SCAN)
    page.mouse.click(*spots["A HIS 57"])
    expect(seq.locator(".vs-res.vs-on")).to_have_count(2)
    raw = page.locator("[data-testid=viewer-site] input[type=hidden]").input_value()
    assert [i["resi"] for i in json.loads(raw)["items"]] == [58, 60]
    assert not browser_errors, browser_errors
