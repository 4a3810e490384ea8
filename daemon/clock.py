"""One clock for the daemon, its limiters and backoff, and both emulators.

Production code takes a :class:`Clock`; tests hand everything the same :class:`FakeClock`, whose
``sleep`` moves time forward instead of waiting, so rate-limit windows, ``Retry-After`` pauses and
token expiry are exercised without real delays.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone

from .api.services import Clock

UTC = timezone.utc
__all__ = ["UTC", "Clock", "FakeClock", "SystemClock"]


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        return time.time()

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A clock that only moves when told to, or when someone sleeps on it.

    ``sleep(s)`` advances time to at least ``now + s`` (concurrent sleepers share the jump rather
    than adding up) and yields to the event loop once.
    """

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        self._t = start.timestamp()
        self.slept: list[float] = []

    def time(self) -> float:
        return self._t

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._t, UTC)

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``."""
        self._t += seconds

    async def sleep(self, seconds: float) -> None:
        target = self._t + max(0.0, seconds)
        self.slept.append(seconds)
        self._t = max(self._t, target)
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"FakeClock({self.now().isoformat()})"

