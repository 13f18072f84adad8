"""`annotation_type: pure_display` — text shown among the questions (a heading, a note); it
takes no answer.

`description` is the heading and `labels` are lines shown under it, escaped unless
`allow_html: true`, which keeps the safe HTML subset (`html_sanitizer.clean_html`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from ..html_sanitizer import clean_html
from .base import Scheme
from .registry import register


@register("pure_display")
class PureDisplay(Scheme):
    macro = "schemes/pure_display.html"
    option_keys = ("labels", "allow_html")
    agreement_skip_reason = "it shows text and takes no answer"

    def parse_options(self, reader: ConfigReader) -> None:
        self.allow_html = reader.bool("allow_html", False)
        lines = reader.string_list("labels") if reader.has("labels") else []
        self.heading = self._shown(self.description)
        self.lines = [self._shown(line) for line in lines]
        self.labels_configured = False  # its lines are text, not labels (/api/colors)

    def _shown(self, text: str) -> Markup:
        return Markup(clean_html(text)) if self.allow_html else escape(text)  # noqa: S704 (sanitised)

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        if label_map:
            raise BadAnnotation(
                f"{self.name}: a pure_display scheme shows text and takes no answer "
                f"(got {', '.join(map(repr, label_map))})"
            )
        return {}

    def answer(self, label_map: Mapping[str, str]) -> Any:
        return None

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        return None

    def table_keys(self) -> list[str]:
        return []
