"""The embedding map page in Chromium: it draws the stored map's points, and a keyboard-only
selection (a legend group) moves those items to the front of the queue, so the next new
annotator is given one of them."""

from __future__ import annotations

import json
import time

import pytest

from potato_like import create_app
from tests.conftest import ADMIN, base_config, write_config
from tests.e2e.conftest import tab_to
from tests.embed_text import sentences

pytestmark = pytest.mark.e2e


def test_map_draws_points_and_a_keyboard_selection_goes_to_the_front(tmp_path, serve_app, page):
    rows = [{"id": f"item_{i:03d}", "text": s} for i, (_t, s) in enumerate(sentences(3)[:7], 1)]
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = base_config(
        assignment_strategy="fixed_order",
        embedding_visualization={"enabled": True, "label_source": "majority"},
    )
    base = serve_app(create_app(write_config(tmp_path, config)))
    # ann labels item_001..item_004 positive, then item_005 and item_006 negative
    page.request.post(f"{base}/auth", form={"username": "ann"})
    for _n in range(6):
        iid = page.request.get(f"{base}/api/current_instance").json()["instance_id"]
        label = "negative" if iid in ("item_005", "item_006") else "positive"
        page.request.post(
            f"{base}/updateinstance",
            data={"instance_id": iid, "annotations": {f"sentiment:{label}": "1"}},
        )
        page.request.post(f"{base}/go_to", data={"action": "next_instance"})
    page.request.post(f"{base}/logout")
    page.request.post(f"{base}/admin/api/embedding_viz/refresh", headers=ADMIN, data={})
    for _ in range(300):
        stats = page.request.get(f"{base}/admin/api/embedding_viz/stats", headers=ADMIN).json()
        if stats["cache_valid"]:
            break
        time.sleep(0.1)
    assert stats["embedding_count"] == 7, stats

    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/admin/login")
    page.fill("input[name=key]", ADMIN["X-API-Key"])
    page.click("button[type=submit]")
    page.goto(f"{base}/admin/embedding_map/")
    page.wait_for_selector("#emap-canvas[data-drawn='7']")  # (CSP forbids eval'd predicates)
    painted = page.evaluate(
        """() => { const c = document.getElementById('emap-canvas');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
                   return n; }"""
    )
    assert painted > 7 * 20  # seven dots of several pixels each
    assert "7 of 7 items shown" in page.locator("#emap-status").inner_text()
    legend = page.locator("#emap-legend button")
    assert legend.count() == 3  # positive, negative, no label yet

    # Keyboard only: Tab to the "negative" group, select it, Tab to the action, press it.
    negative = "#emap-legend button[data-group='l:negative']"
    tab_to(page, negative)
    page.keyboard.press("Enter")
    assert page.locator(negative).get_attribute("aria-pressed") == "true"
    selected = page.locator("[data-testid=emap-selected]").inner_text()
    assert selected.startswith("2 selected") and "item_005" in selected
    tab_to(page, "#emap-front")
    page.keyboard.press("Enter")
    page.locator("#emap-result:has-text('moved to the front')").wait_for()
    assert "2 item(s) moved" in page.locator("#emap-result").inner_text()
    assert not errors, errors

    # A new annotator is given a reordered item first (fixed_order would give item_007).
    fresh = page.context.browser.new_context()
    try:
        fresh.request.post(f"{base}/auth", form={"username": "newcomer"})
        first = fresh.request.get(f"{base}/api/current_instance").json()["instance_id"]
    finally:
        fresh.close()
    assert first in ("item_005", "item_006")
