"""Trace import (potato_like/traces): traces written here in each vendor's documented shape
become Potato-style trace items; auto-detection picks the format; bad files fail with the
file and the line; `run.py import-traces` writes JSON Lines the trace displays read."""

from __future__ import annotations

import json

import pytest

from potato_like import cli
from potato_like.displays.trace_steps import normalize_steps
from potato_like.traces.registry import TraceError, format_names, import_files

OPENAI = {
    "id": "chatcmpl-1",
    "model": "gpt-4o",
    "messages": [
        {"role": "system", "content": "You are a travel agent."},
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "18C, cloudy"},
        {"role": "assistant", "content": "It is 18C and cloudy."},
    ],
    "usage": {"prompt_tokens": 50, "completion_tokens": 12},
}
ANTHROPIC = {
    "id": "msg_1",
    "model": "claude-sonnet-4-5",
    "system": "Be brief.",
    "messages": [
        {"role": "user", "content": "What is 17 * 23?"},
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "Use the calculator."},
                {"type": "tool_use", "id": "toolu_1", "name": "calc", "input": {"expr": "17*23"}},
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "391"}],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "391"}]},
    ],
}


def attr(key, value):
    kind = "intValue" if isinstance(value, int) else "stringValue"
    return {"key": key, "value": {kind: str(value) if kind == "intValue" else value}}


OTLP = {
    "resourceSpans": [
        {
            "resource": {"attributes": [attr("service.name", "agent")]},
            "scopeSpans": [
                {
                    "scope": {"name": "opentelemetry.instrumentation.genai"},
                    "spans": [
                        {
                            "traceId": "t1",
                            "spanId": "a",
                            "name": "invoke_agent Planner",
                            "startTimeUnixNano": "1000",
                            "attributes": [
                                attr("gen_ai.operation.name", "invoke_agent"),
                                attr("gen_ai.agent.name", "Planner"),
                            ],
                        },
                        {
                            "traceId": "t1",
                            "spanId": "b",
                            "parentSpanId": "a",
                            "name": "chat gpt-4o",
                            "startTimeUnixNano": "2000",
                            "attributes": [
                                attr("gen_ai.operation.name", "chat"),
                                attr("gen_ai.request.model", "gpt-4o"),
                                attr("gen_ai.usage.input_tokens", 30),
                                attr(
                                    "gen_ai.input.messages",
                                    json.dumps(
                                        [
                                            {
                                                "role": "user",
                                                "parts": [
                                                    {"type": "text", "content": "Find flights"}
                                                ],
                                            }
                                        ]
                                    ),
                                ),
                                attr(
                                    "gen_ai.output.messages",
                                    json.dumps(
                                        [
                                            {
                                                "role": "assistant",
                                                "parts": [
                                                    {
                                                        "type": "tool_call",
                                                        "id": "c1",
                                                        "name": "search_flights",
                                                        "arguments": {"to": "LHR"},
                                                    }
                                                ],
                                            }
                                        ]
                                    ),
                                ),
                            ],
                        },
                        {
                            "traceId": "t1",
                            "spanId": "c",
                            "parentSpanId": "a",
                            "name": "execute_tool search_flights",
                            "startTimeUnixNano": "3000",
                            "status": {"code": 2},
                            "attributes": [
                                attr("gen_ai.operation.name", "execute_tool"),
                                attr("gen_ai.tool.name", "search_flights"),
                                attr("gen_ai.tool.call.arguments", '{"to": "LHR"}'),
                                attr("gen_ai.tool.call.result", "timeout"),
                            ],
                        },
                    ],
                }
            ],
        }
    ]
}
LANGSMITH_TREE = {
    "id": "run-1",
    "name": "AgentExecutor",
    "run_type": "chain",
    "inputs": {"input": "Book a flight to London"},
    "outputs": {"output": "Booked BA117."},
    "child_runs": [
        {
            "id": "run-2",
            "name": "ChatOpenAI",
            "run_type": "llm",
            "start_time": "2025-01-01T00:00:01",
            "outputs": {"generations": [[{"text": "I should search flights."}]]},
        },
        {
            "id": "run-3",
            "name": "search_flights",
            "run_type": "tool",
            "start_time": "2025-01-01T00:00:02",
            "inputs": {"query": "JFK to LHR"},
            "outputs": {"output": "BA117 at 9pm"},
        },
    ],
}
# Potato's tracing SDK / LangSmith webhook payload: flat runs linked by parent_run_id.
LANGSMITH_FLAT = {
    "runs": [
        {"id": "r", "parent_run_id": None, "run_type": "chain", "name": "agent",
         "inputs": {"task": "sum"}, "outputs": {"output": "3"}, "status": "success"},
        {"id": "t", "parent_run_id": "r", "run_type": "tool", "name": "add",
         "inputs": {"a": 1, "b": 2}, "outputs": {"output": 3}, "status": "success"},
    ],
    "project_name": "demo",
}  # fmt: skip
POTATO = {
    "id": "p1",
    "task_description": "t",
    "conversation": [{"speaker": "Agent (Thought)", "text": "hmm", "agent_id": "a"}],
}


