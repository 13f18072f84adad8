"""Parse a `/updateinstance` body into per-scheme label updates and check them.

Accepted shapes (seed 003 and what Potato's own frontends send):
- frontend: {"instance_id", "annotations": {"schema:label": value}, "span_annotations": [...]}
- backend:  {"instance_id", "schema", "type": "label", "state": [{"name", "value"}]}; `type`
  may also be any type name Potato's clients send ("radio", "text", "slider", ...): the
  scheme named by `schema` decides how the state is read
- nested:   {"instance_id", "label_annotations": {"schema": {"label": value}}}
Span, link and event schemes take `span_annotations`, `link_annotations` and
`event_annotations` (a list of entries naming their "schema", or {schema: [entries]}); each
scheme mentioned gets exactly the entries sent (see spans/updates.py). The backend format's
span state adds its spans to the stored ones instead, as in Potato (Scheme.backend_merge).
A body is a *submit* (required schemes must be answered; the item counts as done) unless it
says `"draft": true`, which is how our page autosaves partial answers. A draft that also says
`"partial": true` (our page's autosave) keeps every scheme whose answer is valid and reports
the others (`Update.partial`, `Computed.invalid`) instead of refusing the whole body, so one
invalid entry never blocks saving the rest of the item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .config.model import ProjectConfig
from .config.reader import hint
from .errors import BadAnnotation, BadRequest
from .schemes.base import hidden_schemes
from .schemes.registry import backend_formats, backend_types, wire_fields
from .spans.page import span_target_texts
from .spans.updates import structured_changes
from .store.annotations import LabelMaps

if TYPE_CHECKING:
    from .schemes.base import Scheme

_SCALARS = (str, int, float, bool, type(None))


class SchemeSet:
    """A list of schemes that parse_update / compute_for can check answers against, like a
    ProjectConfig's (the questions of a phase page, the schemes used in training)."""

    def __init__(self, schemes, random_seed: Any = None) -> None:
        self.schemes = tuple(schemes)
        self.random_seed = random_seed  # the project's, for schemes that draw per annotator

    def scheme(self, name: str):
        return next((s for s in self.schemes if s.name == name), None)

    @property
    def scheme_names(self) -> list[str]:
        return [s.name for s in self.schemes]


@dataclass(frozen=True)
class Update:
    instance_id: str
    incoming: dict[str, dict[str, Any]]  # schema -> {label: raw value}
    submit: bool
    structured: dict[str, list[Any]] = field(default_factory=dict)  # schema -> all its entries
    # What was skipped (keys without "schema:label"), for the response, as Potato skips them.
    warnings: tuple[str, ...] = ()
    # Structured schemes sent in Potato's backend format: their entries are merged with the
    # stored ones by the scheme (Scheme.backend_merge), not a replacement.
    backend: frozenset[str] = frozenset()
    # A draft that keeps the valid schemes and reports the invalid ones (see module doc).
    partial: bool = False


def parse_update(body: Any, config: ProjectConfig | SchemeSet) -> Update:
    if not isinstance(body, Mapping):
        raise BadRequest("the body must be a JSON object")
    instance_id = body.get("instance_id")
    if (
        isinstance(instance_id, bool)
        or not isinstance(instance_id, (str, int))
        or (isinstance(instance_id, str) and not instance_id.strip())
    ):
        raise BadRequest("'instance_id' is required and must be a string")
    draft = body.get("draft", False)
    if not isinstance(draft, bool):
        raise BadRequest("'draft' must be true or false")
    partial = body.get("partial", False)
    if not isinstance(partial, bool):
        raise BadRequest("'partial' must be true or false")
    incoming: dict[str, dict[str, Any]] = {}
    warnings: list[str] = []
    from_labels: dict[str, list[Any]] = {}  # structured entries sent as "schema:label"

    annotations = body.get("annotations")
    if annotations is not None:
        if not isinstance(annotations, Mapping):
            raise BadRequest("'annotations' must be an object of \"schema:label\": value")
        for key, value in annotations.items():
            if not isinstance(key, str) or ":" not in key:
                warnings.append(f"skipped annotation key {key!r}: it must look like 'schema:label'")
                continue
            schema, label = key.split(":", 1)
            owner = config.scheme(schema)
            sent = owner.entries_from_label(label, value) if owner is not None else None
            if sent is not None:
                from_labels.setdefault(schema, []).extend(sent)
                continue
            _add(incoming, schema, label, value, config)

    nested = body.get("label_annotations")
    if nested is not None:
        if not isinstance(nested, Mapping):
            raise BadRequest("'label_annotations' must be an object of schema: {label: value}")
        for schema, labels in nested.items():
            if not isinstance(labels, Mapping):
                raise BadRequest(f"label_annotations[{schema!r}] must be an object of label: value")
            for label, value in labels.items():
                _add(incoming, str(schema), str(label), value, config)

    structured: dict[str, list[Any]] = {}
    if "schema" in body or "state" in body:
        _parse_backend(body, incoming, structured, config)
    backend = frozenset(structured)
    for key, owner in wire_fields().items():
        if body.get(key) is not None:
            _parse_structured(key, owner, body[key], structured, config)
    for schema, entries in from_labels.items():
        owner = config.scheme(schema)
        if schema in structured and owner is not None and owner.label_entries_join:
            structured[schema] = [*structured[schema], *entries]
        else:
            structured.setdefault(schema, entries)

    if warnings and not incoming and not structured:
        # Every key was skipped: nothing would be saved, so say why instead of "success".
        raise BadRequest("nothing to save: " + "; ".join(warnings))
    if not incoming and not structured and annotations is None and nested is None:
        raise BadRequest(
            "nothing to save: send 'annotations' ({\"schema:label\": value}), "
            "'span_annotations' or 'schema' with 'state'"
        )
    return Update(
        str(instance_id).strip(),
        incoming,
        submit=not draft,
        structured=structured,
        warnings=tuple(warnings),
        backend=backend,
        partial=partial and draft,
    )


