"""Potato's form `layout` (its grid-layout example): groups, order and a grid, the grid as
CSS in /project.css (no inline style), every value checked."""

from __future__ import annotations

import re

import pytest

from potato_like.errors import ConfigError
from tests.conftest import base_config, login, radio, write_config, write_items

LAYOUT = {
    "grid": {"columns": 3, "gap": "0.75rem", "row_gap": "0.5rem"},
    "styling": {
        "align_items": "start",
        "content_align": "left",
        "group_background_odd": "#fafafa",
        "group_background_even": "#f8f9fc",
        "group_padding": "0.5rem 0.75rem",
        "form_padding": "0.375rem 0.5rem",
    },
    "breakpoints": {"mobile": 480, "tablet": 768},
    "groups": [
        {
            "id": "primary",
            "title": "Primary Classification",
            "description": "Required",
            "schemas": ["sentiment", "topic"],
        },
        {
            "id": "details",
            "title": "Additional Details",
            "collapsible": True,
            "collapsed_default": True,
            "schemas": ["notes", "confidence"],
        },
    ],
    "order": ["sentiment", "topic"],
}


def schemes():
    return [
        {
            "annotation_type": "text",
            "name": "notes",
            "description": "Notes",
            "layout": {"columns": 3, "align_self": "stretch"},
        },
        radio("confidence", ["High", "Low"], layout={"columns": 1, "order": 1}),
        {
            "annotation_type": "multiselect",
            "name": "topic",
            "description": "Topics",
            "labels": ["Politics", "Sports"],
            "layout": {"columns": 2, "min_width": "300px"},
        },
        radio("sentiment", ["Positive", "Negative"]),
        radio("extra", ["a", "b"]),
    ]


def make(tmp_path, open_app, **overrides):
    write_items(tmp_path / "data.jsonl", 2)
    config = base_config(annotation_schemes=schemes(), **{"layout": LAYOUT, **overrides})
    return open_app(write_config(tmp_path, config))


def test_page_has_groups_in_order_and_the_grid_is_in_project_css(tmp_path, open_app):
    app = make(tmp_path, open_app)
    warnings = app.extensions["potato_like"].config.warnings
    assert not [w for w in warnings if "layout" in w], warnings
    c = login(app.test_client(), "ann")
    page = c.get("/annotate").data.decode()
    assert 'data-testid="form-grid"' in page and "style=" not in page
    slots = re.findall(r'data-scheme-slot="([^"]+)"', page)
    # `order` first, then a scheme's own order, then the config's; groups hold their members
    assert slots == ["sentiment", "topic", "confidence", "notes", "extra"]
    primary = page.index('data-group="primary"')
    details = page.index('data-group="details"')
    assert primary < page.index('data-scheme-slot="sentiment"') < details
    assert '<h3 class="group-title">Primary Classification</h3>' in page
    assert re.search(r'<details class="form-group" data-group="details"\s*>', page)  # collapsed
    css = c.get("/project.css").data.decode()
    assert (
        ".form-block { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 0.75rem; "
        in css
    )
    assert (
        '.form-block > [data-scheme-slot="topic"] { grid-column: span 2; min-width: 300px; }' in css
    )
    assert '[data-scheme-slot="notes"] { grid-column: span 3; align-self: stretch; }' in css
    assert ".form-grid > .form-group:nth-child(odd) { background: #fafafa; }" in css
    assert "@media (max-width: 480px)" in css and "@media (max-width: 768px)" in css
    assert "justify-items: start" in css


def test_no_layout_keeps_the_plain_form(make_project):
    app = make_project(items=1)
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    assert "form-grid" not in page and 'data-scheme-slot="sentiment"' in page


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"grid": {"columns": 0}}, "layout.grid.columns"),
        ({"grid": {"gap": "1rem; background: url(javascript:x)"}}, "layout.grid.gap"),
        ({"styling": {"group_background_odd": "red;}</style>"}}, "group_background_odd"),
        ({"styling": {"align_items": "middle"}}, "layout.styling.align_items"),
        ({"groups": [{"id": "a"}, {"id": "a"}]}, "duplicate group id"),
    ],
)
def test_values_outside_the_grammar_stop_the_start(tmp_path, open_app, bad, message):
    write_items(tmp_path / "data.jsonl", 1)
    config = base_config(annotation_schemes=schemes(), layout=bad)
    with pytest.raises(ConfigError) as err:
        open_app(write_config(tmp_path, config))
    assert message in str(err.value)


def test_unknown_names_warn_with_did_you_mean(tmp_path, open_app):
    layout = {"order": ["sentimnt"], "groups": [{"id": "g", "schemas": ["topik"]}], "gird": {}}
    app = make(tmp_path, open_app, layout=layout)
    warnings = app.extensions["potato_like"].config.warnings
    assert any("'sentimnt' is not a scheme" in w and "'sentiment'" in w for w in warnings)
    assert any("'topik' is not a scheme" in w and "'topic'" in w for w in warnings)
    assert any("layout.gird" in w and "'grid'" in w for w in warnings)
