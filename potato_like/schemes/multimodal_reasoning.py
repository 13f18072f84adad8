"""`annotation_type: multimodal_reasoning` — an interleaved text / image / tool / action
reasoning trace judged step by step. Each step's block type comes from `type_key` (default
`type`), else from its keys (`image`/`image_url` → image, `tool`/`tool_calls` → tool,
`action` → action, otherwise text), and is shown as such: the image with its caption, the
tool with its arguments, the text. Each step gets a verdict (`verdict_options`, default
coherent / incoherent / visual_hallucination / uncertain) and optional notes.

Stored as Potato stores it: `[{"index", "step", "type", "verdict", "notes"}]`, judged
steps only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from .gui_trajectory import screenshot_url
from .registry import register
from .step_base import MAX_STEPS, StepVerdicts

VERDICTS = ("coherent", "incoherent", "visual_hallucination", "uncertain")
BLOCKS = ("text", "image", "tool", "action")


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2)


@register("multimodal_reasoning")
class MultimodalReasoning(StepVerdicts):
    macro = "schemes/multimodal_reasoning.html"
    option_keys = ("steps_key", "type_key", "verdict_options")
    default_verdicts = VERDICTS
    extra_keys = ("type",)

    def parse_step_options(self, reader: ConfigReader) -> None:
        self.type_key = reader.str("type_key", "type")
        self.parse_verdicts(reader)

    def block_type(self, step: Mapping) -> str:
        given = step.get(self.type_key)
        if isinstance(given, str) and given.strip():
            return given.strip().lower()
        if step.get("image") or step.get("image_url"):
            return "image"
        if step.get("tool") or step.get("tool_calls") or step.get("tool_call"):
            return "tool"
        if step.get("action"):
            return "action"
        return "text"

    def steps_of(self, fields: Mapping[str, Any]) -> list[dict]:
        raw = fields.get(self.steps_key)
        if not isinstance(raw, list):
            return []
        return [self.block(i, s) for i, s in enumerate(raw[:MAX_STEPS])]

    def block(self, index: int, step: Any) -> dict:
        step = step if isinstance(step, Mapping) else {"text": _text(step)}
        kind = self.block_type(step)
        view: dict[str, Any] = {"index": index, "number": index + 1, "kind": kind}
        view.update(speaker=kind, agent=None, caption=_text(step.get("caption")) or None)
        if kind == "image":
            src = next(
                (step[k] for k in ("image", "image_url", "url", "src", "content") if step.get(k)),
                None,
            )
            view["image"] = src if isinstance(src, str) else None
            view["text"] = view["caption"] or ""
        elif kind == "tool":
            call = step.get("tool_call") if isinstance(step.get("tool_call"), Mapping) else {}
            calls = step.get("tool_calls")
            if not call and isinstance(calls, list) and calls and isinstance(calls[0], Mapping):
                call = calls[0]
            view["tool"] = _text(step.get("tool") or step.get("name") or call.get("name") or "tool")
            keys = (step.get("args"), step.get("arguments"), call.get("args"))
            keys += (call.get("arguments"), step.get("input"), step.get("content"))
            args = next((v for v in keys if v not in (None, "", {})), None)
            view["text"] = _text(args)
        elif kind == "action":
            view["text"] = _text(step.get("action") or step.get("text") or step.get("content"))
        else:
            view["text"] = _text(
                step.get("text") or step.get("content") or step.get("reasoning") or ""
            )
        return view

    def for_page(self, fields, annotator, item_id, seed):
        view = super().for_page(fields, annotator, item_id, seed)
        for step in view.page_steps:
            if step.get("image"):
                step["image_url"] = screenshot_url(step["image"])
        return view

    def dashboard_summary(self, label_maps):
        out = super().dashboard_summary(label_maps)
        by_type: dict[str, dict[str, int]] = {}
        for m in label_maps:
            for entry in (self.answer(m) or []) if m else []:
                if entry.get("verdict"):
                    row = by_type.setdefault(entry.get("type", "text"), {})
                    row[entry["verdict"]] = row.get(entry["verdict"], 0) + 1
        out["verdicts_by_block_type"] = by_type
        return out
