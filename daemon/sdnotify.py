"""sd_notify(3) without libsystemd: one datagram to ``$NOTIFY_SOCKET`` (STYLE B1).

Every call is a no-op returning False outside systemd. Call from the event loop, watchdog pings
included, so a blocked loop stops the pings and systemd notices.
"""

from __future__ import annotations

import logging
import os
import socket
import time

log = logging.getLogger(__name__)
_failed_before = False


def notify(message: str) -> bool:
    """Send ``message`` (``KEY=value`` lines) to systemd; True if it was sent."""
    global _failed_before
    target = os.environ.get("NOTIFY_SOCKET", "")
    if target.startswith("@"):
        address = "\0" + target[1:]  # abstract namespace
    elif target.startswith("/"):
        address = target
    else:
        return False  # unset, or a kind we do not speak (vsock:)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.setblocking(False)  # never stall the event loop on a full socket
            sock.connect(address)
            sock.send(message.encode())
    except OSError as error:
        # Warn once: watchdog pings repeat every few seconds.
        level = logging.DEBUG if _failed_before else logging.WARNING
        log.log(level, "sd_notify %r to %s failed: %s", message.split("\n")[0], target, error)
        _failed_before = True
        return False
    return True


def ready() -> bool:
    return notify("READY=1")


def stopping() -> bool:
    return notify("STOPPING=1")


def reloading() -> bool:
    """RELOADING=1 with MONOTONIC_USEC, without which newer systemd may ignore the reload."""
    now_usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    return notify(f"RELOADING=1\nMONOTONIC_USEC={now_usec}")


def status(text: str) -> bool:
    """Set the line ``systemctl status`` shows."""
    return notify("STATUS=" + " ".join(text.splitlines()))


def watchdog() -> bool:
    return notify("WATCHDOG=1")


def watchdog_interval() -> float | None:
    """Seconds between watchdog pings (half of ``WatchdogSec=``), or None when not asked for."""
    pid = os.environ.get("WATCHDOG_PID")
    if pid and pid != str(os.getpid()):
        return None
    try:
        usec = int(os.environ.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec / 2 / 1_000_000 if usec > 0 else None
