"""`annotation_type: rollout_evaluation` — world-model rollouts (the real recording and model
rollouts of one scenario) on one frame-locked timeline: where each stream stops making
sense (violations), which rollout is better (preference) and whether a divergence follows
from an intervention (counterfactual).

Potato's options: `streams` ([{field, name, role}]: item fields holding each video), `fps`,
`prompt_field`, `intervention_field`, `intervention_time_field`, `layers` (violations,
preference, counterfactual), `blind` (captions "Rollout 1..n" instead of names), `shuffle`
(per-annotator panel order), `require_clean` (every stream marked or cleared before
submitting), `violation_types`, `severities`, `cf_verdicts`, `rubric`, `max_violations`;
`manifest_field` is accepted and ignored (streams come from item fields).

Stored as Potato's client sends it, `"<schema>:_data"` = `{"violations": [{stream, t, type,
severity, note}], "clean": [stream], "preference": {winner, confidence, rubric: {dim: 1..5}},
"counterfactual": {verdict, t, note}}`; `winner` is a stream's field or "__tie__".
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from ..media.paths import in_media_dir, media_kind
from .record import counts
from .registry import register
from .timeline import MAX_NOTE, TimelineScheme, entry_list, media_src, seconds, short_text

LAYERS = ("violations", "preference", "counterfactual")
DEFAULT_TYPES = [
    "object_permanence", "rigid_body_violation", "interpenetration", "gravity_violation",
    "causality_violation", "identity_flicker", "appearance_drift", "implausible_deformation",
    "agent_intent_break", "affordance_violation",
]  # fmt: skip
DEFAULT_SEVERITIES = [(1, "subtle"), (2, "clear"), (3, "breaks the scene")]
DEFAULT_VERDICTS = ["plausible", "implausible", "unchanged", "unclear"]
TIE = "__tie__"


@register("rollout_evaluation")
class RolloutEvaluation(TimelineScheme):
    macro = "schemes/rollout_evaluation.html"
    script = "js/rollout-evaluation.js"
    summarizes_answers = True
    option_keys = (
        "streams", "manifest_field", "fps", "prompt_field", "intervention_field",
        "intervention_time_field", "layers", "blind", "shuffle", "require_clean",
        "violation_types", "severities", "cf_verdicts", "rubric", "max_violations",
    )  # fmt: skip

    def parse_options(self, reader: ConfigReader) -> None:
        self.streams: list[dict[str, str]] = []
        raw = reader.raw.get("streams")
        if reader.has("manifest_field"):
            reader.warn("manifest_field", "rollout manifests are not read; list `streams`")
        if not isinstance(raw, list) or not raw:
            reader.problem("streams", "is required: a list of {field, name, role}")
        else:
            for i, s in enumerate(raw):
                s = {"field": s} if isinstance(s, str) else s
                if (
                    not isinstance(s, Mapping)
                    or not isinstance(s.get("field"), str)
                    or not s["field"]
                ):
                    reader.problem(f"streams[{i}]", "needs a 'field' naming the item field")
                    continue
                if any(x["field"] == s["field"] for x in self.streams):
                    reader.problem(f"streams[{i}]", f"field {s['field']!r} is listed twice")
                self.streams.append({"field": s["field"], "name": str(s.get("name") or s["field"]),
                                     "role": str(s.get("role") or "")})  # fmt: skip
        self.fps = float(reader.number("fps", 25, minimum=0.001, maximum=1000))
        self.prompt_field = reader.str("prompt_field", "prompt") or "prompt"
        self.intervention_field = reader.str("intervention_field", "intervention") or ""
        self.intervention_time_field = reader.str("intervention_time_field", "intervention_t") or ""
        self.layers = _names(reader, "layers", list(LAYERS), choices=LAYERS)
        self.blind = reader.bool("blind", False)
        self.shuffle = reader.bool("shuffle", False)
        self.require_clean = reader.bool("require_clean", True)
        self.violation_types = _named(reader, "violation_types", DEFAULT_TYPES)
        self.verdicts = _named(reader, "cf_verdicts", DEFAULT_VERDICTS)
        self.severities = _severities(reader)
        rubric = reader.raw.get("rubric") or {}
        if not isinstance(rubric, Mapping):
            reader.problem("rubric", "must map each dimension to its question")
            rubric = {}
        self.rubric = {str(k): str(v) for k, v in rubric.items()}
        self.max_violations = reader.limit("max_violations")
        self.page: dict[str, Any] = {}

    @property
    def stream_fields(self) -> list[str]:
        return [s["field"] for s in self.streams]

    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        page = copy.copy(self)
        panels = []
        for i, s in enumerate(self.streams):
            value = fields.get(s["field"])
            caption = f"Rollout {i + 1}" if self.blind else s["name"]
            if isinstance(value, str) and media_kind(value) == "project":
                value = in_media_dir(self.task_dir.resolve(), value.strip())
            src = media_src(value) if isinstance(value, str) else None
            panels.append({"stream": s["field"], "caption": caption, "src": src})
        if self.shuffle:

            def key(p):
                return hashlib.blake2s(
                    f"{annotator}\x1f{item_id}\x1f{p['stream']}".encode()
                ).digest()

            panels.sort(key=key)
            if self.blind:
                for i, p in enumerate(panels):
                    p["caption"] = f"Rollout {i + 1}"
        when = fields.get(self.intervention_time_field) if self.intervention_time_field else None
        page.page = {
            "panels": panels,
            "prompt": str(fields.get(self.prompt_field) or "")[:2000],
            "intervention": str(fields.get(self.intervention_field) or "")[:2000]
            if self.intervention_field
            else "",
            "interventionTime": when
            if isinstance(when, (int, float)) and not isinstance(when, bool)
            else None,
        }
        return page

    def rollout_set(self, fields: Mapping[str, Any], annotator: str, item_id: str) -> dict:
        """Potato's `GET /api/rollout/set` manifest for one annotator: the panels in the order
        (and with the captions) the page shows them. Stream ids are the item fields; durations
        are added by rollouts/manifest.py, which reads the files."""
        page = self.for_page(fields, annotator, item_id, None).page
        roles = {s["field"]: s["role"] for s in self.streams}
        streams = []
        for i, panel in enumerate(page["panels"]):
            role = roles[panel["stream"]]
            if self.blind:  # the role would name the real recording
                role = "counterfactual" if role == "counterfactual" else "hidden"
            streams.append({"stream_id": panel["stream"], "url": panel["src"],
                            "name": panel["caption"], "role": role, "position": i})  # fmt: skip
        return {
            "set_id": item_id,
            "prompt": page["prompt"],
            "intervention": page["intervention"],
            "intervention_t": page["interventionTime"],
            "fps": self.fps,
            "blind": self.blind,
            "shuffled": self.shuffle,
            "source_format": "item_fields",
            "streams": streams,
            "violation_types": list(self.violation_types),
        }

    def page_config(self) -> dict[str, Any]:
        return {
            "schema": self.name,
            "layers": self.layers,
            "fps": self.fps,
            "violationTypes": self.violation_types,
            "severities": [{"value": v, "name": n} for v, n in self.severities],
            "verdicts": self.verdicts,
            "rubric": self.rubric,
            "requireClean": self.require_clean,
            "maxViolations": self.max_violations,
            **self.page,
        }

    # -- values ---------------------------------------------------------------------------
    def clean_data(self, data: Any) -> dict[str, Any] | None:
        if not isinstance(data, Mapping):
            raise BadAnnotation(f"{self.name}: the value must be an object of layers")
        layer_of = {"violations": "violations", "clean": "violations",
                    "preference": "preference", "counterfactual": "counterfactual"}  # fmt: skip
        for key, value in data.items():
            if key not in layer_of:
                raise BadAnnotation(
                    f"{self.name}: unknown part {key!r}; expected {', '.join(layer_of)}"
                )
            if layer_of[key] not in self.layers and value not in (None, [], {}):
                raise BadAnnotation(f"{self.name}: the {layer_of[key]} layer is not enabled here")
        out: dict[str, Any] = {}
        violations = [
            self._violation(v, i)
            for i, v in enumerate(entry_list(self.name, "violations", data.get("violations")))
        ]
        if self.max_violations is not None and len(violations) > self.max_violations:
            raise BadAnnotation(f"{self.name}: at most {self.max_violations} violations")
        clean = []
        for s in entry_list(self.name, "clean", data.get("clean")):
            if s not in self.stream_fields:
                raise BadAnnotation(f"{self.name}: clean names {s!r}, not one of the streams")
            if any(v["stream"] == s for v in violations):
                raise BadAnnotation(f"{self.name}: stream {s!r} is marked clean and has violations")
            if s not in clean:
                clean.append(s)
        if violations:
            out["violations"] = sorted(violations, key=lambda v: (v["stream"], v["t"]))
        if clean:
            out["clean"] = clean
        preference = self._preference(data.get("preference"))
        if preference:
            out["preference"] = preference
        cf = self._counterfactual(data.get("counterfactual"))
        if cf:
            out["counterfactual"] = cf
        return out or None

    def _violation(self, raw: Any, i: int) -> dict[str, Any]:
        where = f"violations[{i}]"
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{self.name}: {where} must be {{stream, t, type, severity}}")
        if raw.get("stream") not in self.stream_fields:
            raise BadAnnotation(
                f"{self.name}: {where}.stream {raw.get('stream')!r} is not one of "
                f"{', '.join(self.stream_fields)}"
            )
        if raw.get("type") not in self.violation_types:
            raise BadAnnotation(
                f"{self.name}: {where}.type {raw.get('type')!r} is not a violation type"
            )
        severity = raw.get("severity")
        if severity not in [v for v, _n in self.severities] or isinstance(severity, bool):
            raise BadAnnotation(
                f"{self.name}: {where}.severity must be one of {[v for v, _n in self.severities]}"
            )
        return {
            "stream": raw["stream"],
            "t": seconds(self.name, f"{where}.t", raw.get("t")),
            "type": raw["type"],
            "severity": severity,
            "note": short_text(self.name, f"{where}.note", raw.get("note") or "", MAX_NOTE),
        }

    def _preference(self, raw: Any) -> dict[str, Any] | None:
        if raw in (None, {}):
            return None
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{self.name}: preference must be {{winner, confidence, rubric}}")
        winner = raw.get("winner") or ""
        if winner and winner not in (*self.stream_fields, TIE):
            raise BadAnnotation(f"{self.name}: winner {winner!r} is not a stream (or {TIE!r})")
        confidence = raw.get("confidence")
        if confidence in ("", None):
            confidence = None
        elif confidence not in (1, 2, 3) or isinstance(confidence, bool):
            raise BadAnnotation(f"{self.name}: confidence must be 1, 2 or 3")
        rubric = raw.get("rubric") or {}
        if not isinstance(rubric, Mapping):
            raise BadAnnotation(f"{self.name}: rubric must map dimensions to scores")
        for dim, score in rubric.items():
            if dim not in self.rubric:
                raise BadAnnotation(
                    f"{self.name}: rubric dimension {dim!r} is not one of {', '.join(self.rubric)}"
                )
            if score not in (1, 2, 3, 4, 5) or isinstance(score, bool):
                raise BadAnnotation(f"{self.name}: rubric score for {dim!r} must be 1..5")
        if not winner and confidence is None and not rubric:
            return None
        return {"winner": winner, "confidence": confidence, "rubric": dict(rubric)}

    def _counterfactual(self, raw: Any) -> dict[str, Any] | None:
        if raw in (None, {}):
            return None
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{self.name}: counterfactual must be {{verdict, t, note}}")
        verdict = raw.get("verdict") or ""
        if verdict and verdict not in self.verdicts:
            raise BadAnnotation(
                f"{self.name}: verdict {verdict!r} is not one of {', '.join(self.verdicts)}"
            )
        t = seconds(self.name, "counterfactual.t", raw.get("t"), allow_none=True)
        note = short_text(self.name, "counterfactual.note", raw.get("note") or "", MAX_NOTE)
        if not verdict and t is None and not note:
            return None
        return {"verdict": verdict, "t": t, "note": note}

    # -- what the rest of the app asks ----------------------------------------------------
    def missing_requirement(self, label_map) -> str | None:
        data = self.data(label_map)
        if self.require_clean and "violations" in self.layers:
            marked = {v["stream"] for v in data.get("violations", [])} | set(data.get("clean", []))
            left = [s["name"] for s in self.streams if s["field"] not in marked]
            if left:
                return f"mark a violation in, or clear, every stream ({len(left)} left)"
        if self.required and not label_map:
            return "an answer is required"
        return None

    def timeline_tiers(self, label_map: Mapping[str, str]) -> dict[str, list[tuple]]:
        frame = 1 / self.fps
        tiers: dict[str, list[tuple]] = {}
        for v in self.data(label_map).get("violations", []):
            tiers.setdefault(f"{self.name}_{v['stream']}", []).append(
                (v["t"], round(v["t"] + frame, 3), f"{v['type']} (severity {v['severity']})")
            )
        return tiers

    def dashboard_summary(self, label_maps):
        answers = [self.data(m) for m in label_maps if m]
        violations = [v for a in answers for v in a.get("violations", [])]
        return {
            "violations_by_type": counts(v["type"] for v in violations),
            "violations_by_stream": counts(v["stream"] for v in violations),
            "clean_by_stream": counts(s for a in answers for s in a.get("clean", [])),
            "winners": counts(
                a["preference"]["winner"] for a in answers if a.get("preference", {}).get("winner")
            ),
            "verdicts": counts(
                a["counterfactual"]["verdict"]
                for a in answers
                if a.get("counterfactual", {}).get("verdict")
            ),
        }

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "layers": self.layers, "streams": self.stream_fields}


def _names(reader: ConfigReader, key: str, default: list[str], choices=None) -> list[str]:
    raw = reader.raw.get(key, default)
    if not isinstance(raw, list) or not raw or not all(isinstance(v, str) and v for v in raw):
        reader.problem(key, "must be a non-empty list of names")
        return list(default)
    for v in raw:
        if choices and v not in choices:
            reader.problem(key, f"{v!r} is not one of {', '.join(choices)}")
    return list(dict.fromkeys(raw))


def _named(reader: ConfigReader, key: str, default: list[str]) -> list[str]:
    """Names from a list of strings or of {name, description}."""
    raw = reader.raw.get(key, default)
    if not isinstance(raw, list) or not raw:
        reader.problem(key, "must be a non-empty list")
        return list(default)
    out = []
    for i, v in enumerate(raw):
        name = v.get("name") if isinstance(v, Mapping) else v
        if not isinstance(name, str) or not name:
            reader.problem(f"{key}[{i}]", "needs a name")
        elif name not in out:
            out.append(name)
    return out


def _severities(reader: ConfigReader) -> list[tuple[int, str]]:
    raw = reader.raw.get("severities")
    if raw is None:
        return list(DEFAULT_SEVERITIES)
    out = []
    if not isinstance(raw, list) or not raw:
        reader.problem("severities", "must be a list of {value, name}")
        return list(DEFAULT_SEVERITIES)
    for i, s in enumerate(raw):
        value = s.get("value") if isinstance(s, Mapping) else None
        if not isinstance(value, int) or isinstance(value, bool):
            reader.problem(f"severities[{i}]", "needs a whole-number 'value'")
            continue
        out.append((value, str(s.get("name") or value)))
    return out
