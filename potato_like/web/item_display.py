"""The annotation page's view of an item through `instance_display` (None without it)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from ..displays.base import RenderContext
from ..displays.render import ItemDisplay, item_display
from ..html_sanitizer import clean_html
from ..media.paths import media_kind, relative_media_path
from .page_schemes import without_private_fields


def page_item_display(config: Any, item: Any, with_spans: bool) -> ItemDisplay | None:
    display = config.instance_display
    if display is None:
        return None
    text_key = config.item_properties.text_key
    data = without_private_fields(config, {**item.fields, text_key: item.text})
    span_key = display.span_field(text_key) if with_spans else None
    return item_display(display, data, request_context(), span_key=span_key)


def request_context() -> RenderContext:
    return RenderContext(media_url=media_url, clean_html=_clean)


def project_file_url(path: str) -> str:
    return url_for("media.project_file", relpath=path)


def media_url(value: Any, image: bool = False) -> str | None:
    """The URL a media element may load for an item value, or None to refuse it."""
    kind = media_kind(value, allow_data_image=image)
    if kind is None:
        return None
    value = value.strip()
    if kind == "project":
        return project_file_url(relative_media_path(value) or "")
    return value


def _clean(html: str) -> str:
    return clean_html(html, project_file_url=project_file_url)
