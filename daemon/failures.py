"""What a failure while syncing one record means, and so what becomes of the record.

- **pass-ending**: nothing can go on until a person acts or a limit resets (credentials refused,
  Xero's daily allowance spent): the pass ends, nothing unacknowledged is lost;
- **transient**: the exchange failed, not the record (5xx and timeouts after every retry, a 200
  whose body is not the JSON asked for, a wait longer than allowed, a write of unknown outcome):
  the record fails for this pass only and the next pass tries it again by itself;
- **the record's own**: a definite refusal of this record (a Xero or Syncro validation error, a
  404, a payload that cannot be sent exactly): parked with the reason;
- **a plugin bug**: any other exception raised by the feature's own code: parked, and the reason
  says to report it to the plugin's author. Said of nothing else.
"""

from __future__ import annotations

import asyncio
from types import TracebackType

import aiohttp

from .syncro import SyncroAuthError, SyncroError, SyncroUnavailable
from .syncro.client import SyncroBadResponse
from .xero.errors import XeroApiError, XeroAuthError, XeroDailyLimitReached, XeroForbidden, XeroUnavailable

#: Failures that are not about one record: the pass ends, the next one resumes.
STOPS_THE_PASS = (XeroDailyLimitReached, XeroAuthError, XeroForbidden, SyncroAuthError)


def is_transient(exc: BaseException) -> bool:
    """The exchange failed, not the record: try again next pass."""
    if isinstance(exc, (XeroUnavailable, SyncroUnavailable, SyncroBadResponse, asyncio.TimeoutError,
                        aiohttp.ClientError, ConnectionError)):
        return True
    if isinstance(exc, XeroApiError):  # 200 with an unreadable body, or a 5xx that came through
        return exc.status == 200 or exc.status >= 500
    if isinstance(exc, SyncroError):
        return exc.status is None or exc.status >= 500
    return False


def raised_by(exc: BaseException, module: str) -> bool:
    """Whether the innermost Python frame of ``exc``'s traceback runs code of ``module``'s package.

    Built-in features live in ``syncro_xero.plugins``; a third-party feature's package is the top
    level of its module name.
    """
    package = "syncro_xero.plugins" if module.startswith("syncro_xero.plugins.") else module.split(".")[0]
    tb: TracebackType | None = exc.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return False
    name = str(last.tb_frame.f_globals.get("__name__", ""))
    return name == package or name.startswith(package + ".")


def one_line(exc: BaseException) -> str:
    """``Type: message`` on one line, for a reason or a log line (never a traceback)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


__all__ = ["STOPS_THE_PASS", "is_transient", "one_line", "raised_by"]
