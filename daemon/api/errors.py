"""The refusals a feature may meet and act on: Xero's, and Syncro's.

A handler may catch them to word a better reason (``Park.from_rejected``); uncaught, the core parks
the record with the message (a refusal) or tries it again next pass (a failed exchange).
"""

from __future__ import annotations

from typing import Any


class PluginMisuse(Exception):
    """A feature used the API against its contract (a write of an undeclared link kind, a create
    with no way to be found again): a bug of the plugin's, parked as such and named to its author."""


class XeroRejected(Exception):
    """Xero refused this record (a validation error); ``messages`` are Xero's own words."""

    def __init__(self, messages: list[str], result: dict[str, Any] | None = None) -> None:
        super().__init__("; ".join(messages) or "rejected by Xero")
        self.messages = messages
        self.result = result or {}


class SyncroError(Exception):
    """Syncro answered with an error, or not usefully. ``endpoint`` is e.g. ``"GET /invoices"``."""

    def __init__(self, message: str, *, endpoint: str, status: int | None = None) -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.status = status


class SyncroUnavailable(SyncroError):
    """Still rate-limited, failing (5xx) or unreachable after ``max_attempts`` tries."""


class SyncroWriteUncertain(SyncroUnavailable):
    """A POST got no clear answer (5xx, timeout, dropped connection): it may or may not have been applied.

    POSTs are not retried in that case because Syncro has no idempotency keys; look for the record
    before sending it again.
    """


class SyncroNotFound(SyncroError):
    """404."""


class SyncroValidationError(SyncroError):
    """422: Syncro refused the data; ``messages`` holds what it said, one string per problem."""

    def __init__(self, message: str, *, endpoint: str, status: int | None, messages: list[str]) -> None:
        super().__init__(message, endpoint=endpoint, status=status)
        self.messages = messages
