"""Sliding-window request counting, shared by the daemon's pacing and the emulators' enforcement.

The daemon asks :meth:`SlidingWindow.wait_time` before each call and sleeps that long on its clock;
an emulator answers 429 when ``wait_time`` is above zero. Written here rather than taken from
aiolimiter because both sides must run on the injected :class:`~syncro_xero.clock.Clock`.
"""

from __future__ import annotations

from collections import deque
from typing import Protocol

from .clock import Clock


class Pacer(Protocol):
    """What a client paces its requests with: this module's window, or one shared between processes."""

    async def acquire(self) -> None: ...

    def pause(self, seconds: float) -> None: ...

    def remaining(self) -> int: ...


class SlidingWindow:
    """At most ``limit`` events in any ``window`` seconds."""

    def __init__(self, limit: int, window: float, clock: Clock) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: deque[float] = deque()
        self._paused_until = 0.0

    def _expire(self, now: float) -> None:
        while self._events and self._events[0] <= now - self.window:
            self._events.popleft()

    def wait_time(self) -> float:
        """Seconds until one more event fits in the window (0 when it fits now)."""
        now = self._clock.time()
        self._expire(now)
        if self._paused_until > now:
            return self._paused_until - now
        if len(self._events) < self.limit:
            return 0.0
        return self._events[0] + self.window - now

    def pause(self, seconds: float) -> None:
        """Nothing fits for ``seconds`` (the other side answered 429 and said how long to wait)."""
        self._paused_until = max(self._paused_until, self._clock.time() + seconds)

    def record(self) -> None:
        """Count one event now."""
        now = self._clock.time()
        self._expire(now)
        self._events.append(now)

    def remaining(self) -> int:
        """Events still allowed in the current window."""
        self._expire(self._clock.time())
        return max(0, self.limit - len(self._events))

    async def acquire(self) -> None:
        """Wait on the clock until an event fits, then count it."""
        while (delay := self.wait_time()) > 0:
            await self._clock.sleep(delay)
        self.record()
