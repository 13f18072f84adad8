"""Parse a `/updateinstance` body into per-scheme label updates and check them.

Accepted shapes (seed 003 and what Potato's own frontends send):
- frontend: {"instance_id", "annotations": {"schema:label": value}, "span_annotations": [...]}
- backend:  {"instance_id", "schema", "type": "label", "state": [{"name", "value"}]}
- nested:   {"instance_id", "label_annotations": {"schema": {"label": value}}}
A body is a *submit* (required schemes must be answered; the item counts as done) unless it
says `"draft": true`, which is how our page autosaves partial answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .config.model import ProjectConfig
from .config.reader import hint
from .errors import BadAnnotation, BadRequest
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

    if "schema" in body or "state" in body:
        _parse_backend(body, incoming, config)

    spans = body.get("span_annotations")
    if spans not in (None, [], {}):
        if not isinstance(spans, (list, Mapping)):
            raise BadRequest("'span_annotations' must be a list")
        raise BadAnnotation("this project has no span annotation schemes")

    if not incoming and annotations is None and nested is None:
        raise BadRequest(
            "nothing to save: send 'annotations' ({\"schema:label\": value}) "
            "or 'schema' with 'state'"
        )
    return Update(str(instance_id).strip(), incoming, submit=not draft)


def _parse_backend(
    body: Mapping[str, Any], incoming: dict, config: ProjectConfig | SchemeSet
) -> None:
    schema, state, kind = body.get("schema"), body.get("state"), body.get("type", "label")
    if kind not in ("label", None):
        raise BadAnnotation(f"type {kind!r} is not supported by this project (use 'label')")
    if not isinstance(schema, str) or not schema:
        raise BadRequest("'schema' must be a scheme name")
    if not isinstance(state, list):
        raise BadRequest('\'state\' must be a list of {"name": label, "value": value}')
    _scheme(schema, config)
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
    _scheme(schema, config)
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


def compute_for(update: Update, config: ProjectConfig | SchemeSet):
    """The function Annotations.apply runs inside its transaction."""

    def compute(old: LabelMaps) -> tuple[LabelMaps, bool]:
        changes: LabelMaps = {}
        for schema, labels in update.incoming.items():
            changes[schema] = config.scheme(schema).merge(old.get(schema), labels)
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