def _parse_structured(
    key: str, owner: type[Scheme], raw: Any, out: dict, config: ProjectConfig | SchemeSet
) -> None:
    """The entries of body field `key`, which carries entries of `owner`'s schemes."""
    kind = owner.type_name
    names = [s.name for s in config.schemes if s.wire_field == key]
    if not isinstance(raw, (list, Mapping)):
        raise BadRequest(f"'{key}' must be a list of entries or an object of schema: [entries]")
    if raw and not names:
        raise BadAnnotation(f"'{key}': this project has no {kind} schemes")
    if isinstance(raw, list):
        for i, entry in enumerate(raw):
            if not isinstance(entry, Mapping):
                raise BadRequest(f"{key}[{i}] must be an object")
            schema = entry.get("schema")
            if schema is None and len(names) == 1:
                schema = names[0]
            if schema not in names:
                raise BadAnnotation(
                    f"{key}[{i}]: 'schema' must name a {kind} scheme ({', '.join(names)})"
                    f"{hint(str(schema), names)}"
                )
            out.setdefault(schema, []).append(entry)
        return
    for name, value in raw.items():
        keyed = owner.entry_from_wire_key(name, value) if isinstance(name, str) else None
        if keyed is not None:
            schema, entry = keyed
        elif isinstance(value, list):
            schema, entry = name, None
        else:
            raise BadRequest(f"{key}[{name!r}] must be a list of entries")
        if schema not in names:
            raise BadAnnotation(
                f"{key}: {schema!r} is not a {kind} scheme ({', '.join(names)})"
                f"{hint(str(schema), names)}"
            )
        entries = out.setdefault(schema, [])
        if entry is not None:
            entries.append(entry)
        else:
            entries.extend(value)


def _parse_backend(
    body: Mapping[str, Any], incoming: dict, structured: dict, config: ProjectConfig | SchemeSet
) -> None:
    schema, state, kind = body.get("schema"), body.get("state"), body.get("type", "label")
    if kind is None:
        kind = "label"
    sent = kind
    kind = backend_formats().get(kind) if isinstance(kind, str) else None
    if kind is None:
        allowed = ", ".join(repr(k) for k in backend_types())
        raise BadAnnotation(f"type {sent!r} is not supported (use one of {allowed})")
    if not isinstance(schema, str) or not schema:
        raise BadRequest("'schema' must be a scheme name")
    if not isinstance(state, list):
        raise BadRequest('\'state\' must be a list of {"name": label, "value": value}')
    if kind != "label" and not any(s.backend_type == kind for s in config.schemes):
        raise BadAnnotation(f"type {kind!r}: this project has no {kind} schemes")
    scheme = _scheme(schema, config)
    if kind != "label" or scheme.backend_type != "label":
        if kind not in ("label", scheme.backend_type):
            raise BadAnnotation(f"{schema!r} is not a {kind} scheme")
        structured[schema] = scheme.backend_entries(state)
        return
    incoming.setdefault(schema, {})
    for i, entry in enumerate(state):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), (str, int)):
            raise BadRequest(f"state[{i}] must be an object with 'name' and 'value'")
        _add(incoming, schema, str(entry["name"]), entry.get("value"), config)


def _scheme(name: str, config: ProjectConfig | SchemeSet):
    scheme = config.scheme(name)
    if scheme is None:
        raise BadAnnotation(
            f"unknown schema {name!r}; this project has {', '.join(config.scheme_names)}"
            f"{hint(name, config.scheme_names)}"
        )
    return scheme


