"""The builtin AI model's training hook and admin view: after a successful write request,
maybe start a background training run (`retrain_every`) and an ICL labelling round
(`batch_interval_seconds`); `GET /admin/api/ai/builtin` lists the stored model versions
and the trainer's state, `POST /admin/api/ai/builtin/train` starts a run."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..ai.builtin.runner import settings_for, trainer, uses_builtin
from ..ai.icl import worker
from ..errors import BadRequest
from .security import admin_required, current_project

bp = Blueprint("ai_builtin", __name__)


@bp.after_app_request
def count_towards_training(response):
    if request.method == "POST" and response.status_code < 400:
        project = current_project()
        if uses_builtin(project):
            trainer(project).maybe_trigger()
        icl = project.config.icl
        if icl is not None and icl.enabled:
            worker(project).maybe_run()
    return response


@bp.get("/admin/api/ai/builtin")
@admin_required
def builtin_status():
    project = current_project()
    return jsonify(
        {
            "in_use": uses_builtin(project),
            "settings": settings_for(project).as_dict(),
            "models": project.store.ai_models.versions(),
            "trainer": trainer(project).status(),
        }
    )


@bp.post("/admin/api/ai/builtin/train")
@admin_required
def builtin_train():
    project = current_project()
    if not any(getattr(s, "learned_as", None) for s in project.config.schemes):
        raise BadRequest("no scheme here is one the builtin model learns")
    return jsonify({"status": trainer(project).trigger()}), 202
