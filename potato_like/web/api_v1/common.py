"""What every /api/v1 resource shares: key checks by scope, body validation, pagination."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import current_app, g, jsonify, make_response, request
from pydantic import BaseModel, ValidationError, create_model

from ...errors import BadRequest, Conflict, Forbidden, NotFound, PotatoLikeError
from ...store.idempotency import IN_FLIGHT
from ..key_lookup import allows, presented_record

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
            record = presented_record("send it in the X-API-Key header")
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


# -- what the seed-004 resources share ---------------------------------------------------
class TooLarge(PotatoLikeError):
    status = 413


class UnsupportedType(PotatoLikeError):
    status = 415


PAGE_QUERY = {"page": "page number, from 1", "page_size": "items per page, 1-100 (20)"}
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY = 255


def owner() -> str:
    """Whose records a request may see and make: a key restricted to one project owns
    `project:<slug>` records; unrestricted keys and the admin key share `workspace`. Any
    record of another owner answers 404, as an unknown id does."""
    record = g.get("api_key")
    if record is not None and record.project is not None:
        return f"project:{record.project}"
    return "workspace"


def caller_id() -> str:
    """The API key's id (`admin` for the project's admin key): Idempotency-Keys are kept
    per API key."""
    record = g.get("api_key")
    return record.id if record is not None else "admin"


def may_use_project(slug: str) -> bool:
    record = g.get("api_key")
    return record is None or record.project is None or record.project == slug


def known_uuid(value: str, what: str) -> str:
    """`value` as a canonical UUID; 404 (as for an unknown id) when it is not one."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise NotFound(f"no {what} {value}") from None


def page_model(item: type[BaseModel]) -> type[BaseModel]:
    """The paginated answer model of a list of `item`: {items, total, page, page_size,
    has_more}."""
    return create_model(
        f"{item.__name__}Page",
        items=(list[item], ...),
        total=(int, ...),
        page=(int, ...),
        page_size=(int, ...),
        has_more=(bool, ...),
    )


def idempotent(view):
    """Creates honour `Idempotency-Key`: the first successful answer to a key (per API key)
    is stored with a hash of the method, path and JSON body; the same request with the
    same key gets that answer again (header `Idempotency-Replayed: true`) and creates
    nothing; another request with the same key gets 422; while the first one still runs, a
    second one with its key gets 409 (the key is reserved before the create runs)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return view(*args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_IDEMPOTENCY_KEY:
            raise Invalid(
                [
                    {
                        "loc": ["header", IDEMPOTENCY_HEADER],
                        "msg": f"must be 1-{MAX_IDEMPOTENCY_KEY} characters",
                        "type": "value_error",
                    }
                ]
            )
        data = request.get_json(silent=True)
        canonical = json.dumps(
            [request.method, request.path, data], sort_keys=True, separators=(",", ":")
        )
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        store = service().store
        who = caller_id()
        if store.idempotency.reserve(who, key, digest):
            try:
                response = make_response(view(*args, **kwargs))
            except BaseException:
                store.idempotency.release(who, key)
                raise
            if 200 <= response.status_code < 300 and response.is_json:
                store.idempotency.complete(
                    who, key, response.status_code, response.get_data(as_text=True)
                )
            else:
                store.idempotency.release(who, key)
            return response
        found = store.idempotency.find(who, key)
        if found is None:  # freed meanwhile by a failed twin: this one may try again
            raise Conflict("a request with this Idempotency-Key just failed: send it again")
        if found["status_code"] == IN_FLIGHT:
            raise Conflict("a request with this Idempotency-Key is still running")
        if found["request_hash"] != digest:
            raise Invalid(
                [
                    {
                        "loc": ["header", IDEMPOTENCY_HEADER],
                        "msg": "this Idempotency-Key was used with a different request",
                        "type": "idempotency_key_reused",
                    }
                ]
            )
        replay = current_app.response_class(
            found["response"], status=found["status_code"], mimetype="application/json"
        )
        replay.headers["Idempotency-Replayed"] = "true"
        return replay

    return wrapped
