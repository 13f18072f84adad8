"""Chat about the item with an LLM (`chat_support`; seed 003 "Chat Support API") and agent
chat (seed 003 "Agent Chat API"). Messages are kept per annotator and item in the store, so a
page reload or another server process shows the same history; `POST /agent_chat/finish` marks
the agent conversation finished, kept with the item.

An endpoint that fails or times out answers 503 `{"error": ...}` after at most the time-out;
nothing is stored for a message that got no reply.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from ..ai.providers.registry import provider_class
from ..ai.service import records
from ..ai.suggestion import ProviderUnavailable
from ..errors import BadRequest, NotFound, PotatoLikeError
from .security import current_project, login_required_json, require_user
from .tracking import own_item

bp = Blueprint("chat", __name__)

MAX_MESSAGE = 4000
CHAT, AGENT = "chat", "agent"
DEFAULT_SYSTEM = (
    'You help an annotator with the task "{task_name}". Questions: {task_description}. '
    "Labels: {annotation_labels}. The annotator is reading item {instance_id}:\n"
    "{instance_text}\n\n"
    "Help them think about the item; do not simply give the answer."
)


class ChatUnavailable(PotatoLikeError):
    status = 503


def _provider():
    """The chat provider: chat_support's, else ai_support's when it can chat."""
    project = current_project()
    chat = project.config.chat
    if chat is not None:
        cls = provider_class(chat.endpoint_type)
        return project.cache("chat_provider", lambda: cls(project, chat.settings))
    from ..ai.providers.registry import for_project

    provider = for_project(project)
    if provider is None:
        raise NotFound("chat is not enabled in this project (chat_support)")
    return provider


def _system(item) -> str:
    config = current_project().config
    template = (config.chat.system_template if config.chat else "") or DEFAULT_SYSTEM
    values = {
        "task_name": config.annotation_task_name,
        "task_description": "; ".join(s.description for s in config.schemes),
        "annotation_labels": "; ".join(
            f"{s.name}: {', '.join(s.label_names)}" for s in config.schemes if s.label_names
        ),
        "instance_text": item.text,
        "instance_id": item.id,
    }
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        # A template with other braces: fill what it names, leave the rest as written.
        for key, value in values.items():
            template = template.replace("{" + key + "}", value)
        return template


def _message_body() -> tuple[dict[str, Any], str]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object with instance_id and message")
    message = body.get("message")
    if not isinstance(message, str) or not message.strip():
        raise BadRequest("'message' must be a non-empty string")
    if len(message) > MAX_MESSAGE:
        raise BadRequest(f"'message' is longer than {MAX_MESSAGE} characters")
    return body, message.strip()


def _instance_id(body: dict[str, Any] | None = None) -> str:
    raw = (body or {}).get("instance_id") if body is not None else request.args.get("instance_id")
    if not isinstance(raw, str) or not raw.strip():
        raise BadRequest("'instance_id' is required")
    return raw.strip()


def _send(channel: str):
    user = require_user()
    body, message = _message_body()
    item = own_item(user, _instance_id(body))
    provider = _provider()
    history = records(current_project()).history(user.user_id, item.seq, channel, _limit())
    talk = [{"role": m["role"], "content": m["content"]} for m in history]
    talk.append({"role": "user", "content": message})
    try:
        reply = provider.chat(talk, _system(item))
    except ProviderUnavailable as exc:
        raise ChatUnavailable(str(exc) or "the assistant did not answer") from None
    records(current_project()).add_messages(
        user.user_id,
        item.seq,
        channel,
        [{"role": "user", "content": message}, {"role": "assistant", "content": reply}],
    )
    return jsonify(status="success", response=reply, instance_id=item.id)


def _limit() -> int:
    chat = current_project().config.chat
    return chat.max_history if chat else 50


@bp.get("/api/chat/config")
@login_required_json
def chat_config():
    chat = current_project().config.chat
    return jsonify(chat.public_json() if chat else {"enabled": False})


@bp.post("/api/chat/send")
@login_required_json
def chat_send():
    if current_project().config.chat is None:
        raise NotFound("chat is not enabled in this project (chat_support)")
    return _send(CHAT)


@bp.get("/api/chat/history")
@login_required_json
def chat_history():
    user = require_user()
    item = own_item(user, _instance_id())
    messages = records(current_project()).history(user.user_id, item.seq, CHAT, _limit())
    return jsonify(instance_id=item.id, messages=[_public(m) for m in messages])


def _public(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "role": message["role"],
        "content": message["content"],
        "timestamp": message["timestamp"],
    }


@bp.post("/agent_chat/send")
@login_required_json
def agent_send():
    return _send(AGENT)


@bp.post("/agent_chat/finish")
@login_required_json
def agent_finish():
    user = require_user()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object with instance_id")
    item = own_item(user, _instance_id(body))
    kept = records(current_project()).finish(user.user_id, item.seq, AGENT)
    if not kept:
        raise BadRequest("there is no unfinished agent conversation on this item")
    return jsonify(status="success", instance_id=item.id, messages=kept)


@bp.get("/agent_chat/status")
@login_required_json
def agent_status():
    user = require_user()
    item = own_item(user, _instance_id())
    messages = records(current_project()).history(user.user_id, item.seq, AGENT, 500)
    finished = bool(messages) and all(m["finished_at"] is not None for m in messages)
    return jsonify(
        instance_id=item.id,
        active=bool(messages) and not finished,
        finished=finished,
        messages=[_public(m) for m in messages],
    )
