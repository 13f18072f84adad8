"""Per data file options of Potato's data_files / data_sources mappings: `encoding` and
`filter_by_prior_annotation` (data/prior_filter.py), plus `data_directory_encoding` for the
files of the data directory. Read next to config/data_sources.py, which resolves the paths
the same way; the importer gets them as data/readers.FileOptions."""

from __future__ import annotations

import codecs
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..data.prior_filter import PriorFilter, matching_items
from ..data.readers import FileOptions
from .reader import ConfigReader, type_name

FILTER_KEYS = ("annotation_dir", "schema", "value", "invert")


@dataclass(frozen=True)
class DataFileOptions:
    """path -> (declared encoding, prior filter); the directory's encoding for its files."""

    by_path: Mapping[str, tuple[str | None, PriorFilter | None]]
    directory: Path | None = None
    directory_encoding: str | None = None

    def for_files(self, files: tuple[Path, ...]) -> dict[str, FileOptions]:
        """What the importer needs for these files (filters read from disk now)."""
        out: dict[str, FileOptions] = {}
        for path in files:
            encoding, prior = self.by_path.get(str(path), (None, None))
            if encoding is None and self.directory and path.is_relative_to(self.directory):
                encoding = self.directory_encoding
            matched = matching_items(prior) if prior else None
            out[str(path)] = FileOptions(encoding, matched, bool(prior and prior.invert))
        return out


def read_data_file_options(
    r: ConfigReader, task_dir: Path, base: Path, directory: Path | None
) -> DataFileOptions:
    by_path: dict[str, tuple[str | None, PriorFilter | None]] = {}
    key = "data_sources" if r.has("data_sources") else "data_files"
    entries = r.raw.get(key)
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("path"), str):
            continue
        sub = ConfigReader(entry, f"{key}[{i}]", r.problems, r.warnings)
        encoding = _encoding(entry.get("encoding"))
        prior = _prior(sub, entry.get("filter_by_prior_annotation"), task_dir, base)
        if encoding or prior:
            by_path[str(_resolve(task_dir, base, entry["path"]))] = (encoding, prior)
    return DataFileOptions(by_path, directory, _encoding(r.raw.get("data_directory_encoding")))


def _encoding(name: object) -> str | None:
    """A valid encoding's canonical name (config/data_sources.py reports invalid ones)."""
    if not isinstance(name, str) or not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _prior(sub: ConfigReader, raw: object, task_dir: Path, base: Path) -> PriorFilter | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        sub.problem("filter_by_prior_annotation", f"must be a mapping, got {type_name(raw)}")
        return None
    f = sub.child("filter_by_prior_annotation")
    f.warn_unknown(FILTER_KEYS)
    directory = f.str("annotation_dir", None, required=True)
    schema = f.str("schema", None, required=True)
    value = raw.get("value")
    values = [value] if isinstance(value, (str, int, float)) else value
    if (
        not isinstance(values, list)
        or not values
        or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in values)
    ):
        f.problem("value", "is required: a label or a list of labels")
        return None
    invert = f.bool("invert", False)
    if directory is None or schema is None:
        return None
    path = _resolve(task_dir, base, directory, want_dir=True)
    if not path.is_dir():
        f.warn("annotation_dir", f"directory not found: {path}; no item matches")
    return PriorFilter(path, schema, frozenset(str(v) for v in values), invert)


def _resolve(task_dir: Path, base: Path, value: str, want_dir: bool = False) -> Path:
    path = Path(os.path.expanduser(value))
    if path.is_absolute():
        return path.resolve()
    first = (task_dir / path).resolve()
    exists = first.is_dir() if want_dir else first.exists()
    return first if exists else (base / path).resolve()
