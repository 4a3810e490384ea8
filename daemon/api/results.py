"""What ``syncro-xero check`` and ``syncro-xero reconcile`` print, one line each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckResult:
    """One line of ``syncro-xero check``."""

    ok: bool
    what: str
    detail: str = ""
    #: Works, but risky: shown with "!" and does not fail ``check``.
    warning: bool = False


@dataclass(frozen=True)
class Drift:
    """One difference between Syncro and Xero, for ``syncro-xero reconcile``."""

    what: str  # "invoice 1001"
    syncro: str  # the value in Syncro, as text ("total 110.00"; "absent")
    xero: str
    why: str = ""  # a known cause, if any (parked, waiting, changed in Xero)
