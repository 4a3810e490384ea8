"""Writes to Syncro as the core journals them: what a feature's ``find`` is given, and returns.

Syncro takes no idempotency key, so a write whose answer never arrived (a crash, a timeout) is never
sent blindly again: the feature's ``find`` looks for the record it may have made first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

#: ``sent``: journaled, no answer recorded (it may or may not have been applied); ``confirmed``:
#: Syncro answered it, or ``find`` found what it made; ``rejected``: Syncro refused it; ``lost``: never
#: answered and not found (or superseded), so nothing more is looked for; ``planned``: a dry run's.
SyncroWriteState = Literal["sent", "confirmed", "rejected", "lost", "planned"]
#: The method of a multi-step edit's own journal row (``ctx.syncro_begin``), which sends nothing.
EDIT = "EDIT"


@dataclass(frozen=True, kw_only=True)
class SyncroWrite:
    """One journaled Syncro write (or an open multi-step edit), and what became of it.

    ``entity`` and ``key`` say what the write is for in the feature's terms (``"xero_contact"``, the
    ContactID), ``step`` which part of it; ``extra`` is the feature's JSON kept with it (a plan).
    ``syncro_id`` is the id of the record Syncro answered with (or ``find`` found); ``response``
    its answer.
    """

    id: int
    feature: str
    entity: str
    key: str
    step: str
    method: str
    path: str
    body: dict[str, Any] | None
    state: SyncroWriteState
    syncro_id: str | None = None
    response: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_edit(self) -> bool:
        """This row is an open multi-step edit (``ctx.syncro_begin``), not a request."""
        return self.method == EDIT


#: ``find(write)``: the Syncro record ``write`` may have made (by a marker it carries, its content...),
#: or None when Syncro has none. Called instead of sending again whenever the write's outcome is
#: unknown; it must only read.
Find = Callable[[SyncroWrite], Awaitable["dict[str, Any] | None"]]


def syncro_unwrap(body: dict[str, Any], key: str) -> dict[str, Any]:
    """The record under ``key`` in a Syncro answer (``{"customer": {...}}``), or ``body`` itself when
    Syncro sent it bare: envelopes are inconsistent (syncro-api.md §1.7)."""
    return body.get(key, body)  # type: ignore[no-any-return]


def syncro_error_messages(body: Any) -> list[str]:
    """The human-readable messages in a Syncro error body, whatever its shape (§1.7), without repeats.

    Shapes seen: ``{"success": false, "message": [..] or "..", "params": {..}}``, ``{"errors": ".."}``,
    ``{"errors": [..]}``, ``{"errors": {"field": [..]}}``, ``{"error": ".." or [..]}``,
    ``{"record": {..}, "errors": ".."}`` and a bare ``{"field": [".."]}`` map. Field errors come out
    as ``"field: message"``.
    """
    if isinstance(body, dict):
        found = [m for key in ("message", "errors", "error") if key in body for m in _flatten(body[key])]
        if not found:
            ignored = {"success", "params", "record", "status"}
            found = [m for key, value in body.items() if key not in ignored for m in _flatten(value, key)]
    else:
        found = _flatten(body)
    return list(dict.fromkeys(m for m in found if m))


def _flatten(value: Any, field: str | None = None) -> list[str]:
    if isinstance(value, dict):
        return [m for k, v in value.items() for m in _flatten(v, f"{field}.{k}" if field else str(k))]
    if isinstance(value, list):
        return [m for item in value for m in _flatten(item, field)]
    if value is None:
        return []
    text = str(value).strip()
    return [f"{field}: {text}" if field else text]
