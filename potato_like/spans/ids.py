"""Default span ids: the ids Potato gives spans its clients send without one."""

from __future__ import annotations

import re
from typing import Any

UNSAFE_ID = re.compile(r"[^\w.-]")


def default_span_id(
    schema: str,
    label: str,
    start: int,
    end: int,
    shape: str = "backend",
    anchor_kind: Any = None,
    page: Any = None,
) -> str:
    """The id Potato gives a span its client sent without one: `<schema>_<label>_<start>_<end>`
    for its backend format, `<schema>_<label>_<anchor_kind>_<page>_<start>_<end>` for its
    frontend format (`span_annotations`; `certainty_certain___0_7` for a text span).
    Characters other than letters, digits, `.`, `_` and `-` become `_`."""
    if shape == "frontend":
        kind = "" if anchor_kind is None else anchor_kind
        page = "" if page is None else page
        raw = f"{schema}_{label}_{kind}_{page}_{start}_{end}"
    else:
        raw = f"{schema}_{label}_{start}_{end}"
    return UNSAFE_ID.sub("_", raw)[:120]
