"""syncro-xero: keep an MSP's Xero books in step with its Syncro account.

The public API for plugin authors is what this module exports (``__all__``, documented in
``docs/plugin-hooks.md``); everything else is the runtime's and may change. Importing it loads the
API layer only (``syncro_xero.api``), never the engine, the clients or aiohttp.
"""

from .api.context import Context
from .api.dates import parse_instant
from .api.errors import (
    SyncroError,
    SyncroNotFound,
    SyncroUnavailable,
    SyncroValidationError,
    SyncroWriteUncertain,
    XeroRejected,
)
from .api.feature import Feature
from .api.jsonutil import digest
from .api.links import Link
from .api.lookup import Lookup, allocated_to, natural_key_lookup, where_literal
from .api.money import from_cents, money_str, round_money, to_cents, to_decimal
from .api.outcomes import Change, Defer, Park
from .api.resources import BulkDetail, Embed, SyncroResource
from .api.results import CheckResult, Drift
from .api.services import Clock, SyncroReads
from .api.syncro_writes import Find, SyncroWrite, syncro_error_messages, syncro_unwrap
from .api.text import one_line
from .hookspecs import hookimpl
from .version import __version__

__all__ = [
    "BulkDetail",
    "Change",
    "CheckResult",
    "Clock",
    "Context",
    "Defer",
    "Drift",
    "Embed",
    "Feature",
    "Find",
    "Link",
    "Lookup",
    "Park",
    "SyncroError",
    "SyncroNotFound",
    "SyncroReads",
    "SyncroResource",
    "SyncroUnavailable",
    "SyncroValidationError",
    "SyncroWrite",
    "SyncroWriteUncertain",
    "XeroRejected",
    "__version__",
    "allocated_to",
    "digest",
    "from_cents",
    "hookimpl",
    "money_str",
    "natural_key_lookup",
    "one_line",
    "parse_instant",
    "round_money",
    "syncro_error_messages",
    "syncro_unwrap",
    "to_cents",
    "to_decimal",
    "where_literal",
]
