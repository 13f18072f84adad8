"""Turn an item's data into the views the display templates render."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .base import DisplayField, RenderContext
from .config import InstanceDisplay


@dataclass(frozen=True)
class FieldView:
    key: str
    type: str
    label: str | None
    template: str
    view: dict[str, Any] = field(default_factory=dict)
    missing: bool = False
    span_host: bool = False  # this field's element is the span annotation target
    span_field: bool = False  # another span target (multi-span mode: spans name the field)


@dataclass(frozen=True)
class ItemDisplay:
    fields: tuple[FieldView, ...]
    direction: str
    styles: dict[str, str]
    hosts_spans: bool


def item_display(
    display: InstanceDisplay,
    data: Mapping[str, Any],
    context: RenderContext,
    *,
    span_key: str | None = None,
    extra_targets: tuple[str, ...] = (),
) -> ItemDisplay:
    """Views for every configured field. A field missing from the item is shown as missing
    (Potato stops with an error; one odd row should not block an annotator)."""
    views = []
    for f in display.fields:
        host = span_key is not None and f.key == span_key and not any(v.span_host for v in views)
        view = _field_view(f, data, context, host)
        if f.key in extra_targets and not view.missing and not host:
            view = replace(view, span_field=True)
        views.append(view)
    views = tuple(views)
    return ItemDisplay(
        fields=views,
        direction=display.direction,
        styles={"gap": display.gap} if display.gap else {},
        hosts_spans=any(v.span_host for v in views),
    )


def _field_view(
    f: DisplayField, data: Mapping[str, Any], context: RenderContext, span_host: bool
) -> FieldView:
    common = dict(key=f.key, type=f.type, label=f.label, template=f.template)
    if (f.key not in data or data[f.key] is None) and not f.display.shows_missing_value:
        return FieldView(**common, missing=True)
    view = f.display.view(data.get(f.key), f.options, context)
    return FieldView(**common, view=view, span_host=span_host)
