"""The trace formats added last (potato_like/traces): Claude Code sessions, ReAct text, MCP
JSON-RPC logs, SWE-bench predictions, Aider chat histories, ATIF and multi-agent
transcripts (CrewAI, AutoGen, LangGraph shapes), each written here in
the shape its project documents; `import-traces auto` tells them apart from each other and
from the formats before them."""

from __future__ import annotations

import json

import pytest

from potato_like import cli
from potato_like.traces.registry import TraceError, import_files
from tests.unit.test_trace_import import ANTHROPIC, LANGSMITH_TREE, OPENAI, OTLP, POTATO
from tests.unit.test_trace_import_agents import (
    AGENTS_SDK,
    LANGFUSE_TRACE,
    SWE_TRAJ,
    WEBARENA_NATIVE,
)

SID = "8f3c2a10-5b7e-4d2a-9c1e-0a1b2c3d4e5f"
CLAUDE_CODE = [
    {"type": "summary", "summary": "Fix failing date test", "leafUuid": "u4"},
    {
        "parentUuid": None,
        "isSidechain": False,
        "userType": "external",
        "cwd": "/home/dev/app",
        "sessionId": SID,
        "version": "1.0.51",
        "gitBranch": "main",
        "type": "user",
        "message": {"role": "user", "content": "The date test fails, please fix it"},
        "uuid": "u1",
        "timestamp": "2025-07-10T09:00:00.000Z",
    },
    {
        "parentUuid": "u1",
        "sessionId": SID,
        "type": "assistant",
        "message": {
            "id": "msg_01",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-20250514",
            "content": [
                {"type": "thinking", "thinking": "Run the tests first."},
                {
                    "type": "tool_use",
                    "id": "toolu_01",
                    "name": "Bash",
                    "input": {"command": "pytest tests/test_dates.py"},
                },
            ],
            "usage": {"input_tokens": 120, "output_tokens": 30},
        },
        "uuid": "u2",
        "timestamp": "2025-07-10T09:00:02.000Z",
    },
    {
        "parentUuid": "u2",
        "sessionId": SID,
        "type": "user",
        "message": {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_01",
                    "content": "1 failed: assert '2025-1-2' == '2025-01-02'",
                    "is_error": True,
                }
            ],
        },
        "toolUseResult": {"stdout": "", "stderr": "1 failed"},
        "uuid": "u3",
        "timestamp": "2025-07-10T09:00:05.000Z",
    },
    {
        "parentUuid": "u3",
        "sessionId": SID,
        "type": "assistant",
        "message": {
            "id": "msg_02",
            "role": "assistant",
            "model": "claude-sonnet-4-20250514",
            "content": [{"type": "text", "text": "The month needs zero padding; fixed."}],
        },
        "uuid": "u4",
        "timestamp": "2025-07-10T09:00:09.000Z",
    },
]

REACT = """Question: What is the population of the capital of France, doubled?
Thought: I need the capital of France first.
Action: search
Action Input: {"query": "capital of France"}
Observation: Paris is the capital of France.
Thought: Now its population.
Action: search
Action Input: population of Paris
Observation: About 2.1 million
(city proper, 2023)
Thought: Double it: 4.2 million.
Final Answer: About 4.2 million.
"""

MCP_LOG = [
    {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "example-client", "version": "1.0.0"},
        },
    },
    {
        "jsonrpc": "2.0",
        "id": 0,
        "result": {
            "protocolVersion": "2025-06-18",
            "capabilities": {"tools": {"listChanged": True}},
            "serverInfo": {"name": "weather-server", "version": "0.3.0"},
        },
    },
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}},
    {
        "jsonrpc": "2.0",
        "id": 1,
        "result": {
            "tools": [
                {"name": "get_weather", "inputSchema": {"type": "object"}},
                {"name": "get_alerts", "inputSchema": {"type": "object"}},
            ]
        },
    },
    {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "get_weather", "arguments": {"location": "New York"}},
    },
    {
        "jsonrpc": "2.0",
        "id": 3,
        "method": "tools/call",
        "params": {"name": "get_alerts", "arguments": {"state": "ZZ"}},
    },
    {
        "jsonrpc": "2.0",
        "id": 2,
        "result": {
            "content": [{"type": "text", "text": "72°F, partly cloudy"}],
            "isError": False,
        },
    },
    {
        "jsonrpc": "2.0",
        "id": 3,
        "result": {"content": [{"type": "text", "text": "Unknown state ZZ"}], "isError": True},
    },
    {
        "jsonrpc": "2.0",
        "id": 4,
        "method": "tools/call",
        "params": {"name": "get_forecast", "arguments": {}},
    },
    {"jsonrpc": "2.0", "id": 4, "error": {"code": -32602, "message": "Unknown tool"}},
]

