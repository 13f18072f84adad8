"""`annotation_type: rubric_eval` — a grid of criteria (rows) by quality levels (columns).

Each criterion is rated 1..`scale_points` (`scale_labels` name the columns); with
`show_overall: true` a last row `overall` is added. Stored as `{"accuracy": "4", ...}`.
"""

from __future__ import annotations

from ..config.reader import ConfigReader
from .base import Label
from .rated_rows import RatedRows
from .registry import register

DEFAULT_SCALE_LABELS = ("Poor", "Below Average", "Average", "Good", "Excellent")


@register("rubric_eval")
class RubricEval(RatedRows):
    macro = "schemes/rated_rows.html"
    option_keys = ("scale_points", "scale_labels", "criteria", "show_overall")

    def parse_options(self, reader: ConfigReader) -> None:
        self.points = reader.number("scale_points", 5, integer=True, minimum=2, maximum=10)
        if reader.has("scale_labels"):
            shown = reader.string_list("scale_labels")
            if len(shown) != self.points:
                reader.problem(
                    "scale_labels",
                    f"has {len(shown)} labels but scale_points is {self.points}",
                )
        else:
            shown = list(DEFAULT_SCALE_LABELS[: self.points]) if self.points <= 5 else []
        self.column_labels = [
            shown[i] if i < len(shown) else str(i + 1) for i in range(self.points)
        ]
        if not reader.has("criteria"):
            reader.problem("criteria", "is required (a list of {name, description})")
        for i, entry in enumerate(reader.list("criteria")):
            where = f"{reader.key_path('criteria')}[{i}]"
            if isinstance(entry, str) and entry.strip():
                entry = {"name": entry}
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str) or not name.strip() or ":" in name:
                reader.problems.append(f"{where}: a criterion needs a 'name' (without ':')")
                continue
            if name in self.label_names:
                reader.problems.append(f"{where}: duplicate criterion {name!r}")
                continue
            self.labels.append(Label(name, tooltip=str(entry.get("description") or "")))
        if reader.bool("show_overall", False) and "overall" not in self.label_names:
            self.labels.append(Label("overall", tooltip="Overall quality"))
        self.left_label = self.right_label = ""
