"""`annotation_type: span_link` — typed relations between spans of a span scheme.

Stored value: {"links": [{"id", "link_type", "span_ids": [source, ..., target],
"direction": "directed" | "undirected"}]}. A link may only name spans that exist (after the
same request), and their labels must fit the link type's allowed source / target labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config.reader import ConfigReader, hint
from ..errors import BadAnnotation
from .registry import register
from .structured import (
    ReferringScheme,
    SpanText,
    entry_id,
    given_id,
    kept_entries,
    labels_from,
    named_entries,
    string_list,
)

LINK_TYPE_KEYS = (
    "name",
    "directed",
    "color",
    "allowed_source_labels",
    "allowed_target_labels",
    "max_spans",
)


@dataclass(frozen=True)
class LinkType:
    name: str
    directed: bool = False
    color: str | None = None
    sources: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    max_spans: int = 2

    def fits(self, labels: list[str]) -> bool:
        def ok(order: list[str]) -> bool:
            src_ok = not self.sources or order[0] in self.sources
            tgt_ok = not self.targets or all(label in self.targets for label in order[1:])
            return src_ok and tgt_ok

        if ok(labels):
            return True
        return not self.directed and len(labels) == 2 and ok(labels[::-1])

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "directed": self.directed,
            "color": self.color,
            "allowed_source_labels": list(self.sources),
            "allowed_target_labels": list(self.targets),
            "max_spans": self.max_spans,
        }


@register("span_link")
class SpanLink(ReferringScheme):
    script = "js/span-arcs.js"  # arcs (visual_display); spans.js comes with the span scheme
    stylesheet = "css/span-arcs.css"
    macro = "schemes/span_link.html"
    value_key = "links"
    wire_field = "link_annotations"
    agreement_skip_reason = "links between spans have no agreement measure yet"
    option_keys = ("span_schema", "link_types", "visual_display")

    def parse_options(self, reader: ConfigReader) -> None:
        self.read_span_schema(reader)
        self.link_types: dict[str, LinkType] = {}
        for sub, name in named_entries(reader, "link_types", "name"):
            sub.warn_unknown(LINK_TYPE_KEYS)
            self.link_types[name] = LinkType(
                name=name,
                directed=sub.bool("directed", False),
                color=sub.str("color", None),
                sources=string_list(
                    sub, "allowed_source_labels", sub.raw.get("allowed_source_labels")
                ),
                targets=string_list(
                    sub, "allowed_target_labels", sub.raw.get("allowed_target_labels")
                ),
                max_spans=sub.number("max_spans", 2, integer=True, minimum=2, maximum=50),
            )
        self.labels = labels_from(
            list(self.link_types), {t.name: t.color for t in self.link_types.values()}
        )

    def label_constraints(self):
        out = []
        for i, t in enumerate(self.link_types.values()):
            out.append((f"link_types[{i}].allowed_source_labels", t.sources))
            out.append((f"link_types[{i}].allowed_target_labels", t.targets))
        return out

    def value_for(self, raw_links: list[Any], spans_by_id: Mapping[str, dict]) -> dict[str, Any]:
        links: dict[tuple, dict[str, Any]] = {}
        for raw, where in kept_entries(self.name, raw_links, "link", "link_type and span_ids"):
            link = self.one_link(raw, spans_by_id, where)
            key = (link["link_type"], tuple(link["span_ids"]))
            if not self.link_types[link["link_type"]].directed:
                key = (link["link_type"], tuple(sorted(link["span_ids"])))
            links.setdefault(key, link)
        ordered = list(links.values())
        ids = [link["id"] for link in ordered]
        if len(set(ids)) != len(ids):
            raise BadAnnotation(f"{self.name}: two links have the same id")
        return {"links": ordered} if ordered else {}

    def one_link(self, raw: Mapping[str, Any], spans_by_id: Mapping[str, dict], where: str):
        schema = raw.get("schema")
        if schema not in (None, "", self.name):
            raise BadAnnotation(f"{where}: belongs to schema {schema!r}, not {self.name!r}")
        name = raw.get("link_type", raw.get("label", raw.get("name")))
        if name not in self.link_types:
            raise BadAnnotation(
                f"{where}: unknown link type {name!r}; expected one of "
                f"{', '.join(self.link_types)}{hint(str(name), list(self.link_types))}"
            )
        kind = self.link_types[name]
        span_ids = raw.get("span_ids")
        if span_ids is None and "source" in raw:
            span_ids = [raw.get("source"), raw.get("target")]
        if not isinstance(span_ids, list) or not all(isinstance(s, str) for s in span_ids):
            raise BadAnnotation(f"{where}: 'span_ids' must be a list of span ids")
        if len(span_ids) < 2 or len(span_ids) > kind.max_spans:
            raise BadAnnotation(
                f"{where}: a {name} link joins 2 to {kind.max_spans} spans, got {len(span_ids)}"
            )
        for span_id in span_ids:
            if span_id not in spans_by_id:
                raise BadAnnotation(
                    f"{where}: span {span_id!r} does not exist in span scheme {self.span_schema!r}"
                )
        # A span named by its other id shape (spans.updates.span_aliases) is stored by its id.
        span_ids = [spans_by_id[s]["id"] for s in span_ids]
        if len(set(span_ids)) != len(span_ids):
            raise BadAnnotation(f"{where}: a span cannot be linked to itself")
        labels = [spans_by_id[s]["label"] for s in span_ids]
        if not kind.fits(labels):
            raise BadAnnotation(
                f"{where}: a {name} link cannot join {' -> '.join(labels)} "
                f"(source: {', '.join(kind.sources) or 'any'}; "
                f"target: {', '.join(kind.targets) or 'any'})"
            )
        link_id = given_id(raw, where) or entry_id("link", name, *span_ids)
        return {
            "id": link_id,
            "link_type": name,
            "span_ids": list(span_ids),
            "direction": "directed" if kind.directed else "undirected",
        }

    def readable_line(self, entry: Mapping[str, Any], span_text: SpanText) -> str:
        arrow = " → " if entry.get("direction") == "directed" else " — "
        ends = arrow.join(span_text(self.span_schema, s) for s in entry["span_ids"])
        return f"{entry['link_type']}: {ends}"

    def prune(self, value: Mapping[str, Any] | None, spans_by_id: Mapping[str, dict]):
        """Drop links whose spans are gone or no longer fit (a span was deleted or relabelled)."""
        kept = []
        for link in self.entries(value):
            try:  # a span may also have changed label so the link no longer fits
                kept.append(self.one_link(link, spans_by_id, self.name))
            except BadAnnotation:
                continue
        return {"links": kept} if kept else {}

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["span_schema"] = self.span_schema
        out["link_types"] = [t.as_json() for t in self.link_types.values()]
        return out
