"""Error types. Each carries the HTTP status it maps to; web/errors.py turns them into JSON."""

from __future__ import annotations


class PotatoLikeError(Exception):
    """Base class of every error we raise on purpose."""

    status = 500

    def __init__(self, message: str = "", **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def __str__(self) -> str:
        return self.message


class ConfigError(PotatoLikeError):
    """A config (or its data files) cannot be served. Lists every problem at once."""

    status = 500

    def __init__(self, problems: list[str], warnings: list[str] | tuple[str, ...] = ()) -> None:
        self.problems = list(problems)
        # Warnings found alongside the problems ("did you mean ..."), often the cause of them.
        self.warnings = list(warnings)
        super().__init__("\n".join(self.problems))


class DataError(ConfigError):
    """Rows in a data file are unusable; each problem reads `file:line: problem`."""


class BadRequest(PotatoLikeError):
    status = 400


class BadAnnotation(BadRequest):
    """A submitted annotation value does not fit its scheme."""


class Unauthorized(PotatoLikeError):
    status = 401


class Forbidden(PotatoLikeError):
    status = 403


class NotFound(PotatoLikeError):
    status = 404


class Conflict(PotatoLikeError):
    status = 409


class NotAssigned(Forbidden):
    """The user tried to read or write an item that is not leased to them."""

    def __init__(self, item_id: str) -> None:
        super().__init__(f"instance {item_id!r} is not assigned to you")
        self.item_id = item_id


class Blocked(Forbidden):
    """Quality control stopped this user (too many failed checks)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status="blocked")
        self.extra["message"] = message


class WrongPhase(Conflict):
    """The request belongs to another phase of the study than the one the user is in."""

    def __init__(self, message: str, phase: str) -> None:
        super().__init__(message, phase=phase)
