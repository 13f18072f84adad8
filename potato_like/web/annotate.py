"""The annotation page (server-rendered, keyboard-first) and the finished page."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..ai.service import service as ai_service
from ..ai.vision.service import vision
from ..crowd import completion_for, time_is_up
from ..crowd.base import COMPLETED, NOT_COMPLETED
from ..errors import BadRequest, Blocked, PotatoLikeError, WrongPhase
from ..media.lookahead import WaveformLookahead
from ..quality import pre_annotation
from ..spans.page import span_page_data
from ..store.annotations import answers_version
from ..study.flow import answered_count, too_few_answers
from ..submission import form_to_update
from .api import (
    announce_if_finished,
    check_navigation,
    navigate_or_hold,
    pending_check,
    position_json,
    refuse_unanswered_requirements,
    save_annotations,
)
from .item_display import page_item_display
from .page_schemes import hidden_schemes, page_schemes
from .phases import submit_phase
from .security import current_project, require_user


def ai_page_data(project) -> dict | None:
    """What the page's AI script needs (no keys, no endpoint URL); None: AI off."""
    svc = ai_service(project)
    if svc is None or not svc.schemes():
        return None
    ai = project.config.ai
    return {
        "schemas": [s.name for s in svc.schemes()],
        "provider": ai.endpoint_type,
        "prefill": ai.prefill,
        "timeout": ai.timeout,
        "highlighting": ai.highlighting.as_json(),
    }


bp = Blueprint("annotate", __name__)
# A JSON POST /annotate with any of these saves before navigating.
SAVE_FIELDS = (
    "annotations",
    "schema",
    "label_annotations",
    "span_annotations",
    "link_annotations",
    "event_annotations",
)


@bp.get("/annotate")
def annotate_page():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login_page"))
    user = require_user()
    project = current_project()
    check = None
    if project.config.study.has_flow:
        state = project.flow.state(user.user_id)
        if not project.flow.in_annotation(state):
            return redirect(url_for("phases.phase_page"))
        check = project.checks.pending_item(user.user_id, state) if state.pending else None
    project.sweep_expired_leases()
    project.poll_data_directory()
    pos = project.store.assignments.current(user.user_id, project.policy)
    if pos.finished and check is None:
        announce_if_finished(user, pos)
        if project.config.study.has_flow:
            project.flow.finish_annotation(user.user_id)
            return redirect(url_for("phases.phase_page"))
        return redirect(url_for("annotate.done_page"))
    prefilled = confidence = version = None
    if check is not None:
        item, maps = check, {}
    else:
        item = project.store.items.by_seq(pos.item_seq)
        maps = project.store.annotations.maps_for(item.seq, user.user_id)
        version = answers_version(maps)
        if not maps and project.config.study.pre_annotation.enabled:
            maps = prefilled = pre_annotation.predictions(project.config, item.fields)
            confidence = pre_annotation.confidence(project.config, item.fields)
        detector = vision(project)
        if detector is not None:
            if not maps:  # the detections as editable shapes until the annotator saves
                found = detector.preannotations(item.id, item.text)
                if found:
                    maps = prefilled = {**(prefilled or {}), **found}
            detector.prefetch(item.seq, 2)
        # the next items' waveforms, computed in the background (media/lookahead.py)
        project.cache("waveform_lookahead", lambda: WaveformLookahead(project)).after_page(item.seq)
    context_key = project.config.item_properties.context_key
    context = item.fields.get(context_key) if context_key else None
    span_page = span_page_data(project.config, item, maps)
    shown, total = project.checks.progress(user.user_id, pos.index, pos.total, check is not None)
    study = project.config.study
    # Phased studies keep their step bar and their instructions on every item.
    steps = list(study.phases) if study.has_flow else []
    step_index = study.phase_index(study.annotation_phase) if steps else 0
    guides = [p for p in steps if p.type == "instructions" and p.html]
    return render_template(
        "annotate/annotate.html",
        project=project,
        config=project.config,
        user=user,
        item=item,
        context=context,
        maps=maps,
        schemes=page_schemes(
            project.config,
            # the text too (a conversation tree may be the item text; a pairwise scheme
            # compares the list text_key holds), as /api/current_instance
            {project.config.item_properties.text_key: item.text, **item.fields},
            user.username,
            item.id,
        ),
        hidden=hidden_schemes(project.config.schemes, maps),
        span_page=span_page,
        display=page_item_display(project.config, item, with_spans=bool(span_page)),
        pos=pos,
        progress=(shown, total),
        steps=steps,
        step_index=step_index,
        guides=guides,
        display_id=item.id if check is None else project.checks.display_id(user.user_id, check),
        notice=_notice(pos.status) if check is None else None,
        prefilled=prefilled,
        version=version,
        confidence=confidence,
        pre=project.config.study.pre_annotation,
        ai_page=ai_page_data(project) if check is None else None,
        chat=project.config.chat if check is None else None,
    )