SWEBENCH = [
    {
        "instance_id": "astropy__astropy-12907",
        "model_name_or_path": "gpt-4o__agentless",
        "model_patch": "diff --git a/astropy/modeling/separable.py b/astropy/modeling/separable.py\n"
        "-        cright[-right.shape[0]:, -right.shape[1]:] = 1\n"
        "+        cright[-right.shape[0]:, -right.shape[1]:] = right\n",
        "problem_statement": "separability_matrix does not compute nested CompoundModels",
        "repo": "astropy/astropy",
        "base_commit": "d16bfe05a744909de4b27f5875fe0d4ed41ce607",
        "FAIL_TO_PASS": '["astropy/modeling/tests/test_separable.py::test_separable[p]"]',
        "PASS_TO_PASS": '["astropy/modeling/tests/test_separable.py::test_coord_matrix"]',
        "resolved": True,
        "tests_status": {
            "FAIL_TO_PASS": {
                "success": ["astropy/modeling/tests/test_separable.py::test_separable[p]"],
                "failure": [],
            }
        },
        "test_output": "===== 15 passed in 0.30s =====",
    },
    {
        "instance_id": "django__django-11099",
        "model_name_or_path": "gpt-4o__agentless",
        "model_patch": "",
    },
]

AIDER = """
# aider chat started at 2024-05-20 10:12:03

> Add hello.py to the chat? (Y)es/(N)o [Yes]: y

#### make greet() say hello world
#### and keep the signature

I'll change the greeting.

hello.py
```python
<<<<<<< SEARCH
def greet():
    return "hi"
=======
def greet():
    return "hello world"
>>>>>>> REPLACE
```

> Applied edit to hello.py
> Commit 1a2b3c4 feat: greet says hello world

# aider chat started at 2024-05-21 08:00:00

#### /run pytest

> 3 passed
"""

ATIF_HARBOR = {
    "schema_version": "ATIF-v1.4",
    "session_id": "run-42",
    "agent": {"name": "terminus", "version": "2.0", "model_name": "claude-opus-4"},
    "steps": [
        {"step_id": 1, "source": "system", "message": "You are a shell agent."},
        {"step_id": 2, "source": "user", "message": "Count the lines of data.csv"},
        {
            "step_id": 3,
            "source": "agent",
            "reasoning_content": "wc will do.",
            "message": "Counting.",
            "tool_calls": [
                {
                    "tool_call_id": "call_1",
                    "function_name": "bash",
                    "arguments": {"command": "wc -l data.csv"},
                }
            ],
            "observation": {"results": [{"source_call_id": "call_1", "content": "101 data.csv"}]},
            "metrics": {"prompt_tokens": 300, "completion_tokens": 20},
        },
        {"step_id": 4, "source": "agent", "message": "data.csv has 101 lines."},
    ],
    "final_metrics": {"total_prompt_tokens": 300, "total_steps": 4},
}

ATIF_POTATO = {
    "trace_id": "atif-7",
    "task": {"description": "Book a table for two", "domain": "restaurants"},
    "agent": {"name": "booker", "model": "gpt-4o"},
    "steps": [
        {
            "thought": "Search first",
            "action": {"tool": "find_table", "params": {"people": 2}},
            "observation": "Table at 19:00",
        }
    ],
    "outcome": {"success": True, "reward": 1.0},
}


