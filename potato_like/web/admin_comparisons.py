"""Comparison scores (seed 003's "BWS / IBWS Scoring API", plus pairwise scores):
`GET /admin/api/bws_scoring`, `POST /admin/api/bws_scoring/generate`,
`GET /admin/api/ibws_status`, `GET /admin/api/ibws_ranking`,
`GET /admin/api/pairwise_scoring`. Scoring runs in a background thread; views read stored
results or start a run and wait briefly for it."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..comparisons.ibws import IbwsRounds
from ..comparisons.service import BwsScoreBoard, pair_schemes, pairwise_report, tuple_scheme
from ..errors import BadRequest
from .security import admin_required, current_project

bp = Blueprint("admin_comparisons", __name__)

# How long POST /admin/api/bws_scoring/generate waits for the run before answering 202.
GENERATE_WAIT_SECONDS = 10.0


def _board() -> BwsScoreBoard:
    project = current_project()
    if tuple_scheme(project.config) is None:
        raise BadRequest("BWS not configured: the project has no best-worst (bws) scheme")
    return project.cache("bws_scores", lambda: BwsScoreBoard(project))


def _ibws() -> IbwsRounds:
    config = current_project().config
    if config.ibws is None:
        raise BadRequest("IBWS not configured: the project has no ibws_config")
    return IbwsRounds(config)


@bp.get("/admin/api/bws_scoring")
@admin_required
def bws_scoring():
    return jsonify(_board().status())


@bp.post("/admin/api/bws_scoring/generate")
@admin_required
def bws_scoring_generate():
    board = _board()
    body = request.get_json(silent=True) if request.data else {}
    if body is not None and not isinstance(body, dict):
        raise BadRequest('body must be a JSON object, e.g. {"method": "bradley_terry"}')
    method = request.args.get("method") or (body or {}).get("method")
    if method is not None and not isinstance(method, str):
        raise BadRequest("method must be a string")
    from ..comparisons.service import default_method

    status, finished = board.generate(
        method or default_method(current_project().config), GENERATE_WAIT_SECONDS
    )
    return jsonify(status), 200 if finished else 202


@bp.get("/admin/api/ibws_status")
@admin_required
def ibws_status():
    rounds = _ibws()
    current_project().poll_ibws_round()
    return jsonify(rounds.status())


@bp.get("/admin/api/ibws_ranking")
@admin_required
def ibws_ranking():
    return jsonify(_ibws().ranking())


@bp.get("/admin/api/pairwise_scoring")
@admin_required
def pairwise_scoring():
    project = current_project()
    if not pair_schemes(project.config):
        raise BadRequest("the project has no pairwise scheme to score")
    return jsonify(pairwise_report(project))
