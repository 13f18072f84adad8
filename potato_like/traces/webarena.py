"""WebArena-style web-agent trajectories. Two shapes:

- WebArena's own `Trajectory` (browser_env): a task (`task_id`, `intent`, `start_url`, as in
  its config files) with `trajectory`: a list alternating states `{"observation": {"text",
  "image"}, "info": {"page": {"url"}}}` (or `{"url", "observation"}`) and actions
  `{"action_type", "element_id", "element_role", "element_name", "text", "url", "direction",
  "key_comb", "answer", "raw_prediction", "coords"}`; `action_type` is WebArena's number
  (ActionTypes: 6 click, 7 type, 13 goto_url, 17 stop, ...) or a name.
- The flattened shape many web-agent logs use: `{"task_id", "intent", "start_url",
  "actions": [{"action_type", "element", "value", "thought" | "reasoning", "observation",
  "url", "screenshot"}], "evaluation": {"success", "reward"}}`.

Each action becomes a call (`tool` = the action's name), preceded by the model's reasoning
(`raw_prediction` / `thought`) and followed by the page observed after it; screenshots that
are file paths, URLs or image data URIs are kept on the step for the web_agent_trace display.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import item, text_of, turn
from .registry import Record, TraceFormat, register

# WebArena's browser_env ActionTypes.
ACTION_NAMES = {
    0: "none",
    1: "scroll",
    2: "key_press",
    3: "mouse_click",
    4: "keyboard_type",
    5: "mouse_hover",
    6: "click",
    7: "type",
    8: "hover",
    9: "page_focus",
    10: "new_tab",
    11: "go_back",
    12: "go_forward",
    13: "goto_url",
    14: "page_close",
    15: "check",
    16: "select_option",
    17: "stop",
    18: "clear",
    19: "upload",
}
ARG_KEYS = (
    "element_id",
    "element_role",
    "element_name",
    "text",
    "value",
    "url",
    "direction",
    "key_comb",
    "answer",
    "coords",
    "element",
    "page_number",
)


def _name(action: Mapping) -> str:
    kind = action.get("action_type", action.get("type"))
    if isinstance(kind, int) and not isinstance(kind, bool):
        return ACTION_NAMES.get(kind, f"action_{kind}")
    return str(kind or "unknown").lower()


def _args(action: Mapping) -> dict:
    args = {k: action[k] for k in ARG_KEYS if action.get(k) not in (None, "", [], {})}
    text = args.get("text")
    if isinstance(text, list) and all(isinstance(c, int) for c in text):
        args.pop("text")  # WebArena keeps typed text as token ids; the raw prediction has it
    return args


def _state_text(state: Mapping) -> tuple[Any, str | None, Any]:
    """(observation text, url, screenshot) of a WebArena state."""
    obs = state.get("observation")
    info = state.get("info") if isinstance(state.get("info"), Mapping) else {}
    page = info.get("page") if isinstance(info.get("page"), Mapping) else {}
    url = state.get("url") or page.get("url")
    if isinstance(obs, Mapping):
        shot = obs.get("image") if isinstance(obs.get("image"), str) else None
        return obs.get("text"), url, shot
    return obs, url, state.get("screenshot")


def _is_action(entry: Any) -> bool:
    return isinstance(entry, Mapping) and "action_type" in entry


@register
class WebArena(TraceFormat):
    name = "webarena"
    aliases = ("web_agent",)
    description = "WebArena-style web-agent trajectories (intent + trajectory / actions)"
    detect_order = 15

    def detect(self, value: Any) -> bool:
        if not isinstance(value, Mapping) or not ("intent" in value or "task_id" in value):
            return False
        steps = value.get("trajectory", value.get("actions"))
        return isinstance(steps, list) and any(_is_action(s) for s in steps[:3])

    def convert_one(self, record: Record, n: int) -> dict:
        value = record.value
        if not isinstance(value, Mapping):
            raise record.error("expected a web-agent trajectory object (intent, trajectory)")
        steps = value.get("trajectory", value.get("actions"))
        if not isinstance(steps, list):
            raise record.error("expected 'trajectory' or 'actions' as a list")
        task = value.get("intent") or value.get("task") or ""
        start_url = value.get("start_url") or value.get("url")
        conversation = [turn("User", task, "observation", role="user")] if task else []
        screenshots = []
        for i, entry in enumerate(steps):
            if not isinstance(entry, Mapping):
                raise record.error(f"trajectory entry {i + 1} must be an object")
            if _is_action(entry):
                reasoning = (
                    entry.get("raw_prediction") or entry.get("thought") or entry.get("reasoning")
                )
                if reasoning:
                    conversation.append(turn("Agent (Thought)", reasoning, "thought"))
                name, args = _name(entry), _args(entry)
                shown = ", ".join(f"{k}={text_of(v)}" for k, v in args.items())
                conversation.append(
                    turn(
                        "Agent (Action)",
                        f"{name}({shown})",
                        "action",
                        tool=name,
                        args=args,
                        url=entry.get("url") if name != "goto_url" else None,
                    )
                )
                observed = entry.get("observation") or entry.get("page_state")
                shot = entry.get("screenshot") or entry.get("screenshot_path")
                if observed or shot:
                    conversation.append(
                        turn("Environment", observed or "", "observation", screenshot=shot)
                    )
                    if shot:
                        screenshots.append(shot)
            else:  # a WebArena state
                text, url, shot = _state_text(entry)
                conversation.append(
                    turn("Environment", text or "", "observation", url=url, screenshot=shot)
                )
                if shot:
                    screenshots.append(shot)
        evaluation = value.get("evaluation") if isinstance(value.get("evaluation"), Mapping) else {}
        return item(
            value.get("task_id", value.get("id")),
            task,
            conversation,
            agent_name=str(value.get("agent") or ""),
            metadata={
                "start_url": start_url,
                "sites": value.get("sites"),
                "success": evaluation.get("success"),
                "reward": evaluation.get("reward", value.get("score")),
            },
            start_url=start_url,
            screenshot_url=screenshots[0] if screenshots else None,
        )
