"""A change, and what a handler says of it besides "in sync": park it, or wait.

A handler returns normally when the record is in sync, raises :class:`Park` when it cannot be synced
until a person acts, or :class:`Defer` when it must wait for something the daemon does itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .errors import SyncroValidationError, XeroRejected

Op = Literal["created", "updated", "deleted"]
Source = Literal["syncro", "xero"]


@dataclass(frozen=True)
class Change:
    """One source record that differs from what the feature last acknowledged.

    ``record`` is the record now (``None`` when deleted); ``previous`` is the version the feature
    last acknowledged (``None`` when the record is new to it).
    """

    source: Source
    resource: str
    op: Op
    record_id: str
    record: dict[str, Any] | None
    previous: dict[str, Any] | None = None

    @property
    def current(self) -> dict[str, Any]:
        """The record now, or as last seen when it was deleted."""
        return self.record if self.record is not None else (self.previous or {})

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "resource": self.resource,
            "op": self.op,
            "record_id": self.record_id,
            "record": self.record,
            "previous": self.previous,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Change":
        return cls(**data)


class Park(Exception):
    """This record cannot be synced until a person acts.

    ``reason`` is one sentence a bookkeeper understands (what is wrong and what they can do);
    ``detail`` may carry the technical text (Xero's messages).
    """

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail

    @classmethod
    def from_rejected(cls, rejected: XeroRejected | SyncroValidationError, reason: str) -> "Park":
        """Park with ``reason`` for a refusal of Xero's or Syncro's, its own words kept as the detail:
        ``raise Park.from_rejected(rejected, "Xero would not ...; do ..., then retry.")``."""
        park = cls(reason, "; ".join(rejected.messages))
        park.__cause__ = rejected
        return park


class Defer(Exception):
    """Not yet: the record waits for something the daemon does itself (e.g. its invoice to sync).

    The record is not acknowledged, so the next pass tries again; ``status`` shows it as waiting.
    After ``[sync] wait_passes`` passes or ``wait_seconds`` it is parked with ``reason``, unless
    ``bounded=False``: for a wait the feature bounds itself (and then settles with a note).
    """

    def __init__(self, reason: str, *, bounded: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.bounded = bounded
