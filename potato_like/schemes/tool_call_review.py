"""`annotation_type: tool_call_review` — a verdict on each tool call of an agent trace: the
right tool, correct arguments (`verdict_options`, default correct / wrong_tool /
wrong_args), with optional notes. The calls are read from the item's steps (`steps_key`):
a step's `tool_calls` (or `tool_call`), else a step with `tool`; call i is the i-th call of
the trace, in order.

Stored as Potato stores it: `[{"index", "step", "tool", "verdict", "notes"}]`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from .registry import register
from .step_base import MAX_STEPS, StepVerdicts, step_index

VERDICTS = ["correct", "wrong_tool", "wrong_args"]


@register("tool_call_review")
class ToolCallReview(StepVerdicts):
    macro = "schemes/tool_call_review.html"
    option_keys = ("steps_key", "step_text_key", "verdict_options")
    default_verdicts = tuple(VERDICTS)
    extra_keys = ("tool",)
    noun = "call"

    def parse_step_options(self, reader: ConfigReader) -> None:
        self.parse_verdicts(reader)

    def steps_of(self, fields: Mapping[str, Any]) -> list[dict]:
        raw = fields.get(self.steps_key)
        calls: list[dict] = []
        if not isinstance(raw, list):
            return calls
        for step_no, step in enumerate(raw):
            if not isinstance(step, Mapping):
                continue
            found = step.get("tool_calls") or ([step["tool_call"]] if step.get("tool_call") else [])
            if not found and (step.get("tool") or step.get("action_type") == "tool"):
                found = [step]
            for call in found if isinstance(found, list) else []:
                if not isinstance(call, Mapping) or len(calls) >= MAX_STEPS:
                    continue
                tool = call.get("name", call.get("tool", "tool"))
                args = call.get("args", call.get("arguments", call.get("input", {})))
                if not isinstance(args, str):
                    args = json.dumps(args, ensure_ascii=False, indent=2)
                agent = step.get("agent", step.get("agent_id"))
                calls.append(
                    {
                        "index": len(calls),
                        "number": len(calls) + 1,
                        "step": step_no,
                        "text": args,
                        "speaker": f"{tool} (step {step_no + 1})",
                        "tool": str(tool),
                        "agent": None if agent is None else str(agent),
                    }
                )
        return calls

    def entry_head(self, raw: Mapping, index: int, where: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"index": index}
        if raw.get("step") is not None:
            entry["step"] = step_index(self.name, raw.get("step"), f"{where} step")
        return entry