CREWAI = {
    "id": "crew_001",
    "task": "Research and write a short report on solar panels",
    "agents": [
        {"role": "Researcher", "goal": "Find data"},
        {"role": "Writer", "goal": "Write the report"},
    ],
    "steps": [
        {
            "agent": "Researcher",
            "thought": "Look up efficiency figures",
            "action": "search(solar efficiency 2024)",
            "result": "Top panels reach 24%",
        },
        {"agent": "Writer", "thought": "Summarise", "result": "Solar panels now reach 24%."},
    ],
}
AUTOGEN = {
    "id": "autogen_001",
    "task": "What is 17 * 23?",
    "messages": [
        {"sender": "user_proxy", "receiver": "assistant", "content": "What is 17 * 23?"},
        {"sender": "assistant", "receiver": "user_proxy", "content": "391"},
    ],
}
LANGGRAPH = {
    "id": "langgraph_001",
    "task": "Weather in Paris",
    "events": [
        {"node": "agent", "type": "on_chain_start", "data": {"input": "Weather in Paris?"}},
        {"node": "agent", "type": "on_llm_end", "data": {"output": "Call the weather tool"}},
        {
            "node": "tools",
            "type": "on_tool_start",
            "data": {"tool": "weather", "input": {"city": "Paris"}},
        },
        {"node": "tools", "type": "on_tool_end", "data": {"output": "18C, sunny"}},
        {"node": "agent", "type": "on_chat_model_stream", "data": {"chunk": "x"}},
        {"node": "agent", "type": "on_chain_end", "data": {"output": "It is 18C and sunny."}},
    ],
}


def write(tmp_path, name, value, lines=False):
    path = tmp_path / name
    if isinstance(value, str):
        path.write_text(value)
    elif lines:
        path.write_text("\n".join(json.dumps(v, ensure_ascii=False) for v in value) + "\n")
    else:
        path.write_text(json.dumps(value, indent=2, ensure_ascii=False))
    return path


def kinds(item):
    return [(t["speaker"], t["step_type"]) for t in item["conversation"]]


def test_claude_code_session(tmp_path):
    path = write(tmp_path, f"{SID}.jsonl", CLAUDE_CODE, lines=True)
    [(_, fmt, item)] = list(import_files("auto", [path]))
    assert fmt == "claude_code" and item["id"] == SID
    assert item["task_description"] == "The date test fails, please fix it"
    assert item["summary"] == "Fix failing date test"
    assert kinds(item) == [
        ("User", "observation"),
        ("Agent (Thought)", "thought"),
        ("Agent (Action)", "action"),
        ("Environment", "error"),
        ("Agent", "answer"),
    ]
    call, result = item["conversation"][2], item["conversation"][3]
    assert call["tool"] == "Bash" and call["args"] == {"command": "pytest tests/test_dates.py"}
    assert result["result_of"] == "Bash" and result["uuid"] == "u3"
    table = {row["Property"]: row["Value"] for row in item["metadata_table"]}
    assert table["Model"] == "claude-sonnet-4-20250514" and table["gitBranch"] == "main"
    assert item["agent_name"] == "claude-sonnet-4-20250514"


def cc_line(kind, uuid, parent, content, **extra):
    message = {"role": kind, "content": content}
    return {
        "type": kind,
        "uuid": uuid,
        "parentUuid": parent,
        "sessionId": "s-2",
        "timestamp": "2025-08-01T10:00:00Z",
        "message": message,
        **extra,
    }


def test_claude_code_keeps_the_live_branch_and_marks_sub_agents(tmp_path):
    lines = [
        {
            "type": "file-history-snapshot",
            "messageId": "u1",
            "snapshot": {"messageId": "u1", "trackedFileBackups": {}},
            "isSnapshotUpdate": False,
        },
        cc_line("user", "u1", None, "Rename foo to bar"),
        cc_line("assistant", "a1", "u1", "Plan A"),  # rewound: abandoned
        cc_line("user", "u2", "a1", "no, differently"),  # abandoned
        cc_line("assistant", "a2", "u1", "Plan B"),
        cc_line("user", "s1", "a2", "find every foo", isSidechain=True),
        cc_line("assistant", "s2", "s1", "3 files", isSidechain=True),
        {"type": "queue-operation", "operation": "enqueue", "sessionId": "s-2"},
        cc_line("user", "m1", "a2", "<command-name>/cost</command-name>", isMeta=True),
        cc_line("assistant", "a3", "m1", "Done"),
    ]
    path = write(tmp_path, "s-2.jsonl", lines, lines=True)
    [(_, fmt, item)] = list(import_files("auto", [path]))
    assert fmt == "claude_code" and item["id"] == "s-2"
    assert [(t["text"], t.get("sidechain", False)) for t in item["conversation"]] == [
        ("Rename foo to bar", False),
        ("Plan B", False),
        ("find every foo", True),
        ("3 files", True),
        ("Done", False),
    ]
    assert item["conversation"][2]["agent_id"] == "subagent"
    table = {row["Property"]: row["Value"] for row in item["metadata_table"]}
    assert table["lines on abandoned branches"] == "2"
    # a file of bookkeeping lines only has no conversation to import
    only = write(tmp_path, "empty.jsonl", [lines[0], lines[7]], lines=True)
    with pytest.raises(TraceError, match="no user or assistant lines") as err:
        list(import_files("auto", [only]))
    assert err.value.line == 1


