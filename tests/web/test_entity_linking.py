"""Entity linking: local KB files indexed with SQLite FTS5, the Wikidata-style HTTP adapter
(against a local fake server), and the /api/entity_linking endpoints."""

from __future__ import annotations

import json
import threading
import time

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from potato_like.errors import ConfigError
from tests.conftest import base_config, login, write_config

PEOPLE = [
    {"id": "Q937", "name": "Albert Einstein", "aliases": ["Einstein"], "description": "physicist"},
    {
        "id": "Q90",
        "name": "Paris",
        "aliases": ["City of Light"],
        "description": "capital of France",
    },
    {"id": "Q167646", "name": "Paris Hilton", "aliases": [], "description": "media personality"},
    {"id": "Q1", "name": "Zürich", "aliases": "Zurich|ZH", "description": "Swiss city"},
]
TEXT = "Albert Einstein lived in Zürich and Paris."


def kb_scheme(*kbs):
    return {
        "annotation_type": "span",
        "name": "ner",
        "description": "Entities",
        "labels": ["PERSON", "LOCATION"],
        "entity_linking": {"enabled": True, "knowledge_bases": list(kbs)},
    }


@pytest.fixture
def el_app(tmp_path, open_app):
    def make(kb_rows=PEOPLE, kb_file="kb.jsonl", extra_kbs=()):
        (tmp_path / "data.jsonl").write_text(
            json.dumps({"id": "e1", "text": TEXT}, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        path = tmp_path / kb_file
        if kb_file.endswith(".tsv"):
            lines = ["id\tname\taliases\tdescription"]
            lines += [f"{r['id']}\t{r['name']}\t\t{r['description']}" for r in kb_rows]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        else:
            path.write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kb_rows), encoding="utf-8"
            )
        scheme = kb_scheme({"name": "people", "type": "file", "path": kb_file}, *extra_kbs)
        return open_app(write_config(tmp_path, base_config(annotation_schemes=[scheme])))

    return make


def client(app):
    c = login(app.test_client(), "ann")
    assert c.get("/api/current_instance").json["instance_id"] == "e1"
    return c


def test_configured_kbs_and_search(el_app):
    c = client(el_app())
    assert c.get("/api/entity_linking/configured_kbs").json == {
        "knowledge_bases": [{"name": "people", "type": "file", "schemes": ["ner"]}]
    }
    r = c.get("/api/entity_linking/search?query=paris&kb=people").json
    assert [x["entity_id"] for x in r["results"]] == ["Q90", "Q167646"]
    assert r["results"][0] == {
        "entity_id": "Q90",
        "kb_source": "people",
        "label": "Paris",
        "description": "capital of France",
        "aliases": ["City of Light"],
    }
    # aliases, prefixes, diacritics and the Potato parameter name q
    assert (
        c.get("/api/entity_linking/search?q=einst&kb=people").json["results"][0]["entity_id"]
        == "Q937"
    )
    assert (
        c.get("/api/entity_linking/search?q=zurich&kb=people").json["results"][0]["entity_id"]
        == "Q1"
    )
    assert (
        c.get("/api/entity_linking/search?q=light&kb=people&limit=1").json["results"][0]["label"]
        == "Paris"
    )
    assert c.get("/api/entity_linking/search?q=nobody&kb=people").json["results"] == []
    assert c.get('/api/entity_linking/search?q="*)&kb=people').json["results"] == []


def test_search_and_entity_errors(el_app):
    c = client(el_app())
    assert c.get("/api/entity_linking/search?kb=people").status_code == 400
    assert c.get("/api/entity_linking/search?q=x").status_code == 400
    r = c.get("/api/entity_linking/search?q=x&kb=wiki")
    assert r.status_code == 404 and "people" in r.json["error"]
    assert c.get("/api/entity_linking/search?q=x&kb=people&limit=0").status_code == 400
    assert (
        c.get("/api/entity_linking/entity/people/Q937").json["entity"]["label"] == "Albert Einstein"
    )
    assert c.get("/api/entity_linking/entity/people/Q0").status_code == 404
    assert c.get("/api/entity_linking/entity/nope/Q937").status_code == 404
    anon = el_app().test_client()
    assert anon.get("/api/entity_linking/configured_kbs").status_code == 401


