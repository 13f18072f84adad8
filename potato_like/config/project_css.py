"""The project's own CSS: Potato's `base_css` file and the schemes' `custom_css` sizes.

Both end up in one stylesheet served at `/project.css` (a file route: the
Content-Security-Policy allows `style-src 'self'` only, so nothing is inlined). The file is
read once, when the config loads; it must lie inside the project directory (no `..`, no
absolute path, no symlink out, not hidden, not in the annotation output). Its text is
sanitised: `@import` rules, `expression(...)`, `url(...)` with a script scheme
(`javascript:`, `vbscript:`) or a non-image `data:` URL, `behavior:` and `-moz-binding`
are dropped with a warning, and so is any rule part written with backslash escapes (which
could spell those words in disguise).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .reader import ConfigReader, type_name

MAX_BYTES = 512 * 1024
_COMMENT = re.compile(r"/\*.*?(\*/|$)", re.DOTALL)
# Split after each ; { } so a dangerous part can be dropped on its own.
_PARTS = re.compile(r"[^;{}]*[;{}]?")
_DANGER = (
    (re.compile(r"@import", re.IGNORECASE), "@import (load project CSS from base_css only)"),
    (re.compile(r"expression\s*\(", re.IGNORECASE), "expression()"),
    (re.compile(r"(^|[\s;{:])behavior\s*:", re.IGNORECASE), "behavior:"),
    (re.compile(r"-moz-binding", re.IGNORECASE), "-moz-binding"),
    (re.compile(r"\\"), "a backslash escape"),
    (re.compile(r"<", re.IGNORECASE), "'<' (markup)"),
)
_URL = re.compile(r"url\s*\(\s*['\"]?\s*([^)'\"]*)", re.IGNORECASE)
_SAFE_DATA = re.compile(r"^data:(image/(png|jpeg|gif|webp)|font/[a-z0-9]+)[;,]", re.IGNORECASE)
_URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_SIZE = re.compile(r"^(auto|0|\d{1,5}(\.\d{1,3})?(px|em|rem|%|ch|vw|vh|pt))$")
_SCHEME_NAME = re.compile(r"^[A-Za-z0-9_. -]{1,200}$")
# custom_css keys (Potato's number/text boxes) -> CSS property
CUSTOM_CSS_KEYS = {
    "width": "width",
    "height": "height",
    "font_size": "font-size",
    "min_width": "min-width",
    "max_width": "max-width",
}


@dataclass(frozen=True)
class ProjectCss:
    text: str

    @property
    def version(self) -> str:
        """A short hash for the stylesheet URL, so browsers fetch a changed file."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:12]


def sanitize_css(text: str) -> tuple[str, list[str]]:
    """(clean CSS, what was dropped). Comments go first, replaced by nothing: `expr/**/ession(`
    must be seen as the `expression(` old browsers read it as."""
    text = _COMMENT.sub("", text)
    kept: list[str] = []
    dropped: list[str] = []
    for part in _PARTS.findall(text):
        reason = _danger(part)
        if reason is None:
            kept.append(part)
            continue
        dropped.append(reason)
        # keep the braces so the rest of the sheet still parses the same way
        if part.endswith(("{", "}")):
            kept.append("x-removed" + part[-1] if part.endswith("{") else part[-1])
    return "".join(kept).strip() + "\n", list(dict.fromkeys(dropped))


def _danger(part: str) -> str | None:
    for pattern, reason in _DANGER:
        if pattern.search(part):
            return reason
    for target in _URL.findall(part):
        target = re.sub(r"[\x00-\x20]", "", target)  # browsers drop them from URLs too
        scheme = _URL_SCHEME.match(target)
        if scheme is None:
            continue
        name = scheme.group(1).lower()
        if name in ("http", "https") or (name == "data" and _SAFE_DATA.match(target)):
            continue
        return f"url({name}:...)"
    return None


def read_project_css(
    r: ConfigReader, root: Path, output_dir: Path, schemes: list
) -> ProjectCss | None:
    """The stylesheet from `base_css` and the schemes' `custom_css`; None when neither."""
    parts: list[str] = []
    raw = r.raw.get("base_css")
    if raw not in (None, "", "null", "default"):
        if not isinstance(raw, str):
            r.problem("base_css", f"must be a path to a .css file, got {type_name(raw)}")
        else:
            text = read_project_file(r, "base_css", raw, root, output_dir)
            if text is not None:
                clean, dropped = sanitize_css(text)
                for reason in dropped:
                    r.warn("base_css", f"dropped {reason}: not allowed in project CSS")
                parts.append(clean)
    for scheme in schemes:
        rules = getattr(scheme, "custom_css", None)
        if rules:
            parts.append(_scheme_rule(scheme.name, rules))
    if not parts:
        return None
    return ProjectCss("\n".join(parts))


def read_project_file(
    r: ConfigReader, key: str, raw: str, root: Path, output_dir: Path
) -> str | None:
    """The text of a project file named by config key `key`, read only from inside `root`
    (no `..`, no absolute path, not hidden, not in the output, no symlink out)."""
    parts = PurePosixPath(raw.replace("\\", "/")).parts
    if (
        raw.startswith(("/", "\\"))
        or re.match(r"^[a-zA-Z]:", raw)
        or any(p in ("..", ".") or p.startswith(".") for p in parts)
        or not parts
    ):
        r.problem(
            key,
            f"{raw!r} must be a relative path inside the project directory "
            "(no '..', no absolute path, no hidden files)",
        )
        return None
    try:
        target = (root / Path(*parts)).resolve(strict=True)
    except (OSError, RuntimeError):
        r.problem(key, f"file not found: {raw!r} (looked in {root})")
        return None
    if not target.is_relative_to(root) or target.is_relative_to(output_dir.resolve()):
        r.problem(key, f"{raw!r} leads outside the project directory (a symlink?)")
        return None
    if not target.is_file():
        r.problem(key, f"{raw!r} is not a file")
        return None
    if target.stat().st_size > MAX_BYTES:
        r.problem(key, f"{raw!r} is larger than {MAX_BYTES // 1024} KiB")
        return None
    try:
        return target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        r.problem(key, f"cannot read {raw!r} as UTF-8 text: {exc}")
        return None


def read_custom_css(reader: ConfigReader) -> dict[str, str]:
    """A scheme's `custom_css` (Potato: `{width: 80px, height: ..., font_size: ...}`) as CSS
    declarations; values must be plain sizes."""
    raw = reader.raw.get("custom_css")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        reader.problem(
            "custom_css", f"must be a mapping like {{width: 80px}}, got {type_name(raw)}"
        )
        return {}
    sub = reader.child("custom_css")
    sub.warn_unknown(CUSTOM_CSS_KEYS)
    out: dict[str, str] = {}
    for key, prop in CUSTOM_CSS_KEYS.items():
        value = raw.get(key)
        if value is None:
            continue
        value = str(value).strip()
        if not _SIZE.match(value):
            sub.problem(key, f"must be a size like 80px, 2em or 50%, got {value!r}")
            continue
        out[prop] = value
    if out and not _SCHEME_NAME.match(str(reader.raw.get("name", ""))):
        reader.warn("custom_css", "ignored: the scheme name has characters CSS cannot select")
        return {}
    return out


def _scheme_rule(name: str, rules: dict[str, str]) -> str:
    body = "; ".join(f"{prop}: {value}" for prop, value in rules.items())
    slot = f'[data-scheme-slot="{name}"]'
    return f"{slot} input, {slot} textarea, {slot} select {{ {body}; }}\n"
