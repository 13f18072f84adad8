"""Which annotation types answer a labelling service's task types (seed 002's
`/v1/task/{type}`, services/batches/): the one place that names them for the services."""

from __future__ import annotations

from collections.abc import Iterable

from .base import Scheme

# task type -> the annotation types that can answer it, preferred first
ANSWERED_BY: dict[str, tuple[str, ...]] = {
    "categorization": ("radio", "select", "multiselect"),
    "categorization_multiple": ("multiselect",),
    "textcollection": ("text", "text_edit"),
    "imageannotation": ("image_annotation",),
}


def schemes_for(task_type: str, schemes: Iterable[Scheme]) -> list[Scheme]:
    """The project's schemes that can answer a task of this type, preferred type first."""
    wanted = ANSWERED_BY.get(task_type, ())
    found = [s for s in schemes if s.type_name in wanted]
    return sorted(found, key=lambda s: wanted.index(s.type_name))