def _notice(status: str | None) -> str | None:
    if status == "expired":
        return (
            "Your lease on this item expired and it was given to another annotator. "
            "Your answers are kept; move on to the next item."
        )
    return None


@bp.post("/annotate")
def annotate_action():
    """Potato's POST /annotate: save (when the body carries annotations), then navigate by
    `action`. JSON in, JSON out; a form post redirects back to the page."""
    user = require_user()
    data = request.get_json(silent=True) if request.is_json else request.form
    if data is None or not hasattr(data, "get"):
        raise BadRequest("the body must be a JSON object or a form")
    if not request.is_json and data.get("action") != "prev_instance" and _in_other_phase(user):
        # Potato's phase pages post their forms to /annotate: submit the current phase.
        return submit_phase()
    first_load = data.get("action") is None and data.get("go_to") in (None, "")
    if first_load:
        # Potato reads a post without `action` (its first load) as "init": show the page
        # where the user is (a form's fields are not read as answers then).
        data = {**(data if request.is_json else data.to_dict()), "action": "init"}
    check_navigation(data)
    saved = None
    if request.is_json:
        if "instance_id" in data and any(key in data for key in SAVE_FIELDS):
            saved = save_annotations(user, data)
    elif data.get("instance_id") and not first_load:
        # The page's no-JavaScript fallback: its form fields are the answers.
        saved = save_annotations(user, form_to_update(data, current_project().config))
    if request.is_json and data.get("action") == "next_instance" and pending_check(user) is None:
        refuse_unanswered_requirements(user)
    try:
        pos, check = navigate_or_hold(user, data, form_index=not request.is_json)
    except PotatoLikeError as err:
        if not request.is_json and isinstance(err, (Blocked, WrongPhase)):
            # The form's answer ended annotation (a check that blocks): the page leads on.
            return redirect(url_for("annotate.annotate_page"))
        if saved:
            # The answers are committed; only the move failed. Say so, or the client would
            # believe (and perhaps re-send) a lost answer.
            err.extra = {**err.extra, "saved": True}
        raise
    if request.is_json:
        body = {"status": "success", **position_json(pos, check)}
        if saved:
            body["save"] = saved
        return jsonify(body)
    return redirect(url_for("annotate.annotate_page"))


def _in_other_phase(user) -> bool:
    project = current_project()
    if not project.config.study.has_flow:
        return False
    return not project.flow.in_annotation(project.flow.state(user.user_id))


@bp.get("/done")
def done_page():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login_page"))
    user = require_user()
    project = current_project()
    if project.config.study.has_flow:
        return redirect(url_for("phases.phase_page"))
    pos = project.store.assignments.current(user.user_id, project.policy)
    time_up = time_is_up(project, user.user_id)
    if not pos.finished and not time_up:
        return redirect(url_for("annotate.annotate_page"))
    done_count = answered_count(project, user.user_id)
    required = project.config.min_annotations_for_completion
    outcome = NOT_COMPLETED if too_few_answers(project, user.user_id) else COMPLETED
    return render_template(
        "annotate/done.html",
        config=project.config,
        user=user,
        pos=pos,
        done_count=done_count,
        required=required,
        completed=outcome == COMPLETED,
        time_up=time_up,
        completion=completion_for(project, user.user_id, outcome),
    )
