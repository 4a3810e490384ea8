"""Signs of progress from the work itself, for the systemd watchdog.

A ping from a timer proves only that the event loop turns; a pass stuck on an endless wait turns
it too. The clients mark every exchange they complete, the engine every record it settles and
the loop its idle time between passes; the watchdog pings only while the last mark is recent.
"""

from __future__ import annotations

import time

_last = time.monotonic()


def beat() -> None:
    """Something completed: a request answered (or failed), a record settled, an idle tick."""
    global _last
    _last = time.monotonic()


def quiet_for() -> float:
    """Seconds since the last :func:`beat`."""
    return time.monotonic() - _last
