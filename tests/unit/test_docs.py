"""The reference docs must keep up with the code.

- docs/config.md documents every key the config loader accepts (top level, nested mappings,
  label objects, scheme keys and every annotation type's options), each written as `key`.
- docs/api.md documents every route the app registers, as "METHOD /path".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from potato_like.config import ai as ai_keys
from potato_like.config import compat
from potato_like.config.embeddings import EMBEDDING_VISUALIZATION_KEYS, EMBEDDINGS_KEYS, UMAP_KEYS
from potato_like.config.gold import ADJUDICATION_KEYS, ADJUDICATION_SIMILARITY_KEYS, MACE_KEYS
from potato_like.config.remote_data import DATA_CACHE_KEYS, DRIVE_KEYS, DROPBOX_KEYS
from potato_like.live_agents import config as live_keys
from potato_like.schemes import base
from potato_like.schemes.event import ARGUMENT_KEYS, EVENT_TYPE_KEYS
from potato_like.schemes.registry import scheme_class, type_names
from potato_like.schemes.span_link import LINK_TYPE_KEYS
from potato_like.spans.colors import UI_KEYS, UI_SPANS_KEYS
from potato_like.spans.kb import ENTITY_LINKING_KEYS, KB_KEYS

DOCS = Path(__file__).resolve().parents[2] / "docs"
CONFIG_DOC = DOCS / "config.md"
API_DOC = DOCS / "api.md"
SCHEMES_DOC = DOCS / "schemes.md"

NESTED = {
    "item_properties": compat.ITEM_PROPERTIES_KEYS,
    "user_config": compat.USER_CONFIG_KEYS,
    "user_config.users[]": compat.USER_ENTRY_KEYS,
    "login": compat.LOGIN_KEYS,
    "server": compat.SERVER_KEYS,
    "label_requirement": compat.LABEL_REQUIREMENT_KEYS,
    "labels[]": compat.LABEL_KEYS,
    "phases.<name>": compat.PHASE_KEYS,
    "surveyflow": compat.SURVEYFLOW_KEYS,
    "training": compat.TRAINING_KEYS,
    "training.passing_criteria": compat.TRAINING_CRITERIA_KEYS,
    "training.feedback": compat.TRAINING_FEEDBACK_KEYS,
    "attention_checks": compat.ATTENTION_KEYS,
    "attention_checks.failure_handling": compat.ATTENTION_FAILURE_KEYS,
    "gold_standards": compat.GOLD_KEYS,
    "gold_standards.accuracy": compat.GOLD_ACCURACY_KEYS,
    "gold_standards.feedback": compat.GOLD_FEEDBACK_KEYS,
    "auto_promotion": compat.PROMOTION_KEYS,
    "pre_annotation": compat.PRE_ANNOTATION_KEYS,
    "ui": UI_KEYS,
    "ui.spans": UI_SPANS_KEYS,
    "link_types[]": LINK_TYPE_KEYS,
    "event_types[]": EVENT_TYPE_KEYS,
    "event_types[].arguments[]": ARGUMENT_KEYS,
    "entity_linking": ENTITY_LINKING_KEYS,
    "entity_linking.knowledge_bases[]": KB_KEYS,
    "crowdsourcing": compat.CROWDSOURCING_KEYS,
    "crowdsourcing.<provider>": compat.CROWD_PROVIDER_KEYS,
    "crowdsourcing.<provider>.completion": compat.COMPLETION_KEYS,
    "prolific": compat.PROLIFIC_KEYS,
    "mturk": compat.MTURK_KEYS,
    "mace": MACE_KEYS,
    "adjudication": ADJUDICATION_KEYS,
    "adjudication.similarity": ADJUDICATION_SIMILARITY_KEYS,
    "embedding_visualization": EMBEDDING_VISUALIZATION_KEYS,
    "embedding_visualization.umap": UMAP_KEYS,
    "embeddings": EMBEDDINGS_KEYS,
    "data_cache": DATA_CACHE_KEYS,
    "data_sources[] (url, google_drive, dropbox)": (*DRIVE_KEYS, *DROPBOX_KEYS),
    "ai_support": ai_keys.AI_SUPPORT_KEYS,
    "ai_support.ai_config": ai_keys.AI_CONFIG_KEYS,
    "ai_support.ai_config.include": ai_keys.INCLUDE_KEYS,
    "ai_support.cache_config": ai_keys.CACHE_KEYS,
    "ai_support.cache_config.disk_cache": ai_keys.DISK_CACHE_KEYS,
    "ai_support.cache_config.prefetch": ai_keys.PREFETCH_KEYS,
    "ai_support.option_highlighting": ai_keys.OPTION_HIGHLIGHT_KEYS,
    "chat_support": ai_keys.CHAT_KEYS,
    "chat_support.system_prompt": ai_keys.CHAT_PROMPT_KEYS,
    "chat_support.ui": ai_keys.CHAT_UI_KEYS,
    "live_agent": live_keys.LIVE_AGENT_KEYS,
    "live_coding_agent": live_keys.LIVE_CODING_KEYS,
}


def accepted_keys() -> list[tuple[str, str]]:
    """(where, key) for every key the loader accepts without an 'unknown key' warning."""
    keys = [("top level", k) for k in compat.IMPLEMENTED]
    keys += [(where, k) for where, names in NESTED.items() for k in names]
    keys += [("every scheme", k) for k in base.COMMON_KEYS]
    for name in type_names():
        cls = scheme_class(name)
        assert cls is not None, name
        keys += [(f"{name} scheme", k) for k in cls.option_keys]
    return keys


@pytest.fixture(scope="module")
def config_doc() -> str:
    assert CONFIG_DOC.is_file(), f"{CONFIG_DOC} is missing"
    return CONFIG_DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def api_doc() -> str:
    assert API_DOC.is_file(), f"{API_DOC} is missing"
    return API_DOC.read_text(encoding="utf-8")


def test_key_collection_is_not_empty():
    keys = {k for _where, k in accepted_keys()}
    # A sanity check that the collection itself works (and covers nested and scheme keys).
    for key in ("annotation_task_name", "id_key", "url_argument", "required_label", "key_value"):
        assert key in keys
    for key in ("starting_value", "size", "placeholder", "has_free_response", "min_value"):
        assert key in keys


def test_every_accepted_config_key_is_documented(config_doc: str):
    # A type's own keys may instead be listed in its generated docs/schemes.md entry.
    types_doc = SCHEMES_DOC.read_text(encoding="utf-8")
    missing = sorted(
        {
            f"{key} ({where})"
            for where, key in accepted_keys()
            if f"`{key}`" not in config_doc
            and not (where.endswith(" scheme") and f"`{key}`" in types_doc)
        }
    )
    assert not missing, "docs/config.md does not document (as `key`): " + ", ".join(missing)


def test_every_annotation_type_is_documented(config_doc: str):
    # Each type has its own section: in docs/config.md, or generated in docs/schemes.md.
    types_doc = SCHEMES_DOC.read_text(encoding="utf-8")
    for name in type_names():
        heading = rf"^#+ `{re.escape(name)}`\s*$"
        assert re.search(heading, config_doc, re.M) or re.search(heading, types_doc, re.M), (
            f"neither docs/config.md nor docs/schemes.md has a section heading for `{name}`"
        )


def test_aliases_are_documented(config_doc: str):
    missing = [alias for alias in compat.ALIASES if f"`{alias}`" not in config_doc]
    assert not missing, f"docs/config.md does not document aliases: {missing}"


def normalise_rule(rule: str) -> str:
    """/api/spans/<path:instance_id> -> /api/spans/{instance_id}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_normalise_rule():
    assert normalise_rule("/api/spans/<path:instance_id>") == "/api/spans/{instance_id}"
    assert normalise_rule("/x/<name>/y") == "/x/{name}/y"
    assert normalise_rule("/health") == "/health"


def test_every_route_is_documented(make_project, api_doc: str):
    app = make_project()
    missing = []
    seen = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = normalise_rule(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            seen += 1
            # "GET /path" not followed by more path (so "/api" does not match "/api/x").
            pattern = rf"\b{method} {re.escape(path)}(?![\w/{{-])"
            if not re.search(pattern, api_doc):
                missing.append(f"{method} {path}")
    assert seen > 10, "the app registered suspiciously few routes"
    assert not missing, "docs/api.md does not document: " + ", ".join(missing)
