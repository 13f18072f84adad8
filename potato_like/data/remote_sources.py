"""Potato's remote `data_sources` that plain HTTP(S) can read, fetched into a project cache.

`type: url` (any http/https address, optional `headers`), `type: google_drive` (a publicly
shared file: its share link or `file_id`) and `type: dropbox` (a public shared link) are
downloaded through `net.safe_fetch` (public addresses only unless the host is in
`media.allow_fetch_hosts`; size and time caps; redirects checked) into
`<task_dir>/<data_cache.cache_dir>/` and imported from there like a local file.

Refresh rule: at start a cached copy younger than `data_cache.ttl_seconds` is used as it is;
an older one is fetched again (the import then picks up changed content, as for any data
file). When a fetch fails and a cached copy exists, the copy is used with a warning; with no
copy the config fails with the source named. `data_cache.enabled: false` fetches at every start.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..config.model import DATA_SUFFIXES
from ..net.safe_fetch import FetchError, FetchPolicy, fetch

# What a data file may be served as; a web page (a login screen, Google Drive's "can't scan
# this file" notice) is not data.
ACCEPTED_TYPES = (
    "application/json",
    "application/x-ndjson",
    "application/jsonl",
    "application/x-jsonlines",
    "application/jsonlines",
    "application/csv",
    "application/octet-stream",
    "binary/octet-stream",
    "text/plain",
    "text/csv",
    "text/tab-separated-values",
)
_TYPE_SUFFIX = {
    "application/json": ".json",
    "application/x-ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
    "application/x-jsonlines": ".jsonl",
    "application/jsonlines": ".jsonl",
    "application/csv": ".csv",
    "text/csv": ".csv",
    "text/tab-separated-values": ".tsv",
}
_DRIVE_FILE = re.compile(r"/file/d/([A-Za-z0-9_-]+)")
_SLUG = re.compile(r"[^A-Za-z0-9_.-]+")


class RemoteSourceError(Exception):
    """A remote source could not be read and no cached copy exists."""


@dataclass(frozen=True)
class DataCache:
    directory: Path
    ttl_seconds: float = 3600.0
    enabled: bool = True


@dataclass(frozen=True)
class RemoteSource:
    id: str
    kind: str  # url, google_drive, dropbox
    url: str  # the address fetched (a share link already turned into its download URL)
    headers: tuple[tuple[str, str], ...] = ()
    max_bytes: int = 100 * 1024 * 1024
    timeout: float = 30.0
    suffix: str | None = None  # from `format` or the URL; else the content type decides

    @property
    def stem(self) -> str:
        digest = hashlib.sha256(self.url.encode("utf-8")).hexdigest()[:12]
        return f"{_SLUG.sub('_', self.id)[:60]}-{digest}"


@dataclass(frozen=True)
class Fetched:
    path: Path
    warning: str | None = None  # a stale copy was used because the fetch failed


def google_drive_url(url: str | None, file_id: str | None) -> str | None:
    """The direct download address of a publicly shared Drive file, or None."""
    if file_id:
        return "https://drive.google.com/uc?" + urlencode({"export": "download", "id": file_id})
    if not url:
        return None
    parts = urlsplit(url)
    match = _DRIVE_FILE.search(parts.path)
    found = match.group(1) if match else dict(parse_qsl(parts.query)).get("id")
    return google_drive_url(None, found) if found else None


def dropbox_url(url: str) -> str:
    """A Dropbox share link with `dl=1` (the file itself, not Dropbox's preview page)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "dl"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("dl", "1")])))


def suffix_of(url: str, declared: str | None) -> str | None:
    if declared:
        suffix = "." + declared.lower().lstrip(".")
        return suffix if suffix in DATA_SUFFIXES else None
    suffix = Path(urlsplit(url).path).suffix.lower()
    return suffix if suffix in DATA_SUFFIXES else None


@dataclass(frozen=True)
class RemoteData:
    """The remote sources of a project and where their copies are kept (for the admin's
    list and refresh: web/data_sources_api.py)."""

    sources: tuple[RemoteSource, ...] = ()
    cache: DataCache | None = None
    allow_hosts: tuple[str, ...] = ()
    databases: tuple = ()  # DatabaseSource (data/database_source.py)

    def find(self, source_id: str) -> RemoteSource | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def status(self, source: RemoteSource) -> dict:
        copy = _cached_copy(self.cache.directory, source.stem) if self.cache else None
        stat = copy.stat() if copy else None
        return {
            "id": source.id,
            "type": source.kind,
            "url": source.url,
            "cached": copy is not None,
            "fetched_at": stat.st_mtime if stat else None,
            "size_bytes": stat.st_size if stat else None,
            "ttl_seconds": self.cache.ttl_seconds if self.cache else None,
        }


def materialize(
    source: RemoteSource,
    cache: DataCache,
    allow_hosts: tuple[str, ...],
    now: float | None = None,
    force: bool = False,
) -> Fetched:
    """The local copy of `source`, fetched when missing or older than the cache's TTL (or
    always, with `force`)."""
    now = time.time() if now is None else now
    cached = _cached_copy(cache.directory, source.stem)
    fresh = cached is not None and now - cached.stat().st_mtime < cache.ttl_seconds
    if fresh and cache.enabled and not force:
        return Fetched(cached)
    policy = FetchPolicy(
        allow_hosts=allow_hosts,
        max_bytes=source.max_bytes,
        timeout=source.timeout,
        accept=ACCEPTED_TYPES,
    )
    try:
        result = fetch(source.url, policy, dict(source.headers))
    except FetchError as e:
        message = _explain(str(e))
        if cached is not None:
            return Fetched(cached, f"could not refresh ({message}); using the copy fetched before")
        raise RemoteSourceError(message) from None
    suffix = source.suffix or _TYPE_SUFFIX.get(result.content_type)
    if suffix is None:
        raise RemoteSourceError(
            f"cannot tell the file's format from its address or its content type "
            f"{result.content_type!r}; add `format: jsonl` (or json, csv, tsv)"
        )
    return Fetched(_store(cache.directory, source.stem, suffix, result.body, cached))


def _cached_copy(directory: Path, stem: str) -> Path | None:
    for suffix in DATA_SUFFIXES:
        path = directory / f"{stem}{suffix}"
        if path.is_file():
            return path
    return None


def _store(directory: Path, stem: str, suffix: str, body: bytes, old: Path | None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}{suffix}"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".fetch-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
        os.replace(tmp, path)  # atomic: an importer never sees half a file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if old is not None and old != path:
        old.unlink(missing_ok=True)
    return path


def _explain(message: str) -> str:
    if "'text/html'" in message:
        return (
            f"{message} (a web page, not a data file: is the file shared publicly, "
            "and does the link point at the file itself?)"
        )
    return message


def header_pairs(headers: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in headers.items())
