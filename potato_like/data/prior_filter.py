"""Potato's `filter_by_prior_annotation` of a data_files entry: import only the items an
earlier annotation project labelled a certain way (triage, then full annotation).

    data_files:
      - path: data/items.jsonl
        filter_by_prior_annotation:
          annotation_dir: ../triage/annotation_output   # Potato's or ours
          schema: quality
          value: [accept, maybe]      # one label or a list
          invert: false               # true: the items NOT so labelled

The earlier project's per-user `user_state.json` files are read (Potato writes them, and so
does this server). An item matches when any annotator gave it one of the values in that
schema (a label name; for a text answer, its text). Read at import, i.e. when the data
files change or the server starts after they did.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("potato_like")
STATE_FILE = "user_state.json"


@dataclass(frozen=True)
class PriorFilter:
    annotation_dir: Path
    schema: str
    values: frozenset[str]
    invert: bool = False


def matching_items(prior: PriorFilter) -> frozenset[str]:
    """Ids of the items some annotator labelled with one of the values."""
    found: set[str] = set()
    if not prior.annotation_dir.is_dir():
        log.warning("filter_by_prior_annotation: %s is not a directory", prior.annotation_dir)
        return frozenset()
    for state_file in sorted(prior.annotation_dir.glob(f"*/{STATE_FILE}")):
        try:
            state = json.loads(state_file.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("filter_by_prior_annotation: cannot read %s: %s", state_file, exc)
            continue
        labels = state.get("instance_id_to_label_to_value") if isinstance(state, Mapping) else None
        if not isinstance(labels, Mapping):
            continue
        for item_id, pairs in labels.items():
            if _matches(pairs, prior):
                found.add(str(item_id))
    return frozenset(found)


def _matches(pairs: Any, prior: PriorFilter) -> bool:
    if not isinstance(pairs, Iterable) or isinstance(pairs, (str, bytes, Mapping)):
        return False
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) < 2 or not isinstance(pair[0], Mapping):
            continue
        label, value = pair[0], pair[1]
        if label.get("schema") != prior.schema or value in (None, False, "", "0", "false"):
            continue
        name = label.get("name")
        if str(name) in prior.values or (isinstance(value, str) and value in prior.values):
            return True
    return False
