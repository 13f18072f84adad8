"""Potato's `task_layout` files: the sanitised layout is rendered, each scheme in the place
the layout gives it, the layout's <style> goes to /project.css, scripts and handlers go."""

from __future__ import annotations

import re

from tests.conftest import base_config, login, radio, write_config, write_items

# Written here in the shape Potato documents (docs/configuration/layout_customization.md):
# style block, one <form id="<scheme>" class="annotation-form ..."> per scheme with
# hand-written inputs and inline handlers.
LAYOUT = """
<style>
  .review-grid { display: grid; grid-template-columns: repeat(2, 1fr); gap: 16px; }
  .banner { background: url(javascript:alert(1)); border: 2px solid #f59e0b; }
  .section-title { font-weight: 600; }
</style>
<div class="banner warning-banner"><h3>Content review</h3><p>Check <b>both</b> questions.</p></div>
<script>alert("layout script")</script>
<div class="review-grid" onclick="steal()">
  <section class="annotation-section">
    <div class="section-title">Severity</div>
    <form id="severity" class="annotation-form radio severity-block" data-annotation-id="1">
      <fieldset schema="severity"><legend>How severe?</legend>
        <input class="severity annotation-input" type="radio" name="severity" value="low"
               onclick="onlyOne(this);registerAnnotation(this);">
      </fieldset>
    </form>
  </section>
  <section class="annotation-section">
    <div class="section-title">Sentiment</div>
    <form id="sentiment" class="annotation-form radio" data-annotation-id="0">
      <fieldset schema="sentiment"><legend>Which sentiment?</legend></fieldset>
    </form>
  </section>
</div>
<form id="ghost" class="annotation-form text"><input name="ghost"></form>
<a href="javascript:alert(2)">bad link</a>
"""


def layout_project(tmp_path, open_app, layout_html=LAYOUT, **extra):
    write_items(tmp_path / "data.jsonl", 2)
    (tmp_path / "layouts").mkdir(exist_ok=True)
    (tmp_path / "layouts" / "task.html").write_text(layout_html, encoding="utf-8")
    schemes = [
        radio("sentiment", ["positive", "negative"]),
        radio("severity", ["low", "high"]),
        {"annotation_type": "text", "name": "notes", "description": "Notes"},
    ]
    config = base_config(annotation_schemes=schemes, task_layout="layouts/task.html", **extra)
    return open_app(write_config(tmp_path, config))


def test_schemes_render_in_the_layouts_places(tmp_path, open_app):
    app = layout_project(tmp_path, open_app)
    html = login(app.test_client(), "ann1").get("/annotate").get_data(as_text=True)
    layout = html[html.index('data-testid="task-layout"') :]
    # the layout's markup and classes are kept
    assert '<div class="banner warning-banner"><h3>Content review</h3>' in layout
    assert '<div class="review-grid">' in layout  # onclick dropped
    # each scheme in its form's place, in the layout's order (severity first), with the
    # form's classes on the wrapper; the hand-written inputs are replaced by ours
    severity = layout.index('data-scheme-slot="severity"')
    sentiment = layout.index('data-scheme-slot="sentiment"')
    notes = layout.index('data-scheme-slot="notes"')
    assert layout.index("Severity") < severity < layout.index("Sentiment") < sentiment < notes
    assert 'class="layout-slot annotation-form radio severity-block"' in layout
    assert "registerAnnotation" not in html and "onlyOne" not in html
    assert 'name="ghost"' not in html
    assert "layout script" not in html and "javascript:" not in html
    assert "<style" not in layout


def test_layout_css_is_served_sanitised_in_project_css(tmp_path, open_app):
    app = layout_project(tmp_path, open_app)
    css = app.test_client().get("/project.css").get_data(as_text=True)
    assert ".review-grid { display: grid;" in css and ".section-title" in css
    assert "javascript" not in css
    warnings = app.extensions["potato_like"].config.warnings
    assert any("task_layout: dropped url(javascript:...)" in w for w in warnings)
    assert any("'ghost' names no annotation scheme; dropped" in w for w in warnings)
    assert any("does not place 'notes'; shown after the layout" in w for w in warnings)


def test_a_layout_answer_is_saved(tmp_path, open_app):
    app = layout_project(tmp_path, open_app)
    client = login(app.test_client(), "ann1")
    page = client.get("/annotate").get_data(as_text=True)
    iid = re.search(r'data-instance-id="([^"]+)"', page).group(1)
    r = client.post(
        "/updateinstance",
        json={"instance_id": iid, "annotations": {"severity:high": "1", "sentiment:positive": "1"}},
    )
    assert r.status_code == 200, r.json
    got = client.get(f"/get_annotations?instance_id={iid}").json
    assert got["label_annotations"] == {"severity": {"high": "1"}, "sentiment": {"positive": "1"}}


def test_our_own_slot_attribute_and_a_page_without_a_layout_file(tmp_path, open_app):
    layout = (
        '<div class="cols"><div data-scheme-slot="notes"></div></div>'
        '<p>middle</p><div data-scheme-slot="sentiment"></div>'
        '<div data-scheme-slot="sentiment"></div>'
    )
    app = layout_project(tmp_path, open_app, layout_html=layout)
    html = login(app.test_client(), "ann1").get("/annotate").get_data(as_text=True)
    body = html[html.index('data-testid="task-layout"') :]
    assert body.index('data-scheme-slot="notes"') < body.index("middle")
    assert body.index("middle") < body.index('data-scheme-slot="sentiment"')
    assert body.count('data-scheme-slot="sentiment"') == 1
    warnings = app.extensions["potato_like"].config.warnings
    assert any("'sentiment' is placed twice" in w for w in warnings)


def test_layout_wins_over_form_layout_and_must_stay_inside(tmp_path, open_app):
    app = layout_project(tmp_path, open_app, layout={"grid": {"columns": 2}})
    config = app.extensions["potato_like"].config
    assert config.task_layout is not None and config.form_layout is None
    assert any("layout: ignored: task_layout places the questions" in w for w in config.warnings)
    page = login(app.test_client(), "ann1").get("/annotate").get_data(as_text=True)
    assert 'data-testid="form-grid"' not in page
    (tmp_path / "other").mkdir()
    write_items(tmp_path / "other" / "data.jsonl", 1)
    config = base_config(task_layout="../layouts/task.html")
    app2 = open_app(write_config(tmp_path / "other", config))
    assert app2.extensions["potato_like"].config.task_layout is None
    assert any(
        "outside the project directory" in w for w in app2.extensions["potato_like"].config.warnings
    )
