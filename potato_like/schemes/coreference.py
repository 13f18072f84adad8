"""`annotation_type: coreference` — chains of mentions that refer to the same entity; the
mentions are spans of a span scheme (`span_schema`), each in at most one chain.

Chains are link entries, as Potato's coreference page sends them in `link_annotations`:
{"schema", "link_type": entity type or "coreference", "span_ids"}. Stored value: {"links":
[{"id", "link_type", "span_ids": [...] in text order, "direction": "undirected", "mentions":
[[start, end], ...]}]}; `mentions` are the spans' offsets, kept so agreement and exports need
no span lookup.
Agreement: MUC, B³, CEAF-e and their mean (the CoNLL score) between every two annotators,
over mentions identified by their offsets (quality/coref_scores.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader, hint
from ..errors import BadAnnotation
from .record import counts, mean
from .registry import register
from .structured import ReferringScheme, SpanText, entry_id, given_id, kept_entries, labels_from

UNTYPED = "coreference"  # Potato's link_type of a chain without an entity type


@register("coreference")
class Coreference(ReferringScheme):
    macro = "schemes/coreference.html"
    script = "js/coreference.js"
    value_key = "links"  # chains are undirected links (Potato)
    wire_field = "link_annotations"
    agreement_metric = "pair_scores"
    summarizes_answers = True
    pair_score_names = ("muc_f1", "b_cubed_f1", "ceafe_f1", "conll_f1")
    option_keys = ("span_schema", "entity_types", "allow_singletons", "visual_display")
    visual_keys = ("highlight_mode",)  # chains are coloured, not drawn as arcs

    def parse_options(self, reader: ConfigReader) -> None:
        self.read_span_schema(reader)
        self.entity_types = tuple(reader.string_list("entity_types"))
        self.allow_singletons = reader.bool("allow_singletons", True)
        self.labels = labels_from(list(self.entity_types), {})

    def normalize(self, label_map):
        raise BadAnnotation(
            f"{self.name}: a coreference scheme takes no labels in 'annotations'; send its "
            "chains in 'link_annotations'"
        )

    def value_for(self, raw_chains: list[Any], spans_by_id: Mapping[str, dict]) -> dict[str, Any]:
        chains, owner = [], {}
        for raw, where in kept_entries(self.name, raw_chains, "chain", "span_ids"):
            chain = self.one_chain(raw, spans_by_id, where)
            for span_id in chain["span_ids"]:
                if span_id in owner:
                    raise BadAnnotation(
                        f"{where}: span {span_id!r} is already in chain {owner[span_id]!r}; "
                        "a mention belongs to one chain (merge the chains instead)"
                    )
                owner[span_id] = chain["id"]
            chains.append(chain)
        ids = [c["id"] for c in chains]
        if len(set(ids)) != len(ids):
            raise BadAnnotation(f"{self.name}: two chains have the same id")
        return {"links": chains} if chains else {}

    def one_chain(self, raw: Mapping[str, Any], spans_by_id: Mapping[str, dict], where: str):
        schema = raw.get("schema")
        if schema not in (None, "", self.name):
            raise BadAnnotation(f"{where}: belongs to schema {schema!r}, not {self.name!r}")
        kind = raw.get("entity_type", raw.get("link_type")) or ""
        if kind == UNTYPED:
            kind = ""
        if not isinstance(kind, str) or (kind and kind not in self.entity_types):
            raise BadAnnotation(
                f"{where}: unknown entity type {kind!r}; expected one of "
                f"{', '.join(self.entity_types) or '(none configured)'}"
                f"{hint(str(kind), list(self.entity_types))}"
            )
        span_ids = raw.get("span_ids")
        if not isinstance(span_ids, list) or not all(isinstance(s, str) for s in span_ids):
            raise BadAnnotation(f"{where}: 'span_ids' must be a list of span ids")
        least = 1 if self.allow_singletons else 2
        if len(span_ids) < least:
            raise BadAnnotation(
                f"{where}: a chain needs at least {least} mention{'s' * (least > 1)}"
                + ("" if self.allow_singletons else " (allow_singletons is false)")
            )
        if len(set(span_ids)) != len(span_ids):
            raise BadAnnotation(f"{where}: a mention appears twice in the chain")
        for span_id in span_ids:
            if span_id not in spans_by_id:
                raise BadAnnotation(
                    f"{where}: span {span_id!r} does not exist in span scheme {self.span_schema!r}"
                )
        ordered = sorted(span_ids, key=lambda s: (spans_by_id[s]["start"], spans_by_id[s]["end"]))
        chain_id = given_id(raw, where) or entry_id("chain", *ordered)
        return {
            "id": chain_id,
            "link_type": kind or UNTYPED,
            "span_ids": ordered,
            "direction": "undirected",
            "mentions": [[spans_by_id[s]["start"], spans_by_id[s]["end"]] for s in ordered],
        }

    def prune(self, value: Mapping[str, Any] | None, spans_by_id: Mapping[str, dict]):
        """Drop deleted mentions from their chains (and chains left too small)."""
        kept = []
        for chain in self.entries(value):
            ids = [s for s in chain["span_ids"] if s in spans_by_id]
            try:
                kept.append(self.one_chain({**chain, "span_ids": ids}, spans_by_id, self.name))
            except BadAnnotation:
                continue
        return {"links": kept} if kept else {}

    def readable_line(self, entry: Mapping[str, Any], span_text: SpanText) -> str:
        mentions = " = ".join(span_text(self.span_schema, s) for s in entry["span_ids"])
        return f"{entry['link_type']}: {mentions}"

    def pair_scores(self, a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, float]:
        from ..quality.coref_scores import scores

        def chains(value):
            return [[tuple(m) for m in c["mentions"]] for c in self.entries(value)]

        return scores(chains(a), chains(b))

    def dashboard_summary(self, label_maps):
        chains = [self.entries(m) for m in label_maps if m]
        return {
            "mean_chains_per_item": mean([len(c) for c in chains]),
            "mean_mentions_per_chain": mean([len(x["span_ids"]) for c in chains for x in c]),
            "chains_by_type": counts(x["link_type"] for c in chains for x in c),
        }

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["span_schema"] = self.span_schema
        out["entity_types"] = list(self.entity_types)
        out["allow_singletons"] = self.allow_singletons
        return out
