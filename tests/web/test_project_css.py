"""`base_css` and the schemes' `custom_css`: one sanitised stylesheet at /project.css, read
only from inside the project directory."""

from __future__ import annotations

import os

import pytest

from potato_like.config import load_config
from potato_like.config.project_css import sanitize_css
from potato_like.errors import ConfigError
from tests.conftest import base_config, login, radio, write_config

from .display_util import assert_csp_clean

HOSTILE = """
@import url("https://evil.example/steal.css");
@IMPORT 'local.css';
body { color: #222; background: url(javascript:alert(1)); }
.a { width: expression(alert(document.cookie)); height: 2px }
.b { background: url( "java\tscript:alert(1)" ); color: blue }
.c { behavior: url(x.htc); -moz-binding: url(x.xml#xss); margin: 1px }
.d { background: url(data:text/html;base64,PHNjcmlwdD4=); padding: 3px }
.e\\3a x { color: red }
.f { background-image: url(pics/ok.png); border: 1px solid }
/* @import url(http://hidden.example/x.css); */
.g { font-family: "Georgia", serif }
ex/**/pression(1)
"""


def _project(tmp_path, css: str | None = HOSTILE, **overrides):
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "x"}\n')
    if css is not None:
        (tmp_path / "style.css").write_text(css)
        overrides.setdefault("base_css", "style.css")
    return write_config(tmp_path, base_config(**overrides))


def test_hostile_css_is_sanitised_and_served_as_a_file(open_app, tmp_path):
    app = open_app(_project(tmp_path))
    client = app.test_client()
    response = client.get("/project.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    css = response.get_data(as_text=True).lower()
    for bad in ("@import", "expression", "javascript", "behavior", "binding", "text/html", "\\"):
        assert bad not in css, bad
    for kept in (
        "color: #222",
        "height: 2px",
        "color: blue",
        "margin",
        "padding: 3px",
        "url(pics/ok.png)",
        "georgia",
    ):
        assert kept in css, kept
    assert css.count("{") == css.count("}")
    warnings = app.extensions["potato_like"].config.warnings
    assert any("base_css: dropped @import" in w for w in warnings)
    # the login page links it (style-src 'self': a file, never a <style>)
    response = client.get("/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "/project.css?v=" in page
    assert_csp_clean(page)
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_annotation_page_links_the_stylesheet(open_app, tmp_path):
    app = open_app(_project(tmp_path))
    client = login(app.test_client(), "ann")
    html = client.get("/annotate").get_data(as_text=True)
    assert "/project.css?v=" in html
    assert_csp_clean(html)


def test_without_project_css_there_is_no_route_and_no_link(open_app, tmp_path):
    app = open_app(_project(tmp_path, css=None))
    client = login(app.test_client(), "ann")
    assert client.get("/project.css").status_code == 404
    assert "project.css" not in client.get("/annotate").get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "../outside.css",
        "/etc/passwd",
        "sub/../../outside.css",
        ".hidden.css",
        "C:/x.css",
        "missing.css",
        "out/notes.css",
        "link.css",
        "folder",
    ],
)
def test_base_css_outside_the_project_is_refused(tmp_path, path):
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "outside.css").write_text("body { color: red }")
    (project / ".hidden.css").write_text("body { color: red }")
    (project / "out").mkdir()
    (project / "out" / "notes.css").write_text("body { color: red }")
    (project / "folder").mkdir()
    os.symlink(tmp_path / "outside.css", project / "link.css")
    config = _project(project, css=None, base_css=path)
    with pytest.raises(ConfigError) as info:
        load_config(config)
    assert "base_css" in str(info.value)


def test_the_route_takes_no_path(open_app, tmp_path):
    app = open_app(_project(tmp_path))
    client = app.test_client()
    for url in (
        "/project.css/../config.yaml",
        "/project.css/style.css",
        "/config.yaml",
        "/style.css",
    ):
        assert client.get(url).status_code == 404, url


def test_scheme_custom_css_sizes(open_app, tmp_path):
    scheme = radio("r", ["a"], custom_css={"width": "80px", "font_size": "1.2em"})
    app = open_app(_project(tmp_path, css=None, annotation_schemes=[scheme]))
    css = app.test_client().get("/project.css").get_data(as_text=True)
    assert '[data-scheme-slot="r"] input' in css
    assert "width: 80px; font-size: 1.2em" in css
    bad = radio("r", ["a"], custom_css={"width": "80px; background: url(javascript:x)"})
    with pytest.raises(ConfigError) as info:
        load_config(_project(tmp_path, css=None, annotation_schemes=[bad]))
    assert "custom_css.width: must be a size" in str(info.value)


def test_comments_cannot_hide_a_keyword():
    clean, dropped = sanitize_css(".a { width: expr/**/ession(1) } .b { color: red }")
    assert "ession" not in clean and "color: red" in clean
    assert dropped == ["expression()"]
    clean, dropped = sanitize_css("@imp/* x */ort url(https://evil.example/x.css);")
    assert "evil" not in clean and dropped