def test_react_text_trace(tmp_path):
    [(_, fmt, item)] = list(import_files("auto", [write(tmp_path, "paris.txt", REACT)]))
    assert fmt == "react" and item["id"] == "paris"
    assert item["task_description"].startswith("What is the population")
    actions = [t for t in item["conversation"] if t["step_type"] == "action"]
    assert [(a["tool"], a["args"]) for a in actions] == [
        ("search", {"query": "capital of France"}),
        ("search", "population of Paris"),
    ]
    observations = [t for t in item["conversation"] if t["speaker"] == "Environment"]
    assert observations[1]["text"] == "About 2.1 million\n(city proper, 2023)"
    assert item["conversation"][-1] == {
        "speaker": "Agent",
        "text": "About 4.2 million.",
        "step_type": "answer",
        "role": "assistant",
    }
    # traces separated by --- are items of their own
    two = list(import_files("react", [write(tmp_path, "two.txt", REACT + "---\n" + REACT)]))
    assert [i["id"] for _, _, i in two] == ["two-1", "two-2"]


def test_react_paper_form_numbered_with_bracketed_actions(tmp_path):
    text = (
        "Question: Which magazine was started first, Arthur's Magazine or First for Women?\n"
        "Thought 1: I need to search both.\n"
        "Action 1: Search[Arthur's Magazine]\n"
        "Observation 1: Arthur's Magazine (1844-1846) was an American literary periodical.\n"
        "Thought 2: Arthur's Magazine was started in 1844.\n"
        "Action 2: Finish[Arthur's Magazine]\n"
    )
    [(_, fmt, item)] = list(import_files("auto", [write(tmp_path, "hotpot.txt", text)]))
    assert fmt == "react"
    assert kinds(item) == [
        ("User", "observation"),
        ("Agent (Thought)", "thought"),
        ("Agent (Action)", "action"),
        ("Environment", "observation"),
        ("Agent (Thought)", "thought"),
        ("Agent", "answer"),
    ]
    call = item["conversation"][2]
    assert call["tool"] == "Search" and call["args"] == "Arthur's Magazine"
    assert item["conversation"][3]["result_of"] == "Search"
    assert item["conversation"][-1]["text"] == "Arthur's Magazine"


def test_mcp_jsonrpc_log(tmp_path):
    path = write(tmp_path, "session.jsonl", MCP_LOG, lines=True)
    [(_, fmt, item)] = list(import_files("auto", [path]))
    assert fmt == "mcp" and item["id"] == "session" and item["agent_name"] == "weather-server"
    assert kinds(item) == [
        ("Environment", "observation"),  # tools/list
        ("Agent (Action)", "action"),
        ("Environment", "observation"),
        ("Agent (Action)", "action"),
        ("Environment", "error"),  # isError: true
        ("Agent (Action)", "action"),
        ("Environment", "error"),  # JSON-RPC error
    ]
    conv = item["conversation"]
    assert conv[0]["text"] == "tools: get_weather, get_alerts"
    assert conv[1]["tool"] == "get_weather" and conv[1]["args"] == {"location": "New York"}
    assert conv[2]["text"] == "72°F, partly cloudy" and conv[2]["result_of"] == "get_weather"
    assert conv[4]["text"] == "Unknown state ZZ" and conv[6]["text"] == "Unknown tool"
    table = {row["Property"]: row["Value"] for row in item["metadata_table"]}
    assert table["client"] == "example-client" and table["tool calls"] == "3"


