"""Links a config puts in front of annotators: absolute http(s) or a path on this server."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_link(value: str) -> bool:
    """True for `https://host/...`, `http://host/...` and `/path` (one leading slash).
    Refused: other schemes (`javascript:`, `data:`), scheme-relative `//host` (and `/\\host`,
    which browsers read the same way), and anything with whitespace or control characters,
    which browsers strip before reading the scheme."""
    if not value or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return False
    if "\\" in value:
        return False
    if value.startswith("/"):
        return not value.startswith("//")
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
