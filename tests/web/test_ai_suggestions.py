"""AI suggestions on the annotation page and its APIs, against a fake OpenAI-compatible
server over real HTTP: seed 003's shapes, the cache, a dead or slow endpoint, what
annotators did with suggestions (server-side) and the exports' marks."""

from __future__ import annotations

import json
import logging
import time

import openai  # noqa: F401 - the SDK's import (seconds, once) is not a request's budget
import pytest

from tests.conftest import ADMIN, answer, current_id, login, radio
from tests.llm_fakes import FakeLLM


@pytest.fixture
def fake():
    server = FakeLLM("openai")
    yield server
    server.close()


def ai(url: str, **extra) -> dict:
    config = {"model": "fake-model", "base_url": url, "timeout": 2}
    config.update(extra.pop("ai_config", {}))
    return {"enabled": True, "endpoint_type": "vllm", "ai_config": config, **extra}


def test_suggestion_for_the_item(make_project, fake):
    app = make_project(ai_support=ai(fake.url))
    client = login(app.test_client(), "ann1")
    iid = current_id(client)
    r = client.get(f"/api/get_ai_suggestion?instance_id={iid}")
    assert r.status_code == 200
    (s,) = r.json["suggestions"]
    assert (s["schema"], s["label"], s["confidence"]) == ("sentiment", "positive", 0.9)
    assert s["explanation"] == "says 'great'" and r.json["prefill"] is False
    sent = fake.requests[0]["body"]
    assert sent["model"] == "fake-model"
    assert "Text number 1." in json.dumps(sent)
    assert sent["response_format"] == {"type": "json_object"}


def test_seed_shapes_and_potato_annotation_id(make_project, fake):
    app = make_project(ai_support=ai(fake.url))
    client = login(app.test_client(), "ann1")
    iid = current_id(client)
    r = client.get(f"/api/ai_assistant?instance_id={iid}&schema=sentiment")
    assert r.status_code == 200
    assert r.json["suggestions"][0]["label"] == "positive"
    assert {"schema", "label", "confidence"} <= set(r.json["suggestions"][0])
    assert "positive" in r.json["html"] and "90% sure" in r.json["html"]
    # Potato's form: the scheme by index, on the current item.
    r = client.get("/get_ai_suggestion?annotationId=0&aiAssistant=hint")
    assert r.status_code == 200
    assert r.json["labels"] == {"sentiment": "positive"}
    assert r.json["confidence"] == 0.9 and r.json["suggestion"] == "says 'great'"
    r = client.get("/api/ai_assistant?annotationId=0")
    assert r.json["suggestions"][0]["schema"] == "sentiment"


def test_bad_requests_are_4xx(make_project, fake):
    app = make_project(ai_support=ai(fake.url))
    client = login(app.test_client(), "ann1")
    assert client.get("/api/get_ai_suggestion?instance_id=nope").status_code == 404
    assert client.get("/api/get_ai_suggestion?schema=nope").status_code == 400
    assert client.get("/get_ai_suggestion?annotationId=7").status_code == 404
    assert client.get("/get_ai_suggestion?annotationId=x").status_code == 400
    assert "error" in client.get("/get_ai_suggestion?annotationId=x").json
    other = login(app.test_client(), "ann2")
    iid = current_id(client)
    assert other.get(f"/api/get_ai_suggestion?instance_id={iid}").status_code in (403, 404)


def test_cached_per_item_and_model_and_kept_on_disk(make_project, fake, tmp_path):
    cache = {
        "disk_cache": {"enabled": True, "path": "out/ai_cache.json"},
        "prefetch": {"on_next": 0},
    }
    app = make_project(ai_support=ai(fake.url, cache_config=cache))
    client = login(app.test_client(), "ann1")
    iid = current_id(client)
    for _ in range(3):
        assert client.get(f"/api/get_ai_suggestion?instance_id={iid}").json["suggestions"]
    assert len(fake.requests) == 1
    store = app.extensions["potato_like"].store
    assert store.ai_cache.count() == 1  # one row in the project's database (store/ai_cache.py)
    key = json.dumps(["openai_compatible", "fake-model", iid, "sentiment"])
    assert store.ai_cache.get(key)["label"] == "positive"
    assert not (tmp_path / "out" / "ai_cache.json").exists()  # no JSON file is written
    app.extensions["potato_like"].close()
    again = make_project(ai_support=ai(fake.url, cache_config=cache))
    client = login(again.test_client(), "ann1")
    assert client.get(f"/api/get_ai_suggestion?instance_id={iid}").json["suggestions"]
    assert len(fake.requests) == 1  # from the disk cache


