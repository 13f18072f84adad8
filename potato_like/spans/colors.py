"""Label colours for spans, links, events and keyword highlights.

A label's colour is, in order: its own `color` in the scheme, `ui.label_colors[schema][label]`,
`ui.spans.span_colors[schema][label]` (Potato's legacy place), else a palette colour picked by
the label's position. The palette is mid-tone: pages draw spans as a translucent tint of the
colour with a solid underline, so text stays readable on light and dark backgrounds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..config.reader import ConfigReader, type_name

if TYPE_CHECKING:
    from ..config.model import ProjectConfig

PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#59a14f",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#ff9da7",
    "#9c755f",
    "#8cd17d",
)

_CSS = re.compile(r"^(#[0-9a-fA-F]{3,8}|(rgb|rgba|hsl|hsla)\([0-9.,%\s]+\)|[a-zA-Z]{3,20})$")
_TUPLE = re.compile(r"^\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$")

UI_KEYS = ("spans", "label_colors")
UI_SPANS_KEYS = ("span_colors",)
UI_LATER = {
    "max_instance_height": "instance height limit",
    "show_progress": "hiding the progress bar",
    "show_instructions": "hiding the instructions",
    "allow_navigation": "disabling navigation",
    "allow_editing": "read-only items",
}


def css_color(value: Any) -> str | None:
    """A CSS colour from a config value: '#4e79a7', 'rgb(1, 2, 3)', a name, Potato's
    '(255, 128, 0)' string or a [r, g, b] list. None when it is not a colour."""
    if isinstance(value, (list, tuple)) and len(value) == 3:
        if all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in value):
            return "rgb({}, {}, {})".format(*value)
        return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _TUPLE.match(text)
    if match:
        parts = [int(p) for p in match.groups()]
        return "rgb({}, {}, {})".format(*parts) if max(parts) <= 255 else None
    return text if _CSS.match(text) else None


def read_ui_colors(r: ConfigReader) -> dict[str, dict[str, str]]:
    """`ui.label_colors` and `ui.spans.span_colors` ({schema: {label: colour}}), merged with
    label_colors winning. Problems are recorded on the reader."""
    ui = r.child("ui")
    ui.warn_unknown(UI_KEYS, later=UI_LATER)
    spans = ui.child("spans")
    spans.warn_unknown(UI_SPANS_KEYS)
    out: dict[str, dict[str, str]] = {}
    for reader, key in ((spans, "span_colors"), (ui, "label_colors")):
        raw = reader.raw.get(key)
        if raw is None:
            continue
        if not isinstance(raw, Mapping):
            reader.problem(
                key, f"must be a mapping of scheme -> label -> colour, got {type_name(raw)}"
            )
            continue
        for schema, labels in raw.items():
            path = f"{reader.key_path(key)}.{schema}"
            if not isinstance(labels, Mapping):
                reader.problems.append(f"{path}: must be a mapping of label -> colour")
                continue
            for label, color in labels.items():
                css = css_color(color)
                if css is None:
                    reader.problems.append(
                        f"{path}.{label}: {color!r} is not a colour like '#4e79a7', "
                        "'rgb(1, 2, 3)' or '(255, 128, 0)'"
                    )
                    continue
                out.setdefault(str(schema), {})[str(label)] = css
    return out


def label_colors(config: ProjectConfig, scheme) -> dict[str, str]:
    """Every label of `scheme` with its colour (configured or from the palette)."""
    configured = config.ui_colors.get(scheme.name, {})
    out = {}
    for i, label in enumerate(scheme.labels):
        out[label.name] = label.color or configured.get(label.name) or PALETTE[i % len(PALETTE)]
    return out


def color_for(config: ProjectConfig, schema: str, label: str) -> str:
    """The colour of any (schema, label), also for labels no scheme lists (keywords)."""
    scheme = config.scheme(schema)
    if scheme is not None and label in scheme.label_names:
        return label_colors(config, scheme)[label]
    configured = config.ui_colors.get(schema, {}).get(label)
    if configured:
        return configured
    return PALETTE[sum(ord(c) for c in f"{schema}:{label}") % len(PALETTE)]
