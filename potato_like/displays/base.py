"""What every display type shares: its options (with defaults and kinds), how they are read
from `display_options`, and the view a template renders.

A display never writes HTML: `view(value, context)` returns plain data for its template
(templates/displays/<type>.html, macro `render(field)`). Size options become a `styles`
mapping that static/js/displays.js applies through the CSSOM (no `style=` under the CSP).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..config.reader import ConfigReader, type_name

# A CSS length: a bare number means pixels.
_LENGTH = re.compile(r"^\d+(\.\d+)?(px|%|em|rem|vh|vw|ch)?$")


@dataclass(frozen=True)
class Option:
    default: Any
    # bool | length | int | str | choice | int_list | number_list | str_list | raw
    kind: str = "bool"
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderContext:
    """What a display needs from the request: URLs for media values and the sanitiser."""

    media_url: Callable[..., str | None]  # (value, image=False) -> URL or None
    clean_html: Callable[[str], str]


@dataclass(frozen=True)
class DisplayField:
    """One validated entry of `instance_display.fields`."""

    key: str
    type: str
    display: Display
    label: str | None = None
    span_target: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return self.display.template


class Display:
    """A display type. Subclasses set `options` (Potato's option names), `later` (Potato
    options accepted with a warning) and implement `view`."""

    type_name: ClassVar[str]
    template: ClassVar[str]
    description: ClassVar[str] = ""
    options: ClassVar[dict[str, Option]] = {}
    later: ClassVar[dict[str, str]] = {}
    supports_span_target: ClassVar[bool] = False
    # Potato reads some types' options written directly on the field too.
    field_level_options: ClassVar[bool] = False
    # The type shows something of its own for an item without the field (interactive_chat).
    shows_missing_value: ClassVar[bool] = False

    def read_options(self, reader: ConfigReader) -> dict[str, Any]:
        reader.warn_unknown(self.options, later=self.later)
        return {name: read_option(reader, name, spec) for name, spec in self.options.items()}

    def view(self, value: Any, options: Mapping[str, Any], context: RenderContext) -> dict:
        raise NotImplementedError


def read_option(reader: ConfigReader, name: str, spec: Option) -> Any:
    if spec.kind == "bool":
        return reader.bool(name, spec.default)
    if spec.kind == "int":
        return reader.number(name, spec.default, integer=True, minimum=0)
    if spec.kind == "str":
        return reader.str(name, spec.default, allow_empty=True)
    if spec.kind == "choice":
        return reader.str(name, spec.default, choices=spec.choices)
    if spec.kind == "length":
        return read_length(reader, name, spec.default)
    if spec.kind in ("int_list", "str_list", "number_list"):
        return read_list(reader, name, spec)
    if spec.kind == "raw":  # the display class checks it (read_options)
        return reader.raw.get(name, spec.default)
    raise ValueError(f"unknown option kind {spec.kind!r}")


def read_length(reader: ConfigReader, name: str, default: str | None) -> str | None:
    value = reader.raw.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        reader.problem(name, f"must be a size like 600 or '50%', got {type_name(value)}")
        return default
    text = str(value).strip()
    if text == "auto":
        return "auto"
    if not _LENGTH.match(text):
        reader.problem(name, f"must be a size like 600, '600px' or '50%', got {value!r}")
        return default
    return text if not text.replace(".", "", 1).isdigit() else f"{text}px"


def read_list(reader: ConfigReader, name: str, spec: Option) -> Any:
    value = reader.raw.get(name)
    if value is None:
        return spec.default
    if not isinstance(value, list):
        reader.problem(name, f"must be a list, got {type_name(value)}")
        return spec.default
    if spec.kind in ("int_list", "number_list"):
        kind = int if spec.kind == "int_list" else (int, float)
        if not all(isinstance(v, kind) and not isinstance(v, bool) for v in value):
            what = "whole numbers" if spec.kind == "int_list" else "numbers"
            reader.problem(name, f"must be a list of {what}")
            return spec.default
        return tuple(value)
    return tuple(str(v) for v in value)


def styles(**values: str | None) -> dict[str, str]:
    """CSS properties (camelCase, as the CSSOM names them) for the set values only."""
    return {name: value for name, value in values.items() if value}


def as_text(value: Any) -> str:
    """A value shown as text: strings as they are, other JSON values as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value

    return json.dumps(value, ensure_ascii=False)
