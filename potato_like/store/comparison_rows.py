"""The rows comparison scoring reads: every stored answer of one schema with its item's id
and fields, streamed in item order (comparisons/ does the arithmetic)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select

from .tables import annotations, items, users

if TYPE_CHECKING:
    from . import Store

_SCHEMA_ANSWERS = (
    select(items.c.id, items.c.text, items.c.data, users.c.username, annotations.c.value)
    .select_from(
        annotations.join(items, items.c.seq == annotations.c.item_seq).join(
            users, users.c.id == annotations.c.user_id
        )
    )
    .where(annotations.c.schema == bindparam("schema"), items.c.retired == 0)
    .order_by(annotations.c.item_seq, annotations.c.user_id)
)


def schema_answers(
    store: Store, schema: str, batch: int = 2000
) -> Iterator[tuple[str, str, dict[str, Any], str, dict[str, Any]]]:
    """(item id, item text, item fields, username, label map) of every answer of `schema`."""
    with store.read() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(
            _SCHEMA_ANSWERS, {"schema": schema}
        )
        for row in result:
            yield row.id, row.text, json.loads(row.data), row.username, json.loads(row.value)
