"""Validation of `instance_display` (Potato's shape):

    instance_display:
      layout: {direction: vertical | horizontal, gap: 20px}
      fields:
        - {key: image_url, type: image, label: "Photo", span_target: false,
           display_options: {max_width: 600}}

Every problem is reported with its key path; an unknown type gets a did-you-mean, a Potato
type not built yet gets one line naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..config.reader import ConfigReader, hint, type_name
from .base import DisplayField, read_length
from .registry import NOT_YET_REASONS, display_class, not_yet_names, type_names

FIELD_KEYS = ("key", "type", "label", "span_target", "display_options")
LATER_FIELD_KEYS = {"resizable": "resizable panes", "source_field": "media annotation links"}
DISPLAY_KEYS = ("fields", "layout")
LATER_DISPLAY_KEYS = {"resizable": "resizable panes"}
LAYOUT_KEYS = ("direction", "gap")
DIRECTIONS = ("vertical", "horizontal")


@dataclass(frozen=True)
class InstanceDisplay:
    fields: tuple[DisplayField, ...]
    direction: str = "vertical"
    gap: str | None = None

    def span_field(self, text_key: str) -> str | None:
        """The field that hosts span annotation: a text field showing `text_key` (the span
        code works on the item text), preferring one marked `span_target`."""
        candidates = [f for f in self.fields if f.type == "text" and f.key == text_key]
        marked = [f for f in candidates if f.span_target]
        chosen = (marked or candidates)[:1]
        return chosen[0].key if chosen else None

    def extra_span_targets(self, text_key: str) -> tuple[str, ...]:
        """Potato's multi-span mode: the other text fields marked `span_target`, on which
        spans are stored with `target_field` naming the field."""
        return tuple(
            dict.fromkeys(
                f.key
                for f in self.fields
                if f.type == "text" and f.span_target and f.key != text_key
            )
        )

    def main_span_tag(self, text_key: str) -> str | None:
        """The `target_field` of spans on the item text in multi-span mode (the text_key
        field marked `span_target` too), else None (spans carry no target_field)."""
        if not self.extra_span_targets(text_key):
            return None
        marked = any(f.type == "text" and f.key == text_key and f.span_target for f in self.fields)
        return text_key if marked else None


def read_instance_display(r: ConfigReader, text_key: str) -> InstanceDisplay | None:
    if not r.has("instance_display"):
        return None
    sub = r.child("instance_display")
    sub.warn_unknown(DISPLAY_KEYS, later=LATER_DISPLAY_KEYS)
    layout = sub.child("layout")
    layout.warn_unknown(LAYOUT_KEYS)
    direction = layout.str("direction", "vertical", choices=DIRECTIONS)
    gap = read_length(layout, "gap", None)
    entries = sub.list("fields")
    if not entries:
        sub.warn("fields", "no fields listed; items show their text_key as before")
        return None
    fields = []
    for i, entry in enumerate(entries):
        path = sub.key_path("fields") + f"[{i}]"
        if not isinstance(entry, Mapping):
            r.problems.append(f"{path}: must be a mapping, got {type_name(entry)}")
            continue
        found = _field(ConfigReader(entry, path, r.problems, r.warnings), text_key)
        if found is not None:
            fields.append(found)
    keys = [f.key for f in fields]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        sub.warn("fields", f"key {key!r} is shown more than once")
    return InstanceDisplay(fields=tuple(fields), direction=direction, gap=gap)


def _field(r: ConfigReader, text_key: str) -> DisplayField | None:
    key = r.str("key", None, required=True)
    kind = r.str("type", None, required=True)
    cls = display_class(kind) if kind is not None else None
    field_options = set(cls.options) if cls is not None and cls.field_level_options else set()
    r.warn_unknown((*FIELD_KEYS, *field_options), later=LATER_FIELD_KEYS)
    if kind is None:
        return None
    if cls is None:
        if kind in not_yet_names():
            reason = NOT_YET_REASONS.get(kind)
            r.problem(
                "type",
                f"display type {kind!r} is not available yet" + (f": {reason}" if reason else ""),
            )
        else:
            r.problem(
                "type",
                f"unknown display type {kind!r}{hint(kind, type_names())} "
                f"(available: {', '.join(type_names())})",
            )
        return None
    display = cls()
    given = r.child("display_options")
    for name in field_options:  # options written on the field itself (Potato reads both)
        if name in r.raw and name not in given.raw:
            given = ConfigReader(
                {**given.raw, name: r.raw[name]}, given.path, r.problems, r.warnings
            )
    options = display.read_options(given)
    span_target = r.bool("span_target", False)
    if span_target and not cls.supports_span_target:
        r.warn("span_target", f"display type {kind!r} cannot host span annotation; ignored")
    elif span_target and kind != "text":
        r.warn(
            "span_target",
            "span annotation works on fields shown as text (type: text); "
            "this field is shown without spans",
        )
    if key is None:
        return None
    label = r.str("label", None, allow_empty=True)
    return DisplayField(
        key=key,
        type=kind,
        display=display,
        label=label or None,
        span_target=span_target,
        options=options,
    )
