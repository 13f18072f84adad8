"""`/api/v1/annotation-sets` (seed 004): labelled time ranges of a dataset's audio files.
A set starts as a draft; annotations are added, listed and deleted; `publish` locks it
(every later change answers 409) and makes it usable for training."""

from __future__ import annotations

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ...errors import Conflict, NotFound
from . import bp
from .common import (
    PAGE_QUERY,
    Invalid,
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
from .datasets import find_dataset
from .openapi import describe
from .project_sources import FromProject, FromProjectOut, notes_from_project

# A little slack at the end: durations are read from the file's frame count.
END_TOLERANCE_SECONDS = 0.01


class SetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dataset_id: str
    name: str = Field(min_length=1, max_length=200)
    from_project: FromProject | None = Field(
        default=None,
        description="fill the draft with the human annotations of a project's items made "
        "from this dataset's audio (POST /datasets/{id}/attach)",
    )


class SetOut(BaseModel):
    id: str
    dataset_id: str
    name: str
    status: str = Field(description="draft | published")
    created_at: float
    published_at: float | None
    from_project: FromProjectOut | None = Field(
        default=None, description="what was copied, when the set was filled from a project"
    )


class AnnotationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    audio_id: str
    start_seconds: float = Field(ge=0)
    end_seconds: float = Field(gt=0)
    label: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")

    @model_validator(mode="after")
    def ordered(self):
        if self.end_seconds <= self.start_seconds:
            raise ValueError("end_seconds must be greater than start_seconds")
        return self


class AnnotationOut(BaseModel):
    id: str
    set_id: str
    audio_id: str
    start_seconds: float
    end_seconds: float
    label: str
    created_at: float


SetPage = page_model(SetOut)
AnnotationPage = page_model(AnnotationOut)


def set_out(row: dict) -> dict:
    return SetOut.model_validate(row).model_dump()


def annotation_out(row: dict) -> dict:
    return AnnotationOut.model_validate(row).model_dump()


def find_set(set_id: str) -> dict:
    found = service().store.audio.annotation_set(owner(), known_uuid(set_id, "annotation set"))
    if found is None:
        raise NotFound(f"no annotation set {set_id}")
    return found


def locked(found: dict) -> Conflict:
    return Conflict(f"annotation set {found['id']} is published: it cannot change any more")


@bp.post("/annotation-sets")
@require_scope("write")
@idempotent
@describe(
    "Create an annotation set (a draft)", scope="write", body=SetCreate, responses={201: SetOut}
)
def create_set():
    wanted = body(SetCreate)
    dataset = find_dataset(wanted.dataset_id)
    notes, report = [], None
    if wanted.from_project is not None:
        notes, report = notes_from_project(dataset["id"], wanted.from_project)
    row = service().store.audio.create_set(dataset["id"], wanted.name.strip(), notes)
    answer = set_out(row)
    answer["from_project"] = report
    return jsonify(answer), 201


@bp.get("/annotation-sets")
@require_scope("read")
@describe(
    "List annotation sets, newest first", scope="read", responses={200: SetPage}, query=PAGE_QUERY
)
def list_sets():
    page, size = page_params()
    rows, total = service().store.audio.sets_page(owner(), (page - 1) * size, size)
    return paginated([set_out(r) for r in rows], total, page, size)


@bp.get("/annotation-sets/<set_id>")
@require_scope("read")
@describe("One annotation set", scope="read", responses={200: SetOut})
def get_set(set_id: str):
    return jsonify(set_out(find_set(set_id)))


@bp.delete("/annotation-sets/<set_id>")
@require_scope("write")
@describe("Delete a draft annotation set", scope="write", responses={204: None})
def delete_set(set_id: str):
    found = find_set(set_id)
    if found["status"] != "draft":
        raise locked(found)
    service().store.audio.delete_set(found["id"])
    return "", 204


@bp.post("/annotation-sets/<set_id>/publish")
@require_scope("write")
@describe(
    "Publish a set: it is locked and can be trained on", scope="write", responses={200: SetOut}
)
def publish_set(set_id: str):
    found = find_set(set_id)
    if not service().store.audio.publish(found["id"]):
        raise Conflict(f"annotation set {found['id']} is already published")
    return jsonify(set_out(find_set(found["id"])))


@bp.post("/annotation-sets/<set_id>/annotations")
@require_scope("write")
@idempotent
@describe(
    "Add an annotation (a labelled time range of one of the dataset's audio files)",
    scope="write",
    body=AnnotationCreate,
    responses={201: AnnotationOut},
)
def add_annotation(set_id: str):
    found = find_set(set_id)
    if found["status"] != "draft":
        raise locked(found)
    wanted = body(AnnotationCreate)
    audio = service().store.audio.audio(owner(), known_uuid(wanted.audio_id, "audio file"))
    if audio is None or audio["dataset_id"] != found["dataset_id"]:
        raise NotFound(f"no audio file {wanted.audio_id} in this set's dataset")
    if audio["status"] != "ready":
        raise Conflict(f"audio file {audio['id']} is {audio['status']}: confirm its upload first")
    if wanted.end_seconds > audio["duration_seconds"] + END_TOLERANCE_SECONDS:
        raise Invalid(
            [
                {
                    "loc": ["body", "end_seconds"],
                    "msg": f"past the end of the audio ({audio['duration_seconds']:.3f} s)",
                    "type": "range",
                }
            ]
        )
    row = service().store.audio.add_annotation(
        found["id"], audio["id"], wanted.start_seconds, wanted.end_seconds, wanted.label
    )
    if row is None:
        raise locked(found)
    return jsonify(annotation_out(row)), 201


@bp.get("/annotation-sets/<set_id>/annotations")
@require_scope("read")
@describe(
    "List a set's annotations", scope="read", responses={200: AnnotationPage}, query=PAGE_QUERY
)
def list_annotations(set_id: str):
    found = find_set(set_id)
    page, size = page_params()
    rows, total = service().store.audio.annotations_page(found["id"], (page - 1) * size, size)
    return paginated([annotation_out(r) for r in rows], total, page, size)


@bp.get("/annotation-sets/<set_id>/annotations/<annotation_id>")
@require_scope("read")
@describe("One annotation", scope="read", responses={200: AnnotationOut})
def get_annotation(set_id: str, annotation_id: str):
    found = find_set(set_id)
    row = service().store.audio.annotation(found["id"], known_uuid(annotation_id, "annotation"))
    if row is None:
        raise NotFound(f"no annotation {annotation_id} in this set")
    return jsonify(annotation_out(row))


@bp.delete("/annotation-sets/<set_id>/annotations/<annotation_id>")
@require_scope("write")
@describe("Delete an annotation of a draft set", scope="write", responses={204: None})
def delete_annotation(set_id: str, annotation_id: str):
    found = find_set(set_id)
    outcome = service().store.audio.delete_annotation(
        found["id"], known_uuid(annotation_id, "annotation")
    )
    if outcome == "locked":
        raise locked(found)
    if outcome == "missing":
        raise NotFound(f"no annotation {annotation_id} in this set")
    return "", 204
