"""Project files that annotators must not fetch by name: the files named by item fields a
scheme keeps off the page (`Scheme.private_fields`, e.g. a listening test's stimuli and
reference). They are served to annotators only through the scheme's own opaque URLs;
`/project_files/` and `/media/` answer 404 for them to everyone but admins, so a participant
who guesses a file name still cannot compare the files of a blind trial.

The set of resolved paths is built in one pass over the items and rebuilt when the number of
items changes (new data files); projects without private fields never pay for it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .paths import safe_project_file
from .sources import project_relpath


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


class PrivateMedia:
    def __init__(self, project) -> None:
        self.project = project
        self.fields = sorted({f for s in project.config.schemes for f in s.private_fields()})
        self._lock = threading.Lock()
        self._count = -1
        self._paths: frozenset[Path] = frozenset()

    def paths(self) -> frozenset[Path]:
        if not self.fields:
            return frozenset()
        count = self.project.store.items.count()
        with self._lock:
            if count != self._count:
                self._paths = frozenset(self._collect())
                self._count = count
            return self._paths

    def _collect(self) -> Iterator[Path]:
        config = self.project.config
        for data in self.project.store.items.iter_data():
            for field in self.fields:
                for value in _strings(data.get(field)):
                    relpath = project_relpath(value)
                    found = safe_project_file(config, relpath) if relpath else None
                    if found is not None:
                        yield found[0]

    def is_private(self, path: Path) -> bool:
        return path in self.paths()