def test_update_span_links_and_unlinks(el_app):
    c = client(el_app())
    r = c.post(
        "/updateinstance",
        json={
            "instance_id": "e1",
            "span_annotations": [{"label": "PERSON", "start": 0, "end": 15}],
        },
    )
    assert r.status_code == 200
    span_id = "ner_PERSON_0_15"
    r = c.post(
        "/api/entity_linking/update_span",
        json={"instance_id": "e1", "span_id": span_id, "kb_id": "Q937", "kb_source": "people"},
    )
    assert r.status_code == 200, r.json
    assert r.json["message"] == "Span ner_PERSON_0_15 linked to people:Q937"
    span = c.get("/api/spans/e1").json["spans"][0]
    assert (span["kb_id"], span["kb_source"], span["kb_label"]) == (
        "Q937",
        "people",
        "Albert Einstein",
    )
    # Saving the spans again through /updateinstance keeps the link when it is sent along.
    c.post(
        "/updateinstance",
        json={
            "instance_id": "e1",
            "span_annotations": [
                {
                    "label": "PERSON",
                    "start": 0,
                    "end": 15,
                    "kb_id": "Q937",
                    "kb_source": "people",
                    "kb_label": "Albert Einstein",
                }
            ],
        },
    )
    assert c.get("/api/spans/e1").json["spans"][0]["kb_id"] == "Q937"
    # Bad requests write nothing.
    bad = [
        ({"instance_id": "e1", "span_id": span_id, "kb_id": "Q0", "kb_source": "people"}, 400),
        ({"instance_id": "e1", "span_id": span_id, "kb_id": "Q90", "kb_source": "wiki"}, 404),
        ({"instance_id": "e1", "span_id": "nope", "kb_id": "Q90", "kb_source": "people"}, 404),
        ({"instance_id": "e1", "kb_id": "Q90", "kb_source": "people"}, 400),
        ({"instance_id": "zz", "span_id": span_id, "kb_id": "Q90", "kb_source": "people"}, 404),
    ]
    for body, status in bad:
        assert c.post("/api/entity_linking/update_span", json=body).status_code == status, body
    assert c.get("/api/spans/e1").json["spans"][0]["kb_id"] == "Q937"
    r = c.post(
        "/api/entity_linking/update_span",
        json={"instance_id": "e1", "span_id": span_id, "kb_id": None, "kb_source": None},
    )
    assert r.status_code == 200
    assert "kb_id" not in c.get("/api/spans/e1").json["spans"][0]


def test_index_follows_the_file(el_app, tmp_path):
    app = el_app()
    app.extensions["potato_like"].close()
    index = next(tmp_path.glob("out/kb_*.sqlite3"))
    built = index.stat().st_mtime_ns
    app = el_app()  # same file: the index is reused
    assert index.stat().st_mtime_ns == built
    app.extensions["potato_like"].close()
    app = el_app(kb_rows=[*PEOPLE, {"id": "Q2", "name": "Bern", "description": "capital"}])
    c = client(app)
    assert (
        c.get("/api/entity_linking/search?q=bern&kb=people").json["results"][0]["entity_id"] == "Q2"
    )


def test_tsv_knowledge_base(el_app):
    c = client(el_app(kb_file="kb.tsv"))
    assert (
        c.get("/api/entity_linking/search?q=hilton&kb=people").json["results"][0]["entity_id"]
        == "Q167646"
    )


def test_broken_kb_file_stops_the_start(el_app):
    with pytest.raises(ConfigError, match=r"kb\.jsonl:2: 'name' is required"):
        el_app(kb_rows=[PEOPLE[0], {"id": "Q5"}])


