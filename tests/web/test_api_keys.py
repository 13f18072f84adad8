"""API keys for scripts (issue 22): created by `run.py keys` or `POST /api/v1/api-keys`, shown
once, stored hashed, accepted in the four forms the labelling services' clients send, limited
by scope, revocable, and counted towards the wrong-key rate limit."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import time

import pytest

from potato_like.api_keys import key_hash
from potato_like.store.tables import api_keys
from tests.conftest import ADMIN, REPO, base_config, write_config, write_items

PAGE_404 = "/api/v1/api-keys/7a1c6a2e-0000-4000-8000-000000000000"


def basic(key: str, password: str = "") -> dict:
    token = base64.b64encode(f"{key}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def app(make_project):
    return make_project()


def create(client, headers=ADMIN, **fields):
    payload = {"name": "pipeline", "scopes": ["admin"], **fields}
    return client.post("/api/v1/api-keys", json=payload, headers=headers)


def test_a_created_key_is_shown_once_and_stored_only_as_a_hash(app):
    client = app.test_client()
    answer = create(client, scopes=["read", "write"])
    assert answer.status_code == 201, answer.json
    made = answer.json
    assert made["key"].startswith("pl_") and len(made["key"]) > 40
    assert made["scopes"] == ["read", "write"] and made["revoked"] is False
    assert made["key_prefix"] == made["key"][:10]
    store = app.extensions["potato_like"].store
    with store.read() as conn:
        rows = conn.execute(api_keys.select()).all()
    assert [r.key_hash for r in rows] == [key_hash(made["key"])]
    assert made["key"] not in repr([tuple(r) for r in rows])
    # Never again: the key is in no listing or lookup.
    listed = client.get("/api/v1/api-keys", headers=ADMIN).json
    assert "key" not in listed["items"][0]
    assert "key" not in client.get(f"/api/v1/api-keys/{made['id']}", headers=ADMIN).json


@pytest.mark.parametrize(
    "form",
    [
        lambda k: {"X-API-Key": k},
        lambda k: {"Authorization": f"Bearer {k}"},
        lambda k: {"Authorization": f"api_key {k}"},
        lambda k: basic(k),
        lambda k: basic(k, "ignored"),
    ],
    ids=["x-api-key", "bearer", "api_key", "basic", "basic-with-password"],
)
def test_every_documented_form_of_presenting_a_key_works(app, form):
    client = app.test_client()
    key = create(client).json["key"]
    assert client.get("/api/v1/api-keys", headers=form(key)).status_code == 200
    # The same key also opens the admin API of the Potato side.
    assert client.get("/admin/api/overview", headers=form(key)).status_code == 200


def test_scopes_limit_what_a_key_may_do(app):
    client = app.test_client()
    reader = create(client, scopes=["read"]).json["key"]
    writer = create(client, scopes=["write"]).json["key"]
    for key in (reader, writer):
        answer = client.get("/api/v1/api-keys", headers={"X-API-Key": key})
        assert answer.status_code == 403
        assert "admin scope" in answer.json["detail"]
        assert client.get("/admin/api/overview", headers={"X-API-Key": key}).status_code == 403


def test_a_project_key_never_administers_keys(app):
    client = app.test_client()
    key = create(client, scopes=["admin"], project="other").json["key"]
    assert client.get("/api/v1/api-keys", headers={"X-API-Key": key}).status_code == 403


def test_revoked_keys_stop_working_at_once(app):
    client = app.test_client()
    made = create(client).json
    headers = {"X-API-Key": made["key"]}
    assert client.get("/api/v1/api-keys", headers=headers).status_code == 200
    assert client.delete(f"/api/v1/api-keys/{made['id']}", headers=ADMIN).status_code == 204
    answer = client.get("/api/v1/api-keys", headers=headers)
    assert answer.status_code == 401 and answer.json == {"detail": "invalid or revoked API key"}
    assert client.delete(f"/api/v1/api-keys/{made['id']}", headers=ADMIN).status_code == 404


def test_last_use_is_recorded(app):
    client = app.test_client()
    made = create(client).json
    assert made["last_used_at"] is None
    before = time.time()
    client.get("/api/v1/api-keys", headers={"X-API-Key": made["key"]})
    seen = client.get(f"/api/v1/api-keys/{made['id']}", headers=ADMIN).json
    assert seen["last_used_at"] >= before - 1


def test_list_is_paginated_newest_first(app):
    client = app.test_client()
    names = [create(client, name=f"k{i}").json["name"] for i in range(5)]
    first = client.get("/api/v1/api-keys?page=1&page_size=2", headers=ADMIN).json
    assert first["total"] == 5 and first["page"] == 1 and first["page_size"] == 2
    assert first["has_more"] is True
    assert [k["name"] for k in first["items"]] == names[::-1][:2]
    last = client.get("/api/v1/api-keys?page=3&page_size=2", headers=ADMIN).json
    assert [k["name"] for k in last["items"]] == names[:1] and last["has_more"] is False


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x", "scopes": ["root"]}, "scopes"),
        ({"name": "x", "scopes": []}, "scopes"),
        ({"scopes": ["read"]}, "name"),
        ({"name": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_bodies_are_422_naming_the_field(app, payload, field):
    answer = app.test_client().post("/api/v1/api-keys", json=payload, headers=ADMIN)
    assert answer.status_code == 422, answer.json
    assert any(problem["loc"][1] == field for problem in answer.json["detail"]), answer.json


def test_bad_requests_get_detail_errors(app):
    client = app.test_client()
    answer = client.post("/api/v1/api-keys", data="name=x", headers=ADMIN)
    assert answer.status_code == 400 and "JSON" in answer.json["detail"]
    assert client.get("/api/v1/api-keys").status_code == 401
    assert client.get("/api/v1/api-keys").json == {
        "detail": "API key required: send it in the X-API-Key header"
    }
    assert client.get(PAGE_404, headers=ADMIN).status_code == 404
    assert client.get("/api/v1/api-keys/not-a-uuid", headers=ADMIN).status_code == 404
    assert client.get("/api/v1/no-such-resource", headers=ADMIN).json == {"detail": "not found"}
    bad_page = client.get("/api/v1/api-keys?page=0&page_size=1000", headers=ADMIN)
    assert bad_page.status_code == 422
    assert {p["loc"][1] for p in bad_page.json["detail"]} == {"page", "page_size"}


def test_wrong_keys_are_rate_limited(app):
    client = app.test_client()
    answers = [
        client.get("/api/v1/api-keys", headers={"X-API-Key": f"pl_wrong{i}"}).status_code
        for i in range(40)
    ]
    assert answers[0] == 401
    assert 429 in answers
    # Once limited, even the right key waits: nobody can keep guessing.
    assert client.get("/api/v1/api-keys", headers=ADMIN).status_code == 429


def test_a_proxys_own_basic_login_is_not_taken_for_a_key(app):
    client = app.test_client()
    # An admin signed in through the browser keeps access with a proxy's Basic header.
    assert client.get("/admin/api/overview", headers=basic("alice", "pw")).status_code == 403
    assert client.get("/api/v1/api-keys", headers=basic("alice", "pw")).status_code == 401


def test_the_command_line_creates_lists_and_revokes_keys(tmp_path):
    write_items(tmp_path / "data.jsonl", 2)
    config = write_config(tmp_path, base_config())
    run = [sys.executable, str(REPO / "run.py"), "keys"]

    def cli(*args):
        return subprocess.run([*run, *args], capture_output=True, text=True, timeout=60)

    made = cli("create", str(config), "--name", "nightly export", "--scopes", "read,admin")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("pl_") and "not shown again" in made.stderr
    listed = cli("list", str(config))
    assert "nightly export" in listed.stdout and key[:10] in listed.stdout
    assert key not in listed.stdout
    key_id = listed.stdout.split()[0]
    assert cli("create", str(config), "--name", "x", "--scopes", "root").returncode == 2
    assert cli("revoke", str(config), key_id).returncode == 0
    assert cli("revoke", str(config), key_id).returncode == 1
    assert "revoked" in cli("list", str(config), "--all").stdout


def test_the_openapi_document_comes_from_the_validating_models(app):
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    create_op = spec["paths"]["/api/v1/api-keys"]["post"]
    body_ref = create_op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    create_schema = spec["components"]["schemas"][body_ref.rsplit("/", 1)[1]]
    assert create_schema["required"] == ["name"]
    assert create_schema["additionalProperties"] is False  # extra="forbid" in the model
    scopes = create_schema["properties"]["scopes"]["items"]
    assert scopes["enum"] == ["read", "write", "admin"]
    assert set(spec["paths"]["/api/v1/api-keys/{key_id}"]) == {"get", "delete"}
    assert "key" in spec["components"]["schemas"]["KeyCreated"]["properties"]
    assert "key" not in spec["components"]["schemas"]["KeyOut"]["properties"]
    # Every route of the API is in the document.
    routed = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api_v1.")
        and "openapi" not in rule.rule
        and not rule.rule.endswith("/docs")
    }
    documented = {re.sub(r"\{(\w+)\}", r"<\1>", p) for p in spec["paths"]}
    assert routed == documented
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"Create an API key" in page.data and b"KeyCreated" in page.data
