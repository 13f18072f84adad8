"""`annotation_type: hierarchical_multiselect` — any nodes of a tree of labels
(`taxonomy`: nested mappings, lists at the leaves), with a search box.

Potato sends the chosen node names joined by commas, `"schema:selected_labels": "A,B"`;
stored as `{"selected_labels": "A,B"}` in taxonomy order. The answer is the list of
names; agreement is MASI-weighted alpha over the chosen sets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config.reader import ConfigReader, hint
from ..errors import BadAnnotation
from .base import Label, Scheme
from .registry import register
from .taxonomy_presets import PRESETS

SELECTED = "selected_labels"
MAX_DEPTH = 8


@dataclass
class Node:
    name: str
    depth: int
    children: list[Node] = field(default_factory=list)


@register("hierarchical_multiselect")
class HierarchicalMultiselect(Scheme):
    stylesheet = "css/scales.css"
    macro = "schemes/hierarchical_multiselect.html"
    script = "js/hierarchy.js"
    option_keys = (
        "taxonomy",
        "taxonomy_preset",
        "tooltips",
        "auto_select_children",
        "auto_select_parent",
        "show_search",
        "max_selections",
    )
    tallied = True
    agreement_metric = "masi"

    def parse_options(self, reader: ConfigReader) -> None:
        raw_tree = reader.raw.get("taxonomy")
        preset = reader.str("taxonomy_preset", "", allow_empty=True).strip().lower()
        if preset and not raw_tree:  # a written taxonomy wins, as in Potato
            raw_tree = PRESETS.get(preset)
            if raw_tree is None:
                reader.problem(
                    "taxonomy_preset",
                    f"unknown preset {preset!r}; presets: {', '.join(sorted(PRESETS))}",
                )
        elif not raw_tree:
            reader.problem("taxonomy", "is required (nested mappings, lists of leaf labels)")
        self.tree: list[Node] = self._nodes(reader, raw_tree or {}, 0)
        tips = reader.raw.get("tooltips") or {}
        if not isinstance(tips, Mapping):
            reader.problem("tooltips", "must be a mapping of label -> text")
            tips = {}
        self.labels = [Label(name, tooltip=str(tips.get(name, ""))) for name in self._names()]
        self.labels_configured = False
        self.auto_children = reader.bool("auto_select_children", False)
        self.auto_parent = reader.bool("auto_select_parent", False)
        self.show_search = reader.bool("show_search", False)
        self.max_selections = reader.number("max_selections", None, integer=True, minimum=1)

    def _nodes(self, reader: ConfigReader, raw: Any, depth: int) -> list[Node]:
        if depth > MAX_DEPTH:
            reader.problem("taxonomy", f"is deeper than {MAX_DEPTH} levels")
            return []
        if isinstance(raw, Mapping):
            return [
                Node(str(k), depth, self._nodes(reader, v, depth + 1) if v else [])
                for k, v in raw.items()
            ]
        if isinstance(raw, list):
            out = []
            for entry in raw:
                if isinstance(entry, Mapping):
                    out += self._nodes(reader, entry, depth)
                elif isinstance(entry, (str, int, float)) and not isinstance(entry, bool):
                    out.append(Node(str(entry), depth))
                else:
                    reader.problem("taxonomy", f"a leaf must be a label name, got {entry!r}")
            return out
        reader.problem("taxonomy", "must be nested mappings with lists of labels at the leaves")
        return []

    def _names(self) -> list[str]:
        seen: dict[str, None] = {}

        def walk(nodes: list[Node]) -> None:
            for node in nodes:
                seen.setdefault(node.name)
                walk(node.children)

        walk(self.tree)
        return list(seen)

    def _chosen(self, raw: Any) -> list[str]:
        if isinstance(raw, (list, tuple)):
            parts = [str(x).strip() for x in raw]
        elif isinstance(raw, str):
            parts = [p.strip() for p in raw.split(",")]
        else:
            raise BadAnnotation(f"{self.name}: {SELECTED} is a comma-separated list of labels")
        chosen = {p for p in parts if p}
        for name in chosen:
            if name not in self.label_names:
                raise BadAnnotation(
                    f"{self.name}: {name!r} is not a label of the taxonomy"
                    f"{hint(name, self.label_names)}"
                )
        if self.max_selections is not None and len(chosen) > self.max_selections:
            raise BadAnnotation(
                f"{self.name}: {len(chosen)} labels chosen; at most {self.max_selections}"
            )
        return [n for n in self.label_names if n in chosen]

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        extra = set(label_map) - {SELECTED}
        if extra:
            raise BadAnnotation(
                f"{self.name}: unknown label {sorted(extra)[0]!r}; send the chosen labels as "
                f"'{self.name}:{SELECTED}': 'A,B'"
            )
        raw = label_map.get(SELECTED)
        if raw is None:
            return {}
        chosen = self._chosen(raw)
        return {SELECTED: ",".join(chosen)} if chosen else {}

    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        return self.normalize({**(old or {}), **incoming})

    def form_answers(self, form: Mapping[str, Any]) -> dict[str, Any]:
        key = f"{self.name}:{SELECTED}"
        values = form.getlist(key) if hasattr(form, "getlist") else [form.get(key) or ""]
        return {key: ",".join(v for v in values if v)} if key in form else {}

    def answer(self, label_map: Mapping[str, str]) -> Any:
        raw = label_map.get(SELECTED)
        return raw.split(",") if raw else None

    def answer_map(self, value: Any) -> dict[str, Any]:
        return {SELECTED: value}

    def table_keys(self) -> list[str]:
        return [SELECTED]

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        return self.answer(label_map) or []
