"""Where items come from: `data_files`, `data_sources` and `data_directory`.

Potato accepts three ways of naming data, and so do we:
- `data_files`: a list whose entries are paths or mappings with `path` (plus `encoding`,
  `filter_by_prior_annotation`, and keys some of Potato's examples add: `type`, `format`,
  `id_key`, `text_key`, which Potato ignores: the file's extension decides its format).
- `data_sources`: a list of typed sources. `type: file` (a local file) is read in place;
  `url`, `google_drive` and `dropbox` are fetched into the project's cache
  (config/remote_data.py); `database` rows are read into it (config/database_data.py); the
  types that need credentials or an SDK are refused with the reason. As in Potato, when
  `data_sources` is set it replaces `data_files`.
- `data_directory`: every .json/.jsonl/.csv/.tsv file directly in a directory, read at start;
  with `watch_data_directory: true` the directory is scanned again for new, changed or removed
  files at most every `watch_poll_interval` seconds while annotators work.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..data.remote_sources import RemoteData
from .database_data import read_database_source
from .model import DATA_SUFFIXES, DataDirectory
from .reader import ConfigReader, hint, type_name
from .remote_data import FETCHED_TYPES, REFUSED_TYPES, read_data_cache, read_remote_source

DATA_FILE_ENTRY_KEYS = (
    "path",
    "encoding",
    "filter_by_prior_annotation",
    "type",
    "format",
    "id_key",
    "text_key",
)
DATA_SOURCE_KEYS = ("type", "path", "id", "source_id", "enabled", "encoding")
LOCAL_SOURCE_TYPES = ("file",)
REMOTE_SOURCE_TYPES = (*FETCHED_TYPES, *REFUSED_TYPES, "database")


def read_data(
    r: ConfigReader, task_dir: Path, base: Path, allow_hosts: tuple[str, ...] = ()
) -> tuple[list[Path], DataDirectory | None, RemoteData]:
    """(data files named in the config, the data directory or None, the remote sources).
    Problems and warnings go to the reader; at least one source of items is required.
    Remote sources are fetched here (into the cache), so a config that loads has its data
    on disk."""
    directory = _data_directory(r, task_dir, base)
    remote = RemoteData()
    if r.has("data_sources"):
        files, remote = _data_sources(r, task_dir, base, allow_hosts)
        if r.list("data_files"):
            r.warn("data_files", "ignored because data_sources is set (Potato reads only those)")
    else:
        files = _data_files(r, task_dir, base)
        if r.has("data_cache"):
            r.warn("data_cache", "ignored: no remote data_sources")
    if not files and directory is None and not _has_problem(r, ("data_files", "data_sources")):
        r.problem(
            "data_files",
            "is required: list at least one .json, .jsonl, .csv or .tsv file "
            "(or set data_directory, or a data_sources entry of type file)",
        )
    return _unique(files), directory, remote


def _data_files(r: ConfigReader, task_dir: Path, base: Path) -> list[Path]:
    files = []
    for i, entry in enumerate(r.list("data_files")):
        where = f"data_files[{i}]"
        if isinstance(entry, Mapping):
            entry = _file_entry(r, entry, where, DATA_FILE_ENTRY_KEYS)
            if entry is None:
                continue
        elif not isinstance(entry, str) or not entry.strip():
            r.problems.append(
                f"{where}: must be a file path or a mapping with 'path', got {type_name(entry)}"
            )
            continue
        path = local_file(r, entry, where, task_dir, base)
        if path is not None:
            files.append(path)
    return files


def _data_sources(
    r: ConfigReader, task_dir: Path, base: Path, allow_hosts: tuple[str, ...]
) -> tuple[list[Path], RemoteData]:
    files = []
    remote = []
    databases = []
    cache = read_data_cache(r, task_dir)
    for i, sub in r.entries("data_sources", "a mapping with 'type'"):
        where, entry = sub.path, sub.raw
        kind = sub.str("type", None, required=True)
        if kind is None:
            continue
        if not sub.bool("enabled", True):
            continue
        if kind == "database":
            db = read_database_source(sub, i, cache.directory, task_dir)
            if db is not None:
                databases.append(db[0])
                files.append(db[1])
            continue
        if kind in REMOTE_SOURCE_TYPES:
            found = read_remote_source(sub, kind, i, cache, allow_hosts)
            if found is not None:
                remote.append(found[0])
                files.append(found[1])
            continue
        if kind not in LOCAL_SOURCE_TYPES:
            known = LOCAL_SOURCE_TYPES + REMOTE_SOURCE_TYPES
            sub.problem("type", f"{kind!r} is not one of {', '.join(known)}{hint(kind, known)}")
            continue
        name = _file_entry(r, entry, where, DATA_SOURCE_KEYS)
        if name is None:
            continue
        path = local_file(r, name, where, task_dir, base)
        if path is not None:
            files.append(path)
    ids = [s.id for s in remote] + [d.id for d in databases]
    for dup in sorted({x for x in ids if ids.count(x) > 1}):
        r.problem("data_sources", f"two remote sources have the id {dup!r}; give each its own id")
    return files, RemoteData(tuple(remote), cache, allow_hosts, tuple(databases))


def _file_entry(
    r: ConfigReader, entry: Mapping[str, Any], where: str, known: tuple[str, ...]
) -> str | None:
    """The `path` of a mapping entry; the other keys are checked and reported."""
    sub = ConfigReader(entry, where, r.problems, r.warnings)
    sub.warn_unknown(known)
    path = sub.str("path", None, required=True)
    check_encoding(sub, "encoding")
    fmt = sub.str("format", None) or sub.str("type", None)
    if path and fmt and fmt not in ("file",) and Path(path).suffix.lower() != f".{fmt.lower()}":
        sub.warn(
            "format" if "format" in entry else "type",
            f"{fmt!r} ignored: the file's extension decides how it is read (as in Potato)",
        )
    for key in ("id_key", "text_key"):
        if key in entry:
            sub.warn(key, "ignored: item_properties sets it for every file (as in Potato)")
    return path


def check_encoding(r: ConfigReader, key: str) -> None:
    """A declared encoding must be one Python knows (config/data_file_options.py passes it
    to the importer)."""
    name = r.str(key, None)
    if name is None:
        return
    try:
        codecs.lookup(name)
    except LookupError:
        r.problem(key, f"unknown encoding {name!r}")


def local_file(r: ConfigReader, entry: str, where: str, task_dir: Path, base: Path) -> Path | None:
    path = resolve(task_dir, entry)
    if not path.exists():  # Potato configs often give paths relative to the config file
        alt = resolve(base, entry)
        path = alt if alt.exists() else path
    if path.suffix.lower() not in DATA_SUFFIXES:
        r.problems.append(
            f"{where}: {entry!r} has an unsupported type; use one of {', '.join(DATA_SUFFIXES)}"
        )
        return None
    if not path.is_file():
        r.problems.append(f"{where}: file not found: {path}")
        return None
    return path


def _data_directory(r: ConfigReader, task_dir: Path, base: Path) -> DataDirectory | None:
    name = r.str("data_directory", None)
    watch = r.bool("watch_data_directory", False)
    poll = r.number("watch_poll_interval", 5.0, minimum=1.0, maximum=3600.0)
    check_encoding(r, "data_directory_encoding")
    if name is None:
        for key in ("watch_data_directory", "watch_poll_interval"):
            if r.has(key):
                r.warn(key, "ignored because data_directory is not set")
        return None
    path = resolve(task_dir, name)
    if not path.is_dir():
        alt = resolve(base, name)
        path = alt if alt.is_dir() else path
    if not path.is_dir():
        r.problem("data_directory", f"directory not found: {path}")
        return None
    return DataDirectory(path=path, watch=watch, poll_seconds=float(poll))


def resolve(base: Path, value: str) -> Path:
    path = Path(os.path.expanduser(value))
    return (path if path.is_absolute() else base / path).resolve()


def _unique(files: list[Path]) -> list[Path]:
    return list(dict.fromkeys(files))


def _has_problem(r: ConfigReader, keys: tuple[str, ...]) -> bool:
    return any(p.startswith(keys) for p in r.problems)
