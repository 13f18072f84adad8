"""The rows agreement is computed from: finished annotations of items that two or more
annotators finished, streamed item by item (quality/agreement.py does the arithmetic)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select

from .assignments import DONE
from .tables import annotations, assignments, users

if TYPE_CHECKING:
    from . import Store

# One pass in primary-key order (item_seq first): the window counts each item's finished
# annotators without a second scan or a GROUP BY subquery.
_DONE_ANSWERS = (
    select(
        annotations.c.item_seq,
        annotations.c.user_id,
        users.c.username,
        annotations.c.value,
        func.count().over(partition_by=annotations.c.item_seq).label("annotators"),
    )
    .select_from(
        annotations.join(
            assignments,
            (assignments.c.item_seq == annotations.c.item_seq)
            & (assignments.c.user_id == annotations.c.user_id),
        ).join(users, users.c.id == annotations.c.user_id)
    )
    .where(annotations.c.schema == bindparam("schema"), assignments.c.status == DONE)
    .subquery()
)
ANSWERS_FOR_AGREEMENT = (
    select(_DONE_ANSWERS.c.item_seq, _DONE_ANSWERS.c.username, _DONE_ANSWERS.c.value)
    .where(_DONE_ANSWERS.c.annotators >= 2)
    .order_by(_DONE_ANSWERS.c.item_seq, _DONE_ANSWERS.c.user_id)
)


def answers_for_agreement(
    store: Store, schema: str, batch: int = 2000
) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(item_seq, username, label map) of `schema` for every item with two or more finished
    annotators, ordered by item_seq, streamed in constant memory."""
    with store.read() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(
            ANSWERS_FOR_AGREEMENT, {"schema": schema}
        )
        for row in result:
            yield row.item_seq, row.username, json.loads(row.value)
