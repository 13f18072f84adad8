"""`annotation_type: tree_annotation` — a conversation tree (an item field holding a node
`{"id", "speaker", "text", "children"}`, shown by the `conversation_tree` display): a rating
of each node (`node_scheme`: a likert `size`, or radio `labels`) and, with
`path_selection.enabled`, the best path through the tree, root-ward first.

Wire format (Potato's hidden inputs): `"<schema>:node_annotations": "{\\"<node id>\\": value}"`
and `"<schema>:selected_path": "[\\"<node id>\\", ...]"`; stored as those two keys, canonical
JSON. Node ids must exist in the item's tree and each node of the path must be a child of the
one before it.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Label, Scheme
from .record import counts, mean
from .registry import register

NODES, PATH = "node_annotations", "selected_path"
MAX_JSON = 200_000


def find_tree(fields: Mapping[str, Any], text: str = "") -> Any:
    """The item's conversation tree: the first field (or the text) holding a node with
    `children`."""
    for value in [*fields.values(), text]:
        if isinstance(value, str) and value.lstrip().startswith(("{", "[")):
            try:
                value = json.loads(value)
            except ValueError:
                continue
        if isinstance(value, Mapping) and "children" in value:
            return value
        nodes = isinstance(value, list) and all(isinstance(v, Mapping) for v in value)
        if nodes and any("children" in v for v in value):
            return value
    return None


def walk(tree: Any, depth: int = 0, parent: str | None = None) -> Iterator[dict[str, Any]]:
    """Every node once, depth first: {"id", "speaker", "text", "depth", "parent"}."""
    roots = tree if isinstance(tree, list) else [tree] if tree else []
    for node in roots:
        if not isinstance(node, Mapping) or node.get("id") is None:
            continue
        node_id = str(node["id"])
        yield {
            "id": node_id,
            "speaker": str(node.get("speaker", "")),
            "text": str(node.get("text", "")),
            "depth": depth,
            "parent": parent,
        }
        yield from walk(node.get("children") or [], depth + 1, node_id)


@register("tree_annotation")
class TreeAnnotation(Scheme):
    macro = "schemes/tree_annotation.html"
    script = "js/tree-annotation.js"
    option_keys = ("node_scheme", "path_selection", "branch_comparison")
    agreement_metric = "pair_scores"
    summarizes_answers = True
    pair_score_names = ("node_exact_match", "path_exact_match", "path_jaccard")
    nodes: list[dict[str, Any]] = []

    def parse_options(self, reader: ConfigReader) -> None:
        node = reader.child("node_scheme") if reader.has("node_scheme") else None
        self.node_choices: list[str] = []
        self.node_kind = "text"
        if node is not None:
            node.warn_unknown(
                ("annotation_type", "size", "min_label", "max_label", "labels", "name")
            )
            kind = node.str("annotation_type", "likert", choices=("likert", "radio", "text"))
            self.node_kind = kind
            if kind == "likert":
                size = node.number("size", 5, integer=True, minimum=2, maximum=20)
                self.node_choices = [str(i) for i in range(1, size + 1)]
                self.min_label = node.str("min_label", "", allow_empty=True)
                self.max_label = node.str("max_label", "", allow_empty=True)
            elif kind == "radio":
                self.node_choices = [str(x) for x in node.string_list("labels")]
                if not self.node_choices:
                    node.problem("labels", "a radio node_scheme needs labels")
        path = reader.child("path_selection") if reader.has("path_selection") else None
        self.path_enabled = bool(path and path.bool("enabled", False))
        self.path_description = (
            path.str("description", "Select the best path", allow_empty=True) if path else ""
        )
        if path is not None:
            path.warn_unknown(("enabled", "description"))
        self.labels = [Label(NODES), Label(PATH)]

    def for_page(self, fields, annotator, item_id, seed) -> TreeAnnotation:
        import copy

        view = copy.copy(self)
        view.nodes = list(walk(find_tree(fields)))
        return view

    # -- values -------------------------------------------------------------------------
    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, raw in label_map.items():
            if key not in (NODES, PATH):
                raise BadAnnotation(
                    f"{self.name}: unknown key {key!r}; send '{self.name}:{NODES}' and "
                    f"'{self.name}:{PATH}'"
                )
            value = self._parse(key, raw)
            if key == NODES and value:
                out[NODES] = json.dumps(self._ratings(value), ensure_ascii=False, sort_keys=True)
            elif key == PATH and value:
                if not self.path_enabled:
                    raise BadAnnotation(f"{self.name}: path selection is not enabled")
                if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
                    raise BadAnnotation(f"{self.name}: {PATH} must be a list of node ids")
                if len(set(value)) != len(value):
                    raise BadAnnotation(f"{self.name}: a node appears twice in the path")
                out[PATH] = json.dumps(value, ensure_ascii=False)
        return out

    def _parse(self, key: str, raw: Any) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, (dict, list)):
            return raw
        if not isinstance(raw, str) or len(raw) > MAX_JSON:
            raise BadAnnotation(f"{self.name}:{key}: must be JSON text")
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise BadAnnotation(f"{self.name}:{key}: not valid JSON ({exc})") from None

    def _ratings(self, value: Any) -> dict[str, str]:
        if not isinstance(value, Mapping):
            raise BadAnnotation(f"{self.name}: {NODES} must be an object of node id: value")
        out = {}
        for node_id, rating in value.items():
            if rating is None or rating == "":
                continue
            if isinstance(rating, bool) or not isinstance(rating, (str, int, float)):
                raise BadAnnotation(f"{self.name}: node {node_id!r}: value must be a string")
            rating = str(rating)
            if self.node_choices and rating not in self.node_choices:
                raise BadAnnotation(
                    f"{self.name}: node {node_id!r}: {rating!r} is not one of "
                    f"{', '.join(self.node_choices)}"
                )
            out[str(node_id)] = rating
        return out

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        if not label_map:
            return
        nodes = {n["id"]: n for n in walk(find_tree(fields, text))}
        answer = self.answer(label_map)
        for node_id in [*answer[NODES], *answer[PATH]]:
            if node_id not in nodes:
                raise BadAnnotation(f"{self.name}: node {node_id!r} is not in this item's tree")
        path = answer[PATH]
        for parent, child in itertools.pairwise(path):
            if nodes[child]["parent"] != parent:
                raise BadAnnotation(
                    f"{self.name}: the path goes from {parent!r} to {child!r}, which is not "
                    "one of its replies"
                )

    def answer(self, label_map: Mapping[str, str]) -> Any:
        label_map = label_map or {}
        if not label_map:
            return None
        return {
            NODES: json.loads(label_map.get(NODES) or "{}"),
            PATH: json.loads(label_map.get(PATH) or "[]"),
        }

    def answer_map(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise BadAnnotation(f"{self.name}: give the answer as {{{NODES!r}, {PATH!r}}}")
        return dict(value)

    def comparable(self, label_map):
        return self.answer(label_map)

    def table_keys(self) -> list[str]:
        return [NODES, PATH]

    def pair_scores(self, a: Mapping[str, str], b: Mapping[str, str]) -> dict[str, float]:
        ra, rb = self.answer(a), self.answer(b)
        out: dict[str, float] = {}
        shared = set(ra[NODES]) & set(rb[NODES])
        if shared:
            same = sum(ra[NODES][n] == rb[NODES][n] for n in shared)
            out["node_exact_match"] = same / len(shared)
        if ra[PATH] or rb[PATH]:
            pa, pb = set(ra[PATH]), set(rb[PATH])
            out["path_exact_match"] = float(ra[PATH] == rb[PATH])
            out["path_jaccard"] = len(pa & pb) / len(pa | pb)
        return out

    def dashboard_summary(self, label_maps):
        answers = [self.answer(m) for m in label_maps if m]
        return {
            "node_ratings": counts(v for a in answers for v in a[NODES].values()),
            "mean_path_length": mean([len(a[PATH]) for a in answers if a[PATH]]),
        }

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["node_choices"] = self.node_choices
        out["path_selection"] = self.path_enabled
        return out
