"""Faithful local emulators of the Syncro and Xero APIs (aiohttp servers on 127.0.0.1).

They are part of the product: ``syncro-xero demo``, the test suite, ``bench/`` and third-party
plugin authors all run against them. ``syncro-xero emulators`` serves both with sample data.
"""

from .base import AccessLog, Emulator, Faults, LoggedRequest

__all__ = ["AccessLog", "Emulator", "Faults", "LoggedRequest"]
