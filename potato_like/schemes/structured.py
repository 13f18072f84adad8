"""What span, span_link and event_annotation share: their stored value is a structure
({"spans": [...]}, {"links": [...]}, {"events": [...]}) that a request replaces as a whole,
validated against the item's text (spans) or against the spans it refers to (links, events).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from ..config.reader import ConfigReader, hint
from ..errors import BadAnnotation
from .base import Label, Scheme

SpanText = Callable[[str, str], str]
MAX_ENTRIES = 2000
ID_PATTERN = re.compile(r"^[\w.:-]{1,120}$")
FALSE_VALUES = ("", "0", "false", "False", "off", "null", "None")


class StructuredScheme(Scheme):
    structured: ClassVar[bool] = True
    script = "js/spans.js"  # selection, tags, link and event drafts for the whole family
    value_key: ClassVar[str] = ""  # "spans", "links" or "events"

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, Any]:
        raise BadAnnotation(
            f"{self.name}: a {self.type_name} scheme takes no labels in 'annotations'; "
            f"send its {self.value_key} in '{self.value_key[:-1]}_annotations'"
        )

    def entries(self, value: Mapping[str, Any] | None) -> list[dict[str, Any]]:
        return list((value or {}).get(self.value_key, []))

    def answer(self, label_map: Mapping[str, Any]) -> Any:
        return self.entries(label_map)

    def readable_line(self, entry: Mapping[str, Any], span_text: SpanText) -> str:
        """One line of plain text for an entry (the admin item page); `span_text(schema,
        span_id)` reads a span as `PERSON “Barack Obama”`."""
        raise NotImplementedError

    def output_entry(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        """An entry as output files and exports list it under `wire_field`."""
        return {**entry, "schema": self.name}

    def missing_requirement(self, label_map) -> str | None:
        if self.required and not self.entries(label_map):
            return f"at least one {self.value_key[:-1]} is required"
        return None


class ReferringScheme(StructuredScheme):
    """span_link and event_annotation: entries point at spans of `span_schema` by id."""

    refers_to_spans = True

    option_keys = ("span_schema", "visual_display")
    span_schema: str

    # Potato's `visual_display` keys this type reads (coreference adds highlight_mode)
    visual_keys: ClassVar[tuple[str, ...]] = (
        "enabled",
        "arc_position",
        "show_labels",
        "multi_line_mode",
    )

    def read_span_schema(self, reader: ConfigReader) -> None:
        self.span_schema = reader.str("span_schema", "", required=True) or ""
        self.visual_display = read_visual_display(reader, self.visual_keys)

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["visual_display"] = self.visual_display
        return out

    def resolve_references(self, schemes: Mapping[str, Scheme], reader: ConfigReader) -> None:
        target = schemes.get(self.span_schema)
        spans = [s.name for s in schemes.values() if s.type_name == "span"]
        if target is None or target.type_name != "span":
            if self.span_schema:
                reader.problem(
                    "span_schema",
                    f"{self.span_schema!r} is not a span scheme of this project"
                    f"{hint(self.span_schema, spans)}",
                )
            return
        for path, labels in self.label_constraints():
            for label in labels:
                if label not in target.label_names:
                    reader.problems.append(
                        f"{reader.key_path(path)}: {label!r} is not a label of span scheme "
                        f"{target.name!r}{hint(label, target.label_names)}"
                    )

    def label_constraints(self) -> list[tuple[str, tuple[str, ...]]]:
        return []


def entry_id(prefix: str, *parts: Any) -> str:
    """A stable id for an entry the client sent without one (same content, same id)."""
    digest = hashlib.blake2s("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:12]
    return f"{prefix}_{digest}"


ARC_POSITIONS = ("above", "below")
LINE_MODES = ("bracket", "single_line")


def read_visual_display(reader: ConfigReader, keys: tuple[str, ...]) -> dict[str, Any]:
    """Potato's arc options for links and events (static/js/span-arcs.js draws them): arcs
    on (`enabled`), over or under the text (`arc_position`), with their type written on them
    (`show_labels`); long lines wrap (`bracket`) or scroll sideways (`single_line`)."""
    sub = reader.child("visual_display")
    sub.warn_unknown(keys)
    out: dict[str, Any] = {
        "enabled": sub.bool("enabled", True),
        "arc_position": sub.str("arc_position", "above", choices=ARC_POSITIONS),
        "show_labels": sub.bool("show_labels", True),
        "multi_line_mode": sub.str("multi_line_mode", "bracket", choices=LINE_MODES),
    }
    if "highlight_mode" in keys:
        out["highlight_mode"] = sub.str("highlight_mode", "background")
    return out


def given_id(raw: Mapping[str, Any], where: str) -> str | None:
    value = raw.get("id")
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise BadAnnotation(f"{where}: id {value!r} must be 1-120 letters, digits or . _ : -")
    return value


def is_removal(raw: Mapping[str, Any]) -> bool:
    """Potato's frontend marks a removed entry with a false `value`."""
    value = raw.get("value", True)
    if value is None or value is False:
        return True
    return isinstance(value, str) and value.strip() in FALSE_VALUES


def kept_entries(scheme: str, raws: list[Any], noun: str, shape: str):
    """(entry, where) for each entry of a submitted list that is not a removal, after the
    checks every structured scheme makes: at most MAX_ENTRIES, each an object (`shape` says
    what it should hold)."""
    if len(raws) > MAX_ENTRIES:
        raise BadAnnotation(f"{scheme}: more than {MAX_ENTRIES} {noun}s")
    for i, raw in enumerate(raws):
        where = f"{scheme}: {noun} {i + 1}"
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{where} must be an object with {shape}")
        if not is_removal(raw):
            yield raw, where


def string_list(reader: ConfigReader, key: str, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        reader.problem(key, "must be a list of label names")
        return ()
    return tuple(raw)


def named_entries(reader: ConfigReader, key: str, name_key: str) -> list[tuple[ConfigReader, str]]:
    """A required non-empty list of mappings with a unique `name_key`, as child readers."""
    raw = reader.raw.get(key)
    if not isinstance(raw, list) or not raw:
        reader.problem(key, "is required: a non-empty list")
        return []
    out, seen = [], set()
    for i, entry in enumerate(raw):
        path = f"{reader.key_path(key)}[{i}]"
        if isinstance(entry, str):
            entry = {name_key: entry}
            raw[i] = entry
        if not isinstance(entry, Mapping):
            reader.problems.append(f"{path}: must be a mapping with {name_key!r}")
            continue
        sub = ConfigReader(entry, path, reader.problems, reader.warnings)
        name = sub.str(name_key, None, required=True)
        if name is None:
            continue
        if name in seen:
            sub.problem(name_key, f"duplicate {name!r}")
            continue
        seen.add(name)
        out.append((sub, name))
    return out


def labels_from(names: list[str], colors: Mapping[str, str | None]) -> list[Label]:
    return [Label(name, color=colors.get(name)) for name in names]
