"""More trace formats (potato_like/traces): Langfuse exports, OpenAI Agents SDK traces,
SWE-agent .traj trajectories and WebArena-style trajectories, each written here in the
shape its project documents; `run.py import-traces auto` tells each apart."""

from __future__ import annotations

import json

import pytest

from potato_like import cli
from potato_like.traces.registry import TraceError, import_files

LANGFUSE_TRACE = {
    "id": "lf-trace-1",
    "name": "support-agent",
    "timestamp": "2025-03-01T10:00:00.000Z",
    "input": {"query": "Where is my order 1234?"},
    "output": "Your order ships tomorrow.",
    "sessionId": "sess-9",
    "userId": "u-1",
    "tags": ["prod"],
    "metadata": {},
    "observations": [
        {
            "id": "obs-2",
            "traceId": "lf-trace-1",
            "type": "SPAN",
            "name": "lookup_order",
            "startTime": "2025-03-01T10:00:01.000Z",
            "endTime": "2025-03-01T10:00:01.200Z",
            "parentObservationId": None,
            "input": {"order_id": "1234"},
            "output": {"status": "packed"},
            "level": "DEFAULT",
            "statusMessage": None,
        },
        {
            "id": "obs-1",
            "traceId": "lf-trace-1",
            "type": "GENERATION",
            "name": "plan",
            "startTime": "2025-03-01T10:00:00.100Z",
            "model": "gpt-4o-mini",
            "input": [{"role": "user", "content": "Where is my order 1234?"}],
            "output": {
                "role": "assistant",
                "content": "I will look the order up.",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "lookup_order", "arguments": '{"order_id": "1234"}'},
                    }
                ],
            },
            "usage": {"input": 20, "output": 10, "total": 30, "unit": "TOKENS"},
            "level": "DEFAULT",
        },
        {
            "id": "obs-3",
            "traceId": "lf-trace-1",
            "type": "SPAN",
            "name": "notify",
            "startTime": "2025-03-01T10:00:02.000Z",
            "input": {"channel": "email"},
            "output": None,
            "level": "ERROR",
            "statusMessage": "SMTP timeout",
        },
    ],
}

AGENTS_SDK = [
    {
        "object": "trace",
        "id": "trace_abc123",
        "workflow_name": "Customer service",
        "group_id": "thread_1",
        "metadata": None,
    },
    {
        "object": "trace.span",
        "id": "span_agent1",
        "trace_id": "trace_abc123",
        "parent_id": None,
        "started_at": "2025-03-01T10:00:00.000000+00:00",
        "ended_at": "2025-03-01T10:00:05.000000+00:00",
        "span_data": {
            "type": "agent",
            "name": "Triage",
            "handoffs": ["Billing"],
            "tools": ["get_invoice"],
            "output_type": "str",
        },
        "error": None,
    },
    {
        "object": "trace.span",
        "id": "span_gen1",
        "trace_id": "trace_abc123",
        "parent_id": "span_agent1",
        "started_at": "2025-03-01T10:00:00.500000+00:00",
        "ended_at": "2025-03-01T10:00:01.000000+00:00",
        "span_data": {
            "type": "generation",
            "input": [{"role": "user", "content": "Why was I charged twice?"}],
            "output": [{"role": "assistant", "content": "Let me check the invoice."}],
            "model": "gpt-4o",
            "model_config": {"temperature": 0.2},
            "usage": {"input_tokens": 40, "output_tokens": 8},
        },
        "error": None,
    },
    {
        "object": "trace.span",
        "id": "span_fn1",
        "trace_id": "trace_abc123",
        "parent_id": "span_agent1",
        "started_at": "2025-03-01T10:00:02.000000+00:00",
        "ended_at": "2025-03-01T10:00:02.300000+00:00",
        "span_data": {
            "type": "function",
            "name": "get_invoice",
            "input": '{"invoice": "INV-7"}',
            "output": "two charges of $10",
            "mcp_data": None,
        },
        "error": None,
    },
    {
        "object": "trace.span",
        "id": "span_hand1",
        "trace_id": "trace_abc123",
        "parent_id": "span_agent1",
        "started_at": "2025-03-01T10:00:03.000000+00:00",
        "ended_at": "2025-03-01T10:00:03.100000+00:00",
        "span_data": {"type": "handoff", "from_agent": "Triage", "to_agent": "Billing"},
        "error": {"message": "Billing agent unavailable", "data": None},
    },
]