def test_missing_kb_file_and_unknown_type_are_config_problems(tmp_path):
    from potato_like.config import load_config
    from tests.conftest import write_items

    write_items(tmp_path / "data.jsonl", 1)
    scheme = kb_scheme(
        {"name": "a", "type": "file", "path": "missing.jsonl"}, {"name": "b", "type": "x"}
    )
    with pytest.raises(ConfigError) as err:
        load_config(base_config(annotation_schemes=[scheme]), config_dir=tmp_path)
    assert "knowledge_bases[0].path: file not found" in str(err.value)
    assert "knowledge_bases[1].type: 'x' is not one of file, wikidata" in str(err.value)


@pytest.fixture
def fake_wikidata():
    """A local stand-in for Wikidata's wbsearchentities / wbgetentities API."""
    seen = []

    @Request.application
    def app(request):
        seen.append(dict(request.args))
        if request.args.get("action") == "wbsearchentities":
            body = {
                "search": [
                    {
                        "id": "Q64",
                        "label": "Berlin",
                        "description": "capital of Germany",
                        "concepturi": "http://www.wikidata.org/entity/Q64",
                        "aliases": ["Berlin, Germany"],
                    }
                ]
            }
        elif request.args.get("ids") == "Q64":
            body = {
                "entities": {
                    "Q64": {
                        "labels": {"en": {"value": "Berlin"}},
                        "descriptions": {"en": {"value": "capital of Germany"}},
                        "aliases": {"en": [{"value": "Berlin, Germany"}]},
                    }
                }
            }
        else:
            body = {"entities": {request.args.get("ids"): {"missing": ""}}}
        return Response(json.dumps(body), mimetype="application/json")

    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/w/api.php", seen
    server.shutdown()
    thread.join(timeout=5)


def test_wikidata_adapter(el_app, fake_wikidata):
    url, seen = fake_wikidata
    wiki = {"name": "wikidata", "type": "wikidata", "base_url": url, "language": "en", "timeout": 5}
    c = client(el_app(extra_kbs=[wiki]))
    r = c.get("/api/entity_linking/search?q=berlin&kb=wikidata").json["results"]
    assert r == [
        {
            "entity_id": "Q64",
            "kb_source": "wikidata",
            "label": "Berlin",
            "description": "capital of Germany",
            "aliases": ["Berlin, Germany"],
            "url": "http://www.wikidata.org/entity/Q64",
        }
    ]
    assert seen[0]["action"] == "wbsearchentities" and seen[0]["search"] == "berlin"
    assert c.get("/api/entity_linking/entity/wikidata/Q64").json["entity"]["label"] == "Berlin"
    assert c.get("/api/entity_linking/entity/wikidata/Q999").status_code == 404


def test_unreachable_http_kb_answers_502(el_app):
    wiki = {
        "name": "wikidata",
        "type": "wikidata",
        "base_url": "http://127.0.0.1:9/api",
        "timeout": 1,
    }
    c = client(el_app(extra_kbs=[wiki]))
    r = c.get("/api/entity_linking/search?q=berlin&kb=wikidata")
    assert r.status_code == 502 and "not available right now" in r.json["error"]
    assert "127.0.0.1" not in r.json["error"]


@pytest.fixture
def slow_kb():
    """A real local HTTP server standing in for a slow Wikidata-style KB: it answers each
    call after `state["delay"]` seconds and records how many calls were in flight at once."""
    state = {"delay": 1.5, "calls": 0, "in_flight": 0, "most_in_flight": 0}
    lock = threading.Lock()

    @Request.application
    def app(request):
        with lock:
            state["calls"] += 1
            state["in_flight"] += 1
            state["most_in_flight"] = max(state["most_in_flight"], state["in_flight"])
        try:
            time.sleep(state["delay"])
        finally:
            with lock:
                state["in_flight"] -= 1
        hit = {"id": "Q64", "label": request.args.get("search", "?")}
        return Response(json.dumps({"search": [hit]}), mimetype="application/json")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/w/api.php", state
    server.shutdown()
    thread.join(timeout=5)


def slow_kb_client(el_app, url, **extra):
    wiki = {"name": "wiki", "type": "wikidata", "base_url": url, **extra}
    return el_app(extra_kbs=[wiki])


