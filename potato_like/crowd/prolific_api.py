"""The one client for Prolific's REST API (list a study's submissions, approve, reject).

The token comes from the environment (PROLIFIC_API_TOKEN), never from a config file. Every
call has a timeout, and redirects are not followed (the token must not travel to another
host). Failures become ProlificUnavailable (502) with Prolific's own message when it sent one.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from typing import Any

from ..config.crowd import TOKEN_ENV
from ..errors import PotatoLikeError

TIMEOUT_SECONDS = 10.0
_ID_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Prolific's rejection categories; a rejection needs one and a message of 100+ characters.
REJECTION_CATEGORIES = (
    "TOO_QUICKLY",
    "TOO_SLOWLY",
    "FAILED_INSTRUCTIONS",
    "INCOMP_LONGITUDINAL",
    "FAILED_CHECK",
    "LOW_EFFORT",
    "MALINGERING",
    "NO_CODE",
    "BAD_CODE",
    "NO_DATA",
    "UNSUPP_DEVICE",
    "OTHER",
)
MIN_REJECTION_MESSAGE = 100


class ProlificUnavailable(PotatoLikeError):
    status = 502


class NoToken(PotatoLikeError):
    status = 503


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 30x becomes an HTTPError instead of a second request


class ProlificClient:
    def __init__(self, token: str, base_url: str, timeout: float = TIMEOUT_SECONDS) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise ValueError(f"the Prolific API URL must be http(s), got {base_url!r}")
        self.token = token
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirects)

    @classmethod
    def from_environment(cls, base_url: str, timeout: float = TIMEOUT_SECONDS) -> ProlificClient:
        token = os.environ.get(TOKEN_ENV, "").strip()
        if not token:
            raise NoToken(
                f"the Prolific API is not set up: set {TOKEN_ENV} in the server's environment"
            )
        return cls(token, base_url, timeout)

    def submissions(self, study_id: str) -> list[dict[str, Any]]:
        body = self._call("GET", f"studies/{_segment(study_id)}/submissions/")
        results = body.get("results") if isinstance(body, dict) else body
        if not isinstance(results, list):
            raise ProlificUnavailable("the Prolific API answered an unexpected shape")
        return results

    def approve(self, submission_id: str) -> dict[str, Any]:
        return self._transition(submission_id, {"action": "APPROVE"})

    def reject(self, submission_id: str, message: str, category: str) -> dict[str, Any]:
        body = {"action": "REJECT", "message": message, "rejection_category": category}
        return self._transition(submission_id, body)

    def _transition(self, submission_id: str, body: dict[str, Any]) -> dict[str, Any]:
        path = f"submissions/{_segment(submission_id)}/transition/"
        result = self._call("POST", path, body)
        return result if isinstance(result, dict) else {}

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(  # noqa: S310 (base_url is checked to be http(s))
            self.base_url + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={
                "Authorization": f"Token {self.token}",
                "Accept": "application/json",
                "Content-Type": "application/json",
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as err:
            raise ProlificUnavailable(
                f"Prolific answered {err.code} to {method} {path}: {_detail(err)}",
                prolific_status=err.code,
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise ProlificUnavailable(f"cannot reach the Prolific API: {reason}") from None
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            raise ProlificUnavailable(
                "the Prolific API answered something that is not JSON"
            ) from None


def _segment(value: str) -> str:
    """An id as one path segment. Callers check ids first (a study id is 24 hex digits); this
    is the last guard: quoting leaves `.` and `..` as they are, which move up the path."""
    if not _ID_SEGMENT.match(value):
        raise ValueError(f"{value!r} cannot be a Prolific id")
    return value


def _detail(err: urllib.error.HTTPError) -> str:
    try:
        raw = err.read(2000)
    except OSError:
        raw = b""
    try:
        data = json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")[:300] or err.reason
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            return str(error.get("detail") or error.get("title") or error)[:300]
        return str(data.get("detail") or error or data)[:300]
    return str(data)[:300]
