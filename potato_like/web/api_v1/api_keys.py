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
from .openapi import describe

install_errors(bp)


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    scopes: list[Literal["read", "write", "admin"]] = Field(default=["read"], min_length=1)
    project: str | None = Field(default=None, min_length=1, max_length=100)


class KeyOut(BaseModel):
    id: str
    name: str
    key_prefix: str = Field(description="The key's first characters, to tell keys apart")
    scopes: list[str]
    project: str | None
    created_at: float = Field(description="Unix time")
    last_used_at: float | None = Field(description="Unix time, noted at most once a minute")
    revoked: bool


class KeyCreated(KeyOut):
    key: str = Field(description="The key itself: in this answer only, never again")


class KeyPage(BaseModel):
    items: list[KeyOut]
    total: int
    page: int
    page_size: int
    has_more: bool


PAGE_QUERY = {"page": "page number, from 1", "page_size": "items per page, 1-100 (20)"}


def out(record) -> dict:
    return KeyOut.model_validate(record.as_json()).model_dump()


def keys():
    return current_app.extensions["potato_like"].store.api_keys


def known_id(key_id: str) -> str:
    try:
        return str(uuid.UUID(key_id))
    except ValueError:
        raise NotFound(f"no API key {key_id}") from None


@bp.post("/api-keys")
@require_scope("admin")
@describe("Create an API key", scope="admin", body=KeyCreate, responses={201: KeyCreated})
def create_key():
    wanted = body(KeyCreate)
    record, key = keys().create(wanted.name.strip(), parse_scopes(wanted.scopes), wanted.project)
    return jsonify(KeyCreated.model_validate({**record.as_json(), "key": key}).model_dump()), 201


@bp.get("/api-keys")
@require_scope("admin")
@describe(
    "List active API keys, newest first", scope="admin", responses={200: KeyPage}, query=PAGE_QUERY
)
def list_keys():
    page, size = page_params()
    records, total = keys().page((page - 1) * size, size)
    return paginated([out(r) for r in records], total, page, size)


@bp.get("/api-keys/<key_id>")
@require_scope("admin")
@describe("One API key (never the key itself)", scope="admin", responses={200: KeyOut})
def get_key(key_id: str):
    record = keys().get(known_id(key_id))
    if record is None:
        raise NotFound(f"no API key {key_id}")
    return jsonify(out(record))


@bp.delete("/api-keys/<key_id>")
@require_scope("admin")
@describe("Revoke an API key: it stops working at once", scope="admin", responses={204: None})
def revoke_key(key_id: str):
    if not keys().revoke(known_id(key_id)):
        raise NotFound(f"no active API key {key_id}")
    return "", 204
