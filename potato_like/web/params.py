"""Query-string numbers for the admin API and pages: parsed, bounded, and refused with a 400
that names the parameter and the allowed range."""

from __future__ import annotations

import math

from flask import request

from ..errors import BadRequest


def int_arg(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        raise BadRequest(f"{name} must be {_range(minimum, maximum)}, got {value}")
    return value


def number_arg(
    name: str,
    default: float | None,
    *,
    minimum: float = 0,
    maximum: float | None = None,
    above_minimum: bool = False,
) -> float | None:
    """A finite number in [minimum, maximum] (or (minimum, maximum] with above_minimum)."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a number, got {raw!r}") from None
    too_low = value <= minimum if above_minimum else value < minimum
    if not math.isfinite(value) or too_low or (maximum is not None and value > maximum):
        low = f"more than {minimum:g}" if above_minimum else None
        raise BadRequest(
            f"{name} must be {low or _range(minimum, maximum)}"
            f"{f' and at most {maximum:g}' if low and maximum is not None else ''}"
            f", got {raw}"
        )
    return value


def page_args(default_limit: int, max_limit: int = 1000) -> tuple[int, int]:
    """`limit` and `offset` of a paginated listing."""
    return (
        int_arg("limit", default_limit, maximum=max_limit),
        int_arg("offset", 0, maximum=10**12),
    )


def _range(minimum: float, maximum: float | None) -> str:
    return f"{minimum:g}..{maximum:g}" if maximum is not None else f"at least {minimum:g}"
