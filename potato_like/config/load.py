"""Read a YAML or JSON config file into a plain dict.

`${VAR}` and `${VAR:-default}` in string values are expanded from the environment so secrets
(API keys, database passwords) need not be written into the config. A value naming a variable
that is not set (and has no default) becomes null, that is unset, and is reported with its key
path: the validator decides whether something in use needs it (a problem) or not (a warning;
Potato's examples carry blocks such as OAuth or LLM settings that a project may not use).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class EnvValue(str):
    """A string value that came from `${VAR}` expansion. It behaves as a plain str; readers
    of secrets (ai_support api keys) use the type to tell a key taken from the environment
    from one written into the file."""

    __slots__ = ()


@dataclass(frozen=True)
class UnsetVariable:
    path: str  # key path of the value, as in problems: `ai_support.ai_config.api_key`
    name: str  # the environment variable


def read_config_file(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[UnsetVariable]]:
    """Parse the file: (the mapping, the values that named unset environment variables).
    Every failure becomes a ConfigError naming the file."""
    file = Path(path)
    if not file.is_file():
        raise ConfigError([f"{file}: config file not found"])
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{file}: cannot read config: {exc}"]) from exc
    try:
        raw = json.loads(text) if file.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ConfigError([f"{file}:{exc.lineno}: invalid JSON: {exc.msg}"]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}:{mark.line + 1}" if mark is not None else str(file)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([f"{where}: invalid YAML: {problem}"]) from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError([f"{file}: the config must be a mapping of keys to values"])
    unset: list[UnsetVariable] = []
    return _expand_env(raw, "", unset), unset


def _expand_env(value: Any, path: str, unset: list[UnsetVariable]) -> Any:
    if isinstance(value, str):
        missing: list[str] = []

        def sub(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            missing.append(name)
            return ""

        expanded = _ENV_REF.sub(sub, value)
        if missing:  # half a URL or key is worse than none: the whole value is unset
            unset.extend(UnsetVariable(path, name) for name in dict.fromkeys(missing))
            return None
        return EnvValue(expanded) if expanded != value else expanded
    if isinstance(value, dict):
        return {
            k: _expand_env(v, f"{path}.{k}" if path else str(k), unset) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_expand_env(v, f"{path}[{i}]", unset) for i, v in enumerate(value)]
    return value
