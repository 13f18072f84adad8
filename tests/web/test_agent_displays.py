"""The agent-trace displays (agent_trace, eval_trace, cot_trace, coding_trace,
web_agent_trace, interactive_chat): each renders its data shapes with stable step ids,
survives odd data, escapes what it shows and keeps the page CSP-clean."""

from __future__ import annotations

import json
import re

import pytest

from potato_like.config import load_config
from potato_like.errors import ConfigError
from tests.conftest import base_config, write_config

from .display_util import annotate_page, assert_csp_clean, display_app, elements, section

REACT = [
    {
        "thought": "I need to search.",
        "action": {"tool": "search", "params": {"q": "x"}},
        "observation": "3 results",
    },
    {"speaker": "Agent (Action)", "text": "finish()", "tool": "finish"},
    {"step_type": "error", "content": "<script>alert(1)</script>"},
    "Let me think about it",
]


@pytest.fixture
def page(tmp_path, open_app):
    def render(fields, row):
        app = display_app(
            open_app, tmp_path / "p", [{"id": "r1", "text": "t", **row}], {"fields": fields}
        )
        return annotate_page(app)

    return render


def step_ids(html: str) -> list[str]:
    return [a["data-step-id"] for t, a in elements(html) if a.get("data-testid") == "trace-step"]


def test_agent_trace_shows_typed_steps_with_stable_ids(page):
    html = page([{"key": "trace", "type": "agent_trace"}], {"trace": REACT})
    part = section(html, "trace")
    assert step_ids(part) == ["s0", "s1", "s2", "s3", "s4", "s5"]
    types = re.findall(r'class="trace-step step-type-(\w+)"', part)
    assert types == ["thought", "action", "observation", "action", "error", "thought"]
    assert "search(q=&#39;x&#39;)" in part
    assert "<script>alert(1)</script>" not in part and "&lt;script&gt;" in part
    assert 'data-testid="trace-summary"' in part
    assert_csp_clean(html)


def test_agent_trace_keeps_ids_from_the_data_and_closes_long_traces(page):
    steps = [{"speaker": "Agent", "text": f"step {i}", "step_id": f"id-{i}"} for i in range(250)]
    part = section(page([{"key": "trace", "type": "agent_trace"}], {"trace": steps}), "trace")
    # A long trace is windowed: its steps come as JSON, the browser builds the cards.
    assert step_ids(part) == [] and "data-windowed" in part
    data = re.search(
        r'<script type="application/json" class="trace-steps-data"[^>]*>(.*?)</script>', part, re.S
    )
    cards = json.loads(data.group(1))  # tojson escapes <, >, & and ' as \\u escapes
    assert [c["id"] for c in cards][:2] == ["id-0", "id-1"] and len(cards) == 250
    assert "<details open>" not in part and "long trace: steps start closed" in part


def test_agent_trace_with_duplicate_ids_falls_back_to_positions(page):
    steps = [
        {"speaker": "A", "text": "a", "turn_id": "t"},
        {"speaker": "B", "text": "b", "turn_id": "t"},
    ]
    part = section(page([{"key": "trace", "type": "agent_trace"}], {"trace": steps}), "trace")
    assert step_ids(part) == ["s0", "s1"]


@pytest.mark.parametrize("value", [{}, [], 42, [None, 3, {"odd": True}]])
def test_trace_displays_survive_odd_values(page, value):
    fields = [
        {"key": k, "type": k}
        for k in ("agent_trace", "eval_trace", "cot_trace", "coding_trace", "web_agent_trace")
    ]
    html = page(fields, {k["key"]: value for k in fields})
    assert_csp_clean(html)


def test_eval_trace_splits_reasoning_calls_and_answer(page):
    trace = [
        {"speaker": "Agent (Thought)", "text": "plan"},
        {"speaker": "Agent (Action)", "text": "lookup(1)"},
        {"speaker": "Environment", "text": "found"},
        {"speaker": "Agent (Final Answer)", "text": "42"},
    ]
    part = section(page([{"key": "trace", "type": "eval_trace"}], {"trace": trace}), "trace")
    panes = part.split('class="eval-pane"')[1:]
    assert (
        "plan" in panes[0] and "lookup(1)" in panes[1] and "↳" in panes[1] and "found" in panes[1]
    )
    assert "42" in panes[2] and "42" not in panes[1]


def test_cot_trace_splits_text_into_steps_with_a_rail(page):
    text = "Step one.\n\nStep two.\n" + "\n".join(f"line {i}" for i in range(20))
    part = section(
        page(
            [{"key": "cot", "type": "cot_trace", "display_options": {"clamp_lines": 5}}],
            {"cot": text},
        ),
        "cot",
    )
    assert step_ids(part) == ["s0", "s1"]
    assert part.count('class="cot-dot') == 2 and 'href="#step-cot-s1"' in part
    assert "Show more" in part


