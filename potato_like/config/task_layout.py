"""Potato's `task_layout`: an HTML file that lays out the annotation form.

Potato pastes the file into its page as it is: the researcher's markup with `<style>` blocks,
one `<form id="<scheme name>" class="annotation-form ...">` per scheme holding hand-written
inputs with inline handlers. Here the file is rendered safely:

- `<style>` blocks are taken out, sanitised like `base_css` and served in `/project.css`
  (the Content-Security-Policy allows no inline style); scripts and event handlers go;
- the markup is sanitised (html_sanitizer.clean_layout_html: formatting, sections, tables,
  lists, images, `class` attributes; no forms, inputs, ids, scripts or styles);
- each scheme goes where the layout puts it: an element with `data-scheme-slot="<name>"`,
  Potato's `<form id="<name>">`, or an element with `schema="<name>"`, is replaced (with its
  content) by the scheme as this server renders it (its inputs, hotkeys and autosave), inside
  a wrapper carrying the element's classes. Schemes the layout does not place follow it, with
  a warning; an element naming no scheme is dropped with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..html_sanitizer import clean_layout_html
from .project_css import read_project_file, sanitize_css
from .reader import ConfigReader

_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_MARK = "\ue000slot{}\ue001"
_MARKS = re.compile("\ue000slot(\\d+)\ue001")
_CLASS = re.compile(r"^[A-Za-z_-][A-Za-z0-9_-]{0,60}$")
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass(frozen=True)
class LayoutPart:
    html: str = ""  # sanitised markup (may open or close elements around slots)
    scheme: Any = None  # a scheme object, when this part is a slot
    classes: str = ""


@dataclass(frozen=True)
class TaskLayout:
    parts: tuple[tuple[str, str | None, str], ...]  # (html, scheme name, classes)
    css: str
    placed: tuple[str, ...]

    def arrange(self, schemes: Sequence[Any]) -> list[LayoutPart]:
        """The layout with the page's schemes in their slots, then the unplaced schemes."""
        by_name = {s.name: s for s in schemes}
        out = []
        for html, name, classes in self.parts:
            if name is None:
                out.append(LayoutPart(html=html))
            elif name in by_name:
                out.append(LayoutPart(scheme=by_name[name], classes=classes))
        out += [LayoutPart(scheme=s) for s in schemes if s.name not in self.placed]
        return out


class _Slots(HTMLParser):
    """Finds the elements that stand for schemes: (start offset, end offset, name, classes)."""

    def __init__(self, text: str, names: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.names = names
        self.lines = [0]
        for line in text.splitlines(keepends=True):
            self.lines.append(self.lines[-1] + len(line))
        self.text = text
        self.found: list[tuple[int, int, str, str]] = []
        self.unknown: list[str] = []
        self._open: tuple[str, int, str, str] | None = None  # tag, start, name, classes
        self._depth = 0

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.lines[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._open is not None:
            if tag == self._open[0]:
                self._depth += 1
            return
        if tag in _VOID:
            return
        a = {k: v or "" for k, v in attrs}
        name = a.get("data-scheme-slot") or a.get("schema")
        if not name and tag == "form" and "annotation-form" in a.get("class", "").split():
            name = a.get("id")
        if not name:
            return
        classes = " ".join(c for c in a.get("class", "").split() if _CLASS.match(c))
        self._open, self._depth = (tag, self._offset(), name, classes), 1

    def handle_endtag(self, tag: str) -> None:
        if self._open is None or tag != self._open[0]:
            return
        self._depth -= 1
        if self._depth:
            return
        _, start, name, classes = self._open
        end = self.text.find(">", self._offset()) + 1
        self._open = None
        if name in self.names:
            self.found.append((start, end, name, classes))
        else:
            self.unknown.append(name)
            self.found.append((start, end, "", ""))


def read_task_layout(
    r: ConfigReader, root: Path, output_dir: Path, schemes: list
) -> TaskLayout | None:
    raw = r.raw.get("task_layout")
    text = read_project_file(r, "task_layout", raw, root, output_dir)
    if text is None:
        return None
    css_parts = []
    for block in _STYLE.findall(text):
        clean, dropped = sanitize_css(block)
        for reason in dropped:
            r.warn("task_layout", f"dropped {reason} from its <style>: not allowed in project CSS")
        css_parts.append(clean)
    text = _STYLE.sub("", text)
    finder = _Slots(text, {s.name for s in schemes})
    finder.feed(text)
    finder.close()
    for name in finder.unknown:
        r.warn("task_layout", f"the element for {name!r} names no annotation scheme; dropped")
    names: list[tuple[str, str]] = []
    pieces, at = [], 0
    for start, end, name, classes in finder.found:
        pieces.append(text[at:start])
        if name and name not in (n for n, _ in names):
            pieces.append(_MARK.format(len(names)))
            names.append((name, classes))
        elif name:
            r.warn("task_layout", f"{name!r} is placed twice; the second place is left empty")
        at = end
    pieces.append(text[at:])
    clean = clean_layout_html("".join(pieces))
    parts: list[tuple[str, str | None, str]] = []
    for i, chunk in enumerate(_MARKS.split(clean)):
        if i % 2 == 0:
            if chunk.strip():
                parts.append((chunk, None, ""))
        else:
            name, classes = names[int(chunk)]
            parts.append(("", name, classes))
    placed = tuple(n for n, _ in names)
    missing = [s.name for s in schemes if s.name not in placed]
    if missing:
        r.warn(
            "task_layout",
            f"does not place {', '.join(map(repr, missing))}; shown after the layout "
            '(give an element data-scheme-slot="<name>" or Potato\'s <form id="<name>" '
            'class="annotation-form">)',
        )
    return TaskLayout(tuple(parts), "".join(css_parts), placed)
