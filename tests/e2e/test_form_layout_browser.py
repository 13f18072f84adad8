"""Potato's form `layout` in a real Chromium: the grid from /project.css places the questions
(a 2-column question is twice as wide as a 1-column one) and a collapsed group is closed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from ..conftest import radio

pytestmark = pytest.mark.e2e


def test_grid_spans_and_collapsed_group(page: Page, live_server: Callable[..., str]) -> None:
    schemes = [
        radio("sentiment", ["Positive", "Negative"]),
        {
            "annotation_type": "multiselect",
            "name": "topic",
            "description": "Topics",
            "labels": ["Politics", "Sports"],
            "layout": {"columns": 2},
        },
        {"annotation_type": "text", "name": "notes", "description": "Notes"},
    ]
    layout = {
        "grid": {"columns": 3, "gap": "0px"},
        "groups": [
            {"id": "main", "title": "Main", "schemas": ["sentiment", "topic"]},
            {
                "id": "more",
                "title": "More",
                "collapsible": True,
                "collapsed_default": True,
                "schemas": ["notes"],
            },
        ],
    }
    base = live_server(items=2, schemes=schemes, layout=layout)
    page.set_viewport_size({"width": 1600, "height": 900})
    page.goto(base + "/")
    page.get_by_label("Username").fill("ann")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("form-grid")).to_be_visible()
    one = page.locator('[data-scheme-slot="sentiment"]').bounding_box()
    two = page.locator('[data-scheme-slot="topic"]').bounding_box()
    assert abs(one["y"] - two["y"]) < 2  # same row
    assert two["width"] == pytest.approx(2 * one["width"], rel=0.05)
    expect(page.locator('[data-scheme-slot="notes"]')).to_be_hidden()  # collapsed group
    page.get_by_text("More").click()
    expect(page.locator('[data-scheme-slot="notes"]')).to_be_visible()
