"""Arcs of span_link and event_annotation (visual_display) in a real Chromium: spans marked
and linked with the keyboard only (select the source tag, Shift+1, select the target tag),
the arc drawn between the two spans above the text, laid out again when the window narrows
and the text wraps, and drawn again after a reload; and span `bad_text_label`'s checkbox by keyboard."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from potato_like import create_app

from ..conftest import base_config, write_config
from .conftest import tab_to
from .test_annotate_browser import browser_errors, register_via_api  # noqa: F401

pytestmark = pytest.mark.e2e

TEXT = "Ada Lovelace wrote notes on the engine and later visited London with friends."
SCHEMES = [
    {
        "annotation_type": "span",
        "name": "entities",
        "description": "People and places",
        "labels": ["PERSON", "LOCATION"],
        "bad_text_label": {"label_content": "Nothing to mark here"},
    },
    {
        "annotation_type": "span_link",
        "name": "relations",
        "description": "Who went where",
        "span_schema": "entities",
        "link_types": [
            {"name": "KNOWS", "color": "#16a34a"},
            {"name": "VISITED", "directed": True, "color": "#dc2626"},
        ],
        "visual_display": {"enabled": True, "arc_position": "above", "show_labels": True},
    },
]

# Where the arc's ends are, and where the two spans' first pieces are (page coordinates).
GEOMETRY = """() => {
    const path = document.querySelector(".arc-layer .arc path");
    if (!path) return null;
    const layer = document.querySelector(".arc-layer").getBoundingClientRect();
    const len = path.getTotalLength();
    const a = path.getPointAtLength(0), b = path.getPointAtLength(len);
    const box = (label) => {
        const tag = document.querySelector(`.span-tag[data-label="${label}"]`);
        let piece = tag.previousElementSibling;
        while (piece && !piece.classList.contains("marked")) piece = piece.previousElementSibling;
        return piece.getClientRects()[0];
    };
    const p = box("PERSON"), l = box("LOCATION");
    return {
        start: [layer.left + a.x, layer.top + a.y], end: [layer.left + b.x, layer.top + b.y],
        person: [p.left, p.right, p.top], location: [l.left, l.right, l.top],
        label: document.querySelector(".arc-layer .arc-label").textContent,
        head: path.getAttribute("marker-end"),
    };
}"""


def assert_arc_joins_the_spans(page: Page) -> dict:
    g = page.evaluate(GEOMETRY)
    assert g is not None, "no arc drawn"
    for end, span in (("start", "person"), ("end", "location")):
        x, y = g[end]
        left, right, top = g[span]
        assert left <= x <= right, (end, g)  # over the span ...
        assert abs(y - top) <= 2, (end, g)  # ... meeting its top: the arc is above the text
    assert g["label"] == "VISITED" and g["head"]  # labelled, with an arrowhead (directed)
    return g


@pytest.fixture
def arcs_server(tmp_path, serve_app) -> str:
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "a1", "text": TEXT}) + "\n")
    return serve_app(create_app(write_config(tmp_path, base_config(annotation_schemes=SCHEMES))))


def test_link_with_the_keyboard_and_see_its_arc(
    page: Page,
    arcs_server: str,
    browser_errors: list[str],  # noqa: F811
) -> None:
    page.set_default_timeout(5_000)
    page.set_viewport_size({"width": 1200, "height": 800})
    base = arcs_server
    register_via_api(page, base, "ada")
    page.goto(base + "/annotate")
    expect(page.locator("#instance-text")).to_have_text(TEXT)

    # Keyboard: select "Ada Lovelace" word by word, PERSON (1); then "London", LOCATION (2).
    page.locator("#instance-text").focus()
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press("1")
    for _ in range(8):  # the caret to the end of "visited"
        page.keyboard.press("Control+ArrowRight")
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press("2")
    spans = page.get_by_test_id("span-list-entities")
    expect(spans).to_contain_text("PERSON “Ada Lovelace”")
    expect(spans).to_contain_text("LOCATION “London”")
    page.keyboard.press("Escape")

    # Link: the source's tag (Tab, Enter), Shift+2 (VISITED), the target's tag (Tab, Enter).
    tab_to(page, '.span-tag[data-label="PERSON"]')
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Digit2")
    tab_to(page, '.span-tag[data-label="LOCATION"]')
    page.keyboard.press("Enter")
    links = page.get_by_test_id("link-list-relations")
    expect(links).to_contain_text("VISITED: PERSON “Ada Lovelace” → LOCATION “London”")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    stored = page.request.get(f"{base}/api/links/a1").json()["links"]
    assert [(x["link_type"], x["direction"]) for x in stored] == [("VISITED", "directed")]

    expect(page.locator(".arc-layer .arc")).to_have_count(1)
    wide = assert_arc_joins_the_spans(page)

    # A narrow window wraps the text anew: the arc follows "London" to its new place.
    page.set_viewport_size({"width": 420, "height": 800})
    page.wait_for_function(
        "(top) => { const t = document.querySelectorAll('.piece.marked');"
        " return t[t.length - 1].getClientRects()[0].top !== top; }",
        arg=wide["location"][2],
    )
    page.wait_for_timeout(200)  # the relayout runs on the next animation frame
    narrow = assert_arc_joins_the_spans(page)
    assert narrow["location"] != wide["location"] and narrow["end"] != wide["end"]

    # Reload: the link and its arc come back.
    page.reload()
    expect(links).to_contain_text("VISITED: PERSON “Ada Lovelace” → LOCATION “London”")
    expect(page.locator(".arc-layer .arc")).to_have_count(1)
    assert_arc_joins_the_spans(page)
    # The text itself is still exactly the item text (the layer is beside it, not in it).
    expect(page.locator("#instance-text")).to_have_text(TEXT)

    # bad_text_label's checkbox by keyboard: kept with the spans, checked after a reload.
    tab_to(page, 'input[data-scheme="entities"][data-label="bad_text"]')
    page.keyboard.press("Space")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    page.reload()
    expect(page.locator('input[data-label="bad_text"]')).to_be_checked()
    expect(page.get_by_label("Nothing to mark here")).to_be_checked()
    got = page.request.get(f"{base}/get_annotations?instance_id=a1").json()
    assert got["label_annotations"] == {"entities": {"bad_text": "1"}}
    assert len(page.request.get(f"{base}/api/spans/a1").json()["spans"]) == 2
    assert browser_errors == []


def test_event_arcs_go_from_the_trigger_to_each_argument(page: Page, tmp_path, serve_app) -> None:
    text = "Ada met Charles in London."
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "e1", "text": text}) + "\n")
    schemes = [
        SCHEMES[0],
        {
            "annotation_type": "event_annotation",
            "name": "events",
            "span_schema": "entities",
            "event_types": [
                {
                    "type": "MEET",
                    "color": "#7c3aed",
                    "arguments": [{"role": "who"}, {"role": "where"}],
                }
            ],
            "visual_display": {"arc_position": "below"},
        },
    ]
    app = create_app(write_config(tmp_path, base_config(annotation_schemes=schemes)))
    # the answer saved through the API by the same annotator the browser logs in as
    client = app.test_client()
    assert client.post("/auth", data={"username": "eve"}).status_code in (200, 302)
    client.get("/api/current_instance")
    spans = [
        {"id": "t", "label": "PERSON", "start": 4, "end": 7},  # "met" as the trigger
        {"id": "a", "label": "PERSON", "start": 8, "end": 15},
        {"id": "b", "label": "LOCATION", "start": 19, "end": 25},
    ]
    event = {
        "id": "ev1",
        "event_type": "MEET",
        "trigger_span_id": "t",
        "arguments": [{"role": "who", "span_id": "a"}, {"role": "where", "span_id": "b"}],
    }
    body = {
        "instance_id": "e1",
        "span_annotations": {"entities": spans},
        "event_annotations": {"events": [event]},
    }
    r = client.post("/updateinstance", json=body)
    assert r.status_code == 200, r.json
    base = serve_app(app)
    page.request.post(f"{base}/auth", data={"username": "eve"})
    page.goto(base + "/annotate")
    arcs = page.locator(".arc-layer .arc")
    expect(arcs).to_have_count(2)
    labels = sorted(page.locator(".arc-layer .arc-label").all_text_contents())
    assert labels == ["MEET: where", "MEET: who"]
    # below the text: each end meets the bottom of its span's piece
    ends = page.evaluate(
        """() => [...document.querySelectorAll('.arc-layer .arc')].map((g) => {
            const path = g.querySelector('path');
            const layer = document.querySelector('.arc-layer').getBoundingClientRect();
            const p = path.getPointAtLength(path.getTotalLength());
            const piece = [...document.querySelectorAll('.piece')].find(
                (x) => x.textContent === (g.dataset.to === 'a' ? 'Charles' : 'London'));
            return [layer.top + p.y, piece.getClientRects()[0].bottom];
        })"""
    )
    for end_y, bottom in ends:
        assert abs(end_y - bottom) <= 2
