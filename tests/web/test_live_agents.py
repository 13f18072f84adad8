"""Live agent runs (live_agent / live_coding_agent) against a local fake LLM over HTTP: a
coding run writes and reads files in its sandbox and is kept as a trace; pause, resume,
stop and instructions; a dead endpoint fails the run with a clear message and no hang; a
restart keeps the steps and marks the run interrupted; browsing goes through the guarded
fetch; commands are refused unless the admin allowed them."""

from __future__ import annotations

import json
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import ollama  # noqa: F401 - the SDK's import (seconds, once) is not a request's budget
import pytest

from potato_like.live_agents.tools import network_isolation
from potato_like.traces.registry import import_files
from tests.conftest import current_id, login, with_csrf, write_config, write_items
from tests.llm_fakes import FakeLLM

DISPLAY = {
    "fields": [
        {"key": "text", "type": "text"},
        {"key": "trace", "type": "live_coding_agent", "display_options": {"show_file_tree": True}},
    ]
}


def act(tool: str, **args) -> str:
    return json.dumps({"thought": f"use {tool}", "action": {"tool": tool, "args": args}})


DONE = act("done", summary="all done")


@pytest.fixture
def fake():
    server = FakeLLM("ollama", act("Glob", pattern="*"))
    yield server
    server.close()


def coding(url: str, **extra) -> dict:
    return {
        "backend_type": "ollama_tool_use",
        "ai_config": {"model": "qwen", "base_url": url, "timeout": 2},
        "max_turns": 6,
        "sandbox_mode": "direct",
        **extra,
    }


