"""Chat about the item (chat_support) and agent chat, against a fake LLM server: replies,
history per user and item kept in the store, finish, and a dead endpoint (503, nothing kept)."""

from __future__ import annotations

import time

import ollama  # noqa: F401 - the SDK's import (seconds, once) is not a request's budget
import pytest

from tests.conftest import current_id, login
from tests.llm_fakes import FakeLLM


@pytest.fixture
def fake():
    server = FakeLLM("ollama", "Look at the word 'number'.")
    yield server
    server.close()


def chat(url: str) -> dict:
    return {
        "enabled": True,
        "endpoint_type": "ollama",
        "ai_config": {"model": "llama3.2", "base_url": url, "timeout": 2},
        "system_prompt": {"template": "Task {task_name}; item {instance_id}: {instance_text}"},
    }


def test_chat_send_history_config(make_project, fake):
    app = make_project(chat_support=chat(fake.url))
    client = login(app.test_client(), "ann1")
    iid = current_id(client)
    conf = client.get("/api/chat/config").json
    assert conf["enabled"] is True and conf["ui"]["title"] == "Ask AI"
    assert fake.url not in str(conf)
    r = client.post("/api/chat/send", json={"instance_id": iid, "message": "What matters?"})
    assert r.status_code == 200 and r.json["response"] == "Look at the word 'number'."
    sent = fake.requests[0]["body"]["messages"]
    assert sent[0] == {"role": "system", "content": f"Task Test task; item {iid}: Text number 1."}
    client.post("/api/chat/send", json={"instance_id": iid, "message": "And then?"})
    assert [m["role"] for m in fake.requests[1]["body"]["messages"]] == [
        "system",
        "user",
        "assistant",
        "user",
    ]
    history = client.get(f"/api/chat/history?instance_id={iid}").json["messages"]
    assert [m["content"] for m in history][::2] == ["What matters?", "And then?"]
    other = login(app.test_client(), "ann2")
    other_iid = current_id(other)
    assert other.get(f"/api/chat/history?instance_id={other_iid}").json["messages"] == []


def test_chat_bad_input(make_project, fake):
    client = login(make_project(chat_support=chat(fake.url)).test_client(), "ann1")
    iid = current_id(client)
    assert client.post("/api/chat/send", json={"instance_id": iid}).status_code == 400
    assert (
        client.post("/api/chat/send", json={"instance_id": "x", "message": "m"}).status_code == 404
    )
    assert client.post("/api/chat/send", json=[1]).status_code == 400
    assert client.get("/api/chat/history").status_code == 400


def test_dead_chat_endpoint_is_503_and_keeps_nothing(make_project):
    conf = chat("http://127.0.0.1:9")
    conf["ai_config"]["timeout"] = 1
    client = login(make_project(chat_support=conf).test_client(), "ann1")
    iid = current_id(client)
    start = time.monotonic()
    r = client.post("/api/chat/send", json={"instance_id": iid, "message": "hello?"})
    assert r.status_code == 503 and r.json["error"]
    assert time.monotonic() - start < 2.5
    assert client.get(f"/api/chat/history?instance_id={iid}").json["messages"] == []


def test_agent_chat_send_status_finish(make_project, fake):
    client = login(make_project(chat_support=chat(fake.url)).test_client(), "ann1")
    iid = current_id(client)
    status = client.get(f"/agent_chat/status?instance_id={iid}").json
    assert status["active"] is False and status["messages"] == []
    assert client.post("/agent_chat/finish", json={"instance_id": iid}).status_code == 400
    r = client.post("/agent_chat/send", json={"instance_id": iid, "message": "Plan?"})
    assert r.status_code == 200
    assert client.get(f"/agent_chat/status?instance_id={iid}").json["active"] is True
    done = client.post("/agent_chat/finish", json={"instance_id": iid})
    assert done.status_code == 200 and done.json["messages"] == 2
    status = client.get(f"/agent_chat/status?instance_id={iid}").json
    assert status["finished"] is True and len(status["messages"]) == 2
    # The chat sidebar's history is another conversation.
    assert client.get(f"/api/chat/history?instance_id={iid}").json["messages"] == []


def test_chat_off(make_project):
    client = login(make_project().test_client(), "ann1")
    iid = current_id(client)
    assert client.get("/api/chat/config").json == {"enabled": False}
    r = client.post("/api/chat/send", json={"instance_id": iid, "message": "hi"})
    assert r.status_code == 404 and "chat_support" in r.json["error"]
    assert (
        client.post("/agent_chat/send", json={"instance_id": iid, "message": "x"}).status_code
        == 404
    )


def test_annotate_page_has_the_chat_panel_only_with_chat_support(make_project, fake):
    page = login(make_project(chat_support=chat(fake.url)).test_client(), "ann1").get("/annotate")
    text = page.data.decode()
    assert 'data-testid="ai-chat"' in text and "ai-chat.js" in text and fake.url not in text
    plain = login(make_project(items=2).test_client(), "ann2").get("/annotate").data.decode()
    assert "ai-chat" not in plain