def write(tmp_path, name, value, jsonl=False):
    path = tmp_path / name
    if jsonl:
        path.write_text("".join(json.dumps(v) + "\n" for v in value))
    else:
        path.write_text(json.dumps(value, indent=2))
    return path


def one(tmp_path, fmt, value, name="t.json"):
    found = list(import_files(fmt, [write(tmp_path, name, value)]))
    assert len(found) == 1, found
    return found[0]


def speakers(item):
    return [(t["speaker"], t["text"]) for t in item["conversation"]]


def test_the_registry_names_the_formats():
    assert {"openai", "anthropic", "otel", "langsmith", "potato"} <= set(format_names())


def test_openai_chat_messages_with_tool_calls(tmp_path):
    _, fmt, item = one(tmp_path, "auto", OPENAI)
    assert fmt == "openai" and item["id"] == "chatcmpl-1"
    assert item["task_description"] == "You are a travel agent."
    assert speakers(item)[1:] == [
        ("User", "Weather in Paris?"),
        ("Agent (Action)", 'get_weather({"city": "Paris"})'),
        ("Environment", "18C, cloudy"),
        ("Agent", "It is 18C and cloudy."),
    ]
    call = item["conversation"][2]
    assert call["tool"] == "get_weather" and call["args"] == {"city": "Paris"}
    assert item["conversation"][3]["result_of"] == "get_weather"  # matched by tool_call_id
    assert {"Property": "prompt_tokens", "Value": "50"} in item["metadata_table"]
    types = [s["type"] for s in normalize_steps(item["conversation"])]
    assert types == ["system", "observation", "action", "observation", "answer"]


def test_anthropic_messages_with_tool_use_and_tool_result(tmp_path):
    _, fmt, item = one(tmp_path, "auto", ANTHROPIC)
    assert fmt == "anthropic"
    assert speakers(item) == [
        ("System", "Be brief."),
        ("User", "What is 17 * 23?"),
        ("Agent (Thought)", "Use the calculator."),
        ("Agent (Action)", 'calc({"expr": "17*23"})'),
        ("Environment", "391"),
        ("Agent", "391"),
    ]
    assert item["conversation"][4]["result_of"] == "calc"
    pair = {"id": "x", "request": {"model": "claude-3", "messages": ANTHROPIC["messages"][:1]},
            "response": {"content": [{"type": "text", "text": "391"}]}}  # fmt: skip
    _, fmt, item = one(tmp_path, "auto", pair, "pair.json")
    assert fmt == "anthropic" and speakers(item)[-1] == ("Agent", "391")


def test_opentelemetry_genai_spans(tmp_path):
    _, fmt, item = one(tmp_path, "auto", OTLP)
    assert fmt == "otel" and item["id"] == "t1"
    assert item["task_description"] == "Find flights"
    assert speakers(item) == [  # the tool span's call is the chat output's call: one turn
        ("User", "Find flights"),
        ("Agent (Action)", 'search_flights({"to": "LHR"})'),
        ("Environment", "timeout"),
    ]
    assert item["conversation"][-1]["step_type"] == "error"  # the tool span failed
    assert all(t.get("agent_id") in (None, "Planner") for t in item["conversation"])
    assert item["conversation"][1]["agent_id"] == "Planner"
    assert [n["name"] for n in item["run_tree"]] == [
        "invoke_agent Planner",
        "chat gpt-4o",
        "execute_tool search_flights",
    ]
    assert {"Property": "Input tokens", "Value": "30"} in item["metadata_table"]


def test_flattened_spans_one_per_line_group_by_trace(tmp_path):
    spans = [
        {"trace_id": "A", "span_id": "1", "name": "chat", "start_time": 1,
         "attributes": {"gen_ai.prompt": "hi", "gen_ai.completion": "hello"}},
        {"trace_id": "B", "span_id": "2", "name": "execute_tool", "start_time": 1,
         "attributes": {"gen_ai.tool.name": "ls", "gen_ai.tool.call.arguments": "{}"}},
        {"trace_id": "A", "span_id": "3", "parent_span_id": "1", "name": "x", "start_time": 2,
         "attributes": {"gen_ai.completion": "bye"}},
    ]  # fmt: skip
    found = list(import_files("auto", [write(tmp_path, "spans.jsonl", spans, jsonl=True)]))
    by_id = {item["id"]: item for _, _, item in found}
    assert speakers(by_id["A"]) == [("User", "hi"), ("Agent", "hello"), ("Agent", "bye")]
    assert by_id["B"]["conversation"][0]["tool"] == "ls"


def test_langsmith_run_tree_and_flat_runs(tmp_path):
    _, fmt, item = one(tmp_path, "auto", LANGSMITH_TREE)
    assert fmt == "langsmith"
    assert speakers(item) == [
        ("User", "Book a flight to London"),
        ("Agent (Thought)", "I should search flights."),
        ("Agent (Action)", 'search_flights({"query": "JFK to LHR"})'),
        ("Environment", "BA117 at 9pm"),
        ("Agent", "Booked BA117."),
    ]
    assert [n["name"] for n in item["run_tree"]] == [
        "AgentExecutor",
        "ChatOpenAI",
        "search_flights",
    ]
    _, fmt, item = one(tmp_path, "auto", LANGSMITH_FLAT, "flat.json")
    assert fmt == "langsmith" and item["id"] == "r"
    assert speakers(item) == [("User", "sum"), ("Agent (Action)", 'add({"a": 1, "b": 2})'),
                              ("Environment", "3"), ("Agent", "3")]  # fmt: skip


