"""Reading time-aligned lists (transcript segments, conversation turns) from an item's
fields for the page: only well-formed entries, numbers checked, text kept as text."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

MAX_ROWS = 2000


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return round(float(value), 3) if value >= 0 else None


def item_rows(raw: Any, speaker_key: str = "speaker") -> list[dict[str, Any]]:
    """`[{index, start, end, text, speaker}]` from a list of `{start, end, text, speaker}`;
    entries without a valid interval keep their index with start/end None."""
    if not isinstance(raw, list):
        return []
    out = []
    for i, entry in enumerate(raw[:MAX_ROWS]):
        if not isinstance(entry, Mapping):
            entry = {"text": entry}
        start, end = _seconds(entry.get("start")), _seconds(entry.get("end"))
        if start is not None and end is not None and end < start:
            start = end = None
        out.append(
            {
                "index": i,
                "start": start,
                "end": end,
                "text": str(entry.get("text", ""))[:10_000],
                "speaker": str(entry.get(speaker_key, ""))[:200],
            }
        )
    return out
