"""`/api/v1/datasets` (seed 004): create, list, get, change and delete datasets of audio.
Deleting a dataset deletes its audio files (rows and bytes), annotation sets and
annotations."""

from __future__ import annotations

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ...errors import NotFound
from ...service_files import audio_path, remove
from . import bp
from .common import (
    PAGE_QUERY,
    body,
    idempotent,
    known_uuid,
    owner,
    page_model,
    page_params,
    paginated,
    require_scope,
    service,
)
from .openapi import describe


class DatasetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)


class DatasetPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)

    @model_validator(mode="after")
    def something(self):
        if not self.model_fields_set:
            raise ValueError("give name and/or description")
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name cannot be null")
        return self


class DatasetOut(BaseModel):
    id: str
    name: str
    description: str | None
    created_at: float = Field(description="Unix time")
    updated_at: float = Field(description="Unix time")


DatasetPage = page_model(DatasetOut)


def out(row: dict) -> dict:
    return DatasetOut.model_validate(row).model_dump()


def find_dataset(dataset_id: str) -> dict:
    found = service().store.audio.dataset(owner(), known_uuid(dataset_id, "dataset"))
    if found is None:
        raise NotFound(f"no dataset {dataset_id}")
    return found


@bp.post("/datasets")
@require_scope("write")
@idempotent
@describe("Create a dataset", scope="write", body=DatasetCreate, responses={201: DatasetOut})
def create_dataset():
    wanted = body(DatasetCreate)
    row = service().store.audio.create_dataset(owner(), wanted.name.strip(), wanted.description)
    return jsonify(out(row)), 201


@bp.get("/datasets")
@require_scope("read")
@describe(
    "List datasets, newest first", scope="read", responses={200: DatasetPage}, query=PAGE_QUERY
)
def list_datasets():
    page, size = page_params()
    rows, total = service().store.audio.datasets_page(owner(), (page - 1) * size, size)
    return paginated([out(r) for r in rows], total, page, size)


@bp.get("/datasets/<dataset_id>")
@require_scope("read")
@describe("One dataset", scope="read", responses={200: DatasetOut})
def get_dataset(dataset_id: str):
    return jsonify(out(find_dataset(dataset_id)))


@bp.patch("/datasets/<dataset_id>")
@require_scope("write")
@describe(
    "Change a dataset's name or description",
    scope="write",
    body=DatasetPatch,
    responses={200: DatasetOut},
)
def patch_dataset(dataset_id: str):
    found = find_dataset(dataset_id)
    wanted = body(DatasetPatch)
    changes = wanted.model_dump(include=wanted.model_fields_set)
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    row = service().store.audio.update_dataset(owner(), found["id"], changes)
    if row is None:
        raise NotFound(f"no dataset {dataset_id}")
    return jsonify(out(row))


@bp.delete("/datasets/<dataset_id>")
@require_scope("write")
@describe(
    "Delete a dataset with its audio files, annotation sets and annotations",
    scope="write",
    responses={204: None},
)
def delete_dataset(dataset_id: str):
    found = find_dataset(dataset_id)
    audio_ids = service().store.audio.delete_dataset(owner(), found["id"])
    if audio_ids is None:
        raise NotFound(f"no dataset {dataset_id}")
    for audio_id in audio_ids:
        remove(audio_path(service().files_dir, audio_id))
        remove(audio_path(service().files_dir, audio_id).with_suffix(".part"))
    return "", 204
