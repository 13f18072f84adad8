"""Knowledge bases for entity linking (`entity_linking` of a span scheme).

- `type: file`: a local JSONL / JSON / TSV file of entities (id, name, aliases, description),
  searched through an SQLite FTS5 index (store/kb_index.py) rebuilt when the file changes.
- `type: wikidata`: a Wikidata-style HTTP API (wbsearchentities / wbgetentities). Nothing is
  fetched unless a config lists such a knowledge base.
- `type: umls`, `type: rest`: the UMLS REST API and a generic REST API (spans/kb_remote.py).
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config.reader import ConfigReader
from ..errors import ConfigError
from ..store.kb_index import KbIndex
from .kb_http import BoundedHttpKb
from .kb_remote import REST_DEFAULTS, UMLS_API, UMLS_KEY_VARIABLE, RestKb, UmlsKb

log = logging.getLogger("potato_like")
ENTITY_LINKING_KEYS = ("enabled", "knowledge_bases")
ENTITY_LINKING_LATER = {
    "auto_search": "search on open",
    "required": "required links",
    "multi_select": "several entities per span",
}
KB_KEYS = (
    "name",
    "type",
    "path",
    "base_url",
    "language",
    "timeout",
    "max_concurrent",
    "cache_seconds",
    "api_key",
    "extra_params",
)
KB_TYPES = ("file", "wikidata", "umls", "rest")
DEFAULT_URLS = {"wikidata": "https://www.wikidata.org/w/api.php", "umls": UMLS_API}
WIKIDATA_API = "https://www.wikidata.org/w/api.php"
MAX_RESULTS = 50
KB_FIELDS = ("kb_id", "kb_source", "kb_label")  # an entity link, stored on its span
MAX_KB_FIELD = 500  # characters of kb_id / kb_source / kb_label


@dataclass(frozen=True)
class KbConfig:
    name: str
    type: str
    path: Path | None = None
    base_url: str = WIKIDATA_API
    language: str = "en"
    timeout: float = 5.0  # seconds for a whole answer (HTTP KBs)
    max_concurrent: int = 2  # calls in flight at once; more get 503 at once
    cache_seconds: float = 300.0  # how long an answer is reused (0: never)
    api_key: str | None = None  # umls (required), rest (optional)
    extra: tuple[tuple[str, Any], ...] = ()  # rest: Potato's extra_params, as pairs


def read_entity_linking(reader: ConfigReader, task_dir: Path | None) -> tuple[KbConfig, ...]:
    """The knowledge bases of a span scheme's `entity_linking` ({} or enabled: false: none)."""
    sub = reader.child("entity_linking")
    if not sub.raw:
        return ()
    sub.warn_unknown(ENTITY_LINKING_KEYS, later=ENTITY_LINKING_LATER)
    if not sub.bool("enabled", True):
        return ()
    raw = sub.raw.get("knowledge_bases")
    if not isinstance(raw, list) or not raw:
        sub.problem("knowledge_bases", "is required: a non-empty list of knowledge bases")
        return ()
    out = []
    for i, entry in enumerate(raw):
        path = f"{sub.key_path('knowledge_bases')}[{i}]"
        if not isinstance(entry, Mapping):
            sub.problems.append(f"{path}: must be a mapping with name and type")
            continue
        kb = ConfigReader(entry, path, sub.problems, sub.warnings)
        kb.warn_unknown(KB_KEYS)
        name = kb.str("name", None, required=True)
        kind = kb.str("type", "file")
        if kind not in KB_TYPES:
            kb.problem("type", f"{kind!r} is not one of {', '.join(KB_TYPES)}")
            continue
        file_path = None
        if kind == "file":
            given = kb.str("path", None, required=True)
            if given:
                file_path = (
                    Path(given) if Path(given).is_absolute() else (task_dir or Path()) / given
                )
                if not file_path.is_file():
                    kb.problem("path", f"file not found: {file_path}")
        api_key, extra = _remote_options(kb, kind)
        base_url = kb.str("base_url", DEFAULT_URLS.get(kind, ""), required=kind == "rest")
        if base_url and not base_url.startswith(("http://", "https://")):
            kb.problem("base_url", f"must be an http(s) URL, got {base_url!r}")
        if name:
            out.append(
                KbConfig(
                    name=name,
                    type=kind,
                    path=file_path,
                    api_key=api_key,
                    extra=tuple(extra.items()),
                    base_url=base_url or "",
                    language=kb.str("language", "en"),
                    timeout=float(kb.number("timeout", 5.0, minimum=0.5, maximum=30)),
                    max_concurrent=kb.number(
                        "max_concurrent", 2, integer=True, minimum=1, maximum=16
                    ),
                    cache_seconds=float(kb.number("cache_seconds", 300, minimum=0, maximum=86400)),
                )
            )
    return tuple(out)


