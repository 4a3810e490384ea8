"""Talking to the Syncro REST API."""

from .client import (
    SyncroAuthError,
    SyncroBadResponse,
    SyncroClient,
    SyncroError,
    SyncroNoRecord,
    SyncroNotFound,
    SyncroUnavailable,
    SyncroValidationError,
    SyncroWriteUncertain,
    error_messages,
    unwrap,
)

__all__ = [
    "SyncroAuthError",
    "SyncroBadResponse",
    "SyncroClient",
    "SyncroError",
    "SyncroNoRecord",
    "SyncroNotFound",
    "SyncroUnavailable",
    "SyncroValidationError",
    "SyncroWriteUncertain",
    "error_messages",
    "unwrap",
]
