"""`annotation_type: process_reward` — a reward per step of a trace, for process reward
model (PRM) data: 1 correct, -1 incorrect, and with `allow_neutral` (per-step mode) 0
neutral. `mode: first_error` marks the first wrong step: the steps before it are correct,
it and every later one incorrect (the cascade is applied on the server too).

Stored as Potato stores it: `{"steps": [{"index", "reward", ...}], "mode"}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .registry import register
from .step_base import StepScheme, entry_list, step_index

MODES = ("first_error", "per_step")
SOURCES = ("human", "ai")


@register("process_reward")
class ProcessReward(StepScheme):
    macro = "schemes/process_reward.html"
    uniform_rows = True
    option_keys = (
        "steps_key",
        "step_text_key",
        "mode",
        "allow_neutral",
        "reward_labels",
        "inline_with_trace",
        "ai_prelabel",
        "require_verification",
    )
    agreement_metric = "interval"
    step_metric = "interval"
    has_first_error = True
    rewards_steps = True

    def parse_step_options(self, reader: ConfigReader) -> None:
        self.mode = reader.str("mode", "first_error", choices=MODES)
        self.allow_neutral = reader.bool("allow_neutral", False)
        if self.allow_neutral and self.mode != "per_step":
            reader.warn("allow_neutral", "only applies with mode: per_step; ignored")
            self.allow_neutral = False
        names = reader.child("reward_labels")
        names.warn_unknown(("correct", "neutral", "incorrect"))
        self.reward_labels = {
            "correct": names.str("correct", "Correct"),
            "neutral": names.str("neutral", "Neutral"),
            "incorrect": names.str("incorrect", "Wrong"),
        }
        self.inline_with_trace = reader.bool("inline_with_trace", False)
        if self.inline_with_trace:
            reader.warn(
                "inline_with_trace",
                "accepted; the step controls are shown in the scheme's own step list",
            )
        for key in ("ai_prelabel", "require_verification"):
            if reader.bool(key, False):
                reader.warn(key, "accepted but not implemented yet (AI pre-labelling); ignored")

    @property
    def rewards(self) -> tuple[int, ...]:
        return (1, 0, -1) if self.allow_neutral else (1, -1)

    def clean(self, document: Any) -> Any:
        mode = document.get("mode", self.mode) if isinstance(document, Mapping) else self.mode
        if mode != self.mode:
            raise BadAnnotation(
                f"{self.name}: mode {mode!r} does not match the scheme's {self.mode!r}"
            )
        steps: dict[int, dict] = {}
        for i, raw in enumerate(entry_list(self.name, document)):
            where = f"step entry {i + 1}"
            if raw is None:
                continue
            if not isinstance(raw, Mapping):
                raise BadAnnotation(f"{self.name}: {where} must be an object with index and reward")
            index = step_index(self.name, raw.get("index", i), where)
            reward = raw.get("reward")
            if reward is None:
                continue  # unmarked
            if isinstance(reward, bool) or reward not in self.rewards:
                allowed = ", ".join(str(r) for r in self.rewards)
                raise BadAnnotation(
                    f"{self.name}: {where}: reward {reward!r} must be one of {allowed}"
                )
            if index in steps:
                raise BadAnnotation(f"{self.name}: step {index} is given twice")
            entry = {"index": index, "reward": int(reward)}
            source = raw.get("source")
            if source in SOURCES:
                entry["source"] = source
            steps[index] = entry
        if not steps:
            return None
        ordered = [steps[i] for i in sorted(steps)]
        if self.mode == "first_error":
            ordered = _cascade(ordered)
        return {"mode": self.mode, "steps": ordered}

    def step_values(self, answer: Any) -> dict[int, Any]:
        if not answer:
            return {}
        return {s["index"]: s["reward"] for s in answer.get("steps", [])}

    def first_error(self, answer: Any) -> int | None:
        wrong = [i for i, r in self.step_values(answer).items() if r == -1]
        return min(wrong) if wrong else None


def _cascade(steps: list[dict]) -> list[dict]:
    """first_error: every step after the first wrong one is wrong too."""
    first = next((s["index"] for s in steps if s["reward"] == -1), None)
    if first is None:
        return steps
    return [{**s, "reward": -1} if s["index"] > first else s for s in steps]
