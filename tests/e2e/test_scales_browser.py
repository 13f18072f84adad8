"""The scale and sorting types answered with the keyboard only in headless Chromium, on the
example project that shows them all on one page, and found again after a reload."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from potato_like import create_app

from ..conftest import base_config, write_config
from .conftest import tab_to

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "example_projects" / "scales_and_sorting"
TIMEOUT_MS = 8_000


@pytest.fixture
def example_server(tmp_path: Path, serve_app) -> str:
    work = tmp_path / "project"
    shutil.copytree(EXAMPLE, work, ignore=shutil.ignore_patterns("annotation_output"))
    config = yaml.safe_load((work / "config.yaml").read_text())
    config.update(require_password=False, admin_api_key="e2e-admin-key-000001")
    (work / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return serve_app(create_app(work / "config.yaml"))


@pytest.fixture
def card_server(tmp_path: Path, serve_app) -> str:
    rows = [
        {"id": f"c{i}", "text": "Sort these.", "cards": ["Mars ice", "Flu shot", "Jazz"]}
        for i in range(2)
    ]
    (tmp_path / "cards.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = base_config(
        "cards.jsonl",
        annotation_schemes=[
            {
                "annotation_type": "card_sort",
                "name": "sort",
                "description": "Sort the cards",
                "mode": "open",
                "groups": ["Science", "Health"],
                "items_field": "cards",
            }
        ],
    )
    return serve_app(create_app(write_config(tmp_path, config)))


def test_card_sort_by_drag_and_a_new_group(page: Page, card_server: str) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    assert page.request.post(f"{card_server}/auth", data={"username": "d"}).status in (200, 302)
    page.goto(card_server + "/annotate")
    page.wait_for_load_state("domcontentloaded")
    page.locator('li.card-sort-card[data-card="Mars ice"] .card-text').drag_to(
        page.locator('.card-sort-groups li[data-group="Science"]')
    )
    tab_to(page, 'li.card-sort-card[data-card="Jazz"] input.card-sort-new')
    page.keyboard.type("Music")
    page.keyboard.press("Tab")  # leaving the box commits the new group
    expect(page.locator('.card-sort-groups li[data-group="Music"]')).to_have_count(1)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    page.reload()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator('li[data-card="Mars ice"] select')).to_have_value("Science")
    expect(page.locator('li[data-card="Jazz"] select')).to_have_value("Music")
    expect(page.locator('li[data-card="Flu shot"] select')).to_have_value("")


def test_every_scale_type_by_keyboard_survives_a_reload(page: Page, example_server: str) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    assert page.request.post(f"{example_server}/auth", data={"username": "kb"}).status in (200, 302)
    page.goto(example_server + "/annotate")
    page.wait_for_load_state("domcontentloaded")
    keys = page.keyboard

    keys.press("r")  # triage: reject (its key)
    tab_to(page, 'input[data-scheme="quality"][data-label="accuracy"]')
    keys.press("Space")
    for _ in range(3):
        keys.press("ArrowRight")  # accuracy: 4
    tab_to(page, 'input[data-scheme="quality_confidence"]')
    keys.press("Space")
    keys.press("ArrowRight")  # confidence: 2 (Fairly sure)
    tab_to(page, 'input[data-scheme="tone"][data-label="Warm__Cold"]')
    keys.press("Space")
    keys.press("ArrowRight")  # Warm..Cold: 2
    tab_to(page, 'input[data-scheme="helpfulness"]')
    keys.press("End")  # vas: 100
    tab_to(page, 'input[data-scheme="reading_age"][data-label="range_low"]')
    keys.press("ArrowRight")
    keys.press("ArrowRight")  # low: 8
    keys.press("Tab")
    keys.press("ArrowLeft")  # high: 17
    tab_to(page, 'input[data-scheme="effort"][data-label="Explaining"]')
    keys.type("6")
    keys.press("Tab")
    keys.type("4")  # constant sum: 6 + 4 = 10
    tab_to(page, 'input[data-scheme="intent"][data-label="Advice"]')
    keys.press("End")  # soft label: Advice 100
    advice_bar = page.locator('[data-testid="points-chart-intent"] [data-chart-label="Advice"]')
    expect(advice_bar).to_have_attribute("width", "160.00")  # its chart: Advice 100 %
    tab_to(page, 'fieldset.hierarchy input[value="Genetics"]')
    keys.press("Space")  # auto_select_parent: Biology, Science too
    tab_to(page, "li.card-sort-card select")
    keys.type("w")  # first claim: Wrong
    tab_to(page, 'input[data-scheme="preferred"]')
    keys.press("2")  # conjoint: option 2 (its key)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    page.reload()
    page.wait_for_load_state("domcontentloaded")
    checked = 'input[data-scheme="{}"][data-value="{}"]'
    expect(page.locator(checked.format("usable", "reject"))).to_be_checked()
    expect(page.locator(checked.format("quality", "4")).first).to_be_checked()
    expect(page.locator('input[data-scheme="quality_confidence"][data-label="2"]')).to_be_checked()
    expect(page.locator('tr[data-row="Warm__Cold"] input[value="2"]')).to_be_checked()
    expect(page.locator('input[data-scheme="helpfulness"]')).to_have_value("100")
    expect(page.locator('input[data-label="range_low"]')).to_have_value("8")
    expect(page.locator('input[data-label="range_high"]')).to_have_value("17")
    expect(page.locator('input[data-scheme="effort"][data-label="Examples"]')).to_have_value("4")
    expect(page.locator('input[data-scheme="intent"][data-label="Advice"]')).to_have_value("100")
    expect(advice_bar).to_have_attribute("width", "160.00")
    for node in ("Science", "Biology", "Genetics"):
        expect(page.locator(f'fieldset.hierarchy input[value="{node}"]')).to_be_checked()
    expect(page.locator("li.card-sort-card select").first).to_have_value("Wrong")
    expect(page.locator(checked.format("preferred", "2"))).to_be_checked()

    iid = page.get_by_test_id("instance-id").inner_text().strip()
    got = page.request.get(f"{example_server}/get_annotations?instance_id={iid}").json()
    labels = got["label_annotations"]
    assert labels["quality"] == {"accuracy": "4"} and labels["tone"] == {"Warm__Cold": "2"}
    assert labels["topics"] == {"selected_labels": "Science,Biology,Genetics"}
    assert json.loads(labels["claims"]["claims"]) == {
        "Wrong": [page.locator("li.card-sort-card").first.get_attribute("data-card")]
    }
    assert labels["effort"] == {"Explaining": "6", "Examples": "4"}
    assert not errors, errors


def test_triage_one_key_per_item_moves_on(page: Page, live_server) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    base = live_server(items=3, schemes=[{"annotation_type": "triage", "name": "keep"}])
    assert page.request.post(f"{base}/auth", data={"username": "t"}).status in (200, 302)
    page.goto(base + "/annotate")
    for key, position in (("1", "2 of 3"), ("2", "3 of 3")):
        page.wait_for_load_state("domcontentloaded")
        page.keyboard.press(key)
        expect(page.get_by_test_id("progress")).to_have_text(position)
    got = page.request.get(f"{base}/get_annotations?instance_id=item_002").json()
    assert got["label_annotations"]["keep"] == {"decision": "reject"}
    page.goto(base + "/annotate")  # the third item: nothing chosen yet
    expect(page.locator('input[data-scheme="keep"]:checked')).to_have_count(0)
