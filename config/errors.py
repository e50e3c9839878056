"""The one error type services raise, turned into the API's error shape by config.api_errors."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the service refuses, with a machine code, a message and per-field reasons.

    ``fields`` maps a field (or a record path such as ``episodes.created[3].duration_s``)
    to a list of messages, each naming the rule that was broken.
    """

    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        fields: dict[str, Any] | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}
        if status_code is not None:
            self.status_code = status_code


class NotFound(DomainError):
    status_code = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message, code="not_found")


class Conflict(DomainError):
    status_code = 409
