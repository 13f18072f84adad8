"""Every operation of /api/v1 (from its OpenAPI document) with unknown ids, non-UUID ids and
bodies of every wrong shape answers 4xx with `detail`, never a 500."""

from __future__ import annotations

import re

from tests.conftest import ADMIN

IDS = ("7a1c6a2e-0000-4000-8000-000000000000", "..%2F..%2Fetc")
BODIES = (None, [], "x", {"name": None, "dataset_id": 5, "audio_ids": "x"})


def test_no_operation_answers_500_to_bad_ids_or_bodies(make_project):
    app = make_project()
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").json
    tried = 0
    for path, methods in spec["paths"].items():
        for method in methods:
            for value in IDS:
                url = re.sub(r"\{\w+\}", value, path)
                for payload in BODIES if method in ("post", "patch", "put") else (None,):
                    kwargs = {"headers": ADMIN}
                    if payload is not None:
                        kwargs["json"] = payload
                    answer = client.open(url, method=method.upper(), **kwargs)
                    tried += 1
                    if "{" not in path and answer.status_code < 400:
                        continue  # a list or a create with a valid body
                    assert 400 <= answer.status_code < 500, (method, url, payload, answer.data)
                    assert "detail" in answer.json, (method, url, answer.data)
    assert tried > 80
