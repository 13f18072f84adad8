"""`annotation_type: trajectory_eval` — a verdict per step of an agent trace: correctness
(`correctness_options`), an error type from a taxonomy (`error_types`: names with optional
`subtypes`), a severity (`severities`: names with a `weight`) and a rationale; with
`show_score`, the trajectory's score is `max_score` plus the weights of the marked steps.

Stored as Potato stores it: `{"steps": [{"step_index", "correctness", "error_type",
"error_subtype", "severity", "rationale"}], "score"}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .registry import register
from .step_base import StepScheme, choice, entry_list, short_text, step_index

CORRECTNESS = ["correct", "incorrect", "partially_correct"]
SEVERITIES = [
    {"name": "minor", "weight": -1},
    {"name": "major", "weight": -5},
    {"name": "critical", "weight": -10},
]


@register("trajectory_eval")
class TrajectoryEval(StepScheme):
    macro = "schemes/trajectory_eval.html"
    uniform_rows = True
    option_keys = (
        "steps_key",
        "step_text_key",
        "correctness_options",
        "error_types",
        "severities",
        "show_score",
        "max_score",
    )
    agreement_metric = "nominal"
    step_metric = "nominal"
    has_first_error = True

    def parse_step_options(self, reader: ConfigReader) -> None:
        self.correctness = reader.string_list("correctness_options") or list(CORRECTNESS)
        self.error_types: list[dict] = []
        for i, entry in enumerate(reader.list("error_types")):
            where = f"{reader.key_path('error_types')}[{i}]"
            if isinstance(entry, str):
                entry = {"name": entry}
            if not isinstance(entry, Mapping) or not isinstance(
                entry.get("name", entry.get("label")), str
            ):
                reader.problems.append(f"{where}: must be a name or a mapping with 'name'")
                continue
            subtypes = entry.get("subtypes") or []
            if not isinstance(subtypes, list) or not all(isinstance(s, str) for s in subtypes):
                reader.problems.append(f"{where}.subtypes: must be a list of names")
                subtypes = []
            self.error_types.append(
                {"name": entry.get("name", entry.get("label")), "subtypes": subtypes}
            )
        self.severities: list[dict] = []
        for i, entry in enumerate(reader.list("severities") or SEVERITIES):
            where = f"{reader.key_path('severities')}[{i}]"
            if isinstance(entry, str):
                entry = {"name": entry, "weight": 0}
            weight = entry.get("weight", 0) if isinstance(entry, Mapping) else None
            if (
                not isinstance(entry, Mapping)
                or not isinstance(entry.get("name"), str)
                or isinstance(weight, bool)
                or not isinstance(weight, (int, float))
            ):
                reader.problems.append(
                    f"{where}: must be a mapping with 'name' and a numeric 'weight'"
                )
                continue
            self.severities.append({"name": entry["name"], "weight": weight})
        self.show_score = reader.bool("show_score", True)
        self.max_score = reader.number("max_score", 100)

    @property
    def error_names(self) -> list[str]:
        return [e["name"] for e in self.error_types]

    def clean(self, document: Any) -> Any:
        steps: dict[int, dict] = {}
        severities = [s["name"] for s in self.severities]
        for i, raw in enumerate(entry_list(self.name, document)):
            where = f"step entry {i + 1}"
            if raw is None:
                continue
            if not isinstance(raw, Mapping):
                raise BadAnnotation(
                    f"{self.name}: {where} must be an object with step_index and correctness"
                )
            index = step_index(self.name, raw.get("step_index", raw.get("index", i)), where)
            correctness = choice(
                self.name, raw.get("correctness"), self.correctness, "correctness", where
            )
            if correctness is None:
                continue
            if index in steps:
                raise BadAnnotation(f"{self.name}: step {index} is given twice")
            entry: dict[str, Any] = {"step_index": index, "correctness": correctness}
            error = choice(self.name, raw.get("error_type"), self.error_names, "error_type", where)
            if error is not None:
                entry["error_type"] = error
                subtypes = next(e["subtypes"] for e in self.error_types if e["name"] == error)
                sub = choice(self.name, raw.get("error_subtype"), subtypes, "error_subtype", where)
                if sub is not None:
                    entry["error_subtype"] = sub
            elif raw.get("error_subtype"):
                raise BadAnnotation(f"{self.name}: {where}: error_subtype needs an error_type")
            severity = choice(self.name, raw.get("severity"), severities, "severity", where)
            if severity is not None:
                entry["severity"] = severity
            rationale = short_text(self.name, raw.get("rationale"), "rationale", where)
            if rationale is not None:
                entry["rationale"] = rationale
            steps[index] = entry
        if not steps:
            return None
        ordered = [steps[i] for i in sorted(steps)]
        out: dict[str, Any] = {"steps": ordered}
        if self.show_score:
            weights = {s["name"]: s["weight"] for s in self.severities}
            out["score"] = self.max_score + sum(
                weights.get(s.get("severity"), 0)
                for s in ordered
                if s["correctness"] != self.correctness[0]
            )
        return out

    def step_values(self, answer: Any) -> dict[int, Any]:
        if not answer:
            return {}
        return {s["step_index"]: s["correctness"] for s in answer.get("steps", [])}

    def first_error(self, answer: Any) -> int | None:
        ok = self.correctness[0]
        wrong = [i for i, v in self.step_values(answer).items() if v != ok]
        return min(wrong) if wrong else None
