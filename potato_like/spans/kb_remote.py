"""Knowledge bases behind an API the admin configured: UMLS and a generic REST API.

Both call only the host written in the config (`base_url`), through BoundedHttpKb (connect
and whole-answer time-outs, a few call slots per KB, a size cap, a TTL cache). An answer of
the wrong shape is treated like no answer (502, details in the log).

- `type: umls`: the UMLS Terminology Services REST API (https://uts-ws.nlm.nih.gov/rest):
  `GET /search/current?string=...&pageSize=...&apiKey=...` for search (results are concepts:
  `ui` is the CUI) and `GET /content/current/CUI/<cui>?apiKey=...` for one concept, whose
  semantic types become the description. The API key comes from `api_key` (write
  `${UMLS_API_KEY}` to read it from the environment) or else the UMLS_API_KEY variable.
- `type: rest`: Potato's generic REST client: `base_url` + `search_endpoint` (default
  `/search`) with the query in `search_query_param` (`q`) and `limit`; `base_url` +
  `entity_endpoint` (`/entity/{entity_id}`) for one entity; results under `results_path`
  (dotted, `results`); the entity's fields named by `*_field`; `param_<name>` entries are
  sent as extra query parameters; `api_key` is sent as `api_key`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from .kb_http import BoundedHttpKb

UMLS_API = "https://uts-ws.nlm.nih.gov/rest"
UMLS_KEY_VARIABLE = "UMLS_API_KEY"
REST_DEFAULTS = {
    "search_endpoint": "/search",
    "entity_endpoint": "/entity/{entity_id}",
    "search_query_param": "q",
    "results_path": "results",
    "entity_id_field": "id",
    "label_field": "label",
    "description_field": "description",
    "aliases_field": "aliases",
    "type_field": "type",
    "url_field": "url",
}


class Malformed(ValueError):
    """The KB answered, but not in the shape its API promises."""


def _http(config) -> BoundedHttpKb:
    return BoundedHttpKb(
        config.name,
        config.base_url.rstrip("/"),
        config.timeout,
        config.max_concurrent,
        config.cache_seconds,
        secret=config.api_key,
    )


class _RemoteKb:
    def __init__(self, config) -> None:
        self.config = config
        self.http = _http(config)

    def _checked(self, url: str, read, *args):
        """`read(*args)` of an answer; a Malformed answer is logged and answers 502."""
        try:
            return read(*args)
        except (Malformed, TypeError, AttributeError, KeyError) as exc:
            self.http.log_failure(url, f"malformed answer: {exc}")
            raise self.http.unavailable() from exc

    def _result(self, entity_id: Any, label: Any, description: Any, aliases: Any, url: Any):
        if not isinstance(entity_id, (str, int)) or str(entity_id) == "":
            raise Malformed("an entity without an id")
        named = isinstance(label, (str, int)) and label != ""
        out = {
            "entity_id": str(entity_id),
            "kb_source": self.config.name,
            "label": str(label) if named else str(entity_id),
            "description": description if isinstance(description, str) else "",
            "aliases": [a for a in aliases if isinstance(a, str)]
            if isinstance(aliases, list)
            else [],
        }
        if isinstance(url, str) and url:
            out["url"] = url
        return out


class UmlsKb(_RemoteKb):
    def search(self, query: str, limit: int) -> list[dict[str, Any]]:
        url = f"{self.http.url}/search/current"
        params = {"string": query, "pageSize": limit, "apiKey": self.config.api_key}
        return self._checked(url, self._hits, self.http.get_json(params, url), limit)

    def _hits(self, data: Mapping[str, Any], limit: int) -> list[dict[str, Any]]:
        results = data["result"]["results"]
        if not isinstance(results, list):
            raise Malformed("result.results is not a list")
        out = []
        for hit in results[:limit]:
            if hit.get("ui") in (None, "NONE"):  # UMLS's "NO RESULTS" row
                continue
            cui = hit["ui"]
            out.append(
                self._result(cui, hit.get("name"), hit.get("rootSource", ""), [], _concept(cui))
            )
        return out

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        url = f"{self.http.url}/content/current/CUI/{quote(entity_id, safe='')}"
        data = self.http.get_json({"apiKey": self.config.api_key}, url, missing_ok=True)
        if data is None:
            return None
        return self._checked(url, self._concept, data, entity_id)

    def _concept(self, data: Mapping[str, Any], entity_id: str) -> dict[str, Any]:
        found = data["result"]
        if not isinstance(found, Mapping):
            raise Malformed("result is not an object")
        types = [t.get("name") for t in found.get("semanticTypes") or [] if isinstance(t, dict)]
        description = ", ".join(t for t in types if isinstance(t, str))
        cui = found.get("ui", entity_id)
        return self._result(cui, found.get("name"), description, [], _concept(str(cui)))


def _concept(cui: str) -> str:
    return f"https://uts.nlm.nih.gov/uts/umls/concept/{quote(cui, safe='')}"


class RestKb(_RemoteKb):
    def __init__(self, config) -> None:
        super().__init__(config)
        self.extra = dict(config.extra)
        self.options = {**REST_DEFAULTS, **self.extra}

    def _params(self) -> dict[str, Any]:
        out = {k[6:]: v for k, v in self.extra.items() if k.startswith("param_")}
        if self.config.api_key:
            out["api_key"] = self.config.api_key
        return out

    def search(self, query: str, limit: int) -> list[dict[str, Any]]:
        url = self.http.url + self.options["search_endpoint"]
        params = {**self._params(), self.options["search_query_param"]: query, "limit": limit}
        return self._checked(url, self._hits, self.http.get_json(params, url), limit)

    def _hits(self, data: Mapping[str, Any], limit: int) -> list[dict[str, Any]]:
        found: Any = data
        for part in self.options["results_path"].split("."):
            found = found.get(part) if isinstance(found, Mapping) else None
        if not isinstance(found, list):
            raise Malformed(f"{self.options['results_path']!r} is not a list")
        return [self._one(hit) for hit in found[:limit]]

    def _one(self, hit: Any, entity_id: str | None = None) -> dict[str, Any]:
        if not isinstance(hit, Mapping):
            raise Malformed("an entity is not an object")
        o = self.options
        return self._result(
            hit.get(o["entity_id_field"], entity_id),
            hit.get(o["label_field"]),
            hit.get(o["description_field"]),
            hit.get(o["aliases_field"]),
            hit.get(o["url_field"]),
        )

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        path = self.options["entity_endpoint"].replace("{entity_id}", quote(entity_id, safe=""))
        url = self.http.url + path
        data = self.http.get_json(self._params(), url, missing_ok=True)
        if data is None:
            return None
        return self._checked(url, self._one, data, entity_id)
