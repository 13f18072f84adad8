"""The corpus map page in Chromium: the map is built in the background at start, the page
waits for it and draws every document; keyboard only, an arrow key chooses a document (its
similar documents are listed) and Enter lands on that document's annotation page."""

from __future__ import annotations

import json
import random

import pytest

from potato_like import create_app
from tests.conftest import base_config, write_config
from tests.e2e.conftest import tab_to

pytestmark = pytest.mark.e2e

WORDS = {
    "sport": ["football", "goal", "match", "team", "striker", "league", "coach", "stadium"],
    "cook": ["recipe", "oven", "flour", "butter", "sugar", "bake", "dough", "garlic"],
    "space": ["planet", "telescope", "orbit", "galaxy", "star", "comet", "nebula", "moon"],
}


def test_keyboard_choice_on_the_map_opens_that_document(tmp_path, serve_app, page):
    rng = random.Random(5)
    rows = [
        {"id": f"{name}_{i}", "text": " ".join(rng.choice(words) for _ in range(8))}
        for name, words in WORDS.items()
        for i in range(4)
    ]
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = base_config(
        assignment_strategy="fixed_order",
        corpus_map={"enabled": True, "knn": {"k": 3}, "clustering": {"num_clusters": 3}},
    )
    base = serve_app(create_app(write_config(tmp_path, config)))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/")
    page.fill("input[name=username]", "ann")
    page.keyboard.press("Enter")
    page.wait_for_url("**/annotate")
    page.goto(f"{base}/corpus/map")
    page.wait_for_selector("#cmap-canvas[data-drawn='12']", timeout=120_000)
    assert page.locator("#cmap-clusters li").count() == 3
    tab_to(page, "#cmap-canvas")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#cmap-similar li")
    chosen = page.get_attribute("#cmap-canvas", "data-chosen")
    assert chosen in {r["id"] for r in rows}
    similar = page.locator("#cmap-similar button").all_inner_texts()
    assert len(similar) == 3 and all(s.split("_")[0] == chosen.split("_")[0] for s in similar)
    page.keyboard.press("Enter")
    page.wait_for_url("**/annotate")
    assert page.inner_text("[data-testid=instance-id]") == chosen
    assert errors == []