def test_a_json_cache_of_an_earlier_version_is_imported_once(make_project, fake, tmp_path):
    key = json.dumps(["openai_compatible", "fake-model", "item_001", "sentiment"])
    old = {key: {"schema": "sentiment", "label": "negative", "confidence": 0.5,
                 "explanation": "from the old file", "evidence": [], "provider": "x",
                 "model_version": "fake-model", "scores": {}}}  # fmt: skip
    (tmp_path / "out").mkdir(exist_ok=True)
    (tmp_path / "out" / "ai_cache.json").write_text(json.dumps(old))
    cache = {
        "disk_cache": {"enabled": True, "path": "out/ai_cache.json"},
        "prefetch": {"on_next": 0},
    }
    app = make_project(ai_support=ai(fake.url, cache_config=cache))
    client = login(app.test_client(), "ann1")
    assert current_id(client) == "item_001"
    (s,) = client.get("/api/get_ai_suggestion?instance_id=item_001").json["suggestions"]
    assert s["explanation"] == "from the old file" and fake.requests == []
    store = app.extensions["potato_like"].store
    store.ai_cache.clear()
    app.extensions["potato_like"].close()
    again = make_project(ai_support=ai(fake.url, cache_config=cache))
    assert again.extensions["potato_like"].store.ai_cache.count() == 0  # not imported twice


def test_prefetch_of_next_items_in_the_background(make_project, fake):
    cache = {"prefetch": {"on_next": 3}}
    app = make_project(ai_support=ai(fake.url, cache_config=cache), items=6)
    client = login(app.test_client(), "ann1")
    iid = current_id(client)
    client.get(f"/api/get_ai_suggestion?instance_id={iid}")
    deadline = time.monotonic() + 5
    while len(fake.requests) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    texts = " ".join(json.dumps(r["body"]) for r in fake.requests)
    assert len(fake.requests) == 4
    for n in (2, 3, 4):
        assert f"Text number {n}." in texts
    assert "Text number 5." not in texts


def test_dead_endpoint_answers_quickly_without_suggestion(make_project):
    app = make_project(ai_support=ai("http://127.0.0.1:9", ai_config={"timeout": 1}))
    client = login(app.test_client(), "ann1")
    iid = current_id(client)
    start = time.monotonic()
    r = client.get(f"/api/get_ai_suggestion?instance_id={iid}")
    assert r.status_code == 200 and r.json["suggestions"] == []
    assert "busy or failing" in r.json["message"] or "did not answer" in r.json["message"]
    assert time.monotonic() - start < 2.5
    # Not asked again at once: the failure is remembered for a while.
    start = time.monotonic()
    assert client.get(f"/api/get_ai_suggestion?instance_id={iid}").json["suggestions"] == []
    assert time.monotonic() - start < 0.5
    page = client.get("/annotate")
    assert page.status_code == 200 and b"ai-suggestion" in page.data


def test_slow_endpoint_never_holds_a_request_past_the_time_out(make_project, fake):
    fake.script(("slow", 5))
    app = make_project(ai_support=ai(fake.url, ai_config={"timeout": 0.5}))
    client = login(app.test_client(), "ann1")
    iid = current_id(client)
    start = time.monotonic()
    r = client.get(f"/api/get_ai_suggestion?instance_id={iid}")
    assert r.status_code == 200 and r.json["suggestions"] == []
    assert "0.5 s" in r.json["message"]
    assert time.monotonic() - start < 2.0


