"""`/api/v1/training-jobs`, `/api/v1/inference-jobs` and `/api/v1/models` (seed 004).

Creating a job only writes a queued row; the job worker process (potato_like/jobs) runs it.
Clients poll `GET .../{id}` for status (queued | running | completed | failed | cancelled),
progress (0-1) and error, and read the result once completed: `model_id` and the held-out
score of a training job, `results` of an inference job."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field

from ...errors import Conflict, NotFound
from ...store.jobs import FINISHED, Job
from . import bp
from .annotation_sets import find_set
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
from .openapi import describe

MAX_INFERENCE_FILES = 100


class TrainingParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n_estimators: int = Field(default=60, ge=10, le=500, description="trees in the forest")
    threshold: float = Field(
        default=0.5, ge=0.05, le=0.99, description="frame probability to call an artifact"
    )


class TrainingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    annotation_set_id: str
    params: TrainingParams | None = None


class InferenceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model_id: str
    audio_ids: list[str] = Field(min_length=1, max_length=MAX_INFERENCE_FILES)


class JobBase(BaseModel):
    id: str
    status: str = Field(description="queued | running | completed | failed | cancelled")
    progress: float = Field(description="0-1")
    error: str | None
    created_at: float
    started_at: float | None
    finished_at: float | None


class TrainingJobOut(JobBase):
    annotation_set_id: str
    params: dict[str, Any]
    model_id: str | None = Field(description="when completed")
    metrics: dict[str, Any] | None = Field(description="the held-out score, when completed")


class Detection(BaseModel):
    start_seconds: float
    end_seconds: float
    label: str
    confidence: float


class InferenceResult(BaseModel):
    audio_id: str
    detections: list[Detection]
    error: str | None = Field(default=None, description="when the file was deleted meanwhile")


class InferenceJobOut(JobBase):
    model_id: str
    audio_ids: list[str]
    results: list[InferenceResult] | None = Field(description="when completed")


class ModelOut(BaseModel):
    id: str
    annotation_set_id: str
    training_job_id: str
    labels: list[str]
    metrics: dict[str, Any]
    created_at: float


TrainingJobPage = page_model(TrainingJobOut)
InferenceJobPage = page_model(InferenceJobOut)


def job_fields(job: Job) -> dict:
    return {
        "id": job.id,
        "status": job.status,
        "progress": round(job.progress, 4),
        "error": job.error,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def training_out(job: Job) -> dict:
    result = job.result or {}
    return TrainingJobOut(
        **job_fields(job),
        annotation_set_id=job.params["annotation_set_id"],
        params=job.params.get("params") or {},
        model_id=result.get("model_id"),
        metrics=result.get("metrics"),
    ).model_dump()


def inference_out(job: Job) -> dict:
    result = job.result or {}
    return InferenceJobOut(
        **job_fields(job),
        model_id=job.params["model_id"],
        audio_ids=job.params["audio_ids"],
        results=result.get("results"),
    ).model_dump()


def find_job(job_id: str, kind: str) -> Job:
    what = f"{kind} job"
    job = service().store.jobs.get(known_uuid(job_id, what), kind=kind, owner=owner())
    if job is None:
        raise NotFound(f"no {what} {job_id}")
    return job


def cancel(job: Job) -> Job:
    if job.status in FINISHED:
        raise Conflict(f"the job has already ended ({job.status})")
    found = service().store.jobs.cancel(job.id)
    assert found is not None
    return found


@bp.post("/training-jobs")
@require_scope("write")
@idempotent
@describe(
    "Train an artifact detector on a published annotation set",
    scope="write",
    body=TrainingCreate,
    responses={201: TrainingJobOut},
)
def create_training_job():
    wanted = body(TrainingCreate)
    found = find_set(wanted.annotation_set_id)
    if found["status"] != "published":
        raise Conflict("the annotation set is a draft: publish it first")
    _annotations, count = service().store.audio.annotations_page(found["id"], 0, 1)
    if not count:
        raise Invalid(
            [
                {
                    "loc": ["body", "annotation_set_id"],
                    "msg": "the annotation set has no annotations",
                    "type": "value_error",
                }
            ]
        )
    params = (wanted.params or TrainingParams()).model_dump()
    job = service().store.jobs.create(
        "training", owner(), {"annotation_set_id": found["id"], "params": params}
    )
    return jsonify(training_out(job)), 201


@bp.get("/training-jobs")
@require_scope("read")
@describe(
    "List training jobs, newest first",
    scope="read",
    responses={200: TrainingJobPage},
    query=PAGE_QUERY,
)
def list_training_jobs():
    page, size = page_params()
    jobs, total = service().store.jobs.page("training", owner(), (page - 1) * size, size)
    return paginated([training_out(j) for j in jobs], total, page, size)


@bp.get("/training-jobs/<job_id>")
@require_scope("read")
@describe(
    "A training job: status, progress, error, model_id",
    scope="read",
    responses={200: TrainingJobOut},
)
def get_training_job(job_id: str):
    return jsonify(training_out(find_job(job_id, "training")))


@bp.post("/training-jobs/<job_id>/cancel")
@require_scope("write")
@describe("Cancel a queued or running training job", scope="write", responses={200: TrainingJobOut})
def cancel_training_job(job_id: str):
    return jsonify(training_out(cancel(find_job(job_id, "training"))))


@bp.post("/inference-jobs")
@require_scope("write")
@idempotent
@describe(
    "Detect artifacts in audio files with a trained model",
    scope="write",
    body=InferenceCreate,
    responses={201: InferenceJobOut},
)
def create_inference_job():
    wanted = body(InferenceCreate)
    store = service().store.audio
    model = store.model(owner(), known_uuid(wanted.model_id, "model"))
    if model is None:
        raise NotFound(f"no model {wanted.model_id}")
    audio_ids = list(dict.fromkeys(known_uuid(a, "audio file") for a in wanted.audio_ids))
    for audio_id in audio_ids:
        audio = store.audio(owner(), audio_id)
        if audio is None:
            raise NotFound(f"no audio file {audio_id}")
        if audio["status"] != "ready":
            raise Conflict(f"audio file {audio_id} is {audio['status']}: confirm its upload first")
    job = service().store.jobs.create(
        "inference", owner(), {"model_id": model["id"], "audio_ids": audio_ids}
    )
    return jsonify(inference_out(job)), 201


@bp.get("/inference-jobs")
@require_scope("read")
@describe(
    "List inference jobs, newest first",
    scope="read",
    responses={200: InferenceJobPage},
    query=PAGE_QUERY,
)
def list_inference_jobs():
    page, size = page_params()
    jobs, total = service().store.jobs.page("inference", owner(), (page - 1) * size, size)
    return paginated([inference_out(j) for j in jobs], total, page, size)


@bp.get("/inference-jobs/<job_id>")
@require_scope("read")
@describe(
    "An inference job: status, progress, error, results",
    scope="read",
    responses={200: InferenceJobOut},
)
def get_inference_job(job_id: str):
    return jsonify(inference_out(find_job(job_id, "inference")))


@bp.post("/inference-jobs/<job_id>/cancel")
@require_scope("write")
@describe(
    "Cancel a queued or running inference job", scope="write", responses={200: InferenceJobOut}
)
def cancel_inference_job(job_id: str):
    return jsonify(inference_out(cancel(find_job(job_id, "inference"))))


@bp.get("/models/<model_id>")
@require_scope("read")
@describe("A trained model: its labels and held-out score", scope="read", responses={200: ModelOut})
def get_model(model_id: str):
    found = service().store.audio.model(owner(), known_uuid(model_id, "model"))
    if found is None:
        raise NotFound(f"no model {model_id}")
    return jsonify(ModelOut.model_validate(found).model_dump())