def test_mcp_potato_interactions_shape(tmp_path):
    value = {
        "id": "mcp-1",
        "server": "files",
        "interactions": [
            {
                "method": "tools/call",
                "params": {"name": "read_file", "arguments": {"path": "a.txt"}},
                "result": {"content": [{"type": "text", "text": "hello"}]},
            },
            {"method": "resources/read", "params": {"uri": "file:///b"}, "result": {}},
        ],
    }
    [(_, fmt, item)] = list(import_files("auto", [write(tmp_path, "m.json", value)]))
    assert fmt == "mcp" and item["id"] == "mcp-1"
    assert [t["text"] for t in item["conversation"]] == [
        'read_file({"path": "a.txt"})',
        "hello",
        "resources/read file:///b",
    ]


def test_swebench_predictions_and_harness_results(tmp_path):
    path = write(tmp_path, "preds.jsonl", SWEBENCH, lines=True)
    (_, fmt, first), (_, _, second) = list(import_files("auto", [path]))
    assert fmt == "swebench" and first["id"] == "astropy__astropy-12907"
    assert first["agent_name"] == "gpt-4o__agentless"
    assert kinds(first) == [
        ("User", "observation"),
        ("Agent", "answer"),
        ("Environment", "observation"),
    ]
    assert "+        cright" in first["conversation"][1]["text"]
    assert first["conversation"][2]["harness_log"] is True
    table = {row["Property"]: row["Value"] for row in first["metadata_table"]}
    assert table["resolved"] == "true" and table["repo"] == "astropy/astropy"
    assert json.loads(table["FAIL_TO_PASS"]) == [
        "astropy/modeling/tests/test_separable.py::test_separable[p]"
    ]
    assert second["conversation"] == []
    assert {r["Property"]: r["Value"] for r in second["metadata_table"]}["empty patch"] == "true"


def test_swebench_harness_report_keyed_by_instance(tmp_path):
    report = {
        "astropy__astropy-12907": {
            "patch_is_None": False,
            "patch_exists": True,
            "patch_successfully_applied": True,
            "resolved": False,
            "tests_status": {
                "FAIL_TO_PASS": {"success": [], "failure": ["test_separable[p]"]},
                "PASS_TO_PASS": {"success": ["test_coord_matrix"], "failure": []},
            },
        }
    }
    [(_, fmt, item)] = list(import_files("auto", [write(tmp_path, "report.json", report)]))
    assert fmt == "swebench" and item["id"] == "astropy__astropy-12907"
    table = {row["Property"]: row["Value"] for row in item["metadata_table"]}
    assert table["resolved"] == "false" and table["patch applied"] == "true"
    assert json.loads(table["FAIL_TO_PASS failed"]) == ["test_separable[p]"]
    assert "empty patch" not in table


def test_aider_chat_history(tmp_path):
    path = write(tmp_path, ".aider.chat.history.md", AIDER)
    (_, fmt, first), (_, _, second) = list(import_files("auto", [path]))
    assert fmt == "aider" and first["id"] == "aider.chat.history-1"
    assert first["task_description"] == "make greet() say hello world\nand keep the signature"
    assert kinds(first) == [
        ("Aider", "observation"),
        ("User", "observation"),
        ("Agent", "answer"),
        ("Agent (Action)", "action"),
        ("Aider", "observation"),
    ]
    assert first["conversation"][2]["text"] == "I'll change the greeting."
    edit = first["conversation"][3]
    assert edit["tool"] == "edit" and edit["args"] == {
        "file": "hello.py",
        "search": 'def greet():\n    return "hi"',
        "replace": 'def greet():\n    return "hello world"',
    }
    assert first["conversation"][4]["text"].startswith("Applied edit to hello.py\nCommit")
    assert second["id"] == "aider.chat.history-2" and second["task_description"] == "/run pytest"
    table = {row["Property"]: row["Value"] for row in first["metadata_table"]}
    assert table == {"started": "2024-05-20 10:12:03", "edits": "1"}