def test_potato_items_pass_through_and_files_merge(tmp_path):
    a = write(tmp_path, "a.jsonl", [POTATO], jsonl=True)
    b = write(tmp_path, "b.json", [OPENAI])
    found = list(import_files("auto", [a, b]))
    assert [(f, i["id"]) for _, f, i in found] == [("potato", "p1"), ("openai", "chatcmpl-1")]
    assert found[0][2]["conversation"][0]["agent_id"] == "a"


@pytest.mark.parametrize(
    ("text", "fmt", "line", "message"),
    [
        ('{"messages": []}\n{"messages": [\n', "openai", 2, "not valid JSON"),
        ("[\n  {\"messages\": [{\"role\": \"user\", \"content\": \"a\"}]},\n  {\"messages\": 3}\n]", "openai", 3, "'messages' list"),
        ("[\n  {\"messages\": [{\"role\": \"robot\", \"content\": \"a\"}]}\n]", "openai", 2, "message 1: expected an object with role"),
        ('{"id": "x", "messages": [{"role": "user", "content": [{"text": "no type"}]}]}', "anthropic", 1, "needs a type"),
        ('{"runs": [{"id": "a", "name": "no type"}]}', "langsmith", 1, "run_type"),
        ('{"id": "p", "conversation": [{"text": "no speaker"}]}', "potato", 1, "needs speaker and text"),
        ('{"hello": "world"}', "auto", 1, "could not tell the trace format"),
        ("", "auto", None, "empty"),
    ],
)  # fmt: skip
def test_bad_files_name_the_file_and_the_line(tmp_path, text, fmt, line, message):
    path = tmp_path / ("bad.jsonl" if text.startswith('{"messages": []}') else "bad.json")
    path.write_text(text)
    with pytest.raises(TraceError) as caught:
        list(import_files(fmt, [path]))
    err = caught.value
    assert err.path == str(path) and err.line == line and message in str(err)
    assert str(err).startswith(f"{path}:{line}:" if line else f"{path}:")


def test_duplicate_trace_ids_across_files_are_refused(tmp_path):
    a = write(tmp_path, "a.json", OPENAI)
    b = write(tmp_path, "b.json", OPENAI)
    with pytest.raises(TraceError, match="'chatcmpl-1' is also in"):
        list(import_files("openai", [a, b]))


def test_cli_writes_items_and_reports_errors(tmp_path, capsys):
    src = write(tmp_path, "in.json", [OPENAI, ANTHROPIC | {"id": "m2"}])
    out = tmp_path / "data.jsonl"
    assert cli.main(["import-traces", "openai", str(src), "--dry-run"]) == 1  # 2nd is not OpenAI
    assert f"{src}:" in capsys.readouterr().err
    # auto tells a file's format from its first record: a mixed file fails at the odd one
    assert cli.main(["import-traces", "auto", str(src), "--dry-run"]) == 1
    assert f"{src}:43: message 2: tool_use" in capsys.readouterr().err
    two = write(tmp_path, "two.json", [OPENAI, OPENAI | {"id": "c2"}])
    assert cli.main(["import-traces", "auto", str(two), "--out", str(out), "--dry-run"]) == 0
    assert "2 traces, 10 turns (dry run" in capsys.readouterr().err
    assert not out.exists()
    one_each = [write(tmp_path, "o.json", OPENAI), write(tmp_path, "a.json", ANTHROPIC)]
    assert cli.main(["import-traces", "auto", *map(str, one_each), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["chatcmpl-1", "msg_1"]
    assert "wrote 2 traces" in capsys.readouterr().err
    assert cli.main(["import-traces", "yaml", str(src), "--out", str(out)]) == 2
    assert "unknown trace format 'yaml'" in capsys.readouterr().err


def test_imported_traces_serve_with_a_trace_display_and_tool_call_review(tmp_path, open_app):
    from tests.conftest import base_config, login, write_config

    assert cli.main(["import-traces", "auto", str(write(tmp_path, "in.json", OPENAI)),
                     "--out", str(tmp_path / "data.jsonl")]) == 0  # fmt: skip
    config = base_config(
        item_properties={"id_key": "id", "text_key": "task_description"},
        instance_display={"fields": [{"key": "conversation", "type": "agent_trace"}]},
        annotation_schemes=[
            {"annotation_type": "tool_call_review", "name": "calls", "steps_key": "conversation"}
        ],
    )
    app = open_app(write_config(tmp_path, config))
    html = login(app.test_client(), "ann").get("/annotate").get_data(as_text=True)
    assert html.count('data-testid="trace-step"') == 5
    assert html.count('data-testid="step-row"') == 1  # one tool call; its result is not one
    assert "get_weather (step 3)" in html
