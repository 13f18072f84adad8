"""Issue 21, point 10 at a phone's width (390 px) in a real Chromium: nothing scrolls sideways,
Submit fits on one line, a 5-point scale stays on one row, a two-row text box is not lost in
an empty box, and every control one taps is at least 24 px in both directions (WCAG 2.5.8):
buttons, options, selects, text fields and span tags."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from potato_like import create_app

from ..conftest import REPO

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
# What a finger taps: a radio or checkbox is tapped through its label (the option).
TARGETS = (
    "main button, main label.option, main select, main a, main .span-tag, "
    "main input:not([type=radio]):not([type=checkbox]):not([type=hidden]):not([type=range]), "
    "main input[type=radio]:not(label input), main input[type=checkbox]:not(label input)"
)
TOO_SMALL = """(selector) => [...document.querySelectorAll(selector)].flatMap((el) => {
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height || getComputedStyle(el).visibility === "hidden") return [];
  return r.width < 24 || r.height < 24
    ? [`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 20)}" ` +
       `${Math.round(r.width)}x${Math.round(r.height)}`]
    : [];
})"""


def open_example(name: str, tmp_path: Path, browser: Browser, serve_app: Callable) -> Page:
    work = tmp_path / name
    shutil.copytree(
        REPO / "example_projects" / name, work, ignore=shutil.ignore_patterns("annotation_output")
    )
    config = yaml.safe_load((work / "config.yaml").read_text())
    config["require_password"] = False
    config.setdefault("user_config", {})["allow_all_users"] = True
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    base = serve_app(create_app(str(work / "config.yaml")))
    page = browser.new_context(viewport=PHONE).new_page()
    assert page.request.post(base + "/auth", form={"username": "phone", "password": ""}).ok
    page.goto(base + "/annotate")
    page.wait_for_load_state("load")
    return page


def assert_fits_a_phone(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width} px wide"
    submit = page.locator("#submit-btn")
    line = submit.evaluate("b => parseFloat(getComputedStyle(b).lineHeight)")
    assert submit.bounding_box()["height"] < 2 * line + 20, "Submit wraps onto several lines"
    assert page.evaluate(TOO_SMALL, TARGETS) == []


def test_every_simple_type_fits_a_phone(
    tmp_path: Path, browser: Browser, serve_app: Callable
) -> None:
    page = open_example("all_simple_types", tmp_path, browser, serve_app)
    assert_fits_a_phone(page)
    # The 5-point scale keeps its points on one row.
    tops = page.locator("fieldset[data-scheme=urgency] label.option").evaluate_all(
        "labels => labels.map((l) => Math.round(l.getBoundingClientRect().top))"
    )
    assert len(tops) == 5 and len(set(tops)) == 1, tops
    # The two-row text box fills its question instead of floating in empty space.
    box = page.locator("fieldset[data-scheme=summary]").bounding_box()
    area = page.locator("fieldset[data-scheme=summary] textarea").bounding_box()
    assert box["height"] < area["height"] + 90, (box, area)


def test_span_tags_are_big_enough_to_tap(
    tmp_path: Path, browser: Browser, serve_app: Callable
) -> None:
    page = open_example("ner_spans", tmp_path, browser, serve_app)
    page.locator("#instance-text").focus()
    page.keyboard.press("Control+Shift+ArrowRight")
    page.locator(".span-label").first.click()
    expect(page.locator(".span-tag")).to_have_count(1)
    tag = page.locator(".span-tag").bounding_box()
    assert tag["height"] >= 24 and tag["width"] >= 24, tag
    assert_fits_a_phone(page)