def influence(app) -> dict:
    admin = app.test_client()
    r = admin.get("/admin/api/ai_influence", headers=ADMIN)
    assert r.status_code == 200, r.json
    return {row["annotator"]: row for row in r.json["annotators"]}


def test_shown_accepted_overridden_per_annotator_and_in_exports(make_project, fake):
    app = make_project(ai_support=ai(fake.url))
    a, b = login(app.test_client(), "ann1"), login(app.test_client(), "ann2")
    for client, label in ((a, "positive"), (b, "negative")):
        iid = current_id(client)
        client.get(f"/api/get_ai_suggestion?instance_id={iid}")
        assert answer(client, iid, **{f"sentiment:{label}": "1"}).status_code == 200
    a.get(f"/api/get_ai_suggestion?instance_id={current_id(a)}")  # shown again (a reload)
    rows = influence(app)
    assert rows["ann1"]["shown"] == 1 and rows["ann1"]["accepted"] == 1
    assert rows["ann2"]["overridden"] == 1 and rows["ann2"]["accepted"] == 0
    assert rows["ann1"]["acceptance_rate"] == 1.0
    admin = app.test_client()
    lines = admin.post("/admin/api/export", json={"format": "jsonl"}, headers=ADMIN)
    assert lines.status_code == 200, lines.data[:300]
    records = {r["user"]: r for r in map(json.loads, lines.data.decode().splitlines())}
    assert records["ann1"]["ai_accepted"]["sentiment"]["label"] == "positive"
    assert records["ann2"]["ai_accepted"] == {}
    table = admin.post("/admin/api/export", json={"format": "csv"}, headers=ADMIN).data.decode()
    header, *body = table.splitlines()
    assert header.endswith(",ai_accepted")
    by_user = {line.split(",")[0]: line for line in body}
    assert by_user["ann1"].endswith('"[""sentiment""]"') and by_user["ann2"].endswith(",")


def test_reject_reported_by_the_page_is_recorded(make_project, fake):
    app = make_project(ai_support=ai(fake.url))
    client = login(app.test_client(), "ann1")
    iid = current_id(client)
    client.get(f"/api/get_ai_suggestion?instance_id={iid}")
    r = client.post(
        "/api/track_ai_usage", json={"instance_id": iid, "action": "reject", "schema": "sentiment"}
    )
    assert r.status_code == 200
    assert influence(app)["ann1"]["rejected"] == 1


def test_annotate_page_shows_the_panel_only_with_ai(make_project, fake, tmp_path):
    app = make_project(ai_support=ai(fake.url))
    page = login(app.test_client(), "ann1").get("/annotate").data.decode()
    assert 'data-ai-schema="sentiment"' in page and "ai-assist.js" in page
    assert fake.url not in page  # the endpoint is not the browser's business
    plain = make_project(items=2).test_client()
    page = login(plain, "ann1").get("/annotate").data.decode()
    assert "ai-suggestion" not in page and "ai-assist.js" not in page


def test_ai_off_endpoints_say_so(make_project):
    client = login(make_project().test_client(), "ann1")
    r = client.get("/api/get_ai_suggestion")
    assert r.status_code == 404 and "ai_support" in r.json["error"]
    assert client.get("/api/option_highlights/config").json == {"enabled": False}


def test_option_highlights(make_project, fake):
    fake.default = {"label": "neutral", "confidence": 0.6, "explanation": "flat"}
    highlight = {"enabled": True, "top_k": 2, "dim_opacity": 0.3}
    app = make_project(ai_support=ai(fake.url, option_highlighting=highlight), items=4)
    client = login(app.test_client(), "ann1")
    conf = client.get("/api/option_highlights/config").json
    assert conf["enabled"] is True and conf["top_k"] == 2 and conf["schemes"] == ["sentiment"]
    r = client.get("/api/option_highlights/0")
    assert r.status_code == 200
    assert r.json["highlighted"] == ["neutral"] and r.json["confidence"] == 0.6
    assert client.get("/api/option_highlights/5").status_code == 404
    r = client.post("/api/option_highlights/prefetch", json={"count": 2})
    assert r.status_code == 200 and r.json["queued"] == 2
    bad = client.post("/api/option_highlights/prefetch", json={"count": "lots"})
    assert bad.status_code == 400


