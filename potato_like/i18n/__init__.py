"""The annotator-facing UI strings: one YAML catalogue per language in `messages/`.

English (`messages/en.yaml`) holds the full key set; every other catalogue has the same
keys (a test checks). Keys shared with Potato's `ui_language` keep Potato's names
(`next_button`, `logout`, `html_dir`, ...), so a Potato project's per-key overrides apply.
Catalogues are package data, read once per process (they never change while serving).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import yaml

MESSAGES_DIR = Path(__file__).resolve().parent / "messages"
DEFAULT_LANGUAGE = "en"
# Potato's bundled languages plus English.
LANGUAGES = ("en", "ar", "de", "es", "fr", "hi", "ja", "ko", "pt", "ru", "zh")
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})


@cache
def catalogue(code: str) -> dict[str, str]:
    """The strings of one bundled language (a copy is never needed: callers only read)."""
    if code not in LANGUAGES:
        raise KeyError(code)
    with open(MESSAGES_DIR / f"{code}.yaml", encoding="utf-8") as f:
        data = yaml.safe_load(f)
    return {str(k): str(v) for k, v in data.items()}


def message_keys() -> tuple[str, ...]:
    return tuple(catalogue(DEFAULT_LANGUAGE))


@dataclass(frozen=True)
class UiStrings:
    """The strings a project's pages show: English < the chosen catalogue < overrides."""

    language: str = DEFAULT_LANGUAGE
    overrides: dict[str, str] = field(default_factory=dict, compare=False)

    @cached_property
    def messages(self) -> dict[str, str]:
        return {**catalogue(DEFAULT_LANGUAGE), **catalogue(self.language), **self.overrides}

    @property
    def lang(self) -> str:
        return self.messages["html_lang"]

    @property
    def dir(self) -> str:
        return "rtl" if self.messages["html_dir"] == "rtl" else "ltr"

    def script_messages(self) -> dict[str, str]:
        """The strings the page's script shows (keys `js_*`, without the prefix)."""
        return {k[3:]: v for k, v in self.messages.items() if k.startswith("js_")}