def test_a_slow_kb_gets_few_calls_at_once_and_the_rest_503_at_once(el_app, slow_kb):
    url, state = slow_kb
    app = slow_kb_client(el_app, url, timeout=5, max_concurrent=2)
    clients = [client(app) for _ in range(6)]
    results = [None] * 6

    def search(i):
        started = time.monotonic()
        r = clients[i].get(f"/api/entity_linking/search?q=city{i}&kb=wiki")
        results[i] = (r.status_code, time.monotonic() - started, r.headers.get("Retry-After"))

    threads = [threading.Thread(target=search, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    statuses = sorted(code for code, _, _ in results)
    assert statuses == [200, 200, 503, 503, 503, 503], results
    busy = [(secs, retry) for code, secs, retry in results if code == 503]
    assert all(secs < 1.0 and retry == "2" for secs, retry in busy), busy
    assert state["most_in_flight"] == 2


def test_a_kb_slower_than_its_timeout_gives_502_without_its_address(el_app, slow_kb, caplog):
    url, state = slow_kb
    state["delay"] = 3
    c = client(slow_kb_client(el_app, url, timeout=1))
    started = time.monotonic()
    r = c.get("/api/entity_linking/search?q=berlin&kb=wiki")
    assert r.status_code == 502 and time.monotonic() - started < 2.5
    assert (
        r.json["error"] == "the knowledge base 'wiki' is not available right now; try again later"
    )
    assert "127.0.0.1" in caplog.text  # the detail is in the server's log


def test_kb_answers_are_cached(el_app, slow_kb):
    url, state = slow_kb
    state["delay"] = 0
    c = client(slow_kb_client(el_app, url, cache_seconds=60))
    first = c.get("/api/entity_linking/search?q=berlin&kb=wiki").json
    assert c.get("/api/entity_linking/search?q=berlin&kb=wiki").json == first
    assert state["calls"] == 1
    c.get("/api/entity_linking/search?q=paris&kb=wiki")
    assert state["calls"] == 2


def test_duplicate_kb_ids_stop_the_start(el_app):
    """Two entries with one id would both be found by a search (the second replacing the
    first's details): the start names the line instead."""
    twin = {"id": "Q90", "name": "Paris, Texas", "description": "town"}
    with pytest.raises(ConfigError, match=r"kb\.jsonl:5: duplicate id 'Q90' \(first at 2\)"):
        el_app(kb_rows=[*PEOPLE, twin])


def test_update_span_refuses_a_label_the_next_save_would_refuse(el_app):
    """kb_label is stored on the span and sent back by every autosave, which allows strings of
    at most 500 characters: update_span must refuse the rest, not store them."""
    c = client(el_app())
    spans = [{"label": "PERSON", "start": 0, "end": 15}]
    c.post("/updateinstance", json={"instance_id": "e1", "span_annotations": spans})
    link = {"instance_id": "e1", "span_id": "ner_PERSON_0_15", "kb_id": "Q937"}
    for bad, needle in [
        ({"kb_source": "people", "kb_label": {"a": 1}}, "kb_label"),
        ({"kb_source": "people", "kb_label": "x" * 501}, "kb_label"),
        ({}, "kb_source"),
        ({"kb_source": "people", "instance_id": None}, "'instance_id' is required"),
        ({"kb_source": "people", "instance_id": " "}, "'instance_id' is required"),
    ]:
        r = c.post("/api/entity_linking/update_span", json={**link, **bad})
        assert r.status_code == 400, r.json
        assert needle in r.json["error"]
    assert "kb_id" not in c.get("/api/spans/e1").json["spans"][0]
    r = c.post(
        "/api/entity_linking/update_span",
        json={**link, "kb_source": "people", "kb_label": "Einstein (physicist)"},
    )
    assert r.status_code == 200, r.json
    span = c.get("/api/spans/e1").json["spans"][0]
    assert span["kb_label"] == "Einstein (physicist)"
    # The span as the page sends it back saves again.
    resent = {k: span[k] for k in ("id", "label", "start", "end", "kb_id", "kb_source", "kb_label")}
    r = c.post("/updateinstance", json={"instance_id": "e1", "span_annotations": [resent]})
    assert r.status_code == 200, r.json
