"""The fieldwork instruments answered with the keyboard only in headless Chromium, and found
again after a reload: a free list (typed items, Enter adds) and a triad test (arrow keys and
Space pick the odd one, Tab moves to the next triad)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from .conftest import tab_to
from .test_accessibility_browser import violations

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 8_000

SCHEMES = [
    {
        "annotation_type": "free_list",
        "name": "fruit",
        "description": "List fruits",
        "max_items": 10,
    },
    {
        "annotation_type": "triad_test",
        "name": "odd",
        "description": "Which is most different?",
        "labels": ["cat", "dog", "cow", "goat"],
    },
]


EGO = {
    "annotation_type": "ego_network",
    "name": "net",
    "description": "Your network",
    "stages": [
        {"type": "name_generator", "id": "discuss", "min_alters": 2},
        {
            "type": "name_interpreter",
            "id": "about",
            "questions": [{"name": "closeness", "type": "radio", "labels": ["close", "distant"]}],
        },
        {"type": "dyad_census", "id": "knows"},
        {"type": "sociogram", "id": "draw", "allow_ties": False},
    ],
}


@pytest.fixture(autouse=True)
def no_script_errors(page: Page):
    """Every test here also fails on a CSP violation or an uncaught script error."""
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield
    assert not problems, problems


def stored(page: Page, base: str, schema: str):
    iid = page.request.get(f"{base}/api/current_instance").json()["instance_id"]
    got = page.request.get(f"{base}/get_annotations?instance_id={iid}").json()
    raw = got["label_annotations"].get(schema, {}).get(schema)
    return json.loads(raw) if raw else None


def test_fieldwork_types_by_keyboard_survive_a_reload(page: Page, live_server) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    base = live_server(items=2, schemes=SCHEMES)
    assert page.request.post(f"{base}/auth", data={"username": "kb"}).status in (200, 302)
    page.goto(base + "/annotate")
    page.wait_for_load_state("domcontentloaded")

    # free list: Enter adds (and does not submit the page); a repeat is refused on the page
    tab_to(page, "input.free-list-input")
    for word in ("mango", "papaya", "Mango"):
        page.keyboard.type(word)
        page.keyboard.press("Enter")
    expect(page.locator("ol.free-list-items li")).to_have_count(2)
    expect(page.locator(".free-list-status")).to_contain_text("already on your list")
    page.keyboard.press("Control+a")
    page.keyboard.type("guava")
    page.keyboard.press("Enter")
    expect(page.locator("ol.free-list-items li")).to_have_count(3)
    # delete papaya (its button, Enter), then undo: it comes back in its place
    tab_to(page, 'button.free-list-delete[aria-label="Delete papaya"]')
    page.keyboard.press("Enter")
    expect(page.locator("ol.free-list-items li .free-list-text")).to_have_text(["mango", "guava"])
    expect(page.locator("button.free-list-undo")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("ol.free-list-items li .free-list-text")).to_have_text(
        ["mango", "papaya", "guava"]
    )

    # triad test: C(4, 3) = 4 triads; in each, ArrowRight then Space picks the second item
    triads = page.locator("fieldset.triad")
    expect(triads).to_have_count(4)
    for n in range(4):
        tab_to(page, f".triad-list > li:nth-child({n + 1}) input[type=radio]")
        if n % 2:
            page.keyboard.press("2")  # Potato's keys: 1, 2, 3 pick a position
        else:
            page.keyboard.press("Space")
            page.keyboard.press("ArrowRight")
    expect(page.locator(".triad-progress")).to_have_text("4 of 4 triads answered")
    assert violations(page) == []  # axe, with a free list and every triad answered
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    shown = [json.loads(t.get_attribute("data-items")) for t in triads.all()]

    page.reload()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("ol.free-list-items li .free-list-text")).to_have_text(
        ["mango", "papaya", "guava"]
    )
    value = stored(page, base, "fruit")
    assert value["items"] == ["mango", "papaya", "guava"]
    assert value["timings_ms"] == sorted(value["timings_ms"]) and value["timings_ms"][0] >= 0
    answer = stored(page, base, "odd")
    assert [t[:3] for t in answer["triads"]] == shown
    assert [t[3] for t in answer["triads"]] == [t[1] for t in shown]
    for n, t in enumerate(shown):
        expect(triads.nth(n).locator(f'input[value="{t[1]}"]')).to_be_checked()


def test_ego_network_by_keyboard_survives_a_reload(page: Page, live_server) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    base = live_server(items=1, schemes=[EGO])
    assert page.request.post(f"{base}/auth", data={"username": "kb2"}).status in (200, 302)
    page.goto(base + "/annotate")
    page.wait_for_load_state("domcontentloaded")
    tab_to(page, "input.ego-entry")
    for name in ("Ann", "Bo", "Cy"):
        page.keyboard.type(name)
        page.keyboard.press("Enter")
    expect(page.locator("ul.ego-alters li")).to_have_count(3)
    # stage_layout: steps (Potato's default) shows one stage at a time
    expect(page.locator('section[data-stage="about"]')).to_be_hidden()
    tab_to(page, "button.ego-next")
    page.keyboard.press("Enter")
    expect(page.locator(".ego-step-label")).to_have_text("Step 2 of 4: About each person")
    # closeness per person: Tab to the person's first radio, Space picks it
    for alter in ("a1", "a2", "a3"):
        tab_to(page, f'fieldset.ego-person[data-alter="{alter}"] input[type=radio]')
        page.keyboard.press("Space")
    # census: Ann-Bo yes (Space on the first radio), the other pairs no (ArrowRight)
    tab_to(page, "button.ego-next")
    page.keyboard.press("Enter")
    for pair, key in (("a1|a2", "Space"), ("a1|a3", "ArrowRight"), ("a2|a3", "ArrowRight")):
        tab_to(page, f'fieldset[data-pair="{pair}"] input[type=radio]')
        page.keyboard.press(key)
    tab_to(page, "button.ego-next")
    page.keyboard.press("Enter")
    expect(page.locator("svg.ego-sociogram line[data-tie]")).to_have_count(1)
    # move Ann on the sociogram with the arrow keys (she starts at the top of the circle)
    tab_to(page, 'g.ego-node[data-alter="a1"]')
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator('circle[data-alter="a1"]')).to_have_attribute("cy", "-0.64")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    page.reload()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("ul.ego-alters li span")).to_have_text(["Ann", "Bo", "Cy"])
    tab_to(page, "button.ego-next")
    for _ in range(3):
        page.keyboard.press("Enter")  # the focus stays on Next
    expect(page.locator(".ego-step-label")).to_have_text("Step 4 of 4: Your network")
    expect(page.locator("svg.ego-sociogram line[data-tie='a1|a2']")).to_have_count(1)
    expect(page.locator("svg.ego-sociogram circle[data-alter]")).to_have_count(3)
    expect(page.locator("svg.ego-sociogram circle.ego-ring")).to_have_count(3)  # rings: 3
    assert violations(page) == []  # axe, with people, ties and movable nodes on the page
    expect(page.locator('fieldset[data-pair="a1|a3"] input[value="false"]')).to_be_checked()
    value = stored(page, base, "net")
    assert [a["name"] for a in value["alters"]] == ["Ann", "Bo", "Cy"]
    assert value["ties"] == [["a1", "a2"]]
    assert value["census"] == {"a1|a2": True, "a1|a3": False, "a2|a3": False}
    assert value["attributes"]["a3"] == {"closeness": "close"}
    assert value["positions"] == {"a1": [0.5, 0.18]}
    expect(page.locator('circle[data-alter="a1"]')).to_have_attribute("cy", "-0.64")


def test_interlinear_gloss_by_keyboard_shows_problems_and_survives_a_reload(
    page: Page, tmp_path, serve_app
) -> None:
    from potato_like import create_app

    from ..conftest import base_config, write_config

    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    (tmp_path / "s.jsonl").write_text(
        json.dumps({"id": "s1", "text": "Odada çocuklar var."}) + "\n"
    )
    scheme = {"annotation_type": "interlinear_gloss", "name": "igt", "description": "Gloss it"}
    base = serve_app(
        create_app(write_config(tmp_path, base_config("s.jsonl", annotation_schemes=[scheme])))
    )
    assert page.request.post(f"{base}/auth", data={"username": "kb3"}).status in (200, 302)
    page.goto(base + "/annotate")
    page.wait_for_load_state("domcontentloaded")
    cells = [("oda-da", "room-LOC-X"), ("çocuk-lar", "child-PL"), ("var", "existent")]
    for n, (morphemes, gloss) in enumerate(cells, start=1):
        tab_to(page, f"#s-igt-w{n}-m")
        page.keyboard.press("Control+a")
        page.keyboard.type(morphemes)
        page.keyboard.press("Tab")
        page.keyboard.type(gloss)
    problems = page.locator(".igt-problems li")
    expect(problems).to_have_count(1)
    expect(problems).to_contain_text("word 1 “Odada”: segmentation has 1 boundary (-), gloss has 2")
    assert violations(page) == []  # axe, with a problem shown
    expect(page.locator("li.igt-word.igt-bad")).to_have_count(1)
    tab_to(page, "#s-igt-w1-g")
    page.keyboard.press("End")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    expect(problems).to_have_count(0)
    tab_to(page, "input.igt-translation")
    page.keyboard.type("There are children in the room.")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    page.reload()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("#s-igt-w1-g")).to_have_value("room-LOC")
    expect(page.locator("input.igt-translation")).to_have_value("There are children in the room.")
    value = stored(page, base, "igt")
    assert [(w["morphemes"], w["gloss"]) for w in value["words"]] == [
        ("oda-da", "room-LOC"),
        ("çocuk-lar", "child-PL"),
        ("var", "existent"),
    ]