def _add(
    incoming: dict, schema: str, label: str, value: Any, config: ProjectConfig | SchemeSet
) -> None:
    scheme = _scheme(schema, config)
    if scheme.structured:
        raise BadAnnotation(
            f"{schema!r} is a {scheme.type_name} scheme: send it in '{scheme.wire_field}', "
            f"not as {schema}:{label}"
        )
    if not isinstance(value, _SCALARS):
        raise BadAnnotation(
            f"{schema}:{label}: value must be a string, number or boolean, "
            f"got {type(value).__name__}"
        )
    incoming.setdefault(schema, {})[label] = value


def _structured(
    config,
    old: LabelMaps,
    sent: dict[str, list],
    text: str,
    partial: bool,
    refused: dict,
    targets: Mapping[str, str],
) -> LabelMaps:
    """The structured schemes' changes; for a partial draft, the schemes whose entries are
    refused (alone, after those they refer to) are left as stored and reported."""
    try:
        return structured_changes(config, old, sent, text, targets)
    except BadAnnotation:
        if not partial:
            raise
    kept: dict[str, list] = {}
    # Types others refer to first (spans before the links and events that name them).
    for name in sorted(sent, key=lambda n: (config.scheme(n).refers_to_spans, n)):
        try:
            structured_changes(config, old, {**kept, name: sent[name]}, text, targets)
        except BadAnnotation as problem:
            refused[name] = str(problem)
            continue
        kept[name] = sent[name]
    return structured_changes(config, old, kept, text, targets) if kept else {}


def form_to_update(form: Mapping[str, Any], config: ProjectConfig | SchemeSet) -> dict[str, Any]:
    """The annotation page's HTML form (no JavaScript) as a frontend-format body: radio
    groups are named after the scheme, every other input `schema:label`; an unticked box
    is absent from a form, so each choice label is sent explicitly."""
    annotations: dict[str, Any] = {}
    for scheme in config.schemes:
        annotations.update(scheme.form_answers(form))
    return {"instance_id": form.get("instance_id", ""), "annotations": annotations}


def span_field_texts(config, text: str, fields: Mapping[str, Any] | None) -> dict[str, str]:
    """Potato's multi-span mode: target_field -> text of every field spans may name (the
    text_key field and the other `span_target` text fields); {} when spans have one text."""
    if fields is None or not isinstance(config, ProjectConfig):
        return {}
    extra = span_target_texts(config, fields)
    return {config.item_properties.text_key: text, **extra} if extra else {}


def compute_for(
    update: Update,
    config: ProjectConfig | SchemeSet,
    text: str = "",
    known: Mapping[str, Any] | None = None,
    invalid: dict[str, str] | None = None,
    fields: Mapping[str, Any] | None = None,
    annotator: str | None = None,
):
    """The function Annotations.apply runs inside its transaction (`text`: the item's, for
    span offsets; `known`: answers of schemes elsewhere that display_logic rules watch;
    `fields`: the item's, when known, for schemes that check answers against the item).
    For a partial draft, `invalid` receives scheme name -> why its answer was not kept.
    `annotator`: whose answer it is, for schemes that assign conditions (`for_annotator`)."""
    refused: dict[str, str] = {} if invalid is None else invalid
    targets = span_field_texts(config, text, fields)

    def keep_valid(schema: str, make) -> Any:
        if not update.partial:
            return make()
        try:
            return make()
        except BadAnnotation as problem:
            refused[schema] = str(problem)
            return None

    def compute(old: LabelMaps) -> tuple[LabelMaps, bool]:
        refused.clear()  # the transaction may run again
        changes: LabelMaps = {}
        for schema, labels in update.incoming.items():
            scheme = config.scheme(schema)

            def merged_and_checked(s=scheme, got=labels):
                if annotator is not None:
                    s = s.for_annotator(annotator, getattr(config, "random_seed", None))
                value = s.merge(old.get(s.name), got)
                if fields is not None:
                    s.check_item(value, text, fields)
                return value

            merged = keep_valid(schema, merged_and_checked)
            if schema not in refused:
                changes[schema] = merged
        if update.structured:
            sent = {
                name: config.scheme(name).backend_merge(old.get(name), entries)
                if name in update.backend
                else entries
                for name, entries in update.structured.items()
            }
            changes.update(_structured(config, old, sent, text, update.partial, refused, targets))
        if update.submit:
            merged = {**old, **changes}
            # A scheme its display_logic hides is not required (its answer, if any, is kept).
            hidden = hidden_schemes(config.schemes, merged, known)
            unmet = [
                (s, why)
                for s in config.schemes
                if s.name not in hidden
                and (why := s.missing_requirement(merged.get(s.name))) is not None
            ]
            if unmet:
                raise BadAnnotation(
                    "; ".join(f"{s.name}: {why}" for s, why in unmet)
                    + ' (send "draft": true to save without submitting)',
                    # for the annotation page: the questions as people read them
                    missing=[f"{s.description} ({why})" for s, why in unmet],
                    missing_schemas=[s.name for s, _why in unmet],
                )
        return changes, update.submit

    return compute