def test_aider_older_original_updated_blocks(tmp_path):
    text = (
        "# aider chat started at 2023-08-01 09:00:00\n\n"
        "#### rename x to y\n\n"
        "Here is the change:\n\n"
        "```python\n"
        "src/app.py\n"
        "<<<<<<< ORIGINAL\n"
        "x = 1\n"
        "=======\n"
        "y = 1\n"
        ">>>>>>> UPDATED\n"
        "```\n"
    )
    [(_, fmt, item)] = list(import_files("auto", [write(tmp_path, "old.md", text)]))
    assert fmt == "aider"
    assert [t["text"] for t in item["conversation"][:2]] == ["rename x to y", "Here is the change:"]
    assert item["conversation"][2]["args"] == {
        "file": "src/app.py",
        "search": "x = 1",
        "replace": "y = 1",
    }


def test_atif_harbor_and_potato_shapes(tmp_path):
    [(_, fmt, item)] = list(import_files("auto", [write(tmp_path, "a.json", ATIF_HARBOR)]))
    assert fmt == "atif" and item["id"] == "run-42" and item["agent_name"] == "terminus"
    assert item["task_description"] == "Count the lines of data.csv"
    assert kinds(item) == [
        ("System", "system"),
        ("User", "observation"),
        ("Agent (Thought)", "thought"),
        ("Agent", "answer"),
        ("Agent (Action)", "action"),
        ("Environment", "observation"),
        ("Agent", "answer"),
    ]
    call, result = item["conversation"][4], item["conversation"][5]
    assert call["tool"] == "bash" and call["call_id"] == "call_1" and call["step_id"] == 3
    assert result["result_of"] == "bash" and result["text"] == "101 data.csv"
    table = {row["Property"]: row["Value"] for row in item["metadata_table"]}
    assert table["schema_version"] == "ATIF-v1.4" and table["total_steps"] == "4"

    [(_, fmt, old)] = list(import_files("auto", [write(tmp_path, "b.json", ATIF_POTATO)]))
    assert fmt == "atif" and old["id"] == "atif-7"
    assert old["task_description"] == "Book a table for two"
    assert [t["text"] for t in old["conversation"]] == [
        "Search first",
        'find_table({"people": 2})',
        "Table at 19:00",
    ]


def test_multi_agent_crewai_autogen_langgraph(tmp_path):
    path = write(tmp_path, "multi.jsonl", [CREWAI, AUTOGEN, LANGGRAPH], lines=True)
    (_, fmt, crew), (_, _, auto), (_, _, graph) = list(import_files("auto", [path]))
    assert fmt == "multi_agent"
    assert [(t["agent_id"], t["step_type"]) for t in crew["conversation"]] == [
        ("Researcher", "thought"),
        ("Researcher", "action"),
        ("Researcher", "observation"),
        ("Writer", "thought"),
        ("Writer", "observation"),
    ]
    assert crew["agents"][1] == {"id": "Writer", "role": "Writer", "goal": "Write the report"}
    assert [(t["speaker"], t["addressee"], t["text"]) for t in auto["conversation"]] == [
        ("user_proxy", "assistant", "What is 17 * 23?"),
        ("assistant", "user_proxy", "391"),
    ]
    assert [(t["agent_id"], t["step_type"]) for t in graph["conversation"]] == [
        ("agent", "observation"),
        ("agent", "thought"),
        ("tools", "action"),
        ("tools", "observation"),
        ("agent", "answer"),
    ]
    call = graph["conversation"][2]
    assert call["tool"] == "weather" and call["args"] == {"city": "Paris"}
    assert graph["conversation"][3]["result_of"] == "weather"
    table = {row["Property"]: row["Value"] for row in graph["metadata_table"]}
    assert table == {"framework": "langgraph", "agents": "agent, tools"}


