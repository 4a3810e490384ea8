"""What every process on one state file shares: Syncro's request budget, and the right to run a pass.

Syncro counts requests per client IP (syncro-api.md §1.3), so the daemon, a ``sync --once``, a
``reconcile`` or a ``check`` started beside it must draw on one allowance, or together they trip the
limit. :class:`SharedWindow` is a sliding window kept in a small SQLite file next to the state file
(``<state>.syncro-budget``; its own file, so it never waits on the state database's writers), with
each request's time and any pause a 429 asked for. :class:`PassLock` is an advisory lock on
``<state>.pass-lock``: one pass at a time per state file; a second one waits for the first.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

from .clock import Clock

log = logging.getLogger(__name__)

LOCK_POLL_SECONDS = 0.2


def sidecar(state_path: str | Path, suffix: str) -> Path:
    """``/var/lib/syncro-xero/state.db`` -> ``/var/lib/syncro-xero/state.db.<suffix>``."""
    path = Path(state_path)
    return path.with_name(f"{path.name}.{suffix}")


class SharedWindow:
    """At most ``limit`` requests in any ``window`` seconds, across every process using ``path``.

    The same interface as :class:`~syncro_xero.ratelimit.SlidingWindow` (``acquire``), plus
    :meth:`pause`: a 429's wait, which every process then honours.
    """

    def __init__(self, path: Path, limit: int, window: float, clock: Clock) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window
        self._clock = clock
        fresh = not path.exists()
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        if fresh:
            os.chmod(path, 0o600)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=OFF")  # times of requests: losing the last few costs nothing
        self._db.execute("CREATE TABLE IF NOT EXISTS requests (at REAL NOT NULL)")
        self._db.execute("CREATE TABLE IF NOT EXISTS pause (until REAL NOT NULL)")

    def _take(self) -> float:
        """Count one request now and return 0, or return the seconds until one fits (counting none)."""
        now = self._clock.time()
        db = self._db
        db.execute("BEGIN IMMEDIATE")  # one process at a time between here and COMMIT
        try:
            # times ahead of now: a clock set back since; they would block the window for nothing
            db.execute("DELETE FROM requests WHERE at <= ? OR at > ?", (now - self.window, now))
            db.execute("DELETE FROM pause WHERE until <= ?", (now,))
            (paused,) = db.execute("SELECT MAX(until) FROM pause").fetchone()
            if paused is not None:
                return paused - now
            count, oldest = db.execute("SELECT COUNT(*), MIN(at) FROM requests").fetchone()
            if count >= self.limit:
                return oldest + self.window - now
            db.execute("INSERT INTO requests (at) VALUES (?)", (now,))
            return 0.0
        finally:
            db.execute("COMMIT")

    async def acquire(self) -> None:
        """Wait on the clock until a request fits in the shared window, then count it."""
        while (delay := self._take()) > 0:
            await self._clock.sleep(delay)

    def pause(self, seconds: float) -> None:
        """Syncro answered 429: no process sends for ``seconds``."""
        self._db.execute("INSERT INTO pause (until) VALUES (?)", (self._clock.time() + seconds,))

    def remaining(self) -> int:
        """Requests still allowed in the current window, across every process (0 while paused)."""
        now = self._clock.time()
        (paused,) = self._db.execute("SELECT MAX(until) FROM pause WHERE until > ?", (now,)).fetchone()
        if paused is not None:
            return 0
        (count,) = self._db.execute("SELECT COUNT(*) FROM requests WHERE at > ? AND at <= ?",
                                    (now - self.window, now)).fetchone()
        return max(0, self.limit - count)

    def close(self) -> None:
        self._db.close()


class PassLock:
    """One pass at a time per state file, across processes (an advisory ``flock``)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            told = False
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not told:
                        log.info("another pass on this state file is running; waiting for it to end")
                        told = True
                    await asyncio.sleep(LOCK_POLL_SECONDS)  # real time: the other holder runs in real time
            yield
        finally:
            os.close(fd)  # releases the lock
