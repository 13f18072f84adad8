"""`ui_language`: the language of the annotator-facing pages, with per-key overrides.

Shapes (Potato's): a language code (`ui_language: ar`); a mapping of keys to strings
(English plus those overrides); or a mapping with `_base: <code>` plus overrides. An unknown
code or key is a warning with a "did you mean": the pages stay usable in English.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

from ..i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    RTL_LANGUAGES,
    UiStrings,
    catalogue,
    message_keys,
)
from .reader import ConfigReader, hint, type_name


def read_ui_language(r: ConfigReader) -> UiStrings:
    raw = r.raw.get("ui_language")
    if raw is None or raw == "":
        return UiStrings()
    code: object = None
    overrides: dict[str, str] = {}
    if isinstance(raw, str):
        code = raw
    elif isinstance(raw, Mapping):
        code = raw.get("_base")
        overrides = _overrides(r, raw)
    else:
        r.warn(
            "ui_language",
            f"must be a language code or a mapping, got {type_name(raw)}; "
            "the pages stay in English",
        )
        return UiStrings()
    language = _language(r, code)
    if "html_dir" in overrides and overrides["html_dir"] not in ("ltr", "rtl"):
        r.warn("ui_language.html_dir", f"{overrides['html_dir']!r} is not ltr or rtl; ignored")
        del overrides["html_dir"]
    if "html_lang" in overrides and "html_dir" not in overrides:
        # A page re-labelled as Hebrew, say, should also read right to left.
        primary = overrides["html_lang"].split("-", 1)[0].lower()
        if primary in RTL_LANGUAGES:
            overrides["html_dir"] = "rtl"
    return UiStrings(language, overrides)


def _language(r: ConfigReader, code: object) -> str:
    if code is None or code == "":
        return DEFAULT_LANGUAGE
    path = "ui_language" if isinstance(r.raw.get("ui_language"), str) else "ui_language._base"
    if not isinstance(code, str):
        r.warn(path, f"must be a language code, got {type_name(code)}; using English")
        return DEFAULT_LANGUAGE
    normal = code.strip().lower().replace("_", "-")
    if normal in LANGUAGES:
        return normal
    primary = normal.split("-", 1)[0]  # pt-br, zh-cn: the bundled language they belong to
    if primary in LANGUAGES:
        return primary
    r.warn(
        path,
        f"no bundled language {code!r} (bundled: {', '.join(LANGUAGES)})"
        f"{hint(normal, LANGUAGES)}; using English",
    )
    return DEFAULT_LANGUAGE


def _overrides(r: ConfigReader, raw: Mapping) -> dict[str, str]:
    keys = message_keys()
    english = catalogue(DEFAULT_LANGUAGE)
    out: dict[str, str] = {}
    for key, value in raw.items():
        if key == "_base":
            continue
        key = str(key)
        if key not in keys:
            r.warn(f"ui_language.{key}", f"unknown UI string, ignored{hint(key, keys)}")
            continue
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            r.warn(f"ui_language.{key}", f"must be text, got {type_name(value)}; ignored")
            continue
        text = str(value)
        allowed = _fields(english[key])
        if not _fields(text) <= allowed:
            names = ", ".join("{" + f + "}" for f in sorted(allowed)) or "none"
            r.warn(f"ui_language.{key}", f"may use only these placeholders: {names}; ignored")
            continue
        out[key] = text
    return out


def _fields(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in Formatter().parse(text) if name is not None}
    except ValueError:  # an unmatched brace
        return {"{"}
