"""A faithful local emulator of Xero's Accounting API, OAuth 2.0 and connections.

``XeroEmulator(clock=…, config=XeroConfig(…))`` serves on 127.0.0.1; ``emulator.store`` (or
``emulator.org(tenant_id)``) reads and seeds organisation data; ``emulator.issue_token()`` skips the
OAuth dance. Resources plug into the generic core in :mod:`.resource`; behaviour the notes leave
open is switchable in :class:`XeroConfig` and listed in ``docs/emulator-unknowns.md``.
"""

from . import fields
from .app import API_PREFIX, DEFAULT_TENANT_ID, XeroEmulator
from .config import XeroConfig
from .documents import CONTACT_REF, Document, Kind
from .fields import Schema
from .lines import LINE_ITEM, totals
from .resource import (
    DELETE,
    GET,
    LIST,
    POST,
    POST_ONE,
    PUT,
    Call,
    Reply,
    Resource,
    Route,
    Unique,
)
from .store import Org

#: What an emulator extension may use (``docs/plugin-hooks.md``, "Teaching the emulators a new
#: endpoint"): a ``Resource`` or ``Document`` subclass, its schema from ``fields``, its routes.
__all__ = [
    "API_PREFIX", "DEFAULT_TENANT_ID", "XeroEmulator", "XeroConfig", "Call", "Reply", "Resource", "Route",
    "Unique", "Org", "Document", "Kind", "CONTACT_REF", "LINE_ITEM", "totals", "Schema", "fields",
    "LIST", "GET", "PUT", "POST", "POST_ONE", "DELETE",
]
