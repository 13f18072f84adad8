"""The annotation page's view of an item through `instance_display` (None without it)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from ..app_path import app_path
from ..displays.base import RenderContext
from ..displays.render import ItemDisplay, item_display
from ..html_sanitizer import clean_html
from ..media.paths import media_kind, relative_media_path
from ..schemes.base import public_fields


def page_item_display(config: Any, item: Any, with_spans: bool) -> ItemDisplay | None:
    display = config.instance_display
    if display is None:
        return None
    text_key = config.item_properties.text_key
    data = {**public_fields(config.schemes, item.fields), text_key: item.text}
    span_key = display.span_field(text_key) if with_spans else None
    extra = display.extra_span_targets(text_key) if with_spans else ()
    return item_display(display, data, request_context(), span_key=span_key, extra_targets=extra)


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
    if kind == "site":  # a path on this project's site: under its mount point
        return app_path(value)
    return value


def _clean(html: str) -> str:
    return clean_html(html, project_file_url=project_file_url)
