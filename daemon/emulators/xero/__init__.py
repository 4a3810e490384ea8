"""A faithful local emulator of Xero's Accounting API, OAuth 2.0 and connections.

``XeroEmulator(clock=…, config=XeroConfig(…))`` serves on 127.0.0.1; ``emulator.store`` (or
``emulator.org(tenant_id)``) reads and seeds organisation data; ``emulator.issue_token()`` skips the
OAuth dance. Resources plug into the generic core in :mod:`.resource`; behaviour the notes leave
open is switchable in :class:`XeroConfig` and listed in ``docs/emulator-unknowns.md``.
"""

from .app import API_PREFIX, DEFAULT_TENANT_ID, XeroEmulator
from .config import XeroConfig
from .resource import Call, Reply, Resource, Route, Unique
from .store import Org

__all__ = [
    "API_PREFIX", "DEFAULT_TENANT_ID", "XeroEmulator", "XeroConfig", "Call", "Reply", "Resource", "Route",
    "Unique", "Org",
]