@pytest.mark.parametrize(
    "fmt, name, content, line, message",
    [
        (
            "claude_code",
            "s.jsonl",
            [CLAUDE_CODE[1], {"type": "assistant", "message": {"role": "assistant"}}],
            2,
            "needs its sessionId",
        ),
        (
            "claude_code",
            "s.jsonl",
            [CLAUDE_CODE[1], {**CLAUDE_CODE[2], "message": {"role": "assistant", "content": 5}}],
            2,
            "content must be text or a list",
        ),
        (
            "react",
            "r.txt",
            "Thought: hm\nObservation: x\nAction Input: {}\n",
            3,
            "without an Action",
        ),
        ("react", "r.txt", "hello\nThought: x\n", 1, "before the first ReAct label"),
        (
            "mcp",
            "m.jsonl",
            [MCP_LOG[3], {"jsonrpc": "2.0", "id": 9, "result": {}}],
            2,
            "no request",
        ),
        (
            "mcp",
            "m.jsonl",
            [{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {}}, MCP_LOG[4]],
            1,
            "needs params.name",
        ),
        ("mcp", "m.jsonl", [MCP_LOG[3], {"id": 1, "result": {}}], 2, "JSON-RPC 2.0"),
        ("swebench", "p.jsonl", [SWEBENCH[1], {"model_patch": "x"}], 2, "needs its instance_id"),
        (
            "swebench",
            "p.jsonl",
            [SWEBENCH[1], {"instance_id": "a", "model_patch": 7}],
            2,
            "model_patch must be text",
        ),
        ("aider", "h.md", AIDER.replace(">>>>>>> REPLACE", "oops"), 13, "SEARCH block without"),
        ("aider", "h.md", "hello\n# aider chat started at x\n", 1, "aider chat started"),
        (
            "atif",
            "a.jsonl",
            [ATIF_POTATO, {**ATIF_HARBOR, "steps": [{"source": "robot"}]}],
            2,
            "source must be system, user or agent",
        ),
        (
            "multi_agent",
            "m.jsonl",
            [CREWAI, {**AUTOGEN, "messages": [{"sender": "a"}, {"content": "x"}]}],
            2,
            "message 2 needs its sender",
        ),
        (
            "multi_agent",
            "m.jsonl",
            [AUTOGEN, {"id": "x", "events": [{"node": "t", "type": "on_tool_start", "data": {}}]}],
            2,
            "needs data.tool",
        ),
        (
            "multi_agent",
            "m.jsonl",
            [AUTOGEN, {"id": "x", "steps": []}],
            2,
            "expected a multi-agent",
        ),
    ],
)
def test_bad_records_name_the_file_and_line(tmp_path, fmt, name, content, line, message):
    path = write(tmp_path, name, content, lines=True)
    with pytest.raises(TraceError, match=message) as err:
        list(import_files(fmt, [path]))
    assert err.value.path == str(path) and err.value.line == line


def test_auto_detects_every_format_new_and_old(tmp_path, capsys):
    files = {
        "claude_code": write(tmp_path, "cc.jsonl", CLAUDE_CODE, lines=True),
        "react": write(tmp_path, "react.txt", REACT),
        "mcp": write(tmp_path, "mcp.jsonl", MCP_LOG, lines=True),
        "swebench": write(tmp_path, "preds.json", SWEBENCH),
        "aider": write(tmp_path, "chat.md", AIDER),
        "atif": write(tmp_path, "atif.json", ATIF_HARBOR),
        "multi_agent": write(tmp_path, "crew.json", CREWAI),
        "openai": write(tmp_path, "oa.json", OPENAI),
        "anthropic": write(tmp_path, "an.json", ANTHROPIC),
        "otel": write(tmp_path, "otlp.json", OTLP),
        "langsmith": write(tmp_path, "ls.json", LANGSMITH_TREE),
        "potato": write(tmp_path, "po.json", POTATO),
        "langfuse": write(tmp_path, "lf.json", LANGFUSE_TRACE),
        "openai_agents": write(tmp_path, "agents.jsonl", AGENTS_SDK, lines=True),
        "swe_agent": write(tmp_path, "x__y-1.traj", SWE_TRAJ),
        "webarena": write(tmp_path, "wa.json", WEBARENA_NATIVE),
    }
    found = {}
    for path, fmt, _item in import_files("auto", files.values()):
        found.setdefault(path.name, fmt)
    assert found == {path.name: fmt for fmt, path in files.items()}
    out = tmp_path / "data.jsonl"
    new = [str(files[f]) for f in ("claude_code", "react", "mcp", "swebench", "aider", "atif")]
    assert cli.main(["import-traces", "auto", *new, "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 8  # swebench 2, aider 2
    assert "wrote 8 traces" in capsys.readouterr().err


def test_plain_text_that_is_no_trace_is_refused(tmp_path, capsys):
    path = write(tmp_path, "notes.txt", "just some notes\nnothing else\n")
    assert cli.main(["import-traces", "auto", str(path), "--dry-run"]) == 1
    assert f"{path}:1:" in capsys.readouterr().err
