"""Bounded calls to an HTTP knowledge base: a slow or dead KB must not tie up the server.

Each HTTP KB gets a few call slots of its own (`max_concurrent`); a search that finds them
all busy answers 503 with Retry-After at once instead of waiting. A call has a short connect
time-out, each read waits at most `timeout`, and the whole answer must arrive within
`timeout` (checked after each KiB); an answer larger than MAX_ANSWER_BYTES is refused.
Answers are cached for `cache_seconds`.
What went wrong (with the KB's address) goes to the log; annotators see a generic message.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from typing import Any

import requests

from ..errors import PotatoLikeError

log = logging.getLogger("potato_like")

MAX_ANSWER_BYTES = 2 << 20
CONNECT_TIMEOUT = 2.0
CACHE_ENTRIES = 512
RETRY_AFTER_SECONDS = 2


class KbUnavailable(PotatoLikeError):
    status = 502


class KbBusy(PotatoLikeError):
    status = 503


class TtlCache:
    """A small least-recently-used cache whose entries expire after `seconds`."""

    def __init__(self, seconds: float, entries: int = CACHE_ENTRIES) -> None:
        self.seconds = seconds
        self.entries = entries
        self._lock = threading.Lock()
        self._data: OrderedDict[Any, tuple[float, Any]] = OrderedDict()

    def get(self, key: Any) -> Any:
        with self._lock:
            found = self._data.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return found[1]

    def put(self, key: Any, value: Any) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._data[key] = (time.monotonic() + self.seconds, value)
            self._data.move_to_end(key)
            while len(self._data) > self.entries:
                self._data.popitem(last=False)


class BoundedHttpKb:
    """GET a KB's JSON API within the limits described above."""

    def __init__(
        self,
        name: str,
        url: str,
        timeout: float,
        slots: int,
        cache_seconds: float,
        secret: str | None = None,
    ):
        self.name = name
        self.url = url
        self.timeout = timeout
        self.secret = secret  # an API key sent in the query: never logged
        self._slots = threading.BoundedSemaphore(slots)
        self._cache = TtlCache(cache_seconds)

    def get_json(
        self, params: dict[str, Any], url: str | None = None, *, missing_ok: bool = False
    ) -> dict[str, Any] | None:
        """The JSON object at `url` (default: the KB's URL). With `missing_ok`, a 404 answers
        None (an unknown entity) instead of raising KbUnavailable."""
        url = url or self.url
        key = (url, *sorted((k, str(v)) for k, v in params.items()))
        cached = self._cache.get(key)
        if cached is not None:
            return cached.get("found")
        if not self._slots.acquire(blocking=False):
            raise KbBusy(
                f"the knowledge base {self.name!r} is busy; try again in a moment",
                retry_after=RETRY_AFTER_SECONDS,
            )
        try:
            data = self._fetch(url, params, missing_ok)
        except (requests.RequestException, ValueError, TimeoutError) as exc:
            self.log_failure(url, exc)
            raise self.unavailable() from exc
        finally:
            self._slots.release()
        self._cache.put(key, {"found": data})
        return data

    def unavailable(self) -> KbUnavailable:
        return KbUnavailable(
            f"the knowledge base {self.name!r} is not available right now; try again later"
        )

    def log_failure(self, url: str, problem: Any) -> None:
        text = str(problem)
        if self.secret:
            text = text.replace(self.secret, "***")
        log.warning("knowledge base %r at %s did not answer: %s", self.name, url, text)

    def _fetch(self, url: str, params: dict[str, Any], missing_ok: bool) -> dict[str, Any] | None:
        deadline = time.monotonic() + self.timeout
        with requests.get(
            url,
            params=params,
            timeout=(min(CONNECT_TIMEOUT, self.timeout), self.timeout),
            headers={"User-Agent": "potato_like entity linking"},
            stream=True,
        ) as response:
            if missing_ok and response.status_code == 404:
                return None
            response.raise_for_status()
            body = bytearray()
            for chunk in response.iter_content(1024):
                body += chunk
                if len(body) > MAX_ANSWER_BYTES:
                    raise ValueError(f"answer larger than {MAX_ANSWER_BYTES} bytes")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no complete answer within {self.timeout:g} s")
        data = json.loads(bytes(body))
        if not isinstance(data, dict):
            raise ValueError("answer is not a JSON object")
        return data
