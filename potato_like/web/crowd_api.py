"""Admin routes over the Prolific API: a study's submissions (with each worker's local
status and code), approve, reject. Needs PROLIFIC_API_TOKEN in the server's environment."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, jsonify, request

from ..config.crowd_model import PROLIFIC_API_URL, PROLIFIC_ID
from ..crowd.prolific_api import (
    MIN_REJECTION_MESSAGE,
    REJECTION_CATEGORIES,
    ProlificClient,
)
from ..errors import BadRequest
from .security import admin_required, current_project

bp = Blueprint("crowd_api", __name__)
_SUBMISSION_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")


def _client() -> ProlificClient:
    crowd = current_project().config.crowd
    return ProlificClient.from_environment(crowd.api_url if crowd else PROLIFIC_API_URL)


def _submission_id(value: str) -> str:
    if not _SUBMISSION_ID.match(value):
        raise BadRequest(f"{value!r} is not a Prolific submission id (letters and digits)")
    return value


@bp.get("/admin/api/crowdsourcing/prolific/submissions")
@admin_required
def prolific_submissions():
    project = current_project()
    crowd = project.config.crowd
    study_id = request.args.get("study_id") or (crowd.study_id if crowd else None)
    if not study_id:
        raise BadRequest("give ?study_id= (or set prolific.study_id in the config)")
    if not PROLIFIC_ID.match(study_id):
        raise BadRequest(f"{study_id!r} is not a Prolific study id (24 hex digits)")
    submissions = _client().submissions(study_id)
    local = {
        w["worker_id"]: w for w in project.store.crowd.workers() if w["platform"] == "prolific"
    }
    out: list[dict[str, Any]] = []
    for sub in submissions:
        if not isinstance(sub, dict):
            continue
        mine = local.get(str(sub.get("participant_id") or sub.get("participant") or ""))
        out.append(
            {
                **sub,
                "local": None
                if mine is None
                else {
                    "username": mine["username"],
                    "status": mine["study_status"],
                    "outcome": mine["outcome"],
                    "completion_code": mine["code"],
                    "annotations": mine["done_count"],
                },
            }
        )
    return jsonify(study_id=study_id, count=len(out), submissions=out)


@bp.post("/admin/api/crowdsourcing/prolific/submissions/<submission_id>/approve")
@admin_required
def approve_submission(submission_id: str):
    result = _client().approve(_submission_id(submission_id))
    return jsonify(status="success", submission=result)


@bp.post("/admin/api/crowdsourcing/prolific/submissions/<submission_id>/reject")
@admin_required
def reject_submission(submission_id: str):
    submission_id = _submission_id(submission_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object with message and rejection_category")
    message = body.get("message")
    category = body.get("rejection_category")
    if not isinstance(message, str) or len(message.strip()) < MIN_REJECTION_MESSAGE:
        raise BadRequest(
            f"message: Prolific needs a rejection message of at least {MIN_REJECTION_MESSAGE} "
            "characters explaining why"
        )
    if category not in REJECTION_CATEGORIES:
        raise BadRequest(f"rejection_category must be one of {', '.join(REJECTION_CATEGORIES)}")
    result = _client().reject(submission_id, message.strip(), category)
    return jsonify(status="success", submission=result)
