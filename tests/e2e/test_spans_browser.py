"""Span annotation in a real Chromium: select text with the mouse and with the keyboard,
label it, link two spans, reload and find everything again, with offsets counted in code
points although an emoji (two UTF-16 units) comes first."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from potato_like import create_app

from ..conftest import base_config, write_config
from .test_annotate_browser import browser_errors, register_via_api  # noqa: F401

pytestmark = pytest.mark.e2e

TEXT = "😀 Barack Obama flew to 東京 today."
SECOND = "😀x😀 and 👍🏽 end."  # emoji (surrogate pairs) at both edges of a span
SCHEMES = [
    {
        "annotation_type": "span",
        "name": "entities",
        "description": "Mark people and places",
        "labels": [{"name": "PERSON", "color": "#3b82f6"}, "LOCATION"],
    },
    {
        "annotation_type": "span_link",
        "name": "relations",
        "description": "Who went where",
        "span_schema": "entities",
        "link_types": [
            {
                "name": "TRAVELLED_TO",
                "directed": True,
                "allowed_source_labels": ["PERSON"],
                "allowed_target_labels": ["LOCATION"],
            }
        ],
    },
]


@pytest.fixture
def span_server(tmp_path, serve_app) -> str:
    with (tmp_path / "data.jsonl").open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "s1", "text": TEXT}, ensure_ascii=False) + "\n")
        fh.write(json.dumps({"id": "s2", "text": SECOND}, ensure_ascii=False) + "\n")
    config = base_config(annotation_schemes=SCHEMES)
    return serve_app(create_app(write_config(tmp_path, config)))


def drag_select(page: Page, phrase: str) -> None:
    """Select `phrase` in the item text with the mouse (press, move, release)."""
    box = page.evaluate(
        """(phrase) => {
            const text = document.getElementById("instance-text");
            const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(phrase);
                if (at < 0) continue;
                const r = document.createRange();
                r.setStart(node, at); r.setEnd(node, at + 1);
                const first = r.getBoundingClientRect();
                r.setStart(node, at + phrase.length - 1); r.setEnd(node, at + phrase.length);
                const last = r.getBoundingClientRect();
                return {x1: first.left + 1, y1: first.top + first.height / 2,
                        x2: last.right - 1, y2: last.top + last.height / 2};
            }
            return null;
        }""",
        phrase,
    )
    assert box, f"{phrase!r} not found in the text"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=4)
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()


def test_select_label_link_and_reload(
    page: Page,
    span_server: str,
    browser_errors: list[str],  # noqa: F811
) -> None:
    page.set_default_timeout(5_000)
    base = span_server
    register_via_api(page, base, "erin")
    page.goto(base + "/annotate")
    expect(page.get_by_test_id("progress")).to_have_text("1 of 2")
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("#instance-text")).to_have_text(TEXT)

    # Mouse: select "Barack Obama", press PERSON's key.
    drag_select(page, "Barack Obama")
    page.keyboard.press("1")
    spans = page.get_by_test_id("span-list-entities")
    expect(spans.locator("li")).to_have_count(1)
    expect(spans).to_contain_text("PERSON “Barack Obama”")

    # Keyboard: Ctrl+→ moves the caret by word, Ctrl+Shift+→ selects; then LOCATION by click.
    page.locator("#instance-text").focus()
    page.keyboard.press("Control+ArrowRight")
    page.keyboard.press("Control+ArrowRight")
    page.keyboard.press("Control+Shift+ArrowRight")
    page.get_by_role("button", name="LOCATION").click()
    expect(spans.locator("li")).to_have_count(2)
    expect(spans).to_contain_text("LOCATION “東京”")
    expect(page.locator(".span-tag")).to_have_count(2)

    # Link them: choose the relation, click both tags (source first), add.
    page.get_by_role("button", name="TRAVELLED_TO").click()
    page.locator('.span-tag[data-label="PERSON"]').click()
    page.locator('.span-tag[data-label="LOCATION"]').click()
    page.get_by_role("button", name="Add link").click()
    links = page.get_by_test_id("link-list-relations")
    expect(links).to_contain_text("TRAVELLED_TO: PERSON “Barack Obama” → LOCATION “東京”")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    # The server has code-point offsets (the emoji counts once).
    stored = page.request.get(f"{base}/api/spans/s1").json()["spans"]
    assert [(s["label"], s["start"], s["end"], s["text"]) for s in stored] == [
        ("PERSON", 2, 14, "Barack Obama"),
        ("LOCATION", 23, 25, "東京"),
    ]
    assert len(page.request.get(f"{base}/api/links/s1").json()["links"]) == 1

    # Reload: spans and link come back, drawn in the text.
    page.reload()
    expect(page.get_by_test_id("progress")).to_have_text("1 of 2")
    expect(spans.locator("li")).to_have_count(2)
    expect(links).to_contain_text("TRAVELLED_TO: PERSON “Barack Obama” → LOCATION “東京”")
    expect(page.locator(".piece.marked")).to_have_count(2)
    expect(page.locator("#instance-text")).to_have_text(TEXT)

    # Select a span by its tag and delete it with the keyboard: its link goes too.
    page.locator('.span-tag[data-label="LOCATION"]').click()
    page.keyboard.press("Delete")
    expect(spans.locator("li")).to_have_count(1)
    expect(links.locator("li")).to_have_count(0)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    assert page.request.get(f"{base}/api/links/s1").json()["links"] == []
    assert browser_errors == []


def test_keyboard_selection_with_emoji_at_both_edges(
    page: Page,
    span_server: str,
    browser_errors: list[str],  # noqa: F811
) -> None:
    page.set_default_timeout(5_000)
    base = span_server
    register_via_api(page, base, "emma")
    page.goto(base + "/annotate")
    expect(page.get_by_test_id("progress")).to_have_text("1 of 2")
    page.wait_for_load_state("domcontentloaded")  # the page's key handlers are bound
    page.keyboard.press("ArrowRight")  # plain arrows change items
    expect(page.get_by_test_id("progress")).to_have_text("2 of 2")
    expect(page.locator("#instance-text")).to_have_text(SECOND)
    page.wait_for_load_state("domcontentloaded")
    page.locator("#instance-text").focus()
    for _ in range(3):  # three code points: 😀 x 😀 (five UTF-16 units)
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("1")  # at once: before the browser's selectionchange event
    spans = page.get_by_test_id("span-list-entities")
    expect(spans).to_contain_text("PERSON “😀x😀”")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    stored = page.request.get(f"{base}/api/spans/s2").json()["spans"]
    assert [(s["start"], s["end"], s["text"]) for s in stored] == [(0, 3, "😀x😀")]
    page.reload()
    expect(spans).to_contain_text("PERSON “😀x😀”")
    expect(page.locator("#instance-text")).to_have_text(SECOND)
    assert browser_errors == []


def test_multi_span_mode_marks_the_second_field_by_keyboard(
    page: Page,
    tmp_path,
    serve_app,
    browser_errors: list[str],  # noqa: F811
) -> None:
    """Potato's multi-span example shape: premise and hypothesis both `span_target`; a span
    made with the keyboard on the hypothesis is stored with `target_field` and its own
    offsets, and is drawn on that field again after a reload."""
    row = {"id": "p1", "premise": "The cat sat.", "hypothesis": "An animal rests."}
    (tmp_path / "data.jsonl").write_text(json.dumps(row) + "\n")
    fields = [
        {"key": k, "type": "text", "label": k.title(), "span_target": True}
        for k in ("premise", "hypothesis")
    ]
    config = base_config(
        annotation_schemes=[{"annotation_type": "span", "name": "align", "labels": ["MATCH"]}],
        item_properties={"id_key": "id", "text_key": "premise"},
        instance_display={"fields": fields},
    )
    base = serve_app(create_app(write_config(tmp_path, config)))
    register_via_api(page, base, "mia")
    page.goto(base + "/annotate")
    hypothesis = page.get_by_test_id("span-field-hypothesis")
    expect(hypothesis).to_have_text("An animal rests.")
    hypothesis.focus()
    page.keyboard.press("Control+ArrowRight")  # after "An"
    page.keyboard.press("Control+Shift+ArrowRight")  # " animal"
    page.keyboard.press("1")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    stored = page.request.get(f"{base}/api/spans/p1").json()["spans"]
    assert [(s["target_field"], s["start"], s["end"], s["text"]) for s in stored] == [
        ("hypothesis", 3, 9, "animal")
    ]
    page.reload()
    expect(hypothesis.locator(".span-tag")).to_have_count(1)
    expect(page.locator("#instance-text .span-tag")).to_have_count(0)
    assert browser_errors == []
