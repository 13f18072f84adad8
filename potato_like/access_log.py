"""The access log: one line per request in the combined log format (Apache/nginx), off by
default; `python run.py CONFIG --access-log [FILE]` or `server.access_log` turns it on.

Query strings (of the request and of the Referer) are written with the values of
secret or personal parameters replaced by `REDACTED`: passwords and keys can arrive in a
query string, and crowd links carry the worker's platform id. Request bodies, cookies and
other headers are never logged.
"""

from __future__ import annotations

import logging
import sys
import time
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

# Compared case-insensitively with every query parameter name.
REDACTED_PARAMETERS = frozenset(
    name.lower()
    for name in (
        # secrets
        "password",
        "pass",
        "passwd",
        "pwd",
        "token",
        "access_token",
        "csrf_token",
        "key",
        "api_key",
        "apikey",
        "admin_key",
        "secret",
        "signature",
        "session",
        "code",
        # crowd workers' platform ids (personal data)
        "PROLIFIC_PID",
        "SESSION_ID",
        "workerId",
        "assignmentId",
        "hitId",
        "participant_id",
        "PARTICIPANT_ID",
    )
)


def redact_query(query: str) -> str:
    if not query:
        return query
    parts = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        shown = "REDACTED" if name.lower() in REDACTED_PARAMETERS and value else value
        parts.append(f"{quote(name, safe='')}={quote(shown, safe='')}")
    return "&".join(parts)


def redact_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "-"
    return urlunsplit(parts._replace(query=redact_query(parts.query), fragment=""))


def _quoted(value: str) -> str:
    """A header value safe inside the log's double quotes (no line breaks, no quotes)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "")


def access_logger(target: str) -> logging.Logger:
    logger = logging.Logger("potato_like.access")  # not registered: one per server
    handler = (
        logging.StreamHandler(sys.stderr)
        if target == "-"
        else logging.FileHandler(target, encoding="utf-8")
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    return logger


def with_access_log(app, target: str):
    """Wrap a WSGI app so that each finished request writes one combined-format line."""
    logger = access_logger(target)

    def logged(environ, start_response):
        status_box: list[str] = []

        def start(status, headers, exc_info=None):
            status_box.append(status)
            return start_response(status, headers, exc_info)

        sent = 0
        result = app(environ, start)
        try:
            for chunk in result:
                sent += len(chunk)
                yield chunk
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
            logger.info(_line(environ, status_box[-1] if status_box else "500", sent))

    return logged


def _line(environ, status: str, sent: int) -> str:
    raw_path = environ.get("PATH_INFO", "").encode("latin-1", "replace")
    path = quote(raw_path, safe="/:@!$&'()*+,;=-._~%")
    query = redact_query(environ.get("QUERY_STRING", ""))
    target = f"{path}?{query}" if query else path
    request_line = (
        f"{environ.get('REQUEST_METHOD', '-')} {target} {environ.get('SERVER_PROTOCOL', '-')}"
    )
    when = time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime())
    referer = environ.get("HTTP_REFERER")
    agent = environ.get("HTTP_USER_AGENT")
    return (
        f'{environ.get("REMOTE_ADDR") or "-"} - - [{when}] "{_quoted(request_line)}" '
        f"{status.split(' ', 1)[0]} {sent or '-'} "
        f'"{_quoted(redact_url(referer)) if referer else "-"}" '
        f'"{_quoted(agent) if agent else "-"}"'
    )
