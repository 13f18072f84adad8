"""UMLS and generic REST knowledge bases, against a local fake HTTP server: a good answer,
a time-out, a 500, a malformed answer, an unknown entity; and their config checks."""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from potato_like.config import load_config
from potato_like.errors import ConfigError
from tests.conftest import base_config, login, write_config

SECRET = "sekret-key-123"


@pytest.fixture
def fake_api():
    """One local server playing UMLS (/rest/...) and a REST KB (/kb/...); `mode` picks how
    it misbehaves: ok, slow (2 s, beyond the 0.5 s time-out), error (500), malformed."""
    state = {"mode": "ok", "seen": []}

    @Request.application
    def app(request):
        state["seen"].append((request.path, dict(request.args)))
        mode = state["mode"]
        if mode == "slow":
            time.sleep(2)
        if mode == "error":
            return Response("boom", status=500)
        if mode == "malformed":
            return Response('{"result": "nope", "data": {"items": 3}}', mimetype="application/json")
        path = request.path
        if path == "/rest/search/current":
            body = {
                "result": {
                    "results": [
                        {"ui": "C0018681", "name": "Headache", "rootSource": "MTH"},
                        {"ui": "C0018682", "name": "Headache Disorders", "rootSource": "MSH"},
                    ]
                }
            }
        elif path == "/rest/content/current/CUI/C0018681":
            body = {
                "result": {
                    "ui": "C0018681",
                    "name": "Headache",
                    "semanticTypes": [{"name": "Sign or Symptom"}],
                }
            }
        elif path == "/kb/find":
            body = {
                "data": {
                    "items": [
                        {"code": "G1", "title": "BRCA1", "summary": "a gene", "syn": ["RNF53"]}
                    ]
                }
            }
        elif path == "/kb/genes/G1":
            body = {"code": "G1", "title": "BRCA1", "summary": "a gene"}
        else:
            return Response('{"error": "not found"}', status=404, mimetype="application/json")
        return Response(json.dumps(body), mimetype="application/json")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", state
    server.shutdown()
    thread.join(timeout=5)


def kbs(base: str) -> list[dict]:
    return [
        {
            "name": "umls",
            "type": "umls",
            "base_url": f"{base}/rest",
            "api_key": SECRET,
            "timeout": 0.5,
            "cache_seconds": 0,
        },
        {
            "name": "genes",
            "type": "rest",
            "base_url": f"{base}/kb",
            "api_key": SECRET,
            "timeout": 0.5,
            "cache_seconds": 0,
            "extra_params": {
                "search_endpoint": "/find",
                "entity_endpoint": "/genes/{entity_id}",
                "search_query_param": "term",
                "results_path": "data.items",
                "entity_id_field": "code",
                "label_field": "title",
                "description_field": "summary",
                "aliases_field": "syn",
                "param_species": "human",
            },
        },
    ]


def scheme(knowledge_bases: list[dict]) -> dict:
    return {
        "annotation_type": "span",
        "name": "ner",
        "description": "Entities",
        "labels": ["DISEASE", "GENE"],
        "entity_linking": {"knowledge_bases": knowledge_bases},
    }


@pytest.fixture
def ann(tmp_path, open_app, fake_api):
    base, _state = fake_api
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "e1", "text": "BRCA1 headache"}))
    config = write_config(tmp_path, base_config(annotation_schemes=[scheme(kbs(base))]))
    client = login(open_app(config).test_client(), "ann")
    assert client.get("/api/current_instance").json["instance_id"] == "e1"
    return client


def test_umls_search_and_concept(ann, fake_api):
    _base, state = fake_api
    r = ann.get("/api/entity_linking/search?q=headache&kb=umls&limit=1")
    assert r.status_code == 200, r.json
    assert r.json["results"] == [
        {
            "entity_id": "C0018681",
            "kb_source": "umls",
            "label": "Headache",
            "description": "MTH",
            "aliases": [],
            "url": "https://uts.nlm.nih.gov/uts/umls/concept/C0018681",
        }
    ]
    path, args = state["seen"][-1]
    assert path == "/rest/search/current"
    assert args == {"string": "headache", "pageSize": "1", "apiKey": SECRET}
    one = ann.get("/api/entity_linking/entity/umls/C0018681").json["entity"]
    assert one["label"] == "Headache" and one["description"] == "Sign or Symptom"
    assert ann.get("/api/entity_linking/entity/umls/C9999999").status_code == 404


