"""`annotation_type: semantic_differential` — bipolar adjective pairs (Good / Bad), each
rated on 1..`scale_points` from the left pole to the right one.

A pair's row is named `Left__Right` (Potato's name); stored as `{"Good__Bad": "2", ...}`.
"""

from __future__ import annotations

from ..config.reader import ConfigReader
from .base import Label
from .rated_rows import RatedRows
from .registry import register


@register("semantic_differential")
class SemanticDifferential(RatedRows):
    macro = "schemes/rated_rows.html"
    option_keys = ("pairs", "scale_points")

    def parse_options(self, reader: ConfigReader) -> None:
        self.points = reader.number("scale_points", 7, integer=True, minimum=2, maximum=11)
        self.column_labels = [str(i) for i in range(1, self.points + 1)]
        self.poles: dict[str, tuple[str, str]] = {}
        if not reader.has("pairs"):
            reader.problem("pairs", "is required (a list of [left, right] adjective pairs)")
        for i, pair in enumerate(reader.list("pairs")):
            ok = (
                isinstance(pair, list)
                and len(pair) == 2
                and all(isinstance(p, str) and p.strip() for p in pair)
            )
            if not ok:
                reader.problems.append(
                    f"{reader.key_path('pairs')}[{i}]: must be a pair [left, right] of words"
                )
                continue
            row = f"{pair[0]}__{pair[1]}"
            if row in self.poles:
                reader.problems.append(f"{reader.key_path('pairs')}[{i}]: duplicate pair")
                continue
            self.poles[row] = (pair[0], pair[1])
            self.labels.append(Label(row))
