"""`audio`: an HTML5 audio player (project files are served with Range support)."""

from __future__ import annotations

from typing import Any

from .base import Display, Option
from .registry import register


@register("audio")
class Audio(Display):
    description = "An audio player for an http(s) URL, site path or project file"
    options = {
        "controls": Option(True),
        "autoplay": Option(False),
        "loop": Option(False),
    }
    later = {"show_waveform": "waveform display"}

    def view(self, value: Any, options, context) -> dict:
        return {
            "src": context.media_url(value),
            "raw": value if isinstance(value, str) else "",
            # Without controls a player could not be started at all.
            "controls": options["controls"] or not options["autoplay"],
            "autoplay": options["autoplay"],
            "loop": options["loop"],
        }
