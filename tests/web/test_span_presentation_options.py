"""Potato's span presentation options: `show_span_labels: false` (marked spans show a dot,
not their label name) and `displaying_score` (label buttons read "<key>.<label>")."""

from __future__ import annotations

import json
import re

from tests.conftest import login


def span_scheme(**options):
    return {"annotation_type": "span", "name": "ner", "labels": ["PER", "LOC"], **options}


def test_options_are_known_keys_and_reach_the_page(make_project):
    app = make_project(schemes=[span_scheme(show_span_labels=False, displaying_score=True)])
    warnings = app.extensions["potato_like"].config.warnings
    assert not [w for w in warnings if "show_span_labels" in w or "displaying_score" in w]
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    assert '<span class="label-name">1.PER</span>' in page
    blob = re.search(r'<script type="application/json" id="span-page">(.*?)</script>', page, re.S)
    assert json.loads(blob.group(1))["schemes"]["ner"]["show_span_labels"] is False


def test_defaults_show_labels_without_numbers(make_project):
    page = login(make_project(schemes=[span_scheme()]).test_client(), "ann").get("/annotate")
    text = page.data.decode()
    assert '<span class="label-name">PER</span>' in text
    assert '"show_span_labels": true' in text


def test_the_stylesheet_hides_label_names_of_such_spans(make_project):
    css = make_project(schemes=[span_scheme()]).test_client().get("/static/css/app.css")
    assert b".span-tag[data-hide-label]::after" in css.data


def test_span_options_that_cannot_apply_warn_by_name(make_project):
    app = make_project(
        schemes=[span_scheme(target_field="other", bad_text_label={"label_content": "Bad"})]
    )
    warnings = app.extensions["potato_like"].config.warnings
    # target_field is implemented (tests/web/test_span_target_field.py); here it names no
    # span_target field, so the spans stay on the item text, with a warning
    assert any("target_field: 'other' is not an instance_display text field" in w for w in warnings)
    assert not any("bad_text_label" in w for w in warnings), warnings
