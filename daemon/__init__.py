"""syncro-xero: keep an MSP's Xero books in step with its Syncro account.

The public API for plugin authors is what this module exports; everything else is private.
"""

__version__ = "0.1.0"

from .context import Context
from .feature import Change, CheckResult, Defer, Drift, Feature, Park
from .hookspecs import hookimpl
from .state import Link
from .syncro.resources import SyncroResource
from .text import one_line
from .xero.writer import Lookup, XeroRejected

__all__ = [
    "Change",
    "CheckResult",
    "Context",
    "Defer",
    "Drift",
    "Feature",
    "Link",
    "Lookup",
    "Park",
    "SyncroResource",
    "XeroRejected",
    "hookimpl",
    "one_line",
    "__version__",
]
