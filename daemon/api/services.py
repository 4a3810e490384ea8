"""The services a handler's context hands out besides its own methods: the clock, Syncro reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class Clock(Protocol):
    """What the daemon and the emulators need to know about time."""

    def time(self) -> float:
        """Seconds since the epoch (UTC)."""

    def now(self) -> datetime:
        """The current instant as an aware UTC datetime."""

    async def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass."""


class SyncroReads(Protocol):
    """Reads of the Syncro API (``ctx.syncro``): paced, retried, JSON numbers as Decimal.

    Paths are relative to the API root (``"/customers"``). Writes go through ``ctx.syncro_write``.
    """

    api_url: str

    async def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """One GET; the parsed JSON body."""

    async def get_all(self, path: str, key: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every record of a list (every page), from the envelope key ``key``."""

    async def get_record(self, path: str, key: str, record_id: str | int) -> dict[str, Any]:
        """One record by its detail path; an answer without that record is a failed read."""
