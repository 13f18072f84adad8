"""Best-worst scaling and pairwise items answered with the keyboard only in a real Chromium:
the answers autosave, survive a reload, and reach the server."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .test_annotate_browser import expect_item, register_via_api

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 5_000


@pytest.fixture(autouse=True)
def _fast_timeouts(page: Page) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture
def browser_errors(page: Page) -> list[str]:
    """Console errors and uncaught exceptions of the page."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    return errors


def choice(page: Page, scheme: str, label: str, value: str):
    return page.locator(
        f'input[data-scheme="{scheme}"][data-label="{label}"][data-value="{value}"]'
    )


def test_bws_tuple_by_keyboard_survives_reload(
    page: Page,
    live_server: Callable[..., str],
    browser_errors: list[str],
) -> None:
    base = live_server(
        items=6,
        schemes=[{"annotation_type": "bws", "name": "intensity", "tuple_size": 4}],
        bws_config={"tuple_size": 4, "seed": 1, "min_item_appearances": 2},
    )
    register_via_api(page, base, "alice")
    page.goto(base + "/annotate")
    iid = expect_item(page, "1 of 3")
    expect(page.get_by_test_id("bws-intensity")).to_contain_text("Text number")

    page.keyboard.press("2")  # best: B
    page.keyboard.press("r")  # worst: D
    expect(choice(page, "intensity", "best", "B")).to_be_checked()
    expect(choice(page, "intensity", "worst", "D")).to_be_checked()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    page.reload()
    expect_item(page, "1 of 3")
    expect(choice(page, "intensity", "best", "B")).to_be_checked()
    expect(choice(page, "intensity", "worst", "D")).to_be_checked()
    stored = page.request.get(f"{base}/get_annotations", params={"instance_id": iid}).json()
    assert stored["label_annotations"] == {"intensity": {"best": "B", "worst": "D"}}

    # Worst on the best's position: the server refuses it and says why next to the question
    # (the autosave keeps the rest of the item); the stored answer does not change.
    page.keyboard.press("w")  # worst: B (= best)
    expect(page.get_by_test_id("scheme-error")).to_contain_text("best and worst must be different")
    stored = page.request.get(f"{base}/get_annotations", params={"instance_id": iid}).json()
    assert stored["label_annotations"] == {"intensity": {"best": "B", "worst": "D"}}
    assert [e for e in browser_errors if "400" not in e] == []


def test_pairwise_item_by_keyboard_survives_reload(
    page: Page,
    live_server: Callable[..., str],
    browser_errors: list[str],
    tmp_path,
) -> None:
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        "".join(
            json.dumps({"id": f"p{i}", "text": [f"left {i}", f"right {i}"]}) + "\n"
            for i in range(1, 4)
        )
    )
    base = live_server(
        data_files=[str(pairs)],
        schemes=[
            {
                "annotation_type": "pairwise",
                "name": "preference",
                "labels": ["Option A", "Option B"],
                "allow_tie": True,
            }
        ],
    )
    register_via_api(page, base, "bob")
    page.goto(base + "/annotate")
    iid = expect_item(page, "1 of 3")
    expect(page.get_by_test_id("pairwise-preference")).to_contain_text("right 1")

    page.keyboard.press("2")
    expect(choice(page, "preference", "selection", "B")).to_be_checked()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    page.keyboard.press("0")  # the tie replaces it
    expect(choice(page, "preference", "selection", "tie")).to_be_checked()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    page.reload()
    expect_item(page, "1 of 3")
    expect(choice(page, "preference", "selection", "tie")).to_be_checked()
    stored = page.request.get(f"{base}/get_annotations", params={"instance_id": iid}).json()
    assert stored["label_annotations"] == {"preference": {"selection": "tie"}}

    page.keyboard.press("Enter")  # submit and move on, still keyboard only
    expect_item(page, "2 of 3")
    assert browser_errors == []


def test_ranking_reordered_by_keyboard(
    page: Page, live_server: Callable[..., str], browser_errors: list[str]
) -> None:
    base = live_server(
        items=2,
        schemes=[{"annotation_type": "ranking", "name": "order", "labels": ["x", "y", "z"]}],
    )
    register_via_api(page, base, "carol")
    page.goto(base + "/annotate")
    iid = expect_item(page, "1 of 2")
    items = page.locator("ol.ranking-list li")
    items.first.focus()
    page.keyboard.press("d")  # x moves down: y, x, z
    page.keyboard.press("Alt+ArrowDown")  # and again: y, z, x
    expect(items).to_have_text(["y", "z", "x"])
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    page.reload()
    expect_item(page, "1 of 2")
    expect(page.locator("ol.ranking-list li")).to_have_text(["y", "z", "x"])
    stored = page.request.get(f"{base}/get_annotations", params={"instance_id": iid}).json()
    assert stored["label_annotations"] == {"order": {"rank_order": "y,z,x"}}
    assert browser_errors == []