SWE_TRAJ = {
    "environment": "swe_main",
    "trajectory": [
        {
            "response": "Let me look at the repository first.\n```\nls -F\n```",
            "thought": "Let me look at the repository first.",
            "action": "ls -F\n",
            "observation": "AUTHORS.rst\nsrc/\ntests/",
            "state": '{"open_file": "n/a", "working_dir": "/repo"}',
            "execution_time": 0.1,
            "query": [{"role": "system", "content": "You are a helpful assistant"}],
        },
        {
            "response": "Fix the off-by-one.",
            "thought": "Fix the off-by-one.",
            "action": "edit 1474:1474\n        return value + 1\nend_of_edit\n",
            "observation": "File updated.",
            "state": "{}",
        },
        {"thought": "Submit.", "action": "submit\n", "observation": "diff --git a/x b/x"},
    ],
    "history": [
        {
            "role": "system",
            "content": "SETTING: you are an autonomous programmer",
            "agent": "primary",
        },
        {
            "role": "user",
            "content": "TimeDelta serialization precision is off by one",
            "agent": "primary",
        },
    ],
    "info": {
        "exit_status": "submitted",
        "submission": "diff --git a/src/fields.py b/src/fields.py\n-return value\n+return value + 1\n",
        "model_stats": {
            "instance_cost": 0.42,
            "tokens_sent": 1000,
            "tokens_received": 50,
            "api_calls": 3,
        },
    },
}

WEBARENA_NATIVE = {
    "task_id": 27,
    "sites": ["shopping"],
    "intent": "What is the price of the cheapest blue sweater?",
    "start_url": "http://shop.example/",
    "trajectory": [
        {
            "observation": {"text": "[1] RootWebArea 'Shop'", "image": "shots/0.png"},
            "info": {"page": {"url": "http://shop.example/"}},
        },
        {
            "action_type": 7,
            "element_id": "5",
            "text": [101, 102],
            "element_role": 0,
            "raw_prediction": "Let's think step-by-step. I type the query. type [5] [blue sweater] [1]",
        },
        {
            "observation": {"text": "[9] link 'Blue sweater $19'"},
            "info": {"page": {"url": "http://shop.example/search?q=blue"}},
        },
        {"action_type": 17, "answer": "$19", "raw_prediction": "stop [$19]"},
    ],
}
WEBARENA_FLAT = {
    "task_id": "web-2",
    "intent": "Find the Flask docs on request handling",
    "start_url": "https://flask.example",
    "actions": [
        {
            "action_type": "click",
            "element": {"text": "Docs"},
            "thought": "Open the docs",
            "observation": "Docs index",
            "screenshot": "data:image/png;base64,iVBORw0KGgo=",
        },
        {"action_type": "stop", "value": "found", "thought": "Done"},
    ],
    "evaluation": {"success": True, "reward": 1.0},
}


def write(tmp_path, name, value, lines=False):
    path = tmp_path / name
    if lines:
        path.write_text("\n".join(json.dumps(v) for v in value) + "\n")
    else:
        path.write_text(json.dumps(value, indent=2))
    return path


def speakers(item):
    return [(t["speaker"], t["text"]) for t in item["conversation"]]


def test_langfuse_trace_with_observations(tmp_path):
    [(_, fmt, item)] = list(import_files("auto", [write(tmp_path, "lf.json", LANGFUSE_TRACE)]))
    assert fmt == "langfuse" and item["id"] == "lf-trace-1"
    assert item["task_description"] == "Where is my order 1234?"
    assert speakers(item) == [
        ("User", "Where is my order 1234?"),
        ("Agent", "I will look the order up."),  # observations in startTime order
        ("Agent (Action)", 'lookup_order({"order_id": "1234"})'),  # the span adds its result
        ("Environment", '{"status": "packed"}'),
        ("Agent (Action)", 'notify({"channel": "email"})'),
        ("Error", "SMTP timeout"),
        ("Agent", "Your order ships tomorrow."),
    ]
    table = {row["Property"]: row["Value"] for row in item["metadata_table"]}
    assert table["model"] == "gpt-4o-mini" and table["total_tokens"] == "30"


def test_langfuse_flat_observations_group_by_trace(tmp_path):
    rows = [dict(o) for o in LANGFUSE_TRACE["observations"]]
    rows.append({**rows[0], "id": "o9", "traceId": "other", "name": "search"})
    items = [i for _, _, i in import_files("auto", [write(tmp_path, "o.jsonl", rows, lines=True)])]
    assert [i["id"] for i in items] == ["lf-trace-1", "other"]
    page = {"data": [LANGFUSE_TRACE], "meta": {"page": 1}}
    [(_, fmt, _)] = list(import_files("auto", [write(tmp_path, "page.json", page)]))
    assert fmt == "langfuse"