def test_multiselect_and_included_schemes(make_project, fake):
    fake.default = {"label": ["price"], "confidence": 0.7, "explanation": ""}
    schemes = [
        radio("sentiment", ["positive", "negative"]),
        {
            "annotation_type": "multiselect",
            "name": "topics",
            "description": "Topics?",
            "labels": ["price", "quality"],
        },
    ]
    include = {"include": {"all": False, "special_include": {"0": {"1": ["hint"]}}}}
    app = make_project(schemes=schemes, ai_support=ai(fake.url, ai_config=include))
    client = login(app.test_client(), "ann1")
    iid = current_id(client)
    r = client.get(f"/api/get_ai_suggestion?instance_id={iid}")
    assert [s["schema"] for s in r.json["suggestions"]] == ["topics"]
    assert r.json["suggestions"][0]["label"] == ["price"]
    assert answer(client, iid, **{"topics:price": "1"}).status_code == 200
    assert influence(app)["ann1"]["accepted"] == 1


def test_api_key_never_reaches_pages_apis_or_logs(make_project, fake, monkeypatch, caplog):
    secret = "sk-very-secret-key-123"
    monkeypatch.setenv("TEST_LLM_KEY", secret)
    caplog.set_level(logging.DEBUG)
    conf = ai(fake.url, ai_config={"api_key": "${TEST_LLM_KEY}"})
    chat = {
        "enabled": True,
        "endpoint_type": "vllm",
        "ai_config": {"model": "m", "base_url": fake.url, "api_key": "${TEST_LLM_KEY}"},
    }
    app = make_project(ai_support=conf, chat_support=chat)
    assert not [
        w for w in app.extensions["potato_like"].config.warnings if "ai_config.api_key" in w
    ]
    client = login(app.test_client(), "ann1")
    iid = current_id(client)
    bodies = [
        client.get("/annotate").data,
        client.get(f"/api/get_ai_suggestion?instance_id={iid}").data,
        client.get(f"/api/ai_assistant?instance_id={iid}").data,
        client.get("/api/option_highlights/config").data,
        client.get("/api/chat/config").data,
        client.post("/api/chat/send", json={"instance_id": iid, "message": "hi"}).data,
        client.get(f"/api/chat/history?instance_id={iid}").data,
    ]
    admin = app.test_client()
    for path in ("/admin/api/ai_influence", "/admin/api/config", "/admin/api/overview"):
        bodies.append(admin.get(path, headers=ADMIN).data)
    assert all(secret.encode() not in body for body in bodies)
    assert secret not in caplog.text
    assert secret not in repr(app.extensions["potato_like"].config)
    sent = [{k.lower(): v for k, v in r["headers"].items()} for r in fake.requests]
    assert sent and all(h.get("authorization") == f"Bearer {secret}" for h in sent)


@pytest.mark.postgres
def test_records_and_chat_on_postgres(make_project, fake, pg_url):
    chat = {
        "enabled": True,
        "endpoint_type": "vllm",
        "ai_config": {"model": "m", "base_url": fake.url},
    }
    app = make_project(ai_support=ai(fake.url), chat_support=chat, database_url=pg_url)
    client = login(app.test_client(), "ann1")
    iid = current_id(client)
    for _ in range(2):  # shown twice: one row, its outcome kept
        assert client.get(f"/api/get_ai_suggestion?instance_id={iid}").json["suggestions"]
        assert answer(client, iid, **{"sentiment:positive": "1"}).status_code == 200
    assert influence(app)["ann1"]["accepted"] == 1
    assert (
        client.post("/api/chat/send", json={"instance_id": iid, "message": "hi"}).status_code == 200
    )
    assert len(client.get(f"/api/chat/history?instance_id={iid}").json["messages"]) == 2
