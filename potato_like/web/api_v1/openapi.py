"""The OpenAPI 3.1 document of /api/v1 and its browsable page, generated from the same
pydantic models that validate the requests (each view declares them with `@describe`), so
the document cannot drift from what the server accepts."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import current_app, jsonify, render_template
from pydantic import BaseModel

from ... import __version__
from . import bp

REF = "#/components/schemas/{model}"
PATH_PARAM = re.compile(r"<(?:[a-z]+:)?([a-zA-Z_]+)>")
STATUS_TEXT = {200: "OK", 201: "Created", 204: "No content"}
ERRORS = {
    "400": {"description": "Bad request (the body is not JSON)"},
    "401": {"description": "Invalid or missing API key"},
    "403": {"description": "The key lacks the scope"},
    "404": {"description": "Not found"},
    "422": {"description": "Validation error: `detail` lists the invalid fields"},
    "429": {"description": "Too many wrong keys from this address (Retry-After)"},
}


def describe(
    summary: str,
    *,
    scope: str,
    body: type[BaseModel] | None = None,
    responses: dict[int, type[BaseModel] | None],
    query: dict[str, str] | None = None,
) -> Callable:
    """Declare an operation of the API for the OpenAPI document (request body model, answers
    by status, query parameters, the key scope it needs)."""

    def mark(view):
        view.openapi = {
            "summary": summary,
            "scope": scope,
            "body": body,
            "responses": responses,
            "query": query or {},
        }
        return view

    return mark


def _schema(model: type[BaseModel], components: dict) -> dict:
    schema = model.model_json_schema(ref_template=REF)
    for name, definition in schema.pop("$defs", {}).items():
        components[name] = definition
    components[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def document() -> dict:
    components: dict = {}
    paths: dict = {}
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        # this blueprint's routes, and a workspace root's /api/v1/projects (workspace/api.py)
        if rule.endpoint.split(".", 1)[0] not in (bp.name, f"{bp.name}_workspace"):
            continue
        meta = getattr(current_app.view_functions[rule.endpoint], "openapi", None)
        if meta is None:
            continue
        path = PATH_PARAM.sub(r"{\1}", rule.rule)
        params = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in PATH_PARAM.findall(rule.rule)
        ] + [
            {"name": name, "in": "query", "required": False, "description": text}
            | {"schema": {"type": "integer"}}
            for name, text in meta["query"].items()
        ]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation: dict = {
                "summary": meta["summary"],
                "operationId": rule.endpoint.split(".", 1)[1],
                # An operation whose "scope" starts with "none" takes no key (a signed URL).
                "security": [] if meta["scope"].startswith("none") else [{"ApiKey": []}],
                "x-scope": meta["scope"],
                "responses": dict(ERRORS),
            }
            if params:
                operation["parameters"] = params
            if meta["body"] is not None:
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": _schema(meta["body"], components)}},
                }
            for status, model in meta["responses"].items():
                answer: dict = {"description": STATUS_TEXT.get(status, str(status))}
                if model is not None:
                    answer["content"] = {"application/json": {"schema": _schema(model, components)}}
                operation["responses"][str(status)] = answer
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "potato_like management API", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())


@bp.get("/docs")
def docs_page():
    spec = document()
    operations = [
        {"method": method.upper(), "path": path, **op}
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
    ]
    return render_template("api_v1/docs.html", spec=spec, operations=operations)