def test_rest_search_entity_and_linking(ann, fake_api):
    _base, state = fake_api
    r = ann.get("/api/entity_linking/search?q=brca&kb=genes")
    assert r.json["results"] == [
        {
            "entity_id": "G1",
            "kb_source": "genes",
            "label": "BRCA1",
            "description": "a gene",
            "aliases": ["RNF53"],
        }
    ]
    assert state["seen"][-1] == (
        "/kb/find",
        {"term": "brca", "limit": "10", "species": "human", "api_key": SECRET},
    )
    assert ann.get("/api/entity_linking/entity/genes/G1").json["entity"]["label"] == "BRCA1"
    assert ann.get("/api/entity_linking/entity/genes/G2").status_code == 404
    # a span linked to a REST entity: the link is checked against the KB and stored
    span = {"schema": "ner", "label": "GENE", "start": 0, "end": 5, "id": "s1"}
    body = {"instance_id": "e1", "span_annotations": [span]}
    assert ann.post("/updateinstance", json=body).status_code == 200
    link = {"instance_id": "e1", "span_id": "s1", "kb_id": "G1", "kb_source": "genes"}
    assert ann.post("/api/entity_linking/update_span", json=link).status_code == 200
    stored = ann.get("/api/spans/e1").json["spans"][0]
    assert (stored["kb_id"], stored["kb_source"], stored["kb_label"]) == ("G1", "genes", "BRCA1")
    bad = {**link, "kb_id": "G2"}
    r = ann.post("/api/entity_linking/update_span", json=bad)
    assert r.status_code == 400 and "'G2' is not in 'genes'" in r.json["error"]


@pytest.mark.parametrize("mode", ["slow", "error", "malformed"])
def test_a_failing_kb_answers_502_without_address_or_key(ann, fake_api, mode, caplog):
    _base, state = fake_api
    state["mode"] = mode
    with caplog.at_level(logging.WARNING, logger="potato_like"):
        for kb in ("umls", "genes"):
            started = time.monotonic()
            r = ann.get(f"/api/entity_linking/search?q=x&kb={kb}")
            assert time.monotonic() - started < 1.8  # the time-out, not the server, ends it
            assert r.status_code == 502, (kb, r.json)
            assert f"{kb!r} is not available right now" in r.json["error"]
            assert "127.0.0.1" not in r.json["error"]
        r = ann.get("/api/entity_linking/entity/umls/C0018681")
        assert r.status_code == 502
    assert "did not answer" in caplog.text
    assert SECRET not in caplog.text  # the key in the query string is redacted


def test_remote_kb_config_problems(tmp_path, monkeypatch):
    monkeypatch.delenv("UMLS_API_KEY", raising=False)
    bad = [
        {"name": "u", "type": "umls"},
        {"name": "r", "type": "rest"},
        {"name": "r2", "type": "rest", "base_url": "ftp://x", "extra_params": "no"},
        {
            "name": "r3",
            "type": "rest",
            "base_url": "http://x",
            "extra_params": {"entity_endpoint": "/e", "search_endpoint": "s"},
        },
    ]
    with pytest.raises(ConfigError) as err:
        load_config(base_config(annotation_schemes=[scheme(bad)]), config_dir=tmp_path)
    text = str(err.value)
    assert "knowledge_bases[0].api_key: is required for umls" in text
    assert "knowledge_bases[1].base_url: " in text
    assert "knowledge_bases[2].base_url: must be an http(s) URL" in text
    assert "knowledge_bases[2].extra_params: must be a mapping" in text
    assert "entity_endpoint must contain {entity_id}" in text
    assert "search_endpoint must start with '/'" in text


def test_umls_key_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("UMLS_API_KEY", "from-env")
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "e1", "text": "t"}))
    config = load_config(
        base_config(annotation_schemes=[scheme([{"name": "u", "type": "umls"}])]),
        config_dir=tmp_path,
    )
    kb = next(s for s in config.schemes if s.name == "ner").knowledge_bases[0]
    assert kb.api_key == "from-env" and kb.base_url == "https://uts-ws.nlm.nih.gov/rest"
