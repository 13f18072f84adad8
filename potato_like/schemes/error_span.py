"""`annotation_type: error_span` — MQM-style error annotation: character ranges of the item
text, each with an error type (and optional subtype) and a severity; the item's quality
score is `max_score` minus the severities' penalties (|weight|), never below 0.

Wire format (Potato's): `"<schema>:<schema>": "{\\"errors\\": [{\\"start\\", \\"end\\",
\\"text\\", \\"type\\", \\"subtype\\", \\"severity\\"}], \\"score\\": n}"`. The score is recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from ..quality.text_measures import as_int
from .record import RecordScheme, counts, mean
from .registry import register
from .structured import MAX_ENTRIES, named_entries

DEFAULT_SEVERITIES = (("Minor", -1.0), ("Major", -5.0), ("Critical", -10.0))


@register("error_span")
class ErrorSpan(RecordScheme):
    macro = "schemes/error_span.html"
    script = "js/error-span.js"
    option_keys = ("error_types", "severities", "show_score", "max_score")
    pair_score_names = ("span_f1", "typed_span_f1", "score_difference")

    def parse_options(self, reader: ConfigReader) -> None:
        self.error_types: dict[str, tuple[str, ...]] = {}
        for sub, name in named_entries(reader, "error_types", "name"):
            sub.warn_unknown(("name", "subtypes", "description"))
            self.error_types[name] = tuple(sub.string_list("subtypes"))
        self.severities: dict[str, float] = {}
        if reader.has("severities"):
            for sub, name in named_entries(reader, "severities", "name"):
                sub.warn_unknown(("name", "weight", "description"))
                self.severities[name] = float(sub.number("weight", 0))
        else:
            self.severities = dict(DEFAULT_SEVERITIES)
        self.show_score = reader.bool("show_score", True)
        self.max_score = reader.number("max_score", 100, minimum=0)

    @property
    def type_choices(self) -> list[tuple[str, str]]:
        """(value, shown) for the type menu: `Accuracy::Omission` is type and subtype."""
        out = []
        for name, subtypes in self.error_types.items():
            out.append((name, name))
            out += [(f"{name}::{sub}", f"{name} / {sub}") for sub in subtypes]
        return out

    def score(self, errors: list[Mapping[str, Any]]) -> float:
        penalty = sum(abs(self.severities[e["severity"]]) for e in errors)
        value = max(0.0, self.max_score - penalty)
        return int(value) if float(value).is_integer() else value

    def check_record(self, record: dict[str, Any]) -> dict[str, Any] | None:
        raw = record.get("errors", [])
        if not isinstance(raw, list):
            raise BadAnnotation(f"{self.name}: 'errors' must be a list")
        if len(raw) > MAX_ENTRIES:
            raise BadAnnotation(f"{self.name}: more than {MAX_ENTRIES} errors")
        errors = [self._error(e, f"{self.name}: error {i + 1}") for i, e in enumerate(raw)]
        errors.sort(key=lambda e: (e["start"], e["end"], e["type"]))
        return {"errors": errors, "score": self.score(errors)}

    def _error(self, raw: Any, where: str) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{where} must be an object with start, end, type and severity")
        start, end = as_int(raw.get("start")), as_int(raw.get("end"))
        if start is None or end is None:
            raise BadAnnotation(f"{where}: 'start' and 'end' must be whole numbers")
        if start < 0 or end <= start:
            raise BadAnnotation(f"{where}: end ({end}) must be greater than start ({start}) >= 0")
        kind, subtype = raw.get("type"), raw.get("subtype") or ""
        if kind not in self.error_types:
            raise BadAnnotation(
                f"{where}: unknown error type {kind!r}; expected one of "
                f"{', '.join(self.error_types)}"
            )
        if subtype and subtype not in self.error_types[kind]:
            raise BadAnnotation(f"{where}: {subtype!r} is not a subtype of {kind!r}")
        severity = raw.get("severity")
        if severity not in self.severities:
            raise BadAnnotation(
                f"{where}: unknown severity {severity!r}; expected one of "
                f"{', '.join(self.severities)}"
            )
        text = raw.get("text", "")
        if not isinstance(text, str):
            raise BadAnnotation(f"{where}: 'text' must be a string")
        out = {"start": start, "end": end, "text": text, "type": kind, "subtype": subtype}
        out["severity"] = severity
        return out

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        record = self.answer(label_map)
        for i, error in enumerate((record or {}).get("errors", [])):
            where = f"{self.name}: error {i + 1}"
            if error["end"] > len(text):
                raise BadAnnotation(
                    f"{where}: offsets {error['start']}:{error['end']} are out of range; the "
                    f"text has {len(text)} characters (Unicode code points)"
                )
            shown = text[error["start"] : error["end"]]
            if error["text"] and error["text"] != shown:
                raise BadAnnotation(
                    f"{where}: text {error['text']!r} does not match the item text at "
                    f"{error['start']}:{error['end']} ({shown!r})"
                )

    def missing_requirement(self, label_map) -> str | None:
        # An item without errors is a valid answer (score = max_score): an empty list counts.
        if self.required and not label_map:
            return "mark the errors, or confirm there are none"
        return None

    def pair_scores(self, a: Mapping[str, str], b: Mapping[str, str]) -> dict[str, float]:
        ra, rb = self.answer(a), self.answer(b)
        return {
            "span_f1": _char_f1(ra["errors"], rb["errors"], lambda e: ""),
            "typed_span_f1": _char_f1(
                ra["errors"], rb["errors"], lambda e: f"{e['type']}/{e['severity']}"
            ),
            "score_difference": abs(ra["score"] - rb["score"]),
        }

    def dashboard_summary(self, label_maps):
        records = [self.answer(m) for m in label_maps if m]
        errors = [e for r in records for e in r["errors"]]
        return {
            "mean_score": mean([r["score"] for r in records]),
            "items_without_errors": sum(1 for r in records if not r["errors"]),
            "errors_by_type": counts(e["type"] for e in errors),
            "errors_by_severity": counts(e["severity"] for e in errors),
        }

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["error_types"] = {k: list(v) for k, v in self.error_types.items()}
        out["severities"] = dict(self.severities)
        out["max_score"] = self.max_score
        return out


def _char_f1(a: list, b: list, kind) -> float:
    """F1 of the (character, kind) pairs two annotators marked; both marked none: 1."""
    ca = {(i, kind(e)) for e in a for i in range(e["start"], e["end"])}
    cb = {(i, kind(e)) for e in b for i in range(e["start"], e["end"])}
    if not ca and not cb:
        return 1.0
    common = len(ca & cb)
    return 2 * common / (len(ca) + len(cb))
