"""`annotation_type: episode_annotation` — a robot episode (synchronised camera streams and
numeric time series) annotated on one timeline: phases, the outcome, a dense reward curve
and the instruction.

Potato's options: `source_field` (the item field naming the episode manifest, default
`episode`), `layers` (phases, outcome, reward, instruction), `phases` (labels with `color`,
`key_value`), `outcomes`, `failure_causes`, `reward_range`, `series_shown`, `max_lanes`,
`min_phases`, `max_phases`, `episode_field` (the item field picking one episode of a
multi-episode source: a LeRobot index or an HDF5 demo key). The episode is Potato's episode
JSON (`fps`, `num_frames`, `instruction`, `streams: [{name, url}]`, `series: [{name, unit,
values}]`), a LeRobot v2 dataset directory or an HDF5 file (media/episode_sources.py, the
optional `episodes` extra), served by `/api/episode/<path>`.

Stored as Potato's client sends it, `"<schema>:_data"` = `{"phases": [{start, end, label}],
"outcome": {result, cause}, "reward": [{t, value}], "instructions": [{text, start, end}]}`,
times in seconds. Phases go to the ELAN/TextGrid exports as a tier.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .record import counts, mean
from .registry import register
from .timeline import MAX_NOTE, TimelineScheme, entry_list, media_src, seconds, short_text

LAYERS = ("phases", "outcome", "reward", "instruction")
DEFAULT_PHASES = [
    {"name": "reach", "color": "#4ECDC4"}, {"name": "grasp", "color": "#FFD93D"},
    {"name": "transport", "color": "#6C8AE4"}, {"name": "place", "color": "#95E1A3"},
    {"name": "retract", "color": "#C9A0DC"},
]  # fmt: skip
DEFAULT_OUTCOMES = ["success", "partial", "failure"]
DEFAULT_CAUSES = [
    "missed grasp", "object slipped", "collision", "wrong object", "wrong placement",
    "timeout / stalled", "unsafe motion", "other",
]  # fmt: skip
MAX_EPISODE_SECONDS = 86_400
COLORS = [p["color"] for p in DEFAULT_PHASES]


@register("episode_annotation")
class EpisodeAnnotation(TimelineScheme):
    macro = "schemes/episode_annotation.html"
    script = "js/episode-annotation.js"
    summarizes_answers = True
    option_keys = (
        "source_field", "episode_field", "layers", "phases", "outcomes", "failure_causes",
        "reward_range", "series_shown", "max_lanes", "min_phases", "max_phases",
        "labels",  # Potato's `phases`, read as this type's labels
    )  # fmt: skip

    def parse_options(self, reader: ConfigReader) -> None:
        self.source_field = reader.str("source_field", "episode") or "episode"
        self.episode_field = reader.str("episode_field", "") or ""
        self.episode_key: str | None = None
        self.layers = _str_list(reader, "layers", list(LAYERS), choices=LAYERS)
        if not reader.has("phases"):
            reader.raw = {**reader.raw, "labels": DEFAULT_PHASES}
        else:
            reader.raw = {**reader.raw, "labels": reader.raw["phases"]}
        self.read_labels(reader)
        self.outcomes = _str_list(reader, "outcomes", DEFAULT_OUTCOMES)
        self.failure_causes = _str_list(reader, "failure_causes", DEFAULT_CAUSES)
        low, high = 0.0, 1.0
        raw = reader.raw.get("reward_range", [0.0, 1.0])
        if (
            isinstance(raw, list) and len(raw) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw)
            and raw[0] < raw[1]
        ):  # fmt: skip
            low, high = float(raw[0]), float(raw[1])
        else:
            reader.problem("reward_range", "must be [low, high] with low < high")
        self.reward_range = (low, high)
        self.series_shown = _str_list(reader, "series_shown", [])
        self.max_lanes = reader.number("max_lanes", 8, integer=True, minimum=1, maximum=64)
        self.min_phases = reader.number("min_phases", 0, integer=True, minimum=0)
        self.max_phases = reader.limit("max_phases")
        if self.min_phases:
            self.required = True

    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        import copy

        page = copy.copy(self)
        value = fields.get(self.source_field)
        page.media_src = value.strip() if isinstance(value, str) and media_src(value) else None
        key = fields.get(self.episode_field) if self.episode_field else None
        ok = isinstance(key, (str, int)) and not isinstance(key, bool) and str(key).strip()
        page.episode_key = str(key).strip()[:200] if ok else None
        return page

    def page_config(self) -> dict[str, Any]:
        return {
            "schema": self.name,
            "layers": self.layers,
            "episodeKey": self.episode_key,
            "phases": [
                {
                    "name": lab.name,
                    "text": lab.shown,
                    "key": lab.key,
                    "color": lab.color or COLORS[i % len(COLORS)],
                }
                for i, lab in enumerate(self.labels)
            ],
            "outcomes": self.outcomes,
            "causes": self.failure_causes,
            "rewardRange": list(self.reward_range),
            "seriesShown": self.series_shown,
            "maxLanes": self.max_lanes,
            "maxPhases": self.max_phases,
            "episode": self.media_src,
        }

    # -- values ---------------------------------------------------------------------------
    def clean_data(self, data: Any) -> dict[str, Any] | None:
        if not isinstance(data, Mapping):
            raise BadAnnotation(f"{self.name}: the value must be an object of layers")
        keys = {"phases": "phases", "outcome": "outcome", "reward": "reward",
                "instructions": "instruction"}  # fmt: skip
        for key, value in data.items():
            if key not in keys:
                raise BadAnnotation(
                    f"{self.name}: unknown part {key!r}; expected {', '.join(keys)}"
                )
            if keys[key] not in self.layers and value not in (None, [], {}):
                raise BadAnnotation(f"{self.name}: the {keys[key]} layer is not enabled here")
        out: dict[str, Any] = {}
        phases = [
            self._phase(p, i)
            for i, p in enumerate(entry_list(self.name, "phases", data.get("phases")))
        ]
        if self.max_phases is not None and len(phases) > self.max_phases:
            raise BadAnnotation(f"{self.name}: at most {self.max_phases} phases")
        if phases:
            out["phases"] = sorted(phases, key=lambda p: (p["start"], p["end"]))
        outcome = self._outcome(data.get("outcome"))
        if outcome:
            out["outcome"] = outcome
        reward = self._reward(data.get("reward"))
        if reward:
            out["reward"] = reward
        texts = []
        for i, raw in enumerate(entry_list(self.name, "instructions", data.get("instructions"))):
            if not isinstance(raw, Mapping):
                raise BadAnnotation(f"{self.name}: instructions[{i}] must be {{text, start, end}}")
            text = short_text(self.name, f"instructions[{i}].text", raw.get("text", ""), MAX_NOTE)
            start = seconds(
                self.name, f"instructions[{i}].start", raw.get("start"), allow_none=True
            )
            end = seconds(self.name, f"instructions[{i}].end", raw.get("end"), allow_none=True)
            if start is not None and end is not None and end <= start:
                raise BadAnnotation(f"{self.name}: instructions[{i}] ends before it starts")
            if text.strip():
                texts.append({"text": text, "start": start, "end": end})
        if texts:
            out["instructions"] = texts
        return out or None

    def _phase(self, raw: Any, i: int) -> dict[str, Any]:
        where = f"phases[{i}]"
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{self.name}: {where} must be {{start, end, label}}")
        start = seconds(self.name, f"{where}.start", raw.get("start"))
        end = seconds(self.name, f"{where}.end", raw.get("end"))
        if end <= start:
            raise BadAnnotation(
                f"{self.name}: {where} ends ({end}) before or where it starts ({start})"
            )
        if end > MAX_EPISODE_SECONDS:
            raise BadAnnotation(f"{self.name}: {where} ends after a day")
        label = raw.get("label")
        if label not in self.label_names:
            raise self.unknown_label(str(label))
        return {"start": start, "end": end, "label": label}

    def _outcome(self, raw: Any) -> dict[str, Any] | None:
        if raw in (None, {}):
            return None
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{self.name}: outcome must be {{result, cause}}")
        result, cause = raw.get("result"), raw.get("cause")
        if result in (None, "") and cause in (None, ""):
            return None
        if result not in self.outcomes:
            raise BadAnnotation(
                f"{self.name}: outcome {result!r} is not one of {', '.join(self.outcomes)}"
            )
        if cause in (None, ""):
            cause = None
        elif result == self.outcomes[0]:
            raise BadAnnotation(f"{self.name}: a {result!r} outcome has no failure cause")
        elif cause not in self.failure_causes:
            raise BadAnnotation(
                f"{self.name}: cause {cause!r} is not one of {', '.join(self.failure_causes)}"
            )
        return {"result": result, "cause": cause}

    def _reward(self, raw: Any) -> list[dict[str, float]]:
        low, high = self.reward_range
        points: dict[float, float] = {}
        for i, p in enumerate(entry_list(self.name, "reward", raw)):
            if not isinstance(p, Mapping):
                raise BadAnnotation(f"{self.name}: reward[{i}] must be {{t, value}}")
            t = seconds(self.name, f"reward[{i}].t", p.get("t"))
            value = p.get("value")
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not low <= value <= high
            ):
                raise BadAnnotation(
                    f"{self.name}: reward[{i}].value must be a number in [{low:g}, {high:g}]"
                )
            points[t] = round(float(value), 4)
        return [{"t": t, "value": v} for t, v in sorted(points.items())]

    # -- what the rest of the app asks ----------------------------------------------------
    def missing_requirement(self, label_map) -> str | None:
        phases = len(self.data(label_map).get("phases", []))
        if phases < self.min_phases:
            return f"at least {self.min_phases} phase(s) required, got {phases}"
        if self.required and not label_map:
            return "an answer is required"
        return None

    def timeline_tiers(self, label_map: Mapping[str, str]) -> dict[str, list[tuple]]:
        phases = self.data(label_map).get("phases", [])
        return {f"{self.name}_phases": [(p["start"], p["end"], p["label"]) for p in phases]}

    def dashboard_summary(self, label_maps):
        answers = [self.data(m) for m in label_maps if m]
        phases = [p for a in answers for p in a.get("phases", [])]
        return {
            "outcomes": counts(a["outcome"]["result"] for a in answers if a.get("outcome")),
            "failure_causes": counts(
                a["outcome"]["cause"] for a in answers if a.get("outcome", {}).get("cause")
            ),
            "phases_by_label": counts(p["label"] for p in phases),
            "mean_phase_seconds": mean([p["end"] - p["start"] for p in phases]),
            "mean_reward": mean([r["value"] for a in answers for r in a.get("reward", [])]),
        }

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "layers": self.layers, "outcomes": self.outcomes}


def _str_list(reader: ConfigReader, key: str, default: list[str], choices=None) -> list[str]:
    raw = reader.raw.get(key, default)
    if not isinstance(raw, list) or not all(isinstance(v, str) and v for v in raw):
        reader.problem(key, "must be a list of names")
        return list(default)
    for v in raw:
        if choices and v not in choices:
            reader.problem(key, f"{v!r} is not one of {', '.join(choices)}")
    return list(dict.fromkeys(raw))
