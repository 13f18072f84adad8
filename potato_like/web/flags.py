"""Flag an item with a comment (unclear, broken, offensive, wrong language, ...).

`POST /api/flag_item` `{"instance_id", "comment"}` from the annotation page's Flag button (or
a script with the annotator's session): the item must be in the caller's list. Flags are kept
in the event log; admins see them on the item's page and in `GET /admin/api/flags`.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..errors import BadRequest
from .security import admin_required, current_project, login_required_json, require_user
from .tracking import _body, _own_item, _text

bp = Blueprint("flags", __name__)

MAX_COMMENT = 2000


@bp.post("/api/flag_item")
@login_required_json
def flag_item():
    user = require_user()
    body = _body(("instance_id", "comment"))
    item = _own_item(user, body)
    comment = _text(body.get("comment"), "comment", limit=MAX_COMMENT, required=True)
    current_project().store.admin.add_flag(user.user_id, item.seq, comment.strip())
    return jsonify(status="success", instance_id=item.id)


@bp.get("/admin/api/flags")
@admin_required
def flags():
    project = current_project()
    item_id = request.args.get("instance_id", "").strip()
    seq = None
    if item_id:
        item = project.store.items.by_id(item_id)
        if item is None:
            raise BadRequest(f"instance {item_id!r} does not exist")
        seq = item.seq
    found = project.store.admin.flags(item_seq=seq)
    return jsonify(flags=found, total=len(found))