def test_coding_trace_shows_diffs_terminal_and_highlighted_code(page):
    turns = [
        {"role": "user", "content": "Fix it"},
        {
            "role": "assistant",
            "content": "Looking",
            "tool_calls": [
                {
                    "tool": "Read",
                    "input": {"file_path": "a.py"},
                    "output": "def f():\n    return 1\n",
                },
                {
                    "tool": "Edit",
                    "input": {
                        "file_path": "a.py",
                        "old_string": "return 1",
                        "new_string": "return 2",
                    },
                    "output": "ok",
                },
                {"tool": "Bash", "input": {"command": "pytest -q"}, "output": "1 passed"},
                {"tool": "WebSearch", "input": {"query": "<b>x</b>"}},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Done"},
                {
                    "type": "tool_use",
                    "id": "tu_1",
                    "name": "Write",
                    "input": {"file_path": "b.js", "content": "let x = 1;"},
                },
            ],
        },
    ]
    html = page([{"key": "turns", "type": "coding_trace"}], {"turns": turns})
    part = section(html, "turns")
    assert step_ids(part) == ["t1.0", "t1.1", "t1.2", "t1.3", "tu_1"]
    assert '<span class="k">def</span>' in part  # Pygments token classes, no inline style
    assert '<span class="diff-line diff-del">-return 1</span>' in part
    assert '<span class="diff-line diff-add">+return 2</span>' in part
    assert "$ pytest -q" in part and "1 passed" in part
    assert "&lt;b&gt;x&lt;/b&gt;" in part and "<b>x</b>" not in part
    assert "<code>a.py</code>" in part and "b.js" in part
    assert_csp_clean(html)
    assert "pygments.css" in html


def test_coding_trace_side_by_side_and_long_output(page):
    turns = [
        {
            "role": "assistant",
            "tool_calls": [
                {"tool": "Edit", "input": {"old_string": "a\nb", "new_string": "a\nc"}},
                {
                    "tool": "Bash",
                    "input": {"command": "seq 100"},
                    "output": "\n".join(map(str, range(100))),
                },
            ],
        }
    ]
    opts = {"diff_view": "side_by_side", "max_output_lines": 10}
    part = section(
        page([{"key": "t", "type": "coding_trace", "display_options": opts}], {"t": turns}), "t"
    )
    assert 'class="diff-replace"' in part and "Show 90 more lines" in part


def test_coding_trace_refuses_a_bad_diff_view(tmp_path):
    config = base_config(
        instance_display={
            "fields": [
                {"key": "t", "type": "coding_trace", "display_options": {"diff_view": "split"}}
            ]
        }
    )
    with pytest.raises(ConfigError, match="diff_view"):
        load_config(write_config(tmp_path, config))


def test_web_agent_trace_marks_the_clicked_element(page):
    trace = {
        "task_description": "Buy",
        "site": "shop.example",
        "steps": [
            {
                "screenshot_url": "shots/1.png",
                "action_type": "click",
                "element": {"tag": "button", "text": "Add", "bbox": [10, 20, 110, 60]},
                "coordinates": {"x": 60, "y": 40},
                "mouse_path": [[0, 0], [60, 40]],
                "viewport": {"width": 1000, "height": 500},
                "thought": "click add",
            },
            {"screenshot_url": "javascript:alert(1)", "action_type": "type", "value": "hi"},
            {"action_type": "done", "element": {"bbox": ["x", 1, 2, 3]}},
        ],
    }
    html = page([{"key": "w", "type": "web_agent_trace"}], {"w": trace})
    part = section(html, "w")
    assert 'viewBox="0 0 1000 500"' in part
    assert '<rect class="web-bbox" x="10.0" y="20.0" width="100.0" height="40.0"/>' in part
    assert 'cx="60.0" cy="40.0"' in part and 'points="0,0 60,40"' in part
    assert "javascript:" not in part.replace("Cannot show this screenshot: <code>javascript:", "")
    assert step_ids(part) == ["s0", "s1", "s2"]
    assert_csp_clean(html)


def test_interactive_chat_shows_a_recorded_chat_or_says_what_is_missing(page):
    html = page(
        [{"key": "chat", "type": "interactive_chat"}],
        {"chat": [{"speaker": "User", "text": "hi"}, {"speaker": "Agent", "text": "hello"}]},
    )
    part = section(html, "chat")
    assert step_ids(part) == ["s0", "s1"] and "chat-unavailable" not in part


def test_interactive_chat_without_a_conversation_says_live_chat_is_missing(tmp_path, open_app):
    app = display_app(
        open_app,
        tmp_path / "p",
        [{"id": "r1", "text": "t", "chat": None}],
        {"fields": [{"key": "chat", "type": "interactive_chat"}]},
    )
    part = section(annotate_page(app), "chat")
    assert 'data-testid="chat-unavailable"' in part and "agent_proxy" in part
