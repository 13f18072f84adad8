"""Parse a `/updateinstance` body into per-scheme label updates and check them.

Accepted shapes (seed 003 and what Potato's own frontends send):
- frontend: {"instance_id", "annotations": {"schema:label": value}, "span_annotations": [...]}
- backend:  {"instance_id", "schema", "type": "label", "state": [{"name", "value"}]}
- nested:   {"instance_id", "label_annotations": {"schema": {"label": value}}}
Span, link and event schemes take `span_annotations`, `link_annotations` and
`event_annotations` (a list of entries naming their "schema", or {schema: [entries]}); each
scheme mentioned gets exactly the entries sent (see spans/updates.py).
A body is a *submit* (required schemes must be answered; the item counts as done) unless it
says `"draft": true`, which is how our page autosaves partial answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .config.model import ProjectConfig
from .config.reader import hint
from .errors import BadAnnotation, BadRequest
from .spans.updates import structured_changes
from .store.annotations import LabelMaps

_SCALARS = (str, int, float, bool, type(None))


class SchemeSet:
    """A list of schemes that parse_update / compute_for can check answers against, like a
    ProjectConfig's (the questions of a phase page, the schemes used in training)."""

    def __init__(self, schemes) -> None:
        self.schemes = tuple(schemes)

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
    incoming: dict[str, dict[str, Any]] = {}

    annotations = body.get("annotations")
    if annotations is not None:
        if not isinstance(annotations, Mapping):
            raise BadRequest("'annotations' must be an object of \"schema:label\": value")
        for key, value in annotations.items():
            if not isinstance(key, str) or ":" not in key:
                raise BadRequest(f"annotation key {key!r} must look like 'schema:label'")
            schema, label = key.split(":", 1)
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
    for key, kind in STRUCTURED_FIELDS.items():
        if body.get(key) is not None:
            _parse_structured(key, kind, body[key], structured, config)

    if not incoming and not structured and annotations is None and nested is None:
        raise BadRequest(
            "nothing to save: send 'annotations' ({\"schema:label\": value}), "
            "'span_annotations' or 'schema' with 'state'"
        )
    return Update(str(instance_id).strip(), incoming, submit=not draft, structured=structured)


# body field -> the scheme type whose entries it carries
STRUCTURED_FIELDS = {
    "span_annotations": "span",
    "link_annotations": "span_link",
    "event_annotations": "event_annotation",
}


def _parse_structured(
    key: str, kind: str, raw: Any, out: dict, config: ProjectConfig | SchemeSet
) -> None:
    names = [s.name for s in config.schemes if s.type_name == kind]
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
        if kind == "span" and isinstance(name, str) and name.count(":") >= 3:
            # /get_annotations' shape: "schema:label:start:end": "true"
            schema, rest = name.split(":", 1)
            label, start, end = rest.rsplit(":", 2)
            entry = {"label": label, "start": start, "end": end, "value": value}
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
    if kind not in ("label", "span", None):
        raise BadAnnotation(f"type {kind!r} is not supported (use 'label' or 'span')")
    if not isinstance(schema, str) or not schema:
        raise BadRequest("'schema' must be a scheme name")
    if not isinstance(state, list):
        raise BadRequest('\'state\' must be a list of {"name": label, "value": value}')
    if kind == "span" and not any(s.type_name == "span" for s in config.schemes):
        raise BadAnnotation("type 'span': this project has no span schemes")
    scheme = _scheme(schema, config)
    if kind == "span" or scheme.type_name == "span":
        if scheme.type_name != "span":
            raise BadAnnotation(f"{schema!r} is not a span scheme")
        # Potato's span state: [{"name": label, "start", "end", "value"}]
        structured[schema] = [
            {**e, "label": e.get("label", e.get("name"))} if isinstance(e, Mapping) else e
            for e in state
        ]
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
    if getattr(scheme, "structured", False):
        field_name = next(k for k, v in STRUCTURED_FIELDS.items() if v == scheme.type_name)
        raise BadAnnotation(
            f"{schema!r} is a {scheme.type_name} scheme: send it in '{field_name}', "
            f"not as {schema}:{label}"
        )
    if not isinstance(value, _SCALARS):
        raise BadAnnotation(
            f"{schema}:{label}: value must be a string, number or boolean, "
            f"got {type(value).__name__}"
        )
    incoming.setdefault(schema, {})[label] = value


def form_to_update(form: Mapping[str, Any], config: ProjectConfig | SchemeSet) -> dict[str, Any]:
    """The annotation page's HTML form (no JavaScript) as a frontend-format body: radio
    groups are named after the scheme, every other input `schema:label`; an unticked box
    is absent from a form, so each choice label is sent explicitly."""
    annotations: dict[str, Any] = {}
    for scheme in config.schemes:
        kind = getattr(scheme, "input_type", None)
        if kind == "radio":
            chosen = form.get(scheme.name)
            for label in scheme.label_names:
                annotations[f"{scheme.name}:{label}"] = "1" if label == chosen else "0"
        elif kind == "checkbox":
            for label in scheme.label_names:
                annotations[f"{scheme.name}:{label}"] = form.get(f"{scheme.name}:{label}", "0")
        prefix = f"{scheme.name}:"
        for key in form:
            if key.startswith(prefix) and key not in annotations:
                annotations[key] = form.get(key)
    return {"instance_id": form.get("instance_id", ""), "annotations": annotations}


def compute_for(update: Update, config: ProjectConfig | SchemeSet, text: str = ""):
    """The function Annotations.apply runs inside its transaction (`text`: the item's, for
    span offsets)."""

    def compute(old: LabelMaps) -> tuple[LabelMaps, bool]:
        changes: LabelMaps = {}
        for schema, labels in update.incoming.items():
            changes[schema] = config.scheme(schema).merge(old.get(schema), labels)
        if update.structured:
            changes.update(structured_changes(config, old, update.structured, text))
        if update.submit:
            merged = {**old, **changes}
            unmet = [
                (s, why)
                for s in config.schemes
                if (why := s.missing_requirement(merged.get(s.name))) is not None
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
