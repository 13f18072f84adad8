"""Cohorts of the `batch` strategy (Potato's `batch_assignment`).

A user is offered only the items batched with them, in this order:
1. the items of every `groups` entry that lists them (`annotators`, or `users`), in the
   order of the groups and of each group's items (`instances`/`items`/`instance_ids`, and the
   ids of an `instances_file`);
2. with `auto_assign_annotators: true` and no group of their own: the items of one group
   without annotators, chosen at their first lease (the group with the fewest annotators,
   the first of those) and kept; a group takes at most `max_annotators` (also `slots`,
   `annotator_count`; default `max_annotations_per_item`) annotators;
3. the items whose `annotator_key` field (default `assigned_annotators`: a name or a list of
   names) lists them, in data-file order.
Everybody else gets none of these items. The cohorts are written to the store at start
(store/cohorts.py) and leasing reads them through an index, so the next item is still one
query, with overlap enforced by the same conditional update as every strategy.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

MEMBER_USER = "user:"
MEMBER_GROUP = "group:"
FIELD_ORDER_OFFSET = 1_000_000_000  # field-listed items come after every group's items


@dataclass(frozen=True)
class BatchGroup:
    name: str
    annotators: tuple[str, ...]
    instance_ids: tuple[str, ...]
    max_annotators: int | None = None


@dataclass(frozen=True)
class BatchConfig:
    annotator_key: str = "assigned_annotators"
    auto_assign_annotators: bool = False
    groups: tuple[BatchGroup, ...] = field(default_factory=tuple)

    def auto_groups(self) -> list[tuple[int, BatchGroup]]:
        """Groups users are pinned to: those without annotators, when auto-assigning."""
        if not self.auto_assign_annotators:
            return []
        return [(i, g) for i, g in enumerate(self.groups) if not g.annotators]

    def explicit_entries(self):
        """(member, item id, order) for the groups that list annotators."""
        order = 0
        seen: set[tuple[str, str]] = set()
        for _i, group in enumerate(self.groups):
            if not group.annotators and self.auto_assign_annotators:
                continue
            for name in group.annotators:
                for item_id in group.instance_ids:
                    if (name, item_id) not in seen:
                        seen.add((name, item_id))
                        yield MEMBER_USER + name, item_id, order
                        order += 1
        for i, group in self.auto_groups():
            for n, item_id in enumerate(group.instance_ids):
                yield f"{MEMBER_GROUP}{i}", item_id, n

    def annotators_of(self, fields: dict) -> list[str]:
        value = fields.get(self.annotator_key)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return []
        return [v for v in value if isinstance(v, str) and v]

    def fingerprint(self) -> str:
        raw = [
            self.annotator_key,
            self.auto_assign_annotators,
            [[g.name, g.annotators, g.instance_ids, g.max_annotators] for g in self.groups],
        ]
        return hashlib.sha256(json.dumps(raw).encode()).hexdigest()[:16]
