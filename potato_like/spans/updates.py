"""Changes to span, link and event values, computed inside the save transaction.

Spans are validated against the item text first; links and events are then validated against
the spans as they will be after this request. When spans change and a request does not also
send the links or events that refer to them, those are pruned (a deleted span takes its links
and events with it) so nothing stored ever points at a missing span.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import NotFound
from .ids import default_span_id

if TYPE_CHECKING:
    from ..config.model import ProjectConfig
    from ..schemes.base import Scheme
    from ..store.annotations import LabelMaps


def span_schemes(config: ProjectConfig) -> list[Scheme]:
    return [s for s in config.schemes if s.marks_text_ranges]


def media_schemes(config: ProjectConfig) -> list[Scheme]:
    """Structured schemes whose entries are about the item's media, not its text."""
    return [s for s in config.schemes if s.structured and not s.text_page]


def referring_schemes(config: ProjectConfig) -> list[Scheme]:
    return [s for s in config.schemes if s.refers_to_spans]


def spans_by_id(config: ProjectConfig, maps: Mapping[str, Any]) -> dict[str, dict[str, dict]]:
    """span scheme -> {span id: span}, where a span can also be named by the other shape of
    a default id (span_aliases): links and events sent by Potato's clients and by ours both
    find it."""
    out = {}
    for s in span_schemes(config):
        spans = s.entries(maps.get(s.name))
        by_id = {span["id"]: span for span in spans}
        for span in spans:
            for alias in span_aliases(s.name, span):
                by_id.setdefault(alias, span)
        out[s.name] = by_id
    return out


def find_span(schema: str, spans: list[dict[str, Any]], span_id: str) -> int | None:
    """The index of the span with this id, or else of the one it is a default-id alias of."""
    for match in (lambda s: s["id"] == span_id, lambda s: span_id in span_aliases(schema, s)):
        for i, span in enumerate(spans):
            if match(span):
                return i
    return None


def span_aliases(schema: str, span: Mapping[str, Any]) -> tuple[str, ...]:
    """The two default id shapes of a span: Potato's backend format (and ours before)
    `<schema>_<label>_<start>_<end>`, and Potato's frontend format
    `<schema>_<label>___<start>_<end>`."""
    return tuple(
        default_span_id(schema, span["label"], span["start"], span["end"], shape)
        for shape in ("backend", "frontend")
    )


def structured_changes(
    config: ProjectConfig,
    old: LabelMaps,
    incoming: Mapping[str, list],
    text: str,
    targets: Mapping[str, str] | None = None,
) -> LabelMaps:
    """schema -> new value ({} clears) for the structured schemes a request replaces, plus
    pruned links/events of changed span schemes. `targets`: in Potato's multi-span mode,
    the texts spans may name in `target_field` (submission.span_field_texts)."""
    changes: dict[str, Any] = {}
    for scheme in span_schemes(config):
        if scheme.name in incoming:
            sent = scheme.with_old(incoming[scheme.name], old.get(scheme.name))
            changes[scheme.name] = scheme.value_for(sent, text, targets)
    for scheme in media_schemes(config):  # shapes on the item's image (`text`: its value)
        if scheme.name in incoming:
            changes[scheme.name] = scheme.value_for(incoming[scheme.name], text)
    changes.update(
        referring_changes(
            config, old, changes, {k: v for k, v in incoming.items() if k not in changes}
        )
    )
    return changes


def referring_changes(
    config: ProjectConfig,
    old: Mapping[str, Any],
    span_changes: Mapping[str, Any],
    incoming: Mapping[str, list] | None = None,
) -> dict[str, Any]:
    merged = {**old, **span_changes}
    spans = spans_by_id(config, merged)
    out: dict[str, Any] = {}
    for scheme in referring_schemes(config):
        targets = spans.get(scheme.span_schema, {})
        if incoming and scheme.name in incoming:
            out[scheme.name] = scheme.value_for(incoming[scheme.name], targets)
        elif scheme.span_schema in span_changes and old.get(scheme.name):
            pruned = scheme.prune(old.get(scheme.name), targets)
            if pruned != old.get(scheme.name):
                out[scheme.name] = pruned
    return out


Compute = Callable[["LabelMaps"], tuple["LabelMaps", bool]]


def clear_spans(config: ProjectConfig, schema: str | None, counter: list[int]) -> Compute:
    """Remove every span (of `schema`, or of all span schemes); counter[0] gets how many."""
    names = [s.name for s in span_schemes(config) if schema in (None, s.name)]

    def compute(old):
        counter[0] = sum(len(config.scheme(n).entries(old.get(n))) for n in names)
        changes = {n: {} for n in names if old.get(n)}
        changes.update(referring_changes(config, old, changes))
        return changes, False

    return compute


def delete_entry(config: ProjectConfig, kind: str, entry_id: str) -> Compute:
    """Remove one link (kind "links") or event (kind "events") by id, from whichever
    scheme holds it; 404 when none does."""

    def compute(old):
        for scheme in referring_schemes(config):
            if scheme.value_key != kind:
                continue
            entries = scheme.entries(old.get(scheme.name))
            kept = [e for e in entries if e["id"] != entry_id]
            if len(kept) != len(entries):
                return {scheme.name: {kind: kept} if kept else {}}, False
        raise NotFound(f"{kind[:-1]} {entry_id!r} does not exist on this instance")

    return compute


def iter_entries(
    config: ProjectConfig, maps: Mapping[str, Any], kind: str
) -> Iterator[tuple[Scheme, dict[str, Any]]]:
    """(scheme, entry) for every span / link / event in the stored maps, in config order."""
    for scheme in config.schemes:
        if scheme.structured and scheme.value_key == kind:
            for entry in scheme.entries(maps.get(scheme.name)):
                yield scheme, entry


def label_maps_only(config: ProjectConfig, maps: Mapping[str, Any]) -> dict[str, Any]:
    """The label schemes' maps (Potato's label_annotations) without span/link/event values
    (a structured scheme shows only its label part, e.g. a span scheme's bad_text flag)."""
    out = {}
    for k, v in maps.items():
        scheme = config.scheme(k)
        if scheme is None or not scheme.structured:
            out[k] = v
        elif part := scheme.label_part(v):
            out[k] = part
    return out


def span_keys(config: ProjectConfig, maps: Mapping[str, Any]) -> dict[str, str]:
    """Potato's /get_annotations span shape: {"schema:label:start:end": "true"}."""
    return {
        f"{scheme.name}:{span['label']}:{span['start']}:{span['end']}": "true"
        for scheme, span in iter_entries(config, maps, "spans")
    }