def _remote_options(kb: ConfigReader, kind: str) -> tuple[str | None, dict[str, Any]]:
    """`api_key` and `extra_params` of an umls / rest KB (others take neither)."""
    api_key = kb.str("api_key", None) if kb.has("api_key") else None
    if kind == "umls":
        api_key = api_key or os.environ.get(UMLS_KEY_VARIABLE) or None
        if not api_key:
            kb.problem(
                "api_key",
                f"is required for umls: write api_key: ${{{UMLS_KEY_VARIABLE}}} or set the "
                f"{UMLS_KEY_VARIABLE} environment variable",
            )
    elif api_key and kind not in ("rest",):
        kb.warn("api_key", f"is not used by a {kind} knowledge base")
    extra = kb.raw.get("extra_params")
    if extra is None:
        return api_key, {}
    if kind != "rest":
        kb.warn("extra_params", f"is not used by a {kind} knowledge base")
        return api_key, {}
    if not isinstance(extra, Mapping):
        kb.problem("extra_params", "must be a mapping")
        return api_key, {}
    out: dict[str, Any] = {}
    for key, value in extra.items():
        key = str(key)
        if key not in REST_DEFAULTS and not key.startswith("param_"):
            kb.warn(
                "extra_params",
                f"{key!r} is not one of {', '.join(REST_DEFAULTS)} or param_<name>; ignored",
            )
            continue
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            kb.problem("extra_params", f"{key} must be a string or a number")
            continue
        out[key] = value if key.startswith("param_") else str(value)
    for key in ("search_endpoint", "entity_endpoint"):
        if key in out and not out[key].startswith("/"):
            kb.problem("extra_params", f"{key} must start with '/', got {out[key]!r}")
    if "{entity_id}" not in out.get("entity_endpoint", "{entity_id}"):
        kb.problem("extra_params", "entity_endpoint must contain {entity_id}")
    return api_key, out


def read_entities(path: Path) -> Iterator[tuple[str, str, list[str], str]]:
    """(id, name, aliases, description) rows of a KB file; ConfigError names file:line
    (also for an id used twice, which a search would otherwise find twice)."""
    first_at: dict[str, int] = {}
    for n, row in _rows(path):
        entity = _entity(row, path, n)
        if entity[0] in first_at:
            raise ConfigError(
                [f"{path.name}:{n}: duplicate id {entity[0]!r} (first at {first_at[entity[0]]})"]
            )
        first_at[entity[0]] = n
        yield entity


def _rows(path: Path) -> Iterator[tuple[int, Any]]:
    """(line or entry number, raw entity) of a JSONL / JSON / TSV file."""
    suffix = path.suffix.lower()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        if suffix == ".tsv":
            rows = csv.DictReader(fh, delimiter="\t")
            yield from enumerate(rows, start=2)
        elif suffix == ".json" and fh.read(1) == "[":
            fh.seek(0)
            yield from enumerate(json.load(fh), start=1)
        else:
            fh.seek(0)
            for n, line in enumerate(fh, start=1):
                if line.strip():
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise ConfigError([f"{path.name}:{n}: not JSON: {exc.msg}"]) from exc
                    yield n, row


