"""What can go wrong talking to Xero, one class per thing the caller must do differently.

Messages never carry a token or the client secret: they are built from our own text plus the
fields of Xero's error bodies (which echo the request payload, never its headers).
"""

from __future__ import annotations

from datetime import datetime


class XeroError(Exception):
    """Base class of every error this package raises."""


class XeroAuthError(XeroError):
    """Xero will not let us in until a human acts (reconnect, fix credentials or tenant)."""


class XeroPayloadError(XeroError, ValueError):
    """A payload cannot be sent exactly as given (a value the SDK would alter or refuse)."""


class XeroDailyLimitReached(XeroError):
    """The organisation's daily call allowance is spent; nothing is sent until ``resets_at``."""

    def __init__(self, resets_at: datetime) -> None:
        self.resets_at = resets_at
        super().__init__(
            f"Xero's daily API allowance for this organisation is used up; "
            f"calls resume at {resets_at:%Y-%m-%d %H:%M:%S} UTC"
        )


class XeroUnavailable(XeroError):
    """Xero could not be reached, or kept failing (5xx), for every attempt; safe to try later."""


class XeroUnknownOutcome(XeroUnavailable):
    """A write may or may not have been applied; resolve it by looking the record up by its natural key."""

    def __init__(self, message: str, *, method: str, path: str, idempotency_key: str) -> None:
        self.method = method
        self.path = path
        self.idempotency_key = idempotency_key
        super().__init__(message)


class XeroApiError(XeroError):
    """Xero gave a definite refusal (4xx other than 401/429); resending the same request won't help."""

    def __init__(self, message: str, *, status: int) -> None:
        self.status = status
        super().__init__(message)


class XeroValidationError(XeroApiError):
    """400: the whole request was rejected; ``elements`` holds each element's messages, in order."""

    def __init__(self, message: str, *, error_type: str | None, elements: list[list[str]]) -> None:
        self.error_type = error_type
        self.elements = elements
        super().__init__(message, status=400)


class XeroForbidden(XeroApiError):
    """403: missing scope, no permission, or the tenant is not connected."""


class XeroNotFound(XeroApiError):
    """404: no such record."""
