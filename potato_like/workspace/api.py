"""`/api/v1/projects` at a workspace's root: create (a generated config.yaml, started at once),
list with progress, get, change status (active, paused, archived), delete. Admin scope.
Registered only on the workspace's root app (a single-project server has no projects to
manage); the OpenAPI document includes it (web/api_v1/openapi.py)."""

from __future__ import annotations

from typing import Any, Literal

from flask import Blueprint, jsonify
from pydantic import BaseModel, ConfigDict, Field

from ..errors import ConfigError
from ..web.api_v1.common import (
    Invalid,
    body,
    install_errors,
    page_params,
    paginated,
    require_scope,
    service,
)
from ..web.api_v1.openapi import describe
from .create import BadSlug, create_project, require_project
from .workspace import project_summary

bp = Blueprint("api_v1_workspace", __name__, url_prefix="/api/v1")
install_errors(bp)
PAGE_QUERY = {"page": "page number, from 1", "page_size": "items per page, 1-100 (20)"}


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: str = Field(
        min_length=1, max_length=63, description="lower-case letters, digits, dashes: /p/<slug>/"
    )
    title: str = Field(min_length=1, max_length=200)
    annotation_schemes: list[dict[str, Any]] | None = Field(
        default=None,
        description="as in a config file (docs/schemes.md); default: one radio question",
    )
    data: list[dict[str, Any]] = Field(
        min_length=1, description='the items: objects with an "id" and a "text"'
    )
    instructions: str | None = Field(default=None, max_length=20_000)


class ProjectPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["active", "paused", "archived"]


class ProjectOut(BaseModel):
    slug: str
    title: str
    status: str
    path: str = Field(description="where the project is served: /p/<slug>/")
    items: int
    annotations: int
    completed_items: int
    percent_done: float
    annotators: int


class ProjectPage(BaseModel):
    items: list[ProjectOut]
    total: int
    page: int
    page_size: int
    has_more: bool


def _out(slug: str, project) -> dict:
    return ProjectOut.model_validate(project_summary(service(), slug, project)).model_dump()


@bp.post("/projects")
@require_scope("admin")
@describe(
    "Create a project (a generated config.yaml, started at once)",
    scope="admin",
    body=ProjectCreate,
    responses={201: ProjectOut},
)
def create():
    wanted = body(ProjectCreate)
    try:
        project = create_project(
            service(),
            wanted.slug,
            wanted.title.strip(),
            wanted.annotation_schemes,
            wanted.data,
            wanted.instructions,
        )
    except BadSlug as err:
        raise Invalid(
            [{"loc": ["body", "slug"], "msg": p, "type": "value_error"} for p in err.problems]
        ) from None
    except ConfigError as err:
        raise Invalid(
            [{"loc": ["body", "config"], "msg": p, "type": "config"} for p in err.problems]
        ) from None
    return jsonify(_out(wanted.slug, project)), 201


@bp.get("/projects")
@require_scope("admin")
@describe("List projects with their progress", scope="admin", responses={200: ProjectPage})
def list_projects():
    page, size = page_params()
    running = sorted(service().projects().items())
    shown = running[(page - 1) * size : page * size]
    return paginated([_out(slug, p) for slug, p in shown], len(running), page, size)


@bp.get("/projects/<slug>")
@require_scope("admin")
@describe("One project and its progress", scope="admin", responses={200: ProjectOut})
def get_project(slug: str):
    return jsonify(_out(slug, require_project(service(), slug)))


@bp.patch("/projects/<slug>")
@require_scope("admin")
@describe(
    "Pause, archive (read-only) or reactivate a project",
    scope="admin",
    body=ProjectPatch,
    responses={200: ProjectOut},
)
def patch_project(slug: str):
    project = require_project(service(), slug)
    service().set_status(slug, body(ProjectPatch).status)
    return jsonify(_out(slug, project))


@bp.delete("/projects/<slug>")
@require_scope("admin")
@describe(
    "Delete a project and its directory (data, annotations, database)",
    scope="admin",
    responses={204: None},
)
def delete_project(slug: str):
    require_project(service(), slug)
    service().delete(slug)
    return "", 204