def wait_for(client, url: str, states=("finished", "failed", "stopped"), timeout=10.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = client.get(url).json
        if data["state"] in states:
            return data
        time.sleep(0.05)
    raise AssertionError(f"run did not reach {states}: {data}")


def start(client, kind="live_coding_agent"):
    iid = current_id(client)
    r = client.post(f"/api/{kind}/start", json={"instance_id": iid})
    assert r.status_code == 200, r.json
    return iid, r.json["session_id"]


def test_coding_run_writes_in_its_sandbox_and_is_kept_as_a_trace(make_project, fake, tmp_path):
    fake.script(
        ("ok", act("Write", file_path="src/fact.py", content="print(120)\n")),
        ("ok", act("Read", file_path="src/fact.py")),
        ("ok", act("Read", file_path="../../config.yaml")),
        ("ok", DONE),
    )
    (tmp_path / "workspace").mkdir()
    (tmp_path / "workspace" / "README.md").write_text("the project's starting files")
    conf = coding(fake.url, working_dir="./workspace")
    app = make_project(live_coding_agent=conf, instance_display=DISPLAY)
    client = with_csrf(login(app.test_client(), "ann1"))
    page = client.get("/annotate").get_data(as_text=True)
    assert "data-live-run" in page and "/api/live_coding_agent/start" in page
    iid, run = start(client)
    data = wait_for(client, f"/api/live_coding_agent/state/{run}")
    assert data["state"] == "finished" and data["error"] is None
    steps = data["steps"]
    assert [s["action"]["tool"] for s in steps] == ["Write", "Read", "Read", "done"]
    assert steps[1]["observation"] == "print(120)\n"
    assert steps[2]["ok"] is False and "inside the workspace" in steps[2]["observation"]
    # the model saw the task and each result
    sent = fake.requests[1]["body"]["messages"]
    assert "Text number 1." in sent[1]["content"] and "wrote" in sent[-1]["content"]
    files = client.get(f"/api/live_coding_agent/files/{run}").json["files"]
    assert files == ["README.md", "src/fact.py"]  # working_dir copied into the run's sandbox
    assert not (tmp_path / "workspace" / "src").exists()  # the original is untouched
    saved = tmp_path / "out" / "live_runs" / run / "trace.json"
    trace = json.loads(saved.read_text())
    assert trace["instance_id"] == iid and trace["user"] == "ann1" and len(trace["steps"]) == 4
    # the kept trace is a Potato trace item: import-traces reads it back
    [(_, fmt, imported)] = list(import_files("auto", [saved]))
    assert fmt == "potato" and imported["id"] == run and len(imported["steps"]) == 4
    assert client.get(f"/api/live_coding_agent/state/{run}?since=3").json["steps"][0]["step"] == 3
    sessions = client.get(f"/api/live_coding_agent/sessions?instance_id={iid}").json["sessions"]
    assert [s["session_id"] for s in sessions] == [run]
    # another annotator cannot see or steer it
    other = with_csrf(login(app.test_client(), "ann2"))
    assert other.get(f"/api/live_coding_agent/state/{run}").status_code == 404
    assert other.post(f"/api/live_coding_agent/stop/{run}").status_code == 404


def test_pause_resume_instruct_stop(make_project, fake):
    app = make_project(live_coding_agent=coding(fake.url, max_turns=400), instance_display=DISPLAY)
    client = with_csrf(login(app.test_client(), "ann1"))
    _, run = start(client)
    base = "/api/live_coding_agent"
    wait = lambda: wait_for(client, f"{base}/state/{run}", ("running",))  # noqa: E731
    wait()
    assert client.post(f"{base}/pause/{run}").json["state"] == "paused"
    time.sleep(0.3)  # the step in flight lands
    count = client.get(f"{base}/state/{run}").json["step_count"]
    time.sleep(0.3)
    assert client.get(f"{base}/state/{run}").json["step_count"] == count  # paused: no steps
    assert client.post(f"{base}/pause/{run}").status_code == 409
    r = client.post(f"{base}/instruct/{run}", json={"instruction": "Write tests first"})
    assert r.status_code == 200
    assert client.post(f"{base}/resume/{run}").json["state"] == "running"
    deadline = time.monotonic() + 5
    while client.get(f"{base}/state/{run}").json["step_count"] < count + 3:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    told = [
        m
        for r in fake.requests
        for m in r["body"]["messages"]
        if "Write tests first" in m["content"]
    ]
    assert told, "the instruction reached the model"
    assert client.post(f"{base}/stop/{run}").json["state"] == "stopped"
    time.sleep(0.3)
    final = client.get(f"{base}/state/{run}").json
    time.sleep(0.3)
    assert client.get(f"{base}/state/{run}").json["step_count"] == final["step_count"]
    assert final["state"] == "stopped"
    assert client.post(f"{base}/resume/{run}").status_code == 409
    assert client.post(f"{base}/instruct/{run}", json={"instruction": "x"}).status_code == 409
    # a new run may start after the stop (one active run per annotator)
    assert client.post(f"{base}/start", json={"instance_id": current_id(client)}).status_code == 200


def test_one_active_run_per_annotator_and_bad_input(make_project, fake):
    app = make_project(live_coding_agent=coding(fake.url, max_turns=400), instance_display=DISPLAY)
    client = with_csrf(login(app.test_client(), "ann1"))
    _, run = start(client)
    iid = current_id(client)
    assert client.post("/api/live_coding_agent/start", json={"instance_id": iid}).status_code == 409
    assert client.post("/api/live_coding_agent/start", json={}).status_code == 400
    assert client.post("/api/live_coding_agent/start", json=[1]).status_code == 400
    r = client.post("/api/live_coding_agent/start", json={"instance_id": "nope"})
    assert r.status_code == 404
    assert client.post("/api/live_agent/start", json={"instance_id": iid}).status_code == 404
    r = client.get("/api/live_agent/sessions")
    assert r.status_code == 404 and "no live_agent block" in r.json["error"]
    assert client.get(f"/api/live_coding_agent/state/{run}?since=x").status_code == 400
    assert client.get("/api/live_coding_agent/state/..%2f..").status_code == 404
    assert client.post(f"/api/live_coding_agent/instruct/{run}", json={}).status_code == 400
    client.post(f"/api/live_coding_agent/stop/{run}")


def test_dead_endpoint_fails_the_run_quickly_with_a_clear_message(make_project):
    conf = coding("http://127.0.0.1:9")
    conf["ai_config"]["timeout"] = 1
    app = make_project(live_coding_agent=conf, instance_display=DISPLAY)
    client = with_csrf(login(app.test_client(), "ann1"))
    began = time.monotonic()
    _, run = start(client)
    assert time.monotonic() - began < 1.0  # the request does not wait for the model
    data = wait_for(client, f"/api/live_coding_agent/state/{run}", timeout=5)
    assert data["state"] == "failed" and "the model did not answer" in data["error"]
    assert data["steps"] == []


def test_restart_keeps_the_steps_and_marks_the_run_interrupted(tmp_path, fake, open_app):
    write_items(tmp_path / "data.jsonl", 3)
    from tests.conftest import base_config

    config = base_config(
        live_coding_agent=coding(fake.url, max_turns=400), instance_display=DISPLAY
    )
    path = write_config(tmp_path, config)
    app = open_app(path)
    client = with_csrf(login(app.test_client(), "ann1"))
    _, run = start(client)
    deadline = time.monotonic() + 5
    while client.get(f"/api/live_coding_agent/state/{run}").json["step_count"] < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    client.post(f"/api/live_coding_agent/pause/{run}")
    time.sleep(0.2)
    before = client.get(f"/api/live_coding_agent/state/{run}").json["step_count"]
    # a second server process on the same project dir (the first one "died" mid-run)
    again = open_app(path)
    client2 = login(again.test_client(), "ann1")
    data = client2.get(f"/api/live_coding_agent/state/{run}").json
    assert data["state"] == "interrupted" and "server stopped" in data["error"]
    assert data["step_count"] == before
    # (closing the first project at teardown stops its run thread without writing)


def test_commands_are_refused_unless_acknowledged(make_project, fake):
    fake.script(("ok", act("Bash", command="echo hi")), ("ok", DONE))
    app = make_project(live_coding_agent=coding(fake.url), instance_display=DISPLAY)
    client = with_csrf(login(app.test_client(), "ann1"))
    _, run = start(client)
    steps = wait_for(client, f"/api/live_coding_agent/state/{run}")["steps"]
    assert steps[0]["ok"] is False and "commands are off" in steps[0]["observation"]


@pytest.mark.skipif(network_isolation() is None, reason="unshare -rn is not available here")
def test_allowed_commands_run_in_the_sandbox_without_network_and_time_out(make_project, fake):
    fake.script(
        ("ok", act("Bash", command="pwd; echo made > x.txt; cat x.txt")),
        (
            "ok",
            act(
                "Bash",
                command="python3 -c \"import socket; socket.create_connection(('1.1.1.1', 53), 2)\"",
            ),
        ),
        ("ok", DONE),
    )
    conf = coding(fake.url, acknowledge_untrusted_code_execution=True)
    app = make_project(live_coding_agent=conf, instance_display=DISPLAY)
    client = with_csrf(login(app.test_client(), "ann1"))
    _, run = start(client)
    steps = wait_for(client, f"/api/live_coding_agent/state/{run}")["steps"]
    assert steps[0]["ok"] and "/workspace\nmade\n" in steps[0]["observation"]
    assert "exit code 0" in steps[0]["observation"]
    assert (
        "Network is unreachable" in steps[1]["observation"]
        or "exit code 1" in steps[1]["observation"]
    )
    assert "exit code 0" not in steps[1]["observation"]


def test_command_time_out_kills_the_process_group(tmp_path):
    from potato_like.live_agents.tools import run_command

    if network_isolation() is None:
        pytest.skip("unshare -rn is not available here")
    began = time.monotonic()
    out = run_command(tmp_path, "sleep 30 & sleep 30", timeout=0.5)
    assert "killed: no result within 0.5 s" in out
    assert time.monotonic() - began < 3


class _Page(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        raw = b"<html><script>evil()</script><body><h1>Python 3.14 downloads</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def browsing(url: str) -> dict:
    return {
        "endpoint_type": "ollama_vision",
        "ai_config": {"model": "gemma3:4b", "base_url": url, "timeout": 2},
        "max_steps": 5,
        "viewport": {"width": 1280, "height": 720},
    }


def test_browsing_fetches_pages_through_the_guard(tmp_path, fake, site, open_app):
    rows = [{"id": "t1", "text": "Find the download page", "start_url": site}]
    (tmp_path / "data.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    from tests.conftest import base_config

    fake.script(
        ("ok", json.dumps({"thought": "open it", "action": {"type": "navigate", "url": site}})),
        ("ok", json.dumps({"thought": "x", "action": {"type": "click", "x": 1, "y": 2}})),
        ("ok", json.dumps({"thought": "found", "action": {"type": "done", "summary": "ok"}})),
    )
    display = {"fields": [{"key": "agent_trace", "type": "live_agent"}]}
    config = base_config(live_agent=browsing(fake.url), instance_display=display)
    app = open_app(write_config(tmp_path, config))
    client = with_csrf(login(app.test_client(), "ann1"))
    _, run = start(client, "live_agent")
    steps = wait_for(client, f"/api/live_agent/state/{run}")["steps"]
    # 127.0.0.1 is not public: the SSRF guard refuses it
    assert steps[0]["ok"] is False and "cannot fetch" in steps[0]["observation"]
    assert "needs a real browser" in steps[1]["observation"]
    assert "Start at: " + site in fake.requests[0]["body"]["messages"][1]["content"]

    fake.script(
        ("ok", json.dumps({"thought": "open it", "action": {"type": "navigate", "url": site}})),
        ("ok", json.dumps({"thought": "found", "action": {"type": "done", "summary": "ok"}})),
    )
    config["media"] = {"allow_fetch_hosts": ["127.0.0.1"]}
    (tmp_path / "out2").mkdir()
    config["output_annotation_dir"] = "out2/"
    app2 = open_app(write_config(tmp_path, config, "config2.yaml"))
    client2 = with_csrf(login(app2.test_client(), "ann1"))
    _, run2 = start(client2, "live_agent")
    steps = wait_for(client2, f"/api/live_agent/state/{run2}")["steps"]
    assert steps[0]["ok"] and steps[0]["observation"] == "Python 3.14 downloads"


def test_potato_live_examples_load(tmp_path):
    """The shapes of Potato's live examples: a config with both blocks checks and serves."""
    from potato_like.config import load_config

    write_items(tmp_path / "data.jsonl", 2)
    from tests.conftest import base_config

    (tmp_path / "workspace").mkdir()
    (tmp_path / "workspace" / "README.md").write_text("hi")
    config = base_config(
        live_coding_agent={**coding("http://localhost:11434"), "working_dir": "./workspace"},
        live_agent={**browsing("http://localhost:11434"), "allow_takeover": True},
        instance_display=DISPLAY,
    )
    loaded = load_config(write_config(tmp_path, config))
    assert set(loaded.live_agents) == {"live_agent", "live_coding_agent"}
    assert loaded.live_agents["live_coding_agent"].working_dir == (tmp_path / "workspace")
    assert loaded.live_agents["live_coding_agent"].commands_allowed is False
    # background runs get longer model calls than suggestions, unless ai_config says
    assert loaded.live_agents["live_coding_agent"].settings["timeout"] == 2
    assert loaded.live_agents["live_agent"].settings["timeout"] == 2
    coding_only = base_config(live_coding_agent={"ai_config": {"model": "m"}})
    settings = load_config(write_config(tmp_path, coding_only, "c2.yaml"))
    assert settings.live_agents["live_coding_agent"].settings["timeout"] == 120
    assert settings.live_agents["live_coding_agent"].settings["max_tokens"] == 2048
    assert any("allow_takeover" in w for w in loaded.warnings)
    assert shutil.which("true")
