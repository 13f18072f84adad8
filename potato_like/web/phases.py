"""The study's phase pages: consent, prestudy, instructions, training and poststudy, and the
end pages (completed, not eligible, failed training, blocked). HTML for people (forms work
without JavaScript), JSON for scripts on the same routes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..crowd import completion_for, outcome_of
from ..errors import BadRequest, PotatoLikeError, WrongPhase
from ..study import training
from ..study.flow import ACTIVE, BLOCKED
from ..submission import SchemeSet, form_to_update
from .errors import wants_json
from .security import current_project, login_required_json, require_user

bp = Blueprint("phases", __name__)


def _phase_json(user_id: int) -> dict[str, Any]:
    project = current_project()
    flow = project.flow
    state = flow.settle_annotation(user_id, flow.state(user_id))
    page = flow.page(state)
    study = project.config.study
    out: dict[str, Any] = {
        "phase": page.name,
        "type": page.type,
        "status": state.status,
        "title": page.title,
        "phases": [p.name for p in study.phases],
        "phase_index": study.phase_index(page.name),
    }
    if state.status == BLOCKED:
        out["message"] = project.checks.block_message(state)
    if state.status != ACTIVE:
        completion = completion_for(project, user_id, outcome_of(state))
        if completion is not None:
            out["completion"] = completion.as_json()
        return out
    if page.type == "training":
        t_state = flow.training_state(user_id)
        item = t_state.question(flow.training)
        out["training"] = training.summary(flow.training, t_state)
        if item is not None:
            out["question"] = {"id": item.id, "text": item.text}
            out["questions"] = [s.describe() for s in flow.training_schemes()]
    elif page.type != "annotation":
        out["html"] = page.html
        out["questions"] = [s.describe() for s in page.schemes]
    return out


@bp.get("/api/phase")
@login_required_json
def phase_json():
    return jsonify(_phase_json(require_user().user_id))


def _page_context(user) -> dict[str, Any]:
    """What every phase template gets: the user's state, page and the study's steps."""
    project = current_project()
    state = project.flow.state(user.user_id)
    page = project.flow.page(state)
    study = project.config.study
    return {
        "config": project.config,
        "user": user,
        "page": page,
        "state": state,
        # the schemes as this respondent sees them (a phase has no item: fields are empty)
        "question_views": [
            s.for_page({}, user.username, page.name, project.config.random_seed)
            for s in page.schemes
        ],
        "steps": list(study.phases),
        "step_index": study.phase_index(page.name),
        # answers of other phases that this page's display_logic rules watch
        "known_answers": project.flow.known_answers(user.user_id, page)
        if any(s.display_logic for s in page.schemes)
        else {},
    }


def _training_context(user, t_state, item) -> dict[str, Any]:
    flow = current_project().flow
    return {
        "item": item,
        "schemes": flow.training_schemes(),
        "summary": training.summary(flow.training, t_state),
    }


@bp.get("/phase")
def phase_page():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login_page"))
    user = require_user()
    project = current_project()
    flow = project.flow
    common = _page_context(user)
    state, page = common["state"], common["page"]
    if state.status != ACTIVE:
        message = project.checks.block_message(state) if state.status == BLOCKED else None
        completion = completion_for(project, user.user_id, outcome_of(state))
        return render_template("phases/end.html", message=message, completion=completion, **common)
    if page.type == "annotation":
        return redirect(url_for("annotate.annotate_page"))
    if page.type == "training":
        t_state = flow.training_state(user.user_id)
        item = t_state.question(flow.training)
        if item is None:  # decided by an earlier answer: settle and show where that leads
            flow.submit(user.user_id, {})
            return redirect(url_for("phases.phase_page"))
        last = t_state.last
        feedback = flow.feedback(t_state.last_item, last.correct) if last else None
        return render_template(
            "phases/training.html",
            feedback=feedback,
            retrying=bool(last and not last.correct and t_state.last_item is item),
            **_training_context(user, t_state, item),
            **common,
        )
    return render_template("phases/page.html", **common)


@bp.get("/phase/<path:name>")
def phase_by_name(name: str):
    """Phases are shown in order only: any phase URL leads to the user's current phase."""
    return redirect(url_for("phases.phase_page"))


# Potato serves each phase at its own path. Here they are aliases of /phase: the page of the
# user's current phase is served when the path names it (its type or its name); any other
# phase path sends the user to their current phase, so no phase can be skipped by URL.
POTATO_PHASE_PATHS = ("consent", "prestudy", "instructions", "training", "poststudy")


def _names_current_phase(alias: str) -> bool:
    project = current_project()
    state = project.flow.state(require_user().user_id)
    page = project.flow.page(state)
    return state.status == ACTIVE and alias in (page.type, page.name)


def _alias_page():
    alias = request.path.strip("/")
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login_page"))
    if not _names_current_phase(alias):
        return redirect(url_for("phases.phase_page"))
    return phase_page()


def _alias_submit():
    alias = request.path.strip("/")
    if not _names_current_phase(alias):
        if request.is_json or wants_json():
            state = current_project().flow.state(require_user().user_id)
            raise WrongPhase(f"you are not in the {alias} phase; see /phase", phase=state.phase)
        return redirect(url_for("phases.phase_page"))
    return submit_phase()


for _alias in POTATO_PHASE_PATHS:
    bp.add_url_rule(f"/{_alias}", f"{_alias}_page", _alias_page, methods=["GET"])
    bp.add_url_rule(
        f"/{_alias}", f"{_alias}_submit", login_required_json(_alias_submit), methods=["POST"]
    )


@bp.post("/phase")
@login_required_json
def submit_phase():
    user = require_user()
    project = current_project()
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise BadRequest("the body must be a JSON object")
    else:
        state = project.flow.state(user.user_id)
        page = project.flow.page(state)
        schemes = project.flow.training_schemes() if page.type == "training" else page.schemes
        body = form_to_update(request.form, SchemeSet(schemes))
        body.update(phase=request.form.get("phase", ""), question=request.form.get("question"))
        if not schemes:
            body.pop("annotations", None)
    try:
        result = project.flow.submit(user.user_id, body)
    except PotatoLikeError as err:
        if wants_json() or request.is_json:
            raise
        return _form_error(err)
    if request.is_json or wants_json():
        out = {"status": "success", "phase": result.phase, "study_status": result.status}
        if result.feedback:
            out["feedback"] = result.feedback
        return jsonify(out)
    return redirect(url_for("phases.phase_page"))


def _form_error(err: PotatoLikeError):
    """A refused form: show the page again with the problem (answers need re-entering only
    for the questions named)."""
    user = require_user()
    flow = current_project().flow
    common = _page_context(user)
    page = common["page"]
    template = "phases/training.html" if page.type == "training" else "phases/page.html"
    extra: dict[str, Any] = {}
    if page.type == "training":
        t_state = flow.training_state(user.user_id)
        item = t_state.question(flow.training)
        if item is None:
            return redirect(url_for("phases.phase_page"))
        extra = {"feedback": None, "retrying": False, **_training_context(user, t_state, item)}
    missing = err.extra.get("missing_schemas", [])
    # Unanswered questions are named as people read them (the API message is for scripts).
    questions = err.extra.get("missing")
    message = f"Please answer first: {'; '.join(questions)}." if questions else err.message
    return (
        render_template(template, error=message, missing=missing, **extra, **common),
        err.status,
    )
