"""Logging for the daemon: journald priority prefixes and secret redaction (STYLE B2).

:func:`setup_logging` puts one handler on the root logger. Redaction happens in that handler's
formatter, on the final text (message, arguments and traceback alike), so it covers every logger
that propagates to the root, including plugins' ``logging.getLogger(__name__)``; a filter on a
logger would miss records from its children.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from contextlib import contextmanager
from typing import Iterator, TextIO

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JOURNAL_FORMAT = "%(name)s: %(message)s"  # journald adds time and host itself
REDACTED = "***"
# syslog priorities for journald's <N> line prefix; anything below INFO is debug (7).
JOURNAL_PRIORITIES = (
    (logging.CRITICAL, 2),
    (logging.ERROR, 3),
    (logging.WARNING, 4),
    (logging.INFO, 6),
)

#: Libraries whose debug output is theirs, not the daemon's: kept at INFO when the daemon logs DEBUG.
QUIET_LIBRARIES = ("aiosqlite", "asyncio", "urllib3", "xero_python")

# Shorter values would match all over the log and carry no real secret.
MIN_SECRET_LENGTH = 4
# Old access and refresh tokens stop working soon after rotation (xero-api.md §4).
ROTATING_SECRETS_KEPT = 16

_TOKEN_NAMES = "api_key|access_token|refresh_token|id_token|client_secret"
_PATTERNS = (
    # Authorization headers: Bearer <access token>, Basic <base64 of client_id:client_secret>
    # (16+ characters, so prose such as "Basic settings" survives).
    (re.compile(r"\bBearer\s+[A-Za-z0-9._~+/=-]+"), f"Bearer {REDACTED}"),
    (re.compile(r"\bBasic\s+[A-Za-z0-9+/]{16,}=*"), f"Basic {REDACTED}"),
    # Query strings and form bodies: ?api_key=…&, refresh_token=…
    (re.compile(rf"({_TOKEN_NAMES})=[^&\s\"']+"), rf"\1={REDACTED}"),
    # JSON token responses: "access_token": "…"
    (re.compile(rf"\"({_TOKEN_NAMES})\"\s*:\s*\"[^\"]*\""), rf'"\1": "{REDACTED}"'),
)


class _SecretRegistry:
    """Registered values as one pattern, swapped whole so that other threads read it safely."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # the SDK's token callbacks run in worker threads
        self.permanent: tuple[str, ...] = ()
        self.rotating: tuple[str, ...] = ()
        self.pattern: re.Pattern[str] | None = None

    def add(self, value: str, rotating: bool) -> None:
        with self.lock:
            if len(value) < MIN_SECRET_LENGTH or value in self.permanent or value in self.rotating:
                return
            if rotating:
                self.rotating = (*self.rotating, value)[-ROTATING_SECRETS_KEPT:]
            else:
                self.permanent = (*self.permanent, value)
            # Longest first, so a secret containing another is replaced whole.
            values = sorted({*self.permanent, *self.rotating}, key=len, reverse=True)
            self.pattern = re.compile("|".join(map(re.escape, values)))


_registry = _SecretRegistry()
_handler: logging.Handler | None = None


def register_secret(value: str, *, rotating: bool = False) -> None:
    """Redact ``value`` from all log output from now on.

    Pass ``rotating=True`` for access and refresh tokens: only the latest
    :data:`ROTATING_SECRETS_KEPT` are kept, so a daemon running for months does not grow the list.
    """
    _registry.add(value, rotating)


def redact(text: str) -> str:
    """``text`` with registered secrets and token-shaped values replaced by ``***``."""
    pattern = _registry.pattern
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    for token_pattern, replacement in _PATTERNS:
        text = token_pattern.sub(replacement, text)
    return text


def journal_priority(levelno: int) -> int:
    """syslog priority for a logging level (CRITICAL→2 … DEBUG→7)."""
    for threshold, priority in JOURNAL_PRIORITIES:
        if levelno >= threshold:
            return priority
    return 7


class DaemonFormatter(logging.Formatter):
    """Redacts the final text; under journald prefixes every line with ``<priority>``."""

    def __init__(self, journald: bool) -> None:
        super().__init__(JOURNAL_FORMAT if journald else PLAIN_FORMAT, datefmt="%Y-%m-%d %H:%M:%S")
        self.journald = journald

    def format(self, record: logging.LogRecord) -> str:
        text = redact(super().format(record))
        if not self.journald:
            return text
        prefix = f"<{journal_priority(record.levelno)}>"
        return "\n".join(prefix + line for line in text.split("\n"))


def is_journald_stream(stream: TextIO) -> bool:
    """True when ``$JOURNAL_STREAM`` names this stream's file (systemd.exec(5))."""
    expected = os.environ.get("JOURNAL_STREAM")
    if not expected:
        return False
    try:
        stat = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return False
    return expected == f"{stat.st_dev}:{stat.st_ino}"


def for_stderr(text: str, priority: int) -> str:
    """``text`` for stderr: each line prefixed with ``<priority>`` when stderr goes to journald, so
    ``journalctl -p`` shows messages printed before logging is set up (why the service stopped)."""
    if not is_journald_stream(sys.stderr):
        return text
    return "\n".join(f"<{priority}>{line}" for line in text.split("\n"))


def setup_logging(level: str, stream: TextIO | None = None) -> None:
    """Send all logging to ``stream`` (default stderr) at ``level``; call again to change it."""
    global _handler
    stream = sys.stderr if stream is None else stream
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    _handler = logging.StreamHandler(stream)
    _handler.setFormatter(DaemonFormatter(journald=is_journald_stream(stream)))
    root.addHandler(_handler)
    root.setLevel(level.upper())
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))


@contextmanager
def logs_to(stream: TextIO) -> Iterator[None]:
    """Send log lines to ``stream`` for a while (a progress display's, so lines never cut through it)."""
    if _handler is None or not isinstance(_handler, logging.StreamHandler):
        yield
        return
    handler = _handler
    previous = handler.setStream(stream)
    try:
        yield
    finally:
        if previous is not None:
            handler.setStream(previous)