def test_openai_agents_sdk_trace_and_spans(tmp_path):
    path = write(tmp_path, "agents.jsonl", AGENTS_SDK, lines=True)
    [(_, fmt, item)] = list(import_files("auto", [path]))
    assert fmt == "openai_agents" and item["id"] == "trace_abc123"
    assert item["task_description"] == "Why was I charged twice?"
    assert item["agent_name"] == "Triage"
    assert speakers(item) == [
        ("Triage", "Let me check the invoice."),
        ("Agent (Action)", 'get_invoice({"invoice": "INV-7"})'),
        ("Environment", "two charges of $10"),
        ("Triage", "handoff: Triage → Billing"),
        ("Error", "Billing agent unavailable"),
    ]
    call = item["conversation"][1]
    assert call["tool"] == "get_invoice" and call["args"] == {"invoice": "INV-7"}
    assert call["agent_id"] == "Triage"
    # the exporter's batch shape {"data": [...]} reads the same
    [(_, fmt2, item2)] = list(
        import_files("auto", [write(tmp_path, "b.json", {"data": AGENTS_SDK})])
    )
    assert fmt2 == "openai_agents" and item2["conversation"] == item["conversation"]


def test_swe_agent_traj_file(tmp_path):
    path = write(tmp_path, "marshmallow-code__marshmallow-1867.traj", SWE_TRAJ)
    [(_, fmt, item)] = list(import_files("auto", [path]))
    assert fmt == "swe_agent" and item["id"] == "marshmallow-code__marshmallow-1867"
    assert item["task_description"] == "TimeDelta serialization precision is off by one"
    actions = [t for t in item["conversation"] if t["step_type"] == "action"]
    assert [a["tool"] for a in actions] == ["ls", "edit", "submit"]
    assert actions[1]["args"]["command"].startswith("edit 1474:1474")
    assert item["conversation"][-1]["step_type"] == "answer"
    assert "+return value + 1" in item["conversation"][-1]["text"]
    table = {row["Property"]: row["Value"] for row in item["metadata_table"]}
    assert table["exit_status"] == "submitted" and table["steps"] == "3"


def test_webarena_native_and_flat_trajectories(tmp_path):
    [(_, fmt, item)] = list(import_files("auto", [write(tmp_path, "w.json", WEBARENA_NATIVE)]))
    assert fmt == "webarena" and item["id"] == "27"
    assert item["task_description"] == "What is the price of the cheapest blue sweater?"
    kinds = [(t["speaker"], t["step_type"]) for t in item["conversation"]]
    assert kinds == [
        ("User", "observation"),
        ("Environment", "observation"),
        ("Agent (Thought)", "thought"),
        ("Agent (Action)", "action"),
        ("Environment", "observation"),
        ("Agent (Thought)", "thought"),
        ("Agent (Action)", "action"),
    ]
    actions = [t for t in item["conversation"] if t["step_type"] == "action"]
    assert [a["tool"] for a in actions] == ["type", "stop"]
    assert actions[0]["args"] == {"element_id": "5", "element_role": 0}  # token ids dropped
    assert actions[1]["args"] == {"answer": "$19"}
    assert item["conversation"][1]["screenshot"] == "shots/0.png"
    assert item["conversation"][4]["url"] == "http://shop.example/search?q=blue"
    assert item["start_url"] == "http://shop.example/"

    [(_, fmt, flat)] = list(import_files("auto", [write(tmp_path, "f.json", [WEBARENA_FLAT])]))
    assert fmt == "webarena" and flat["id"] == "web-2"
    assert [t["tool"] for t in flat["conversation"] if t["step_type"] == "action"] == [
        "click",
        "stop",
    ]
    assert flat["screenshot_url"].startswith("data:image/png")
    table = {row["Property"]: row["Value"] for row in flat["metadata_table"]}
    assert table["success"] == "true" and table["reward"] == "1.0"


@pytest.mark.parametrize(
    "fmt, value, message",
    [
        ("langfuse", {"id": "t", "observations": ["obs-1"]}, "observations must be objects"),
        (
            "openai_agents",
            [{"object": "trace.span", "id": "s", "span_data": {"type": "agent"}}],
            "needs its trace_id",
        ),
        ("swe_agent", {"trajectory": [1], "info": {}}, "trajectory step 1 must be an object"),
        ("webarena", {"intent": "x", "trajectory": "nope"}, "as a list"),
    ],
)
def test_bad_records_name_the_file_and_line(tmp_path, fmt, value, message):
    path = write(tmp_path, "bad.json", value)
    with pytest.raises(TraceError, match=message) as err:
        list(import_files(fmt, [path]))
    assert err.value.path == str(path) and err.value.line


def test_cli_auto_detects_each_new_format(tmp_path, capsys):
    files = [
        write(tmp_path, "lf.json", LANGFUSE_TRACE),
        write(tmp_path, "agents.jsonl", AGENTS_SDK, lines=True),
        write(tmp_path, "django__django-1.traj", SWE_TRAJ),
        write(tmp_path, "wa.json", WEBARENA_NATIVE),
    ]
    out = tmp_path / "data.jsonl"
    assert cli.main(["import-traces", "auto", *map(str, files), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["lf-trace-1", "trace_abc123", "django__django-1", "27"]
    assert "wrote 4 traces" in capsys.readouterr().err
