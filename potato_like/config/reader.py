"""Typed access to a raw config mapping that records every problem with its key path.

Validation never stops at the first problem: each accessor returns a usable default and
appends `path: problem` to the shared list, so a user sees all mistakes in one run.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

_MISSING = object()


class ConfigReader:
    def __init__(
        self,
        raw: Mapping[str, Any],
        path: str = "",
        problems: list[str] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        self.raw = raw
        self.path = path
        self.problems = problems if problems is not None else []
        self.warnings = warnings if warnings is not None else []

    # -- paths and problems -------------------------------------------------------------
    def key_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def problem(self, key: str | int, message: str) -> None:
        self.problems.append(f"{self.key_path(key)}: {message}")

    def warn(self, key: str | int, message: str) -> None:
        self.warnings.append(f"{self.key_path(key)}: {message}")

    def has(self, key: str) -> bool:
        return key in self.raw and self.raw[key] is not None

    def child(self, key: str) -> ConfigReader:
        """A reader for a nested mapping (an empty one when absent or of the wrong type)."""
        value = self.raw.get(key)
        if value is None:
            value = {}
        elif not isinstance(value, Mapping):
            self.problem(key, f"must be a mapping, got {type_name(value)}")
            value = {}
        return ConfigReader(value, self.key_path(key), self.problems, self.warnings)

    # -- typed getters ------------------------------------------------------------------
    def str(
        self,
        key: str,
        default: Any = None,
        *,
        required: bool = False,
        choices: Iterable[str] | None = None,
        allow_empty: bool = False,
    ) -> Any:
        value = self.raw.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.problem(key, "is required")
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.problem(key, f"must be a string, got {type_name(value)}{yaml_bool_hint(value)}")
            return default
        if not allow_empty and not value.strip():
            # Potato writes `key: ""` for "not set": an empty optional value is unset.
            if required:
                self.problem(key, "must not be empty")
            return default
        if choices is not None:
            options = list(choices)
            if value not in options:
                self.problem(
                    key, f"{value!r} is not one of {', '.join(options)}{hint(value, options)}"
                )
                return default
        return value

    def bool(self, key: str, default: bool) -> bool:
        value = self.raw.get(key, _MISSING)
        if value is _MISSING or value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1"):
            return True
        if isinstance(value, str) and value.strip().lower() in ("false", "no", "off", "0"):
            return False
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        self.problem(key, f"must be true or false, got {value!r}")
        return default

    def number(
        self,
        key: str,
        default: Any,
        *,
        integer: bool = False,
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> Any:
        value = self.raw.get(key, _MISSING)
        if value is _MISSING or value is None:
            return default
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = int(value) if integer else float(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = "a whole number" if integer else "a number"
            self.problem(key, f"must be {kind}, got {value!r}")
            return default
        if integer and value != int(value):
            self.problem(key, f"must be a whole number, got {value!r}")
            return default
        if integer:
            value = int(value)
        if minimum is not None and value < minimum:
            self.problem(key, f"must be at least {minimum:g}, got {value}")
            return default
        if maximum is not None and value > maximum:
            self.problem(key, f"must be at most {maximum:g}, got {value}")
            return default
        return value

    def limit(self, key: str) -> int | None:
        """A count where -1, 0-or-less, or absence means "no limit" (Potato's convention)."""
        value = self.number(key, None, integer=True)
        if value is None or value <= 0:
            return None
        return value

    def list(self, key: str, default: list[Any] | None = None) -> list[Any]:
        value = self.raw.get(key, _MISSING)
        if value is _MISSING or value is None:
            return list(default or [])
        if isinstance(value, (str, Mapping)) or not isinstance(value, list):
            if isinstance(value, str):
                return [value]  # a single path or name where a list is expected
            self.problem(key, f"must be a list, got {type_name(value)}")
            return list(default or [])
        return value

    def entries(self, key: str, what: str = "a mapping") -> Iterator[tuple[int, ConfigReader]]:
        """A reader for each mapping in the list at `key`; any other entry is a problem
        ("<key>[i]: must be <what>, got <type>")."""
        for i, entry in enumerate(self.list(key)):
            where = f"{self.key_path(key)}[{i}]"
            if not isinstance(entry, Mapping):
                self.problems.append(f"{where}: must be {what}, got {type_name(entry)}")
                continue
            yield i, ConfigReader(entry, where, self.problems, self.warnings)

    def string_list(self, key: str) -> list[str]:
        out = []
        for i, entry in enumerate(self.list(key)):
            if isinstance(entry, (int, float)) and not isinstance(entry, bool):
                entry = str(entry)
            if not isinstance(entry, str) or not entry.strip():
                self.problems.append(
                    f"{self.key_path(key)}[{i}]: must be a non-empty string{yaml_bool_hint(entry)}"
                )
                continue
            out.append(entry)
        return out

    def warn_unknown(self, known: Iterable[str], *, later: Mapping[str, str] | None = None) -> None:
        """Warn about keys we do not know, with a did-you-mean hint; `later` maps keys Potato
        knows but we do not implement yet to a short reason."""
        known_list = list(known)
        for key in self.raw:
            if key in known_list:
                continue
            if later and key in later:
                self.warn(key, f"accepted but not implemented yet ({later[key]}); ignored")
                continue
            self.warn(str(key), f"unknown key, ignored{hint(str(key), known_list)}")


def hint(value: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def yaml_bool_hint(value: Any) -> str:
    """YAML 1.1 reads unquoted yes/no/on/off/true/false as booleans: say so where a string
    was expected."""
    if isinstance(value, bool):
        return (
            "; YAML reads unquoted yes/no, on/off and true/false as booleans: quote yes/no ('yes')"
        )
    return ""


def type_name(value: Any) -> str:
    return {
        dict: "a mapping",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)