def _entity(row: Any, path: Path, n: int) -> tuple[str, str, list[str], str]:
    if not isinstance(row, Mapping):
        raise ConfigError([f"{path.name}:{n}: an entity must be an object"])
    entity_id = row.get("id")
    name = row.get("name", row.get("label"))
    if not isinstance(entity_id, (str, int)) or str(entity_id).strip() == "":
        raise ConfigError([f"{path.name}:{n}: 'id' is required"])
    if not isinstance(name, str) or not name.strip():
        raise ConfigError([f"{path.name}:{n}: 'name' is required"])
    aliases = row.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [a.strip() for a in aliases.split("|") if a.strip()]
    description = row.get("description") or ""
    return str(entity_id).strip(), name.strip(), [str(a) for a in aliases], str(description)


def result(kb: KbConfig, entity: Mapping[str, Any]) -> dict[str, Any]:
    out = {
        "entity_id": entity["id"],
        "kb_source": kb.name,
        "label": entity["name"],
        "description": entity.get("description", ""),
        "aliases": entity.get("aliases", []),
    }
    if entity.get("url"):
        out["url"] = entity["url"]
    return out


class LocalKb:
    def __init__(self, config: KbConfig, index_dir: Path) -> None:
        self.config = config
        safe = hashlib.blake2s(config.name.encode()).hexdigest()[:10]
        self.index = KbIndex(index_dir / f"kb_{safe}.sqlite3")
        digest = _sha256(config.path)
        if self.index.source_hash() != digest:
            count = self.index.rebuild(digest, read_entities(config.path))
            log.info("knowledge base %s: indexed %d entities", config.name, count)

    def search(self, query: str, limit: int) -> list[dict[str, Any]]:
        return [result(self.config, e) for e in self.index.search(query, limit)]

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        found = self.index.entity(entity_id)
        return result(self.config, found) if found else None


class WikidataKb:
    def __init__(self, config: KbConfig) -> None:
        self.config = config
        self.http = BoundedHttpKb(
            config.name,
            config.base_url,
            config.timeout,
            config.max_concurrent,
            config.cache_seconds,
        )

    def _get(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.http.get_json({**params, "format": "json"})

    def search(self, query: str, limit: int) -> list[dict[str, Any]]:
        data = self._get(
            {
                "action": "wbsearchentities",
                "search": query,
                "language": self.config.language,
                "limit": limit,
            }
        )
        out = []
        for hit in data.get("search", []):
            aliases = hit.get("aliases") or []
            entity = {
                "id": hit.get("id"),
                "name": hit.get("label") or hit.get("id"),
                "description": hit.get("description", ""),
                "aliases": [a for a in aliases if isinstance(a, str)],
                "url": hit.get("concepturi") or hit.get("url"),
            }
            if entity["id"]:
                out.append(result(self.config, entity))
        return out

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        lang = self.config.language
        data = self._get({"action": "wbgetentities", "ids": entity_id, "languages": lang})
        found = (data.get("entities") or {}).get(entity_id)
        if not found or "missing" in found:
            return None
        label = (found.get("labels") or {}).get(lang, {}).get("value", entity_id)
        description = (found.get("descriptions") or {}).get(lang, {}).get("value", "")
        aliases = [a.get("value") for a in (found.get("aliases") or {}).get(lang, [])]
        entity = {"id": entity_id, "name": label, "description": description, "aliases": aliases}
        return result(self.config, entity)


class KnowledgeBases:
    """Every configured KB by name (a name used by several schemes is one KB)."""

    def __init__(self, schemes, index_dir: Path) -> None:
        self.by_name: dict[str, Any] = {}
        self.schemes_of: dict[str, list[str]] = {}
        for scheme in schemes:
            for kb in scheme.knowledge_bases:
                if kb.name not in self.by_name:
                    self.by_name[kb.name] = open_kb(kb, index_dir)
                self.schemes_of.setdefault(kb.name, []).append(scheme.name)

    def describe(self) -> list[dict[str, Any]]:
        return [
            {"name": name, "type": kb.config.type, "schemes": self.schemes_of[name]}
            for name, kb in self.by_name.items()
        ]


def open_kb(kb: KbConfig, index_dir: Path) -> Any:
    if kb.type == "file":
        return LocalKb(kb, index_dir)
    return {"wikidata": WikidataKb, "umls": UmlsKb, "rest": RestKb}[kb.type](kb)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
