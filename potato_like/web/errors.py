"""Turn errors into responses: JSON for API callers, a page for browsers.

A JSON error keeps its 4xx/5xx status and carries the message twice: `{"error": ...}` (seed
003) and Potato's `{"status": "error", "message": ...}`, which Potato's own clients read.
Errors with a status of their own ("csrf", "blocked", "time_up") keep it instead of "error".
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from ..errors import PotatoLikeError

log = logging.getLogger("potato_like")

_STORAGE_PROBLEMS = (
    ("disk is full", "The server's disk is full: nothing was saved. Try again later."),
    ("readonly", "The server's database is read-only: nothing was saved."),
    ("read-only", "The server's database is read-only: nothing was saved."),
    (
        "database is locked",
        "The server is too busy to save right now: nothing was saved. Try again.",
    ),
    ("unable to open", "The server cannot open its database: nothing was saved."),
)

_API_PREFIXES = (
    "/api/",
    "/admin/api/",
    "/corpus/api/",  # the event registry (web/event_registry.py)
    "/admin/health",
    "/updateinstance",
    "/get_annotations",
    "/health",
    "/get_ai_suggestion",
    "/agent_chat/",
)


def wants_json() -> bool:
    if request.path.startswith(_API_PREFIXES) or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_body(message: str, /, **extra) -> dict:
    """The JSON body of an error: both clients' keys, then the error's own extra fields."""
    body: dict = {"status": "error", "message": message, "error": message}
    body.update({k: v for k, v in extra.items() if isinstance(v, (str, int, float, list))})
    return body


def error_response(message: str, status: int, /, **extra):
    if request.path.startswith("/api/v1/"):  # the management API: seed 004's error shape
        response = jsonify({"detail": message})
    elif wants_json():
        response = jsonify(error_body(message, **extra))
    else:
        response = make_response(
            render_template("errors/error.html", message=message, status=status)
        )
    response.status_code = status
    if "retry_after" in extra:
        response.headers["Retry-After"] = str(extra["retry_after"])
    return response


def install(app: Flask) -> None:
    @app.errorhandler(PotatoLikeError)
    def on_error(err: PotatoLikeError):
        return error_response(err.message, err.status, **err.extra)

    @app.errorhandler(CSRFError)
    def on_csrf(err: CSRFError):
        # Usually a page left open while the session ended (logged out in another tab, idle
        # too long): say so in words for people; `status` tells scripts what it was.
        return error_response(
            "This page is out of date: your session may have ended (for example, you logged "
            "out in another tab). Reload the page and try again.",
            400,
            status="csrf",
            reason=str(err.description),
        )

    @app.errorhandler(HTTPException)
    def on_http(err: HTTPException):
        messages = {
            404: "not found",
            405: f"method {request.method} not allowed here",
            413: "request body too large",
        }
        return error_response(messages.get(err.code, err.description or err.name), err.code or 500)

    @app.errorhandler(OperationalError)
    def on_storage(err: OperationalError):
        # The transaction rolled back: nothing was written. Say so, and when to retry.
        reason = str(getattr(err, "orig", err)).lower()
        for needle, message in _STORAGE_PROBLEMS:
            if needle in reason:
                log.error("storage problem on %s %s: %s", request.method, request.path, reason)
                return error_response(message, 503, retry_after=5)
        log.exception("database error on %s %s", request.method, request.path)
        return error_response("internal server error", 500)

    @app.errorhandler(Exception)
    def on_crash(err: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response("internal server error", 500)
