"""Potato's form `layout`: the questions of the annotation page on a grid, in titled groups.

    layout:
      grid: {columns: 3, gap: 0.75rem, row_gap: 0.75rem}
      styling: {align_items: start, content_align: left, group_background_odd: "#fafafa",
                group_background_even: "#f8f9fc", group_padding: 0.5rem, form_padding: 0.5rem}
      breakpoints: {mobile: 480, tablet: 768}
      groups: [{id, title, description, collapsible, collapsed_default, schemas: [...]}]
      order: [scheme names]
    annotation_schemes[i].layout: {columns: 2, min_width: 300px, align_self: stretch, order: 4}

Everything visual becomes CSS in the project stylesheet (`/project.css`, never inline: the
Content-Security-Policy allows no inline style); the groups and the order are markup. Every
value is checked against a small grammar (numbers, CSS lengths, colours, keywords), so no
config text reaches the stylesheet unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .reader import ConfigReader, hint, type_name

LAYOUT_KEYS = ("grid", "styling", "breakpoints", "groups", "order")
GRID_KEYS = ("columns", "gap", "row_gap")
STYLING_KEYS = (
    "align_items",
    "content_align",
    "group_background_odd",
    "group_background_even",
    "group_padding",
    "form_padding",
)
BREAKPOINT_KEYS = ("mobile", "tablet")
GROUP_KEYS = ("id", "title", "description", "collapsible", "collapsed_default", "schemas")
SCHEME_LAYOUT_KEYS = ("columns", "min_width", "align_self", "order")
ALIGN = ("start", "center", "end", "stretch")
CONTENT_ALIGN = {"left": "start", "center": "center", "right": "end"}
MAX_COLUMNS = 12
_LENGTH = re.compile(r"^(0|\d{1,4}(\.\d{1,3})?(px|em|rem|%|ch|vw|vh|pt))$")
_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|(rgb|rgba|hsl|hsla)\([0-9.,%\s]+\)|[a-zA-Z]{3,20})$")
_SELECTABLE = re.compile(r"^[A-Za-z0-9_. -]{1,200}$")


@dataclass(frozen=True)
class SchemeLayout:
    span: int = 1
    min_width: str | None = None
    align_self: str | None = None
    order: int | None = None


@dataclass(frozen=True)
class Group:
    id: str
    title: str = ""
    description: str = ""
    collapsible: bool = False
    collapsed: bool = False
    schemas: tuple[str, ...] = ()


@dataclass(frozen=True)
class Arranged:
    """One block of the form as the page renders it: a group (None: questions in no group)
    and its schemes in order."""

    group: Group | None
    schemes: list[Any]


@dataclass(frozen=True)
class FormLayout:
    columns: int = 1
    gap: str | None = None
    row_gap: str | None = None
    align_items: str | None = None
    content_align: str | None = None
    backgrounds: tuple[str | None, str | None] = (None, None)
    group_padding: str | None = None
    form_padding: str | None = None
    mobile: int | None = None
    tablet: int | None = None
    groups: tuple[Group, ...] = ()
    order: tuple[str, ...] = ()
    schemes: dict[str, SchemeLayout] = field(default_factory=dict)

    def arrange(self, schemes: Sequence[Any]) -> list[Arranged]:
        """The page's schemes in groups and in order: `order` first, then a scheme's own
        `layout.order`, then the config's order; each group at its first scheme's place."""
        ranked = sorted(enumerate(schemes), key=lambda pair: self._rank(pair[1].name, pair[0]))
        group_of = {name: g for g in self.groups for name in g.schemas}
        blocks: list[Arranged] = []
        placed: dict[str, Arranged] = {}
        for _, scheme in ranked:
            group = group_of.get(scheme.name)
            if group is None:
                if blocks and blocks[-1].group is None:
                    blocks[-1].schemes.append(scheme)
                else:
                    blocks.append(Arranged(None, [scheme]))
            elif group.id in placed:
                placed[group.id].schemes.append(scheme)
            else:
                placed[group.id] = Arranged(group, [scheme])
                blocks.append(placed[group.id])
        return blocks

    def _rank(self, name: str, index: int) -> tuple:
        in_order = self.order.index(name) if name in self.order else len(self.order)
        own = self.schemes.get(name, SchemeLayout()).order
        # a scheme's own `order` is a position (1 = first); on a tie it goes first
        return (in_order, own if own is not None else index + 1, own is None, index)

    def css(self) -> str:
        grid = ["display: grid", f"grid-template-columns: repeat({self.columns}, minmax(0, 1fr))"]
        grid += [f"gap: {self.gap}"] if self.gap else []
        grid += [f"row-gap: {self.row_gap}"] if self.row_gap else []
        grid += [f"align-items: {self.align_items}"] if self.align_items else []
        grid += [f"justify-items: {self.content_align}"] if self.content_align else []
        lines = [".form-grid { display: grid; gap: .75rem; }", _rule(".form-block", grid)]
        if self.group_padding:
            lines.append(_rule(".form-grid > .form-group", [f"padding: {self.group_padding}"]))
        for nth, color in zip(("odd", "even"), self.backgrounds, strict=True):
            if color:
                lines.append(
                    _rule(f".form-grid > .form-group:nth-child({nth})", [f"background: {color}"])
                )
        if self.form_padding:
            lines.append(_rule(".form-block > .scheme-slot", [f"padding: {self.form_padding}"]))
        for name, own in self.schemes.items():
            decl = [f"grid-column: span {min(own.span, self.columns)}"] if own.span > 1 else []
            decl += [f"min-width: {own.min_width}"] if own.min_width else []
            decl += [f"align-self: {own.align_self}"] if own.align_self else []
            if decl:
                lines.append(_rule(f'.form-block > [data-scheme-slot="{name}"]', decl))
        if self.tablet and self.columns > 2:
            lines.append(
                f"@media (max-width: {self.tablet}px) {{ "
                ".form-block { grid-template-columns: repeat(2, minmax(0, 1fr)); } "
                ".form-block > .scheme-slot { grid-column: auto; } }"
            )
        if self.mobile:
            lines.append(
                f"@media (max-width: {self.mobile}px) {{ "
                ".form-block { grid-template-columns: minmax(0, 1fr); } "
                ".form-block > .scheme-slot { grid-column: auto; min-width: 0; } }"
            )
        return "\n".join(lines) + "\n"


def _rule(selector: str, declarations: list[str]) -> str:
    return f"{selector} {{ {'; '.join(declarations)}; }}"


def read_form_layout(r: ConfigReader, schemes: Sequence[Any]) -> FormLayout | None:
    """The form layout of `layout` and the schemes' own `layout`; None when neither is set."""
    raw = r.raw.get("layout")
    names = [s.name for s in schemes]
    own = _scheme_layouts(r, names)
    if raw in (None, "", "default") and not own:
        return None
    if raw in (None, "", "default"):
        raw = {}
    if not isinstance(raw, Mapping):
        r.warn("layout", f"must be a mapping (grid, groups, ...), got {type_name(raw)}; ignored")
        return None
    sub = r.child("layout")
    sub.warn_unknown(LAYOUT_KEYS)
    grid = sub.child("grid")
    grid.warn_unknown(GRID_KEYS)
    styling = sub.child("styling")
    styling.warn_unknown(STYLING_KEYS)
    points = sub.child("breakpoints")
    points.warn_unknown(BREAKPOINT_KEYS)
    align = styling.str("content_align", None, choices=tuple(CONTENT_ALIGN))
    return FormLayout(
        columns=grid.number("columns", 1, integer=True, minimum=1, maximum=MAX_COLUMNS),
        gap=_length(grid, "gap"),
        row_gap=_length(grid, "row_gap"),
        align_items=styling.str("align_items", None, choices=ALIGN),
        content_align=CONTENT_ALIGN.get(align) if align else None,
        backgrounds=(
            _color(styling, "group_background_odd"),
            _color(styling, "group_background_even"),
        ),
        group_padding=_lengths(styling, "group_padding"),
        form_padding=_lengths(styling, "form_padding"),
        mobile=points.number("mobile", None, integer=True, minimum=100, maximum=4000),
        tablet=points.number("tablet", None, integer=True, minimum=100, maximum=4000),
        groups=_groups(sub, names),
        order=tuple(n for n in _names(sub, "order", names)),
        schemes=own,
    )


