"""Issue 21, point 6 in a real Chromium: keyboard span selection shows a caret, a new span is
not left selected (the next label key must not relabel it), and Ctrl+Z / Ctrl+Shift+Z undo and
redo changes on the item for any type, stored on the server and shown after the reload."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from potato_like import create_app

from ..conftest import base_config, radio, write_config
from .test_annotate_browser import browser_errors, expect_item, register_via_api  # noqa: F401

pytestmark = pytest.mark.e2e

TEXT = "Ada Lovelace lived in London."
SPANS = [
    {
        "annotation_type": "span",
        "name": "entities",
        "description": "Mark people and places",
        "labels": ["PERSON", "LOCATION"],
    }
]


def caret_offset(page: Page) -> int | None:
    caret = page.get_by_test_id("span-caret")
    if caret.evaluate("c => c.hidden"):
        return None
    return int(caret.get_attribute("data-offset"))


def stored_spans(page: Page, base: str) -> list[tuple[str, str]]:
    spans = page.request.get(f"{base}/api/spans/t1").json()["spans"]
    return [(s["label"], s["text"]) for s in spans]


def test_caret_deselect_and_undo_redo_of_spans(
    page: Page,
    tmp_path,
    serve_app: Callable,
    browser_errors: list[str],  # noqa: F811
) -> None:
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "t1", "text": TEXT}) + "\n")
    base = serve_app(create_app(write_config(tmp_path, base_config(annotation_schemes=SPANS))))
    page.set_default_timeout(8_000)
    register_via_api(page, base, "kay")
    page.goto(base + "/annotate")
    expect_item(page, "1 of 1")

    # The caret shows where a keyboard selection starts, and moves by word.
    page.locator("#instance-text").focus()
    assert caret_offset(page) == 0
    page.keyboard.press("Control+ArrowRight")
    page.keyboard.press("Control+ArrowRight")
    assert caret_offset(page) == len("Ada Lovelace")
    page.keyboard.press("Control+ArrowRight")  # after "lived"
    page.keyboard.press("Control+ArrowRight")  # after "in"
    page.keyboard.press("Control+Shift+ArrowRight")  # " London", trimmed
    assert caret_offset(page) is None  # a selection hides the caret

    # LOCATION by its key; the span is not left selected, so PERSON's key changes nothing.
    page.keyboard.press("2")
    spans = page.get_by_test_id("span-list-entities")
    expect(spans).to_contain_text("LOCATION “London”")
    expect(page.locator(".span-tag.selected")).to_have_count(0)
    page.keyboard.press("1")
    expect(spans.locator("li")).to_have_count(1)
    expect(spans).to_contain_text("LOCATION “London”")
    assert caret_offset(page) == len("Ada Lovelace lived in London")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    assert stored_spans(page, base) == [("LOCATION", "London")]

    # Undo removes it on the server and on the page; redo brings it back.
    page.locator("#instance-text").focus()
    with page.expect_navigation():
        page.keyboard.press("Control+z")
    expect_item(page, "1 of 1")
    expect(spans.locator("li")).to_have_count(0)
    assert stored_spans(page, base) == []
    with page.expect_navigation():
        page.keyboard.press("Control+Shift+z")
    expect(spans).to_contain_text("LOCATION “London”")
    assert stored_spans(page, base) == [("LOCATION", "London")]
    assert browser_errors == []


def test_undo_and_redo_answers_of_choice_and_text_questions(
    page: Page,
    live_server: Callable[..., str],
    browser_errors: list[str],  # noqa: F811
) -> None:
    base = live_server(
        items=2,
        schemes=[
            radio("sentiment", ["positive", "negative"], sequential_key_binding=True),
            {"annotation_type": "text", "name": "note", "description": "Note"},
        ],
    )
    page.set_default_timeout(8_000)
    register_via_api(page, base, "lee")
    page.goto(base + "/annotate")
    iid = expect_item(page, "1 of 2")
    saved = page.get_by_test_id("save-state")

    def stored() -> dict:
        answer = page.request.get(f"{base}/get_annotations", params={"instance_id": iid})
        return answer.json()["label_annotations"]

    page.keyboard.press("Control+z")
    expect(saved).to_have_text("Nothing to undo")
    page.keyboard.press("1")
    expect(saved).to_have_text("Saved")
    page.locator("input[name='note:text_box']").fill("first thought")
    expect(saved).to_have_text("Saved")
    page.locator("body").click(position={"x": 5, "y": 5})  # out of the text box
    page.keyboard.press("2")
    expect(saved).to_have_text("Saved")
    assert stored() == {"sentiment": {"negative": "1"}, "note": {"text_box": "first thought"}}

    radios = page.locator("input[name='sentiment']")
    for expected_checked, expected_note in (("positive", "first thought"), ("positive", "")):
        with page.expect_navigation():
            page.keyboard.press("Control+z")
        expect_item(page, "1 of 2")
        expect(page.locator(f"input[data-label='{expected_checked}']")).to_be_checked()
        expect(page.locator("input[name='note:text_box']")).to_have_value(expected_note)
    with page.expect_navigation():
        page.keyboard.press("Control+z")
    expect_item(page, "1 of 2")
    for index in range(2):
        expect(radios.nth(index)).not_to_be_checked()
    assert stored() == {}

    # Redo walks forward again; a new change then drops what was ahead.
    with page.expect_navigation():
        page.keyboard.press("Control+Shift+z")
    expect(page.locator("input[data-label='positive']")).to_be_checked()
    page.keyboard.press("2")
    expect(saved).to_have_text("Saved")
    page.keyboard.press("Control+Shift+z")
    expect(saved).to_have_text("Nothing to redo")
    assert stored() == {"sentiment": {"negative": "1"}}
    assert browser_errors == []
