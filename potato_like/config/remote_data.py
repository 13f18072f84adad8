"""The remote entries of `data_sources` and the `data_cache` block.

Read over plain HTTP(S) (data/remote_sources.py fetches them): `url`, `google_drive` (publicly
shared files) and `dropbox` (public shared links). Refused, with the reason: sources that need
a cloud SDK and credentials (`s3`, `gcs`, private Drive or Dropbox files, `google_sheets`),
`huggingface` (its splits need the `datasets` library). `database` sources are read by
config/database_data.py. Each refusal says how to get the data in instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from ..data.remote_sources import (
    DataCache,
    RemoteSource,
    RemoteSourceError,
    dropbox_url,
    google_drive_url,
    header_pairs,
    materialize,
    suffix_of,
)
from .reader import ConfigReader, type_name

FETCHED_TYPES = ("url", "google_drive", "dropbox")
_INSTEAD = "download the data and list it as `type: file` (or point a `type: url` source at it)"
REFUSED_TYPES = {
    "s3": "needs AWS credentials and the boto3 SDK, which this server does not use",
    "gcs": "needs Google Cloud credentials and its SDK, which this server does not use",
    "google_sheets": "needs a Google service account and the Sheets API client, "
    "which this server does not use",
    "huggingface": "needs the Hugging Face `datasets` library to read a dataset split, "
    "which this server does not use (a single file of a dataset repository can be read "
    "with `type: url` and its https://huggingface.co/datasets/<name>/resolve/main/<file> "
    "address)",
}
URL_SOURCE_KEYS = (
    "type",
    "id",
    "source_id",
    "enabled",
    "encoding",
    "url",
    "headers",
    "max_size_mb",
    "timeout_seconds",
    "block_private_ips",
    "format",
)
DRIVE_KEYS = (*URL_SOURCE_KEYS, "file_id", "credentials_file")
DROPBOX_KEYS = (*URL_SOURCE_KEYS, "path", "access_token")
DATA_CACHE_KEYS = ("enabled", "cache_dir", "ttl_seconds", "max_size_mb")


def read_data_cache(r: ConfigReader, task_dir: Path) -> DataCache:
    cache = r.child("data_cache")
    cache.warn_unknown(DATA_CACHE_KEYS)
    if cache.has("max_size_mb"):
        cache.warn("max_size_mb", "ignored: each source's own max_size_mb caps its download")
    name = cache.str("cache_dir", ".potato_cache") or ".potato_cache"
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\", "~")) or ".." in parts:
        cache.problem("cache_dir", f"{name!r} must be a directory inside task_dir")
        parts = (".potato_cache",)
    return DataCache(
        directory=task_dir.joinpath(*parts),
        ttl_seconds=float(cache.number("ttl_seconds", 3600, minimum=0)),
        enabled=cache.bool("enabled", True),
    )


def read_remote_source(
    sub: ConfigReader,
    kind: str,
    index: int,
    cache: DataCache,
    allow_hosts: tuple[str, ...],
) -> tuple[RemoteSource, Path] | None:
    """(the source, its local copy) of one remote entry, or None with a problem naming it."""
    if kind in REFUSED_TYPES:
        sub.problem(
            "type", f"{kind!r} sources are not supported: it {REFUSED_TYPES[kind]}; {_INSTEAD}"
        )
        return None
    keys = {"google_drive": DRIVE_KEYS, "dropbox": DROPBOX_KEYS}.get(kind, URL_SOURCE_KEYS)
    sub.warn_unknown(keys)
    source = _source(sub, kind, index)
    if source is None:
        return None
    try:
        fetched = materialize(source, cache, allow_hosts)
    except RemoteSourceError as e:
        sub.problem("url", f"{kind} source {source.id!r} ({source.url}): {e}")
        return None
    if fetched.warning:
        sub.warn("url", f"{kind} source {source.id!r} ({source.url}): {fetched.warning}")
    return source, fetched.path


def _source(sub: ConfigReader, kind: str, index: int) -> RemoteSource | None:
    raw = sub.raw
    if kind == "google_drive":
        if raw.get("credentials_file"):
            sub.problem(
                "credentials_file",
                f"private Google Drive files {REFUSED_TYPES['gcs']}; "
                "share the file publicly (anyone with the link) or " + _INSTEAD,
            )
            return None
        url = google_drive_url(sub.str("url", None), sub.str("file_id", None))
        if url is None:
            sub.problem("url", "give a Drive share link (…/file/d/<id>/…) or `file_id`")
            return None
    elif kind == "dropbox":
        if raw.get("access_token") or (raw.get("path") and not raw.get("url")):
            sub.problem(
                "access_token" if raw.get("access_token") else "path",
                "private Dropbox files need the Dropbox SDK and a token, which this "
                "server does not use; use the file's public share link as `url`",
            )
            return None
        url = sub.str("url", None, required=True)
        url = dropbox_url(url) if url else None
    else:
        url = sub.str("url", None, required=True)
    if not url:
        return None
    if raw.get("block_private_ips") is False:
        sub.warn(
            "block_private_ips",
            "ignored: list the host in media.allow_fetch_hosts to "
            "fetch from a private or loopback address",
        )
    headers = raw.get("headers") or {}
    if not isinstance(headers, Mapping):
        sub.problem(
            "headers", f"must be a mapping of header names to values, got {type_name(headers)}"
        )
        return None
    unset = [k for k, v in headers.items() if v is None]
    if unset:
        sub.problem(
            f"headers.{unset[0]}",
            "is empty (an environment variable it names is not "
            "set?); this source cannot be fetched without it",
        )
        return None
    declared = sub.str("format", None)
    suffix = suffix_of(url, declared)
    if declared and suffix is None:
        sub.problem("format", f"{declared!r} is not one of json, jsonl, csv, tsv")
        return None
    size_mb = sub.number("max_size_mb", 100, minimum=0.001, maximum=10240)
    timeout = sub.number("timeout_seconds", 30, minimum=0.5, maximum=3600)
    ident = sub.str("id", None) or sub.str("source_id", None) or f"{kind}-{index}"
    return RemoteSource(
        id=ident,
        kind=kind,
        url=url,
        headers=header_pairs(headers),
        max_bytes=int(size_mb * 1024 * 1024),
        timeout=float(timeout),
        suffix=suffix,
    )
