"""`annotation_type: span` — labelled character ranges of the item text.

Stored value: {"spans": [{"id", "label", "start", "end", "text"}, ...]} sorted by position,
with optional "segments" ([[start, end], ...], for `allow_discontinuous`) and entity-linking
fields. Offsets are Unicode code points into the original text (Python string indices),
`end` exclusive. A request replaces a scheme's spans as a whole.

`bad_text_label` (Potato's escape hatch: "this text cannot be annotated") adds a checkbox sent
as `"<schema>:bad_text": "1" | "0"`, stored as `"bad_text": true` next to the spans and shown
in label_annotations as `{"<schema>": {"bad_text": "1"}}`. A request that does not send it
keeps the stored flag; one that sends only the flag keeps the stored spans. It satisfies
`label_requirement: required` in place of a span.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from ..spans.ids import default_span_id
from ..spans.kb import KB_FIELDS, MAX_KB_FIELD, read_entity_linking
from .base import is_chosen
from .registry import register
from .structured import SpanText, StructuredScheme, given_id, is_removal, kept_entries

SEGMENT_GLUE = " … "
# Marks which of Potato's default id shapes a span sent without an id gets (never stored).
ID_SHAPE = "_default_id"
BAD_TEXT = "bad_text"  # the flag's label (Potato's element name <schema>:::bad_text)


@register("span")
class Span(StructuredScheme):
    macro = "schemes/span.html"
    value_key = "spans"
    wire_field = "span_annotations"
    backend_type = "span"
    marks_text_ranges = True
    agreement_metric = "unitizing"  # quality/span_agreement.py
    label_entries_join = True  # the bad_text checkbox comes with the spans
    learned_as = "spans"
    option_keys = (
        "bad_text_label",
        "labels",
        "sequential_key_binding",
        "allow_discontinuous",
        "title",
        "entity_linking",
        "show_span_labels",
        "displaying_score",
        "target_field",
    )

    def parse_options(self, reader: ConfigReader) -> None:
        self.read_labels(reader)
        # Keyboard first: labels get 1..9 unless the config says otherwise.
        self.sequential = reader.bool("sequential_key_binding", True)
        self.allow_discontinuous = reader.bool("allow_discontinuous", False)
        self.title = reader.str("title", None, allow_empty=True)
        self.knowledge_bases = read_entity_linking(reader, self.task_dir)
        # Potato's presentation options: the label name on each marked span (or only its
        # colour), and label buttons shown as "<key>.<label>".
        self.show_span_labels = reader.bool("show_span_labels", True)
        self.displaying_score = reader.bool("displaying_score", False)
        self.bad_text_label = _bad_text_label(reader)
        # Potato's `target_field`: this scheme's spans go on that display field only.
        self.target_field = reader.str("target_field", None)
        self.assign_keys(self.sequential)

    def check_display(self, display: Any, text_key: str, reader: Any) -> None:
        field = self.target_field
        if field is None or field == text_key:
            return
        extra = display.extra_span_targets(text_key) if display is not None else ()
        if field not in extra:
            reader.warn(
                f"annotation_schemes.{self.name}.target_field",
                f"{field!r} is not an instance_display text field marked span_target; "
                f"this scheme's spans go on the item text ({text_key!r})",
            )
            self.target_field = None

    # -- bad_text_label ---------------------------------------------------------------------
    def entries_from_label(self, label: str, value: Any) -> list[Any] | None:
        if label != BAD_TEXT:
            return None
        if not self.bad_text_label:
            raise BadAnnotation(f"{self.name}: this scheme has no bad_text_label option")
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            raise BadAnnotation(f"{self.name}:{BAD_TEXT}: must be 1 / 0 (true / false)")
        return [{BAD_TEXT: is_chosen(value)}]

    def with_old(self, entries: list[Any], old_value: Any) -> list[Any]:
        flags = [e for e in entries if _is_flag(e)]
        spans = [e for e in entries if not _is_flag(e)]
        if flags and not spans and len(entries) == len(flags):
            spans = list(self.entries(old_value))  # only the flag was sent: keep the spans
        if not flags and (old_value or {}).get(BAD_TEXT):
            flags = [{BAD_TEXT: True}]  # the flag was not sent: keep it
        return [*spans, *flags[-1:]]

    def page_input_labels(self) -> list[str]:
        return [BAD_TEXT] if self.bad_text_label else []

    def label_part(self, value: Any) -> dict[str, str]:
        return {BAD_TEXT: "1"} if (value or {}).get(BAD_TEXT) else {}

    def missing_requirement(self, label_map) -> str | None:
        if (label_map or {}).get(BAD_TEXT):
            return None
        return super().missing_requirement(label_map)

    @classmethod
    def entry_from_wire_key(cls, key: str, value: Any) -> tuple[str, dict[str, Any]] | None:
        if key.count(":") < 3:
            return None
        # /get_annotations' shape: "schema:label:start:end": "true"
        schema, rest = key.split(":", 1)
        label, start, end = rest.rsplit(":", 2)
        return schema, {"label": label, "start": start, "end": end, "value": value}

    def readable_line(self, entry: Mapping[str, Any], span_text: SpanText) -> str:
        line = f"{span_text(self.name, entry['id'])} [{entry['start']}:{entry['end']}]"
        if entry.get("kb_id"):
            line += f" = {entry.get('kb_source')}:{entry['kb_id']}"
        return line

    def output_entry(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        """Potato's v1 keys (`annotation`, `span`) next to ours."""
        out = {"id": entry["id"], "schema": self.name, "label": entry["label"]}
        out["annotation"] = entry["label"]
        out.update({k: v for k, v in entry.items() if k not in ("id", "label")})
        out["span"] = entry["text"]
        return out

    def backend_entries(self, state: list[Any]) -> list[Any]:
        # Potato's span state: [{"name": label, "start", "end", "value"}]; a span sent this
        # way without an id gets Potato's backend id shape (`<schema>_<label>_<start>_<end>`).
        return [
            {**e, "label": e.get("label", e.get("name")), ID_SHAPE: "backend"}
            if isinstance(e, Mapping)
            else e
            for e in state
        ]

    def backend_merge(self, old_value: Any, entries: list[Any]) -> list[Any]:
        """Potato's backend span update adds its spans to the stored ones (its annotation.js
        sends one new span per request); an entry with a false `value` removes the stored
        span with the same label, start and end. A span already stored is kept as it is."""

        def where(e: Mapping[str, Any]) -> tuple:
            return (e.get("label"), _int_or(e.get("start")), _int_or(e.get("end")))

        removed = {where(e) for e in entries if isinstance(e, Mapping) and is_removal(e)}
        kept = [s for s in self.entries(old_value) if where(s) not in removed]
        stored = {where(s) for s in kept}
        added = [
            e
            for e in entries
            if not isinstance(e, Mapping) or (not is_removal(e) and where(e) not in stored)
        ]
        return [*kept, *added]

    # -- values -------------------------------------------------------------------------
    def value_for(
        self, raw_spans: list[Any], text: str, targets: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """Validate spans against `text` (or, for a span naming a `target_field`, against
        that field's text in `targets`); the stored value ({} when there are none)."""
        flags = [e for e in raw_spans if _is_flag(e)]
        raw_spans = [e for e in raw_spans if not _is_flag(e)]
        value = self._spans_value(raw_spans, text, targets or {})
        if flags and flags[-1][BAD_TEXT]:
            value[BAD_TEXT] = True
        return value

    def _spans_value(
        self, raw_spans: list[Any], text: str, targets: Mapping[str, str]
    ) -> dict[str, Any]:
        spans: dict[tuple, dict[str, Any]] = {}
        for raw, where in kept_entries(self.name, raw_spans, "span", "label, start and end"):
            field = _target_field(raw, targets, where)
            field = self._own_field(field, targets, where)
            span = self.one_span(raw, targets[field] if field else text, where)
            if field:
                span["target_field"] = field
            # The same span twice: keep one (and its entity link). Two ids given are two spans
            # (a span relabelled to equal another keeps the links that name its id).
            key = (span["label"], span["start"], span["end"], str(span.get("segments")))
            key += (span.get("id"), field)
            if key in spans:
                spans[key].update({k: v for k, v in span.items() if k in KB_FIELDS})
                continue
            spans[key] = span
        ordered = sorted(
            spans.values(),
            key=lambda s: (s.get("target_field", ""), s["start"], -s["end"], s["label"]),
        )
        assign_span_ids(self.name, ordered)
        return {"spans": ordered} if ordered else {}

    def _own_field(self, field: str | None, targets: Mapping[str, str], where: str):
        """With `target_field`, every span of this scheme is on that field: a span naming
        none is put there, one naming another field is refused."""
        mine = self.target_field
        if mine is None or mine not in targets:
            return field
        if field is None:
            return mine
        if field != mine:
            raise BadAnnotation(
                f"{where}: this scheme's spans go on {mine!r} (target_field), not {field!r}"
            )
        return field

    def one_span(self, raw: Mapping[str, Any], text: str, where: str) -> dict[str, Any]:
        schema = raw.get("schema")
        if schema not in (None, "", self.name):
            raise BadAnnotation(f"{where}: belongs to schema {schema!r}, not {self.name!r}")
        label = raw.get("label", raw.get("name", raw.get("annotation")))
        if not isinstance(label, str) or not label:
            raise BadAnnotation(f"{where}: 'label' is required")
        if label not in self.label_names:
            raise self.unknown_label(label)
        segments = raw.get("segments")
        if segments is not None and not (isinstance(segments, list) and len(segments) == 1):
            if not self.allow_discontinuous:
                raise BadAnnotation(
                    f"{where}: discontinuous spans ('segments') need allow_discontinuous: true"
                )
            parts = _segments(segments, text, where)
            start, end = parts[0][0], parts[-1][1]
            shown = SEGMENT_GLUE.join(text[s:e] for s, e in parts)
        else:
            if segments is not None:  # a single segment is an ordinary span
                if not isinstance(segments[0], list) or len(segments[0]) != 2:
                    raise BadAnnotation(f"{where}: each segment is [start, end]")
                raw = {**raw, "start": segments[0][0], "end": segments[0][1]}
            start, end = _range(raw.get("start"), raw.get("end"), text, where)
            parts, shown = None, text[start:end]
        claimed = raw.get("text", raw.get("span"))
        if isinstance(claimed, str) and claimed != shown and parts is None:
            raise BadAnnotation(
                f"{where}: text {claimed!r} does not match the item text at {start}:{end} "
                f"({shown!r}); offsets count Unicode code points"
            )
        span: dict[str, Any] = {"label": label, "start": start, "end": end, "text": shown}
        if parts is not None:
            span["segments"] = [list(p) for p in parts]
        span_id = given_id(raw, where)
        if span_id:
            span["id"] = span_id
        else:
            shape = "backend" if raw.get(ID_SHAPE) == "backend" else "frontend"
            coords = raw.get("format_coords")
            coords = coords if isinstance(coords, Mapping) else {}
            span[ID_SHAPE] = default_span_id(
                self.name, label, start, end, shape, coords.get("anchor_kind"), coords.get("page")
            )
        for key in KB_FIELDS:
            value = raw.get(key)
            if value is None or value == "":
                continue
            if not isinstance(value, str) or len(value) > MAX_KB_FIELD:
                raise BadAnnotation(
                    f"{where}: {key} must be a string of at most {MAX_KB_FIELD} characters"
                )
            span[key] = value
        return span

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["keys"] = self.key_bindings
        out["allow_discontinuous"] = self.allow_discontinuous
        out["show_span_labels"] = self.show_span_labels
        if self.title:
            out["title"] = self.title
        if self.bad_text_label:
            out["bad_text_label"] = self.bad_text_label
        if self.target_field:
            out["target_field"] = self.target_field
        if self.knowledge_bases:
            out["entity_linking"] = {"knowledge_bases": [kb.name for kb in self.knowledge_bases]}
        return out


def _target_field(raw: Any, targets: Mapping[str, str], where: str) -> str | None:
    """The field a span names in `target_field` (Potato's multi-span mode), checked to be
    one of the item's span targets; None for a span on the item text."""
    field = raw.get("target_field") if isinstance(raw, Mapping) else None
    if field is None or field == "":
        return None
    if not isinstance(field, str) or field not in targets:
        known = ", ".join(repr(k) for k in targets) or "none: spans here are on the item text"
        raise BadAnnotation(
            f"{where}: target_field {field!r} is not a span target of this item "
            f"(span_target fields: {known})"
        )
    return field


def _is_flag(entry: Any) -> bool:
    return isinstance(entry, Mapping) and set(entry) == {BAD_TEXT}


def _bad_text_label(reader: ConfigReader) -> str | None:
    """Potato's two spellings: `bad_text_label: <text>` and `{label_content: <text>}`."""
    raw = reader.raw.get("bad_text_label")
    if raw is None:
        return None
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    if isinstance(raw, Mapping):
        content = raw.get("label_content")
        if isinstance(content, str) and content.strip():
            return content.strip()
        reader.problem("bad_text_label", "a mapping needs label_content: <the option's text>")
        return None
    reader.problem("bad_text_label", "must be the option's text or {label_content: <text>}")
    return None


def assign_span_ids(schema: str, spans: list[dict[str, Any]]) -> None:
    """Give spans without an id Potato's stable one (default_span_id; the shape was chosen
    by one_span from the request's format); refuse two different spans with the same id."""
    taken: dict[str, dict] = {}
    for span in spans:
        if "id" in span:
            if span["id"] in taken:
                raise BadAnnotation(f"{schema}: two spans have the id {span['id']!r}")
            taken[span["id"]] = span
    for span in spans:
        if "id" in span:
            continue
        base = span.pop(ID_SHAPE, None) or default_span_id(
            schema, span["label"], span["start"], span["end"]
        )
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        span["id"] = candidate
        taken[candidate] = span
    # Keep the key order of every span the same: id first.
    for i, span in enumerate(spans):
        span.pop(ID_SHAPE, None)
        spans[i] = {"id": span.pop("id"), **span}


def _offset(value: Any, name: str, where: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadAnnotation(f"{where}: '{name}' must be a whole number, got {value!r}")
    return value


def _range(start: Any, end: Any, text: str, where: str) -> tuple[int, int]:
    s = _offset(start, "start", where)
    e = _offset(end, "end", where)
    if s < 0 or e > len(text):
        raise BadAnnotation(
            f"{where}: offsets {s}:{e} are out of range; the text has {len(text)} characters "
            "(Unicode code points)"
        )
    if e <= s:
        raise BadAnnotation(f"{where}: end ({e}) must be greater than start ({s})")
    return s, e


def _segments(raw: Any, text: str, where: str) -> list[tuple[int, int]]:
    if not isinstance(raw, list) or not raw or len(raw) > 50:
        raise BadAnnotation(f"{where}: 'segments' must be a list of 1-50 [start, end] pairs")
    parts = []
    for seg in raw:
        if not isinstance(seg, (list, tuple)) or len(seg) != 2:
            raise BadAnnotation(f"{where}: each segment is [start, end], got {seg!r}")
        parts.append(_range(seg[0], seg[1], text, where))
    parts.sort()
    for (_s1, e1), (s2, _e2) in itertools.pairwise(parts):
        if s2 <= e1:
            raise BadAnnotation(f"{where}: segments overlap or touch; merge them into one")
    return parts


def _int_or(value: Any) -> Any:
    """A span offset as an int when it reads as one (Potato sends numbers or strings)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return value
