"""Domain errors with stable codes; the API turns them into RFC 7807 problem+json."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    ACCOUNT_LOCKED = "account_locked"
    BAD_CREDENTIALS = "bad_credentials"
    CALENDAR_UNKNOWN_YEAR = "calendar_unknown_year"


class KefuError(Exception):
    """Base of domain errors. ``errors`` maps field names to messages a person can act on."""

    status = 400
    code: ErrorCode = ErrorCode.INVALID

    def __init__(
        self,
        message: str,
        *,
        errors: dict[str, list[str]] | None = None,
        code: ErrorCode | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        if code is not None:
            self.code = code


class ValidationFailed(KefuError):
    status = 422
    code = ErrorCode.INVALID


class NotFound(KefuError):
    status = 404
    code = ErrorCode.NOT_FOUND


class Forbidden(KefuError):
    status = 403
    code = ErrorCode.PERMISSION_DENIED


class Conflict(KefuError):
    status = 409
    code = ErrorCode.CONFLICT


def field_errors_from_django(exc) -> dict[str, list[str]]:
    """Field → messages from a django ValidationError (message_dict or plain list)."""
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}
