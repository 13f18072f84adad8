"""Deeply nested JSON bodies are a 400 naming the problem, never a 500."""

from __future__ import annotations

import pytest

from potato_like.web.json_limits import MAX_JSON_DEPTH
from tests.conftest import ADMIN, current_id, login

USER_ENDPOINTS = (
    "/updateinstance",
    "/go_to",
    "/annotate",
    "/auth",
    "/register",
    "/api/track_interactions",
    "/api/track_annotation_change",
    "/api/entity_linking/update_span",
)
ADMIN_ENDPOINTS = ("/admin/api/config", "/admin/api/export", "/admin/api/reclaim_instance")


def nested(depth: int, inner: str = "1") -> str:
    """`depth` levels of alternating objects and arrays around `inner`."""
    text = inner
    for level in range(depth):
        text = f'{{"a": {text}}}' if level % 2 else f"[{text}]"
    return text


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000, 200_000])
def test_too_deep_bodies_are_refused_on_every_json_endpoint(make_project, depth):
    app = make_project()
    c = login(app.test_client(), "ann")
    body = nested(depth)
    for path in USER_ENDPOINTS:
        response = c.post(path, data=body, content_type="application/json")
        assert response.status_code == 400, (path, response.status_code, response.data[:200])
        error = response.json["error"]
        # (the tracking endpoints refuse a body over 64 KB before reading it)
        assert error.endswith(f"nested more than {MAX_JSON_DEPTH} levels deep") or (
            "larger than" in error and len(body) > 64_000
        ), (path, error)
    for path in ADMIN_ENDPOINTS:
        response = app.test_client().post(
            path, data=body, content_type="application/json", headers=ADMIN
        )
        assert response.status_code == 400, (path, response.status_code)
    assert current_id(c) == "item_001"  # nothing changed, the server still answers


def test_depth_up_to_the_limit_reaches_the_view(make_project):
    c = login(make_project().test_client(), "ann")
    iid = current_id(c)
    deep_value = nested(MAX_JSON_DEPTH - 2)
    body = f'{{"instance_id": "{iid}", "annotations": {deep_value}}}'
    response = c.post("/updateinstance", data=body, content_type="application/json")
    # The view judges it (not the depth check): a 400 about the annotations, not the nesting.
    assert response.status_code == 400
    assert "nested" not in response.json["error"]


def test_ordinary_requests_are_unaffected(make_project):
    c = login(make_project().test_client(), "ann")
    iid = current_id(c)
    body = {"instance_id": iid, "annotations": {"sentiment:positive": "1"}}
    assert c.post("/updateinstance", json=body).json["status"] == "success"
