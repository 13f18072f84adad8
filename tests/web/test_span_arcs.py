"""`visual_display` of span_link and event_annotation: checked at load, sent to the page
with the arcs script (static/js/span-arcs.js), which only pages with such a scheme load."""

from __future__ import annotations

import json
import re

import pytest

from potato_like.errors import ConfigError
from tests.conftest import login

SPANS = {"annotation_type": "span", "name": "ner", "labels": ["PER", "LOC"]}


def link_scheme(**options):
    return {
        "annotation_type": "span_link",
        "name": "rel",
        "span_schema": "ner",
        "link_types": [{"name": "KNOWS"}],
        **options,
    }


def event_scheme(**options):
    return {
        "annotation_type": "event_annotation",
        "name": "ev",
        "span_schema": "ner",
        "event_types": [{"type": "MEET", "arguments": [{"role": "who"}]}],
        **options,
    }


def span_page(app) -> dict:
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    blob = re.search(r'<script type="application/json" id="span-page">(.*?)</script>', page, re.S)
    return page, json.loads(blob.group(1))


def test_visual_display_reaches_the_page_with_the_arcs_script(make_project):
    shown = {"arc_position": "below", "show_labels": False, "multi_line_mode": "single_line"}
    app = make_project(schemes=[SPANS, link_scheme(visual_display=shown), event_scheme()])
    page, data = span_page(app)
    assert "js/span-arcs.js" in page and "css/span-arcs.css" in page
    assert data["schemes"]["rel"]["visual_display"] == {"enabled": True, **shown}
    assert data["schemes"]["ev"]["visual_display"] == {
        "enabled": True,
        "arc_position": "above",
        "show_labels": True,
        "multi_line_mode": "bracket",
    }
    assert "<kbd>⇧1</kbd>" in page  # the link type's key


def test_a_page_without_links_or_events_loads_no_arcs(make_project):
    page, _ = span_page(make_project(schemes=[SPANS]))
    assert "span-arcs" not in page


@pytest.mark.parametrize(
    ("shown", "words"),
    [
        ({"arc_position": "left"}, "visual_display.arc_position: 'left' is not one of above"),
        ({"multi_line_mode": "wrap"}, "visual_display.multi_line_mode: 'wrap' is not one of"),
        ({"enabled": "maybe"}, "visual_display.enabled: must be true or false"),
        ("yes", "visual_display: must be a mapping"),
    ],
)
def test_bad_visual_display_is_a_config_problem(make_project, shown, words):
    with pytest.raises(ConfigError) as err:
        make_project(schemes=[SPANS, link_scheme(visual_display=shown)])
    assert words in str(err.value)


def test_unknown_visual_display_keys_warn(make_project):
    app = make_project(schemes=[SPANS, event_scheme(visual_display={"arc_colour": "red"})])
    warnings = app.extensions["potato_like"].config.warnings
    assert any("visual_display" in w and "arc_colour" in w for w in warnings), warnings