def _scheme_layouts(r: ConfigReader, names: list[str]) -> dict[str, SchemeLayout]:
    out: dict[str, SchemeLayout] = {}
    for i, entry in enumerate(r.raw.get("annotation_schemes") or []):
        if not isinstance(entry, Mapping) or entry.get("layout") is None:
            continue
        name = entry.get("name")
        sub = ConfigReader(entry, f"annotation_schemes[{i}]", r.problems, r.warnings)
        if not isinstance(entry["layout"], Mapping):
            sub.warn(
                "layout", f"must be a mapping (columns, ...), got {type_name(entry['layout'])}"
            )
            continue
        if name not in names or not _SELECTABLE.match(str(name)):
            sub.warn("layout", "ignored: the scheme name has characters CSS cannot select")
            continue
        own = sub.child("layout")
        own.warn_unknown(SCHEME_LAYOUT_KEYS)
        out[name] = SchemeLayout(
            span=own.number("columns", 1, integer=True, minimum=1, maximum=MAX_COLUMNS),
            min_width=_length(own, "min_width"),
            align_self=own.str("align_self", None, choices=ALIGN),
            order=own.number("order", None, integer=True),
        )
    return out


def _groups(sub: ConfigReader, names: list[str]) -> tuple[Group, ...]:
    groups: list[Group] = []
    seen: set[str] = set()
    taken: set[str] = set()
    for i, g in sub.entries("groups", "a group mapping (id, title, schemas)"):
        g.warn_unknown(GROUP_KEYS)
        gid = g.str("id", f"group_{i + 1}")
        if gid in seen:
            g.problem("id", f"duplicate group id {gid!r}")
            continue
        seen.add(gid)
        members = []
        for name in _names(g, "schemas", names):
            if name in taken:
                g.warn("schemas", f"{name!r} is already in another group; kept there")
                continue
            taken.add(name)
            members.append(name)
        collapsible = g.bool("collapsible", False)
        groups.append(
            Group(
                id=gid,
                title=g.str("title", "", allow_empty=True),
                description=g.str("description", "", allow_empty=True),
                collapsible=collapsible,
                collapsed=collapsible and g.bool("collapsed_default", False),
                schemas=tuple(members),
            )
        )
    return tuple(groups)


