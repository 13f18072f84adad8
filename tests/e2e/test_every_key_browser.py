"""Every key of the shortcut legend on every example project's annotation page (issue 21,
point 5), in a real Chromium: each label key picks its label (a checkbox's key toggles it),
and is saved; → then goes to the next item and ← comes back with the answers kept; `?` opens
and closes the legend; Ctrl+Z undoes the last pick.

"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from potato_like import create_app

from ..conftest import REPO

pytestmark = pytest.mark.e2e

# The examples whose first item has label keys. The others start with a study step (consent)
# or use types whose keys belong to the type (spans, images, media, traces, ranking, review
# tools): their own browser tests press those.
EXAMPLES = (
    "all_simple_types",
    "best_worst_scaling",
    "item_displays",
    "llm_preference",
    "mace_demo",
    "mturk_hit",
    "multi_annotator",
    "scales_and_sorting",
    "sentiment",
    "audio_segments",
)
# The label keys on the page, in page order, each with what it answers: keys shared by two
# questions go to the question worked on last, so only a key's first owner is checked here.
KEYED = """() => {
  const seen = new Map();
  for (const input of document.querySelectorAll("#annotation-form fieldset.scheme input[data-key]")) {
    if (input.closest("[hidden]") || !input.offsetParent) continue;
    if (!seen.has(input.dataset.key)) seen.set(input.dataset.key, input.id || null);
  }
  return [...seen.keys()];
}"""


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
    page = browser.new_context().new_page()
    page.set_default_timeout(8_000)
    assert page.request.post(base + "/auth", form={"username": "keys", "password": ""}).ok
    page.goto(base + "/annotate")
    page.wait_for_load_state("load")
    return page


def checked_with_key(page: Page, key: str) -> list[bool]:
    return page.locator(f"#annotation-form input[data-key='{key}']").evaluate_all(
        "inputs => inputs.map((i) => i.checked)"
    )


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_key_on_the_example(
    name: str, tmp_path: Path, browser: Browser, serve_app: Callable
) -> None:
    page = open_example(name, tmp_path, browser, serve_app)
    keys = page.evaluate(KEYED)
    assert keys, f"{name}: no label keys on its first item"
    progress = page.get_by_test_id("progress")
    position = progress.inner_text()
    saved = page.get_by_test_id("save-state")

    for key in keys:
        before = checked_with_key(page, key)
        page.keyboard.press(key)
        after = checked_with_key(page, key)
        assert after != before or any(after), f"{name}: key {key!r} answered nothing"
        expect(saved).to_have_text(re.compile(r"^Saved"))
        expect(progress).to_have_text(position)  # a label key never leaves the item
    if not re.fullmatch("Saved", saved.inner_text()):
        # Every key in turn can make a pair the server refuses (best = worst in a tuple): the
        # first key again gives a valid item, as a person would make it.
        page.keyboard.press(keys[0])
        expect(saved).to_have_text("Saved")
    answers = {key: checked_with_key(page, key) for key in keys}

    # ? opens the legend and closes it again.
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_hidden()

    # → goes on (the last picked input has the focus: arrows are not its own), ← comes back.
    total = int(position.split(" of ")[1])
    if total > 1:
        with page.expect_navigation():
            page.keyboard.press("ArrowRight")
        expect(progress).not_to_have_text(position)
        with page.expect_navigation():
            page.keyboard.press("ArrowLeft")
        expect(progress).to_have_text(position)
        assert {key: checked_with_key(page, key) for key in keys} == answers

    # Ctrl+Z undoes the last pick.
    with page.expect_navigation():
        page.keyboard.press("Control+z")
    expect(progress).to_have_text(position)
    undone = {key: checked_with_key(page, key) for key in keys}
    assert undone != answers, f"{name}: undo changed nothing"
