"""Seed 000 on each project's app inside a workspace: the one-time invite links that
request_annotation returns, and the reviewer's accept/reject of annotated images.

- `GET /jtheta/invite/<token>`: an unused, unexpired invite to this project signs its
  e-mail address in (an account named by the address, made on first use) and marks the
  link used; the annotator lands on the annotation page, the reviewer on the review page.
  A used, expired, unknown or other project's link answers 403.
- `GET /jtheta/review` (page) and `GET /jtheta/review.json`: annotated images and their
  latest decision; only the project's assigned reviewer.
- `POST /jtheta/review/<item_id>` (form or JSON `{decision: accept|reject, comment}`): a
  rejection puts the annotator back on that image (their position in their list), and the
  comment is shown on the annotation page of that image (templates/annotate/annotate.html
  calls `review_comment`) and listed at `GET /jtheta/returned`."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ...errors import BadRequest, Forbidden, NotFound, Unauthorized
from ...web.errors import wants_json
from ...web.security import current_project
from .projects import jtheta

bp = Blueprint("jtheta_project", __name__, url_prefix="/jtheta")
MAX_COMMENT = 2000


def workspace():
    found = current_app.extensions.get("potato_like_workspace")
    if found is None:
        raise NotFound("not a workspace project")
    return found


def slug() -> str:
    return current_project().mount_slug


def record():
    found = jtheta(workspace()).project_by_slug(slug())
    if found is None:
        raise NotFound("this project was not created through the JTheta-style API")
    return found


@bp.get("/invite/<token>")
def accept_invite(token: str):
    from ...web.auth import login_without_password

    record()
    used = jtheta(workspace()).use_invite(token, slug())
    if used is None:
        raise Forbidden("this invite link is invalid, expired or already used")
    login_without_password(used.email, kind="invite")
    if used.role == "reviewer":
        return redirect(url_for("jtheta_project.review_page"))
    return redirect(url_for("annotate.annotate_page"))


def reviewer_only():
    if not current_user.is_authenticated:
        raise Unauthorized("sign in with your reviewer invite link first")
    row = record()
    if row.reviewer is None or current_user.username.casefold() != row.reviewer.casefold():
        raise Forbidden("only this project's assigned reviewer reviews its images")
    return row


def annotated_images() -> list[dict]:
    """Every annotated image with its annotator, shapes, last change and latest decision."""
    project = current_project()
    reviews = jtheta(workspace()).latest_reviews(slug())
    found: dict[str, dict] = {}
    for rec in project.store.annotations.iter_annotated():
        entry = found.setdefault(
            rec.item_id,
            {"item_id": rec.item_id, "image": rec.text, "annotators": [], "changed_at": 0.0},
        )
        entry["annotators"].append(rec.user)
        entry["changed_at"] = max(entry["changed_at"], rec.updated_at)
        entry.setdefault("answers", {})[rec.user] = rec.label_maps
    for entry in found.values():
        review = reviews.get(entry["item_id"])
        stale = review is None or review["decided_at"] < entry["changed_at"]
        entry["review"] = None if stale else review
        entry["state"] = "pending_review" if stale else review["decision"] + "ed"
    return sorted(found.values(), key=lambda e: (e["state"] != "pending_review", e["item_id"]))


@bp.get("/review")
def review_page():
    from ...web.item_display import media_url

    reviewer_only()
    images = annotated_images()
    for entry in images:
        entry["url"] = media_url(entry["image"], image=True)
    return render_template("jtheta/review.html", images=images)


@bp.get("/review.json")
def review_list():
    reviewer_only()
    return jsonify(images=annotated_images())


@bp.post("/review/<path:item_id>")
def review(item_id: str):
    row = reviewer_only()
    data = request.get_json(silent=True) if request.is_json else request.form
    if not isinstance(data, dict) and not hasattr(data, "get"):
        raise BadRequest("send decision and comment")
    decision = str(data.get("decision") or "").strip().lower()
    comment = str(data.get("comment") or "").strip()
    if decision not in ("accept", "reject"):
        raise BadRequest("decision: accept or reject")
    if decision == "reject" and not comment:
        raise BadRequest("comment: say what the annotator should change")
    if len(comment) > MAX_COMMENT:
        raise BadRequest(f"comment: at most {MAX_COMMENT} characters")
    images = {e["item_id"]: e for e in annotated_images()}
    entry = images.get(item_id)
    if entry is None:
        raise NotFound(f"no annotated image {item_id!r}")
    jtheta(workspace()).add_review(slug(), item_id, row.reviewer, decision, comment)
    if decision == "reject":
        send_back(item_id, entry["annotators"])
    if wants_json():
        return jsonify(status="success", item_id=item_id, decision=decision, comment=comment)
    return redirect(url_for("jtheta_project.review_page"))


def send_back(item_id: str, annotators: list[str]) -> None:
    """Each annotator of the image resumes at it: their current position is set to it."""
    store = current_project().store
    for name in annotators:
        user = store.users.by_name(name)
        if user is None:
            continue
        for position, listed_id, _status in store.assignments.user_items(user.id):
            if listed_id == item_id:
                store.assignments.set_position(user.id, position)
                break


@bp.app_context_processor
def review_notes():
    """`review_comment(item_id)` for the annotation page: the reviewer's comment when the
    image's latest decision sent it back (shown until the reviewer decides again)."""

    def review_comment(item_id: str) -> str | None:
        found = jtheta(workspace()).latest_review(slug(), item_id)
        return found.comment if found is not None and found.decision == "reject" else None

    return {"review_comment": review_comment}


@bp.get("/returned")
def returned():
    """The signed-in annotator's images that the reviewer sent back, with the comments."""
    if not current_user.is_authenticated:
        raise Unauthorized("sign in first")
    mine = [
        {"item_id": e["item_id"], "comment": e["review"]["comment"], "image": e["image"]}
        for e in annotated_images()
        if e["state"] == "rejected" and current_user.username in e["annotators"]
    ]
    return jsonify(images=mine)