def _names(sub: ConfigReader, key: str, names: list[str]) -> list[str]:
    out = []
    for name in sub.string_list(key):
        if name not in names:
            sub.warn(key, f"{name!r} is not a scheme; ignored{hint(name, names)}")
        elif name not in out:
            out.append(name)
    return out


def _length(sub: ConfigReader, key: str) -> str | None:
    value = sub.raw.get(key)
    if value is None:
        return None
    text = f"{value}px" if isinstance(value, int) and not isinstance(value, bool) else str(value)
    text = text.strip()
    if not _LENGTH.match(text):
        sub.problem(key, f"must be a size like 0.75rem, 12px or 50%, got {value!r}")
        return None
    return text


def _lengths(sub: ConfigReader, key: str) -> str | None:
    """CSS padding shorthand: one to four sizes."""
    value = sub.raw.get(key)
    if value is None:
        return None
    parts = str(value).split()
    if not 1 <= len(parts) <= 4 or not all(_LENGTH.match(p) for p in parts):
        sub.problem(key, f"must be one to four sizes like '0.5rem 0.75rem', got {value!r}")
        return None
    return " ".join(parts)


def _color(sub: ConfigReader, key: str) -> str | None:
    value = sub.raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not _COLOR.match(value.strip()):
        sub.problem(key, f"must be a colour like '#fafafa' or 'rgb(250, 250, 250)', got {value!r}")
        return None
    return value.strip()
