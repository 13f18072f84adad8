"""`/api/v1/exports`: a project's annotations in any format of the exporter registry
(potato_like/export), made by the job worker: create -> poll -> download."""

from __future__ import annotations

from flask import jsonify, send_file, url_for
from pydantic import BaseModel, ConfigDict, Field

from ...errors import Conflict, NotFound
from ...export.registry import formats
from ...service_files import export_dir
from ...store.jobs import Job
from . import bp
from .audio_jobs import cancel, find_job, job_fields
from .common import (
    PAGE_QUERY,
    Invalid,
    body,
    idempotent,
    may_use_project,
    owner,
    page_model,
    page_params,
    paginated,
    require_scope,
    service,
)
from .openapi import describe


class ExportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project: str = Field(min_length=1, max_length=100, description="the project's slug")
    format: str = Field(min_length=1, max_length=100, description="an exporter name")


class ExportOut(BaseModel):
    id: str
    status: str
    progress: float
    error: str | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    project: str
    format: str
    filename: str | None
    size_bytes: int | None
    download_url: str | None = Field(description="when completed")


ExportPage = page_model(ExportOut)


def out(job: Job) -> dict:
    result = job.result or {}
    done = job.status == "completed"
    return ExportOut(
        **job_fields(job),
        project=job.params["project"],
        format=job.params["format"],
        filename=result.get("filename"),
        size_bytes=result.get("size_bytes"),
        download_url=url_for("api_v1.download_export", job_id=job.id) if done else None,
    ).model_dump()


@bp.post("/exports")
@require_scope("read")
@idempotent
@describe(
    "Export a project's annotations in a format (a job; download when completed)",
    scope="read",
    body=ExportCreate,
    responses={201: ExportOut},
)
def create_export():
    wanted = body(ExportCreate)
    if wanted.project not in service().projects() or not may_use_project(wanted.project):
        raise NotFound(f"no project {wanted.project}")
    names = [f.name for f in formats()]
    if wanted.format not in names:
        raise Invalid(
            [
                {
                    "loc": ["body", "format"],
                    "msg": f"must be one of {', '.join(names)}",
                    "type": "enum",
                }
            ]
        )
    job = service().store.jobs.create(
        "export", owner(), {"project": wanted.project, "format": wanted.format}
    )
    return jsonify(out(job)), 201


@bp.get("/exports")
@require_scope("read")
@describe("List exports, newest first", scope="read", responses={200: ExportPage}, query=PAGE_QUERY)
def list_exports():
    page, size = page_params()
    jobs, total = service().store.jobs.page("export", owner(), (page - 1) * size, size)
    return paginated([out(j) for j in jobs], total, page, size)


@bp.get("/exports/<job_id>")
@require_scope("read")
@describe(
    "An export: status, progress, error, download_url", scope="read", responses={200: ExportOut}
)
def get_export(job_id: str):
    return jsonify(out(find_job(job_id, "export")))


@bp.post("/exports/<job_id>/cancel")
@require_scope("read")
@describe("Cancel a queued or running export", scope="read", responses={200: ExportOut})
def cancel_export(job_id: str):
    return jsonify(out(cancel(find_job(job_id, "export"))))


@bp.get("/exports/<job_id>/download")
@require_scope("read")
@describe("Download a completed export's file", scope="read", responses={200: None})
def download_export(job_id: str):
    job = find_job(job_id, "export")
    if job.status != "completed":
        raise Conflict(f"the export is {job.status}, not completed")
    path = export_dir(service().files_dir, job.id) / job.result["filename"]
    if not path.is_file():
        raise NotFound("the export's file is gone")
    return send_file(
        path, mimetype=job.result["mimetype"], as_attachment=True, download_name=path.name
    )
