"""`web_agent_trace`: a web agent's browsing run, one card per step: the screenshot with the
clicked element marked (its bounding box, the click point and the mouse path, drawn as SVG
over the image in the page's viewport coordinates), the action, the element, the thought
and the observation. A filmstrip of step links sits on top.

The value is `{"steps": [...], "task_description", "site"}` or the list of steps. A step has
`screenshot_url` (or `screenshot`), `action_type`, `element` (`tag`, `text`, `bbox` as
[x1, y1, x2, y2]), `coordinates` ({x, y}), `mouse_path` ([[x, y], ...]), `thought`,
`observation`, `value`/`typed_text`, `url` and `viewport` ({width, height}, default 1280x720).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Display, Option, as_text, styles
from .registry import register

DEFAULT_VIEWPORT = (1280, 720)


@register("web_agent_trace")
class WebAgentTrace(Display):
    description = "A web agent's steps: screenshots with the clicked element marked, actions"
    options = {
        "show_overlays": Option(True),
        "show_filmstrip": Option(True),
        "show_thought": Option(True),
        "show_observation": Option(True),
        "show_element_info": Option(True),
        "screenshot_max_width": Option("800px", "length"),
        "screenshot_max_height": Option("600px", "length"),
        "filmstrip_size": Option(80, "int"),
    }
    later = {
        "auto_playback": "step playback",
        "playback_step_delay": "step playback",
    }

    def view(self, value: Any, options, context) -> dict:
        task = site = None
        if isinstance(value, Mapping):
            task, site = value.get("task_description"), value.get("site")
            value = value.get("steps", [])
        raw = value if isinstance(value, list) else [value]
        steps = [_step(i, s, context) for i, s in enumerate(raw)]
        return {
            "task": as_text(task) if task else None,
            "site": as_text(site) if site else None,
            "steps": steps,
            "overlays": options["show_overlays"],
            "filmstrip": options["show_filmstrip"] and len(steps) > 1,
            "thought": options["show_thought"],
            "observation": options["show_observation"],
            "element_info": options["show_element_info"],
            "styles": styles(
                maxWidth=options["screenshot_max_width"],
                maxHeight=options["screenshot_max_height"],
            ),
        }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _step(index: int, raw: Any, context) -> dict:
    if not isinstance(raw, Mapping):
        return {
            "index": index,
            "id": f"s{index}",
            "number": index + 1,
            "action": "",
            "thought": as_text(raw),
        }
    viewport = raw.get("viewport") if isinstance(raw.get("viewport"), Mapping) else {}
    width = _number(viewport.get("width")) or DEFAULT_VIEWPORT[0]
    height = _number(viewport.get("height")) or DEFAULT_VIEWPORT[1]
    element = raw.get("element") if isinstance(raw.get("element"), Mapping) else {}
    box = element.get("bbox")
    rect = None
    if isinstance(box, list) and len(box) == 4 and all(_number(v) is not None for v in box):
        x1, y1, x2, y2 = (float(v) for v in box)
        rect = {"x": min(x1, x2), "y": min(y1, y2), "w": abs(x2 - x1), "h": abs(y2 - y1)}
    coords = raw.get("coordinates") if isinstance(raw.get("coordinates"), Mapping) else {}
    cx, cy = _number(coords.get("x")), _number(coords.get("y"))
    path = raw.get("mouse_path")
    points = None
    if isinstance(path, list):
        pts = [
            p
            for p in path
            if isinstance(p, list) and len(p) == 2 and all(_number(v) is not None for v in p)
        ]
        points = " ".join(f"{float(x):g},{float(y):g}" for x, y in pts) if len(pts) > 1 else None
    shot = raw.get("screenshot_url", raw.get("screenshot"))
    given = raw.get("step_id", raw.get("step_index"))
    return {
        "index": index,
        "number": index + 1,
        "id": f"s{given}" if isinstance(given, int) else (as_text(given) if given else f"s{index}"),
        "action": as_text(raw.get("action_type", raw.get("action", ""))),
        "value": as_text(raw.get("value", raw.get("typed_text", ""))) or None,
        "url": as_text(raw.get("url", "")) or None,
        "thought": as_text(raw.get("thought", "")) or None,
        "observation": as_text(raw.get("observation", "")) or None,
        "element": {
            "tag": as_text(element.get("tag", "")),
            "text": as_text(element.get("text", "")),
        }
        if element
        else None,
        "screenshot": context.media_url(shot, image=True) if shot else None,
        "screenshot_raw": as_text(shot) if shot else None,
        "viewbox": f"0 0 {width:g} {height:g}",
        "rect": rect,
        "click": {"x": cx, "y": cy} if cx is not None and cy is not None else None,
        "path": points,
    }
