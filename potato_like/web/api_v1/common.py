"""What every /api/v1 resource shares: key checks by scope, body validation, pagination."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import current_app, g, jsonify, request
from pydantic import BaseModel, ValidationError

from ...api_keys import presented_key
from ...errors import BadRequest, Forbidden, PotatoLikeError, Unauthorized
from ..key_lookup import allows, find_key

M = TypeVar("M", bound=BaseModel)
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def service():
    """What /api/v1 resources work on. On a single-project server this is the `Project`; in
    a workspace (`run.py DIR`) the root app's `Workspace`. Resources use only what both have:
    `.store` (where service records such as keys, datasets and jobs live), `.files_dir` (a
    private directory for uploaded and generated files), `.projects()` (slug -> Project) and
    `.cache(name, factory)` (per-service helpers such as a job queue)."""
    return current_app.extensions["potato_like"]


class Invalid(PotatoLikeError):
    """422 with the invalid fields: `detail` is a list of {loc, msg, type}."""

    status = 422

    def __init__(self, problems: list[dict]) -> None:
        super().__init__("validation failed")
        self.problems = problems


def require_scope(scope: str) -> Callable:
    """The view needs an API key allowing `scope` (the project's admin key allows all):
    401 without a usable key, 403 with a key that may not do this, 429 after too many
    wrong keys from one address."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            key = presented_key(request.headers)
            if not key:
                raise Unauthorized("API key required: send it in the X-API-Key header")
            limits = current_app.extensions["potato_like_limits"]
            found: dict = {}

            def stored(candidate: str) -> bool:
                found["key"] = find_key(candidate)
                return found["key"] is not None

            if not limits.check_admin_key(key, also=stored):
                raise Unauthorized("invalid or revoked API key")
            record = found.get("key")
            # Inside a workspace, a key restricted to another project may do nothing here.
            if record is not None and not allows(record, scope):
                raise Forbidden(f"this API key may not do this (it needs the {scope} scope)")
            g.api_key = record  # None: the project's admin key
            return view(*args, **kwargs)

        return wrapped

    return decorate


def body(model: type[M]) -> M:
    """The request's JSON body as `model`; 400 when it is not JSON, 422 naming every invalid
    field otherwise."""
    data = request.get_json(silent=True)
    if data is None:
        raise BadRequest("the body must be JSON (Content-Type: application/json)")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise Invalid(
            [
                {"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]}
                for e in err.errors(include_url=False, include_context=False)
            ]
        ) from None


def page_params() -> tuple[int, int]:
    """(page, page_size) from the query string; 422 when out of range."""
    problems = []
    values = {}
    for name, default, high in (("page", 1, None), ("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)):
        raw = request.args.get(name, str(default))
        try:
            value = int(raw)
        except ValueError:
            problems.append({"loc": ["query", name], "msg": "must be an integer", "type": "int"})
            continue
        if value < 1 or (high is not None and value > high):
            limit = f"between 1 and {high}" if high else "at least 1"
            problems.append({"loc": ["query", name], "msg": f"must be {limit}", "type": "range"})
        values[name] = value
    if problems:
        raise Invalid(problems)
    return values["page"], values["page_size"]


def paginated(items: list, total: int, page: int, page_size: int):
    return jsonify(
        {
            "items": items,
            "total": total,
            "page": page,
            "page_size": page_size,
            "has_more": page * page_size < total,
        }
    )


def install_errors(bp) -> None:
    """A 422 lists the invalid fields; every other error of this API answers
    `{"detail": "..."}` through the app's handler (web/errors.py), as seed 004 documents."""

    @bp.errorhandler(Invalid)
    def on_invalid(err: Invalid):
        return jsonify({"detail": err.problems}), 422
