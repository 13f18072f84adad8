"""Read a YAML or JSON config file into a plain dict.

`${VAR}` and `${VAR:-default}` in string values are expanded from the environment so secrets
(API keys, database passwords) need not be written into the config.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def read_config_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse the file; every failure becomes a ConfigError naming the file."""
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
    missing: list[str] = []
    expanded = _expand_env(raw, missing)
    if missing:
        raise ConfigError(
            [f"{file}: environment variable {name} is not set" for name in sorted(set(missing))]
        )
    return expanded


def _expand_env(value: Any, missing: list[str]) -> Any:
    if isinstance(value, str):

        def sub(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            missing.append(name)
            return ""

        return _ENV_REF.sub(sub, value)
    if isinstance(value, dict):
        return {k: _expand_env(v, missing) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, missing) for v in value]
    return value
