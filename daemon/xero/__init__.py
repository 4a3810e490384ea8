"""Talking to Xero: OAuth 2.0 tokens (:mod:`.auth`) and the Accounting API client (:mod:`.client`)."""

from .auth import TokenStore, XeroAuth, connect_interactive
from .client import XeroClient, XeroStats
from .errors import (
    XeroApiError,
    XeroAuthError,
    XeroDailyLimitReached,
    XeroError,
    XeroForbidden,
    XeroNotFound,
    XeroPayloadError,
    XeroUnavailable,
    XeroUnknownOutcome,
    XeroValidationError,
)

__all__ = [
    "TokenStore",
    "XeroApiError",
    "XeroAuth",
    "XeroAuthError",
    "XeroClient",
    "XeroDailyLimitReached",
    "XeroError",
    "XeroForbidden",
    "XeroNotFound",
    "XeroPayloadError",
    "XeroStats",
    "XeroUnavailable",
    "XeroUnknownOutcome",
    "XeroValidationError",
    "connect_interactive",
]
