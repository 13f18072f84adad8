"""`/api/v1/api-keys`: create (the key is in the answer, once), list, get and revoke API keys.
Admin scope only."""

from __future__ import annotations

import uuid
from typing import Literal

from flask import current_app, jsonify
from pydantic import BaseModel, ConfigDict, Field

from ...api_keys import parse_scopes
from ...errors import NotFound
from . import bp
from .common import body, install_errors, page_params, paginated, require_scope

install_errors(bp)


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    scopes: list[Literal["read", "write", "admin"]] = Field(default=["read"], min_length=1)
    project: str | None = Field(default=None, min_length=1, max_length=100)


def keys():
    return current_app.extensions["potato_like"].store.api_keys


def known_id(key_id: str) -> str:
    try:
        return str(uuid.UUID(key_id))
    except ValueError:
        raise NotFound(f"no API key {key_id}") from None


@bp.post("/api-keys")
@require_scope("admin")
def create_key():
    wanted = body(KeyCreate)
    record, key = keys().create(wanted.name.strip(), parse_scopes(wanted.scopes), wanted.project)
    return jsonify({**record.as_json(), "key": key}), 201


@bp.get("/api-keys")
@require_scope("admin")
def list_keys():
    page, size = page_params()
    records, total = keys().page((page - 1) * size, size)
    return paginated([r.as_json() for r in records], total, page, size)


@bp.get("/api-keys/<key_id>")
@require_scope("admin")
def get_key(key_id: str):
    record = keys().get(known_id(key_id))
    if record is None:
        raise NotFound(f"no API key {key_id}")
    return jsonify(record.as_json())


@bp.delete("/api-keys/<key_id>")
@require_scope("admin")
def revoke_key(key_id: str):
    if not keys().revoke(known_id(key_id)):
        raise NotFound(f"no active API key {key_id}")
    return "", 204
