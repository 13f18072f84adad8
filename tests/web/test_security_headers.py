"""Security headers on every response, and pages the Content-Security-Policy lets through.

The browser check (no CSP violation on real pages) is tests/e2e/test_csp_browser.py; here:
the headers on each kind of response, MTurk's iframe, and the rendered HTML of the pages
free of what the policy would block (inline script, event handlers, style attributes).
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import ADMIN, answer, current_id, login, radio

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "media-src 'self' https:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
MTURK_CROWD = {
    "login": {"type": "url_direct", "url_argument": "workerId"},
    "crowdsourcing": {"provider": "mturk", "mturk": {"completion": {"code": "HIT-OK"}}},
}


def assert_secured(response, csp: str = CSP, framed: bool = False) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == csp, response.request.path
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    if framed:
        assert "X-Frame-Options" not in headers
    else:
        assert headers["X-Frame-Options"] == "DENY"


def test_every_kind_of_response_carries_the_headers(make_project):
    app = make_project()
    c = app.test_client()
    assert_secured(c.get("/"))  # the login page
    assert_secured(c.get("/static/css/app.css"))
    assert_secured(c.get("/static/js/annotate.js"))
    assert_secured(c.get("/health"))
    assert_secured(c.get("/no/such/page"))  # 404 page
    assert_secured(c.get("/api/current_instance"))  # 401 JSON
    login(c, "ann")
    assert_secured(c.get("/annotate"))
    assert_secured(c.post("/updateinstance", data="{", content_type="application/json"))
    assert_secured(c.get("/admin/api/overview", headers=ADMIN))


def test_mturk_projects_may_be_framed_by_mturk_only(make_project):
    app = make_project(**MTURK_CROWD)
    response = app.test_client().get("/?assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&hitId=H1")
    assert response.status_code == 200
    csp = CSP.replace(
        "form-action 'self'; frame-ancestors 'none'",
        "form-action 'self' https://*.mturk.com; frame-ancestors 'self' https://*.mturk.com",
    )
    assert_secured(response, csp, framed=True)


def test_mturk_submit_hosts_may_frame_and_receive_the_form(make_project):
    crowd = {
        **MTURK_CROWD,
        "crowdsourcing": {
            "provider": "mturk",
            "mturk": {"submit_hosts": ["https://www.mturk.com", "http://127.0.0.1:9999"]},
        },
    }
    csp = make_project(**crowd).test_client().get("/").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://*.mturk.com http://127.0.0.1:9999" in csp
    assert "form-action 'self' https://*.mturk.com http://127.0.0.1:9999;" in csp


def test_prolific_projects_are_not_framed(make_project):
    app = make_project(
        login={"type": "url_direct"},
        crowdsourcing={"provider": "prolific", "prolific": {"completion": {"code": "C1"}}},
    )
    assert_secured(app.test_client().get("/"))


# What `script-src 'self'` and `style-src 'self'` block in markup.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def blocked_markup(html: str) -> list[str]:
    found = []
    for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, STYLE_ELEMENT, JS_URL):
        found += [m.group(0)[:120] for m in pattern.finditer(html)]
    return found


def test_the_probe_finds_what_the_policy_blocks():
    assert blocked_markup('<span class="x" style="width: 3%"></span>')
    assert blocked_markup("<script>alert(1)</script>")
    assert blocked_markup('<button onclick="go()">')
    assert not blocked_markup('<script src="/static/js/a.js"></script>')
    assert not blocked_markup('<script type="application/json" id="d">{}</script>')


@pytest.fixture
def rich_project(make_project):
    """Every scheme family, label colours, spans, instructions with a remote picture."""
    schemes = [
        radio("sentiment", ["positive", "negative"]),
        {
            "annotation_type": "multiselect",
            "name": "topics",
            "description": "Topics?",
            "labels": [{"name": "sport", "color": "#ff0000"}, {"name": "art", "color": "blue"}],
        },
        {"annotation_type": "likert", "name": "fluency", "description": "Fluent?", "size": 5},
        {"annotation_type": "text", "name": "note", "description": "Note"},
        {"annotation_type": "slider", "name": "score", "description": "Score?"},
        {
            "annotation_type": "span",
            "name": "entities",
            "description": "Mark entities",
            "labels": ["PER", "LOC"],
        },
    ]
    return make_project(
        schemes=schemes,
        instructions='<p>Read <img src="https://example.org/pic.png" alt="pic"></p>',
        ui={"label_colors": {"sentiment": {"positive": "#00aa00"}}},
    )


def test_rendered_pages_contain_nothing_the_policy_blocks(rich_project):
    app = rich_project
    c = app.test_client()
    pages = {path: c.get(path) for path in ("/", "/login", "/register", "/admin")}
    login(c, "ann")
    pages["/annotate"] = c.get("/annotate")
    answer(c, current_id(c), **{"sentiment:positive": "1"})
    admin = app.test_client()
    assert admin.post("/admin/login", data={"key": ADMIN["X-API-Key"]}).status_code == 302
    for path in (
        "/admin",
        "/admin/annotators/",
        "/admin/instances/",
        "/admin/item/item_001",
        "/admin/agreement/",
        "/admin/questions/",
        "/admin/timeline/",
        "/admin/activity/",
        "/admin/stale/",
    ):
        pages[path] = admin.get(path)
    for path, response in pages.items():
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert blocked_markup(html) == [], path
    # The colours still reach the page, as data for static/js/label-colors.js.
    assert 'data-label-color="#ff0000"' in pages["/annotate"].get_data(as_text=True)
