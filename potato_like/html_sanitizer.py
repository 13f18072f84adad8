"""The one HTML sanitiser (nh3): researcher-written instructions and item HTML.

Keeps formatting, tables, lists, images, audio and video (with their sources and tracks) and
links (given rel="noopener noreferrer"); drops scripts, styles, event handlers, `style=`
attributes, forms, iframes and every URL scheme but http, https and mailto, so
`javascript:` and `data:` URLs go too. Item HTML may name media by a path relative to the
project directory; those `src`/`poster` values are rewritten to the project file route.
"""

from __future__ import annotations

from collections.abc import Callable

import nh3

from .media.paths import media_kind, relative_media_path

MEDIA_TAGS = {"audio", "video", "source", "track", "picture"}
TAGS = set(nh3.ALLOWED_TAGS) | MEDIA_TAGS | {"tfoot"}
_MEDIA_ATTRIBUTES = {
    "img": {"title", "loading"},
    "audio": {"src", "controls", "loop", "muted", "preload"},
    "video": {"src", "controls", "loop", "muted", "preload", "poster", "width", "height"},
    "source": {"src", "type", "media"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "a": {"title"},
    "*": {"title", "lang", "dir"},
}
ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
for _tag, _attrs in _MEDIA_ATTRIBUTES.items():
    ATTRIBUTES[_tag] = ATTRIBUTES.get(_tag, set()) | _attrs
URL_SCHEMES = {"http", "https", "mailto"}
# Removed with their content (not just their tags).
DROPPED_WITH_CONTENT = {"script", "style", "template", "noscript", "iframe", "object"}
_MEDIA_URL_ATTRIBUTES = ("src", "poster")


def clean_html(html: str, *, project_file_url: Callable[[str], str] | None = None) -> str:
    """Sanitised HTML. With `project_file_url`, relative media paths become its URLs."""
    attribute_filter = None
    if project_file_url is not None:

        def attribute_filter(_tag: str, attribute: str, value: str) -> str | None:
            if attribute not in _MEDIA_URL_ATTRIBUTES:
                return value
            kind = media_kind(value)
            if kind == "project":
                return project_file_url(relative_media_path(value.strip()) or "")
            return value if kind in ("remote", "site") else None

    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


# A task layout (config/task_layout.py) is markup around the form: sections and headings
# with the researcher's classes for the layout's own stylesheet. No ids (they could clash
# with the page's), no forms or inputs (the schemes render their own).
LAYOUT_TAGS = TAGS | {"section", "main", "fieldset", "legend", "label"}
LAYOUT_ATTRIBUTES = {tag: set(attrs) for tag, attrs in ATTRIBUTES.items()}
LAYOUT_ATTRIBUTES["*"] = ATTRIBUTES.get("*", set()) | {"class"}


def clean_layout_html(html: str) -> str:
    """Sanitised task-layout markup (the same rules as item HTML, plus `class`)."""
    return nh3.clean(
        html,
        tags=LAYOUT_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=LAYOUT_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
