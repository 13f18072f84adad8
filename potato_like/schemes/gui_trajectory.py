"""`annotation_type: gui_trajectory` — a computer-use (GUI) agent judged step by step: each
step shows the screenshot the agent saw (`screenshot_key`, else `image`) and the action it
took (`action_key`, else `text`/`content`); when the step has click coordinates (`x`/`y`,
or `click: {x, y}`) a marker shows where the click landed, so the annotator can judge the
grounding. `coord_space` says whether coordinates are `normalized` (0..1, the default) or
`pixels` of the screenshot. Each step gets a verdict (`verdict_options`, default correct /
wrong_element / wrong_action / hallucinated) and optional notes.

Stored as Potato stores it: `[{"index", "step", "verdict", "notes"}]`, judged steps only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..media.paths import media_kind, relative_media_path
from .registry import register
from .step_base import MAX_STEPS, StepVerdicts

VERDICTS = ("correct", "wrong_element", "wrong_action", "hallucinated")
COORD_SPACES = ("normalized", "pixels")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) < 1e9 else None


def screenshot_url(value: Any) -> str | None:
    """The URL the page may load for a step's screenshot (project files through the media
    route), or None to refuse it."""
    kind = media_kind(value, allow_data_image=True)
    if kind is None:
        return None
    if kind == "project":
        from flask import url_for  # only while rendering a page

        return url_for("media.project_file", relpath=relative_media_path(value.strip()) or "")
    return value.strip()


@register("gui_trajectory")
class GuiTrajectory(StepVerdicts):
    macro = "schemes/gui_trajectory.html"
    option_keys = (
        "steps_key",
        "screenshot_key",
        "action_key",
        "coord_space",
        "verdict_options",
    )
    default_verdicts = VERDICTS

    def parse_step_options(self, reader: ConfigReader) -> None:
        self.screenshot_key = reader.str("screenshot_key", "screenshot")
        self.action_key = reader.str("action_key", "action")
        self.coord_space = reader.str("coord_space", "normalized")
        if self.coord_space not in COORD_SPACES:
            reader.problem(
                "coord_space",
                f"{self.coord_space!r} is not one of {', '.join(COORD_SPACES)}",
            )
        self.parse_verdicts(reader)

    def steps_of(self, fields: Mapping[str, Any]) -> list[dict]:
        raw = fields.get(self.steps_key)
        if not isinstance(raw, list):
            return []
        return [self.gui_step(i, s) for i, s in enumerate(raw[:MAX_STEPS])]

    def gui_step(self, index: int, step: Any) -> dict:
        step = step if isinstance(step, Mapping) else {"action": step}
        action = step.get(self.action_key) or step.get("text") or step.get("content") or ""
        click = step.get("click") if isinstance(step.get("click"), Mapping) else {}
        x = _number(step.get("x", click.get("x")))
        y = _number(step.get("y", click.get("y")))
        shot = step.get(self.screenshot_key) or step.get("image")
        return {
            "index": index,
            "number": index + 1,
            "text": action if isinstance(action, str) else str(action),
            "speaker": None,
            "agent": None,
            "shot": shot if isinstance(shot, str) else None,
            "x": x if y is not None else None,
            "y": y if x is not None else None,
        }

    def for_page(self, fields, annotator, item_id, seed):
        view = super().for_page(fields, annotator, item_id, seed)
        for step in view.page_steps:
            step["shot_url"] = screenshot_url(step["shot"]) if step["shot"] else None
        return view

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["coord_space"] = self.coord_space
        return out
