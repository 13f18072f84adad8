"""`annotation_type: tool_contention` — concurrent tool use of several agents on a
timeline (one lane per agent, `agent_key`), with the contention regions to classify: two
calls of different agents on the same shared resource (`resource_key`) at overlapping
times (`start`/`end`, seconds, from the item's `calls_key` list). Each region gets one of
`contention_labels` (default deadlock / circular_wait / race_condition / benign).

Regions are numbered in order of their start (ties: in the calls' order), as Potato
numbers them. Stored as Potato stores it: `{"contentions": {"<index>": label}}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .record import counts
from .registry import register
from .step_base import MAX_STEPS, StepScheme, choice, step_index

LABELS = ["deadlock", "circular_wait", "race_condition", "benign"]
LANE_HEIGHT, WIDTH = 28, 600


def _seconds(value: Any) -> float:
    try:
        number = float(value or 0)
    except (TypeError, ValueError):
        return 0.0
    return number if number == number else 0.0


@register("tool_contention")
class ToolContention(StepScheme):
    macro = "schemes/tool_contention.html"
    option_keys = ("calls_key", "agent_key", "resource_key", "contention_labels")
    default_steps_key = "calls"
    agreement_metric = "nominal"
    step_metric = "nominal"  # per contention region: its label
    summarizes_answers = True

    def parse_step_options(self, reader: ConfigReader) -> None:
        self.steps_key = reader.str("calls_key", "calls")
        self.agent_key = reader.str("agent_key", "agent")
        self.resource_key = reader.str("resource_key", "resource")
        self.labels_allowed = reader.string_list("contention_labels") or list(LABELS)
        if len(self.labels_allowed) > 9:
            reader.problem("contention_labels", "at most 9 labels (keys 1-9)")
        self.page_timeline: dict = {}

    def calls(self, fields: Mapping[str, Any]) -> list[dict]:
        raw = fields.get(self.steps_key)
        out = []
        for i, call in enumerate(raw[:MAX_STEPS] if isinstance(raw, list) else []):
            call = call if isinstance(call, Mapping) else {}
            start = _seconds(call.get("start"))
            end = _seconds(call.get("end") or call.get("start"))
            if end < start:
                continue
            out.append(
                {
                    "i": i,
                    "agent": str(call.get(self.agent_key) or call.get("role") or "agent"),
                    "tool": str(call.get("tool") or call.get("name") or "tool"),
                    "resource": str(call.get(self.resource_key) or call.get("lock") or ""),
                    "start": start,
                    "end": end,
                }
            )
        return out

    def steps_of(self, fields: Mapping[str, Any]) -> list[dict]:
        """The contention regions: different agents, same resource, overlapping times."""
        calls = self.calls(fields)
        found = []
        for n, a in enumerate(calls):
            for b in calls[n + 1 :]:
                if not a["resource"] or a["resource"] != b["resource"] or a["agent"] == b["agent"]:
                    continue
                start, end = max(a["start"], b["start"]), min(a["end"], b["end"])
                if end > start:
                    found.append((start, end, a, b))
        found.sort(key=lambda f: f[0])  # stable: ties keep the calls' order
        return [
            {
                "index": i,
                "number": i + 1,
                "start": start,
                "end": end,
                "resource": a["resource"],
                "agent": None,
                "speaker": f"{a['resource']} · {start:g} to {end:g} s",
                "text": f"{a['agent']}:{a['tool']} ↔ {b['agent']}:{b['tool']}",
            }
            for i, (start, end, a, b) in enumerate(found)
        ]

    def for_page(self, fields, annotator, item_id, seed):
        view = super().for_page(fields, annotator, item_id, seed)
        calls = self.calls(fields)
        lanes = list(dict.fromkeys(c["agent"] for c in calls))
        t0 = min((c["start"] for c in calls), default=0.0)
        span = (max((c["end"] for c in calls), default=1.0) - t0) or 1.0
        scale = lambda t: round(120 + (t - t0) / span * (WIDTH - 130), 1)  # noqa: E731
        view.page_timeline = {
            "lanes": [{"name": n, "y": i * LANE_HEIGHT} for i, n in enumerate(lanes)],
            "bars": [
                {
                    **c,
                    "x": scale(c["start"]),
                    "w": max(2.0, round(scale(c["end"]) - scale(c["start"]), 1)),
                    "y": lanes.index(c["agent"]) * LANE_HEIGHT + 4,
                }
                for c in calls
            ],
            "regions": [
                {
                    "x": scale(r["start"]),
                    "w": max(2.0, round(scale(r["end"]) - scale(r["start"]), 1)),
                }
                for r in view.page_steps
            ],
            "width": WIDTH,
            "height": max(1, len(lanes)) * LANE_HEIGHT + 4,
            "lane_height": LANE_HEIGHT - 8,
        }
        return view

    def clean(self, document: Any) -> Any:
        if not isinstance(document, Mapping):
            raise BadAnnotation(f"{self.name}: the answer must be an object with contentions")
        regions = document.get("contentions") or {}
        if not isinstance(regions, Mapping):
            raise BadAnnotation(f"{self.name}: contentions must be an object {{index: label}}")
        out: dict[int, str] = {}
        for key, label in regions.items():
            index = step_index(self.name, key, f"contention {key!r}")
            label = choice(self.name, label, self.labels_allowed, "label", f"contention {key}")
            if label is not None:
                out[index] = label
        return {"contentions": {str(i): out[i] for i in sorted(out)}} if out else None

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        answer = self.answer(label_map)
        if not answer:
            return
        count = len(self.steps_of(fields))
        for key in answer["contentions"]:
            if int(key) >= count:
                raise BadAnnotation(
                    f"{self.name}: contention {key} does not exist "
                    f"(this item has {count} contention regions)"
                )

    def step_values(self, answer: Any) -> dict[int, Any]:
        return {int(k): v for k, v in ((answer or {}).get("contentions") or {}).items()}

    def step_records(self, answer: Any) -> list[tuple[int, dict]]:
        return [(i, {"label": v}) for i, v in self.step_values(answer).items()]

    def dashboard_summary(self, label_maps: list[Mapping[str, Any]]) -> dict[str, Any]:
        values = [v for m in label_maps if m for v in self.step_values(self.answer(m)).values()]
        return {"regions_by_label": counts(values)}

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["contention_labels"] = list(self.labels_allowed)
        return out
