"""`annotation_type: event_annotation` — an event is a trigger span plus argument spans with
roles, all from one span scheme.

Stored value: {"events": [{"id", "event_type", "trigger_span_id",
"arguments": [{"role", "span_id"}, ...]}]}.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config.reader import ConfigReader, hint
from ..errors import BadAnnotation
from .registry import register
from .structured import (
    ReferringScheme,
    SpanText,
    entry_id,
    given_id,
    kept_entries,
    labels_from,
    named_entries,
    string_list,
)

EVENT_TYPE_KEYS = ("type", "color", "trigger_labels", "arguments")
ARGUMENT_KEYS = ("role", "entity_types", "required")


@dataclass(frozen=True)
class Role:
    name: str
    entity_types: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class EventType:
    name: str
    color: str | None
    trigger_labels: tuple[str, ...]
    roles: tuple[Role, ...]

    def role(self, name: str) -> Role | None:
        return next((r for r in self.roles if r.name == name), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.name,
            "color": self.color,
            "trigger_labels": list(self.trigger_labels),
            "arguments": [
                {"role": r.name, "entity_types": list(r.entity_types), "required": r.required}
                for r in self.roles
            ],
        }


@register("event_annotation")
class EventAnnotation(ReferringScheme):
    script = "js/span-arcs.js"  # arcs (visual_display); spans.js comes with the span scheme
    stylesheet = "css/span-arcs.css"
    macro = "schemes/event.html"
    value_key = "events"
    wire_field = "event_annotations"
    agreement_skip_reason = "events have no agreement measure yet"
    option_keys = ("span_schema", "event_types", "visual_display")

    def parse_options(self, reader: ConfigReader) -> None:
        self.read_span_schema(reader)
        self.event_types: dict[str, EventType] = {}
        for sub, name in named_entries(reader, "event_types", "type"):
            sub.warn_unknown(EVENT_TYPE_KEYS)
            roles = []
            for arg, role in named_entries(sub, "arguments", "role"):
                arg.warn_unknown(ARGUMENT_KEYS)
                roles.append(
                    Role(
                        role,
                        string_list(arg, "entity_types", arg.raw.get("entity_types")),
                        arg.bool("required", False),
                    )
                )
            self.event_types[name] = EventType(
                name,
                sub.str("color", None),
                string_list(sub, "trigger_labels", sub.raw.get("trigger_labels")),
                tuple(roles),
            )
        colors = {t.name: t.color for t in self.event_types.values()}
        self.labels = labels_from(list(self.event_types), colors)

    def label_constraints(self):
        out = []
        for i, t in enumerate(self.event_types.values()):
            out.append((f"event_types[{i}].trigger_labels", t.trigger_labels))
            for j, role in enumerate(t.roles):
                out.append((f"event_types[{i}].arguments[{j}].entity_types", role.entity_types))
        return out

    def value_for(self, raw_events: list[Any], spans_by_id: Mapping[str, dict]) -> dict[str, Any]:
        events: dict[str, dict[str, Any]] = {}
        shape = "event_type and trigger_span_id"
        for raw, where in kept_entries(self.name, raw_events, "event", shape):
            event = self.one_event(raw, spans_by_id, where)
            if event["id"] in events and events[event["id"]] != event:
                raise BadAnnotation(f"{self.name}: two events have the id {event['id']!r}")
            events[event["id"]] = event
        ordered = list(events.values())
        return {"events": ordered} if ordered else {}

    def one_event(self, raw: Mapping[str, Any], spans_by_id: Mapping[str, dict], where: str):
        schema = raw.get("schema")
        if schema not in (None, "", self.name):
            raise BadAnnotation(f"{where}: belongs to schema {schema!r}, not {self.name!r}")
        name = raw.get("event_type", raw.get("label"))
        if name not in self.event_types:
            raise BadAnnotation(
                f"{where}: unknown event type {name!r}; expected one of "
                f"{', '.join(self.event_types)}{hint(str(name), list(self.event_types))}"
            )
        kind = self.event_types[name]
        trigger = raw.get("trigger_span_id", raw.get("trigger"))
        if not isinstance(trigger, str) or trigger not in spans_by_id:
            raise BadAnnotation(
                f"{where}: trigger span {trigger!r} does not exist in span scheme "
                f"{self.span_schema!r}"
            )
        trigger = spans_by_id[trigger]["id"]  # the stored id, if named by an alias
        trigger_label = spans_by_id[trigger]["label"]
        if kind.trigger_labels and trigger_label not in kind.trigger_labels:
            raise BadAnnotation(
                f"{where}: a {trigger_label} span cannot trigger {name}; "
                f"use one of {', '.join(kind.trigger_labels)}"
            )
        raw_args = raw.get("arguments", [])
        if not isinstance(raw_args, list):
            raise BadAnnotation(f"{where}: 'arguments' must be a list of {{role, span_id}}")
        arguments, seen = [], set()
        for arg in raw_args:
            if not isinstance(arg, Mapping):
                raise BadAnnotation(f"{where}: each argument is an object with role and span_id")
            role = kind.role(arg.get("role"))
            if role is None:
                raise BadAnnotation(
                    f"{where}: {name} has no role {arg.get('role')!r}; roles: "
                    f"{', '.join(r.name for r in kind.roles)}"
                )
            span_id = arg.get("span_id")
            if not isinstance(span_id, str) or span_id not in spans_by_id:
                raise BadAnnotation(
                    f"{where}: argument {role.name}: span {span_id!r} does not exist in span "
                    f"scheme {self.span_schema!r}"
                )
            span_id = spans_by_id[span_id]["id"]
            if span_id == trigger:
                raise BadAnnotation(f"{where}: the trigger cannot also be an argument")
            label = spans_by_id[span_id]["label"]
            if role.entity_types and label not in role.entity_types:
                raise BadAnnotation(
                    f"{where}: a {label} span cannot fill role {role.name} "
                    f"(allowed: {', '.join(role.entity_types)})"
                )
            if (role.name, span_id) not in seen:
                seen.add((role.name, span_id))
                arguments.append({"role": role.name, "span_id": span_id})
        missing = [
            r.name
            for r in kind.roles
            if r.required and r.name not in {a["role"] for a in arguments}
        ]
        if missing:
            raise BadAnnotation(f"{where}: required role(s) missing: {', '.join(missing)}")
        parts = [f"{a['role']}={a['span_id']}" for a in arguments]
        event_id = given_id(raw, where) or entry_id("event", name, trigger, *parts)
        return {
            "id": event_id,
            "event_type": name,
            "trigger_span_id": trigger,
            "arguments": arguments,
        }

    def readable_line(self, entry: Mapping[str, Any], span_text: SpanText) -> str:
        parts = [span_text(self.span_schema, entry["trigger_span_id"])]
        parts += [
            f"{arg['role']}: {span_text(self.span_schema, arg['span_id'])}"
            for arg in entry["arguments"]
        ]
        return f"{entry['event_type']}: {'; '.join(parts)}"

    def prune(self, value: Mapping[str, Any] | None, spans_by_id: Mapping[str, dict]):
        """Drop arguments whose span is gone, then events that no longer fit (trigger gone,
        a required role now empty, a span relabelled)."""
        kept = []
        for event in self.entries(value):
            if event["trigger_span_id"] not in spans_by_id:
                continue
            args = [a for a in event["arguments"] if a["span_id"] in spans_by_id]
            try:  # also drops events whose spans changed label so they no longer fit
                kept.append(self.one_event({**event, "arguments": args}, spans_by_id, self.name))
            except BadAnnotation:
                continue
        return {"events": kept} if kept else {}

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["span_schema"] = self.span_schema
        out["event_types"] = [t.as_json() for t in self.event_types.values()]
        return out
