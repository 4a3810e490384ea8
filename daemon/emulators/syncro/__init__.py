"""Syncro emulator: the REST API under ``/api/v1`` served from an in-memory store.

- :class:`SyncroEmulator`: the server (``.store``, ``.switches``, ``.faults``, ``.api_url``);
- :class:`SyncroStore`: the data and Syncro's rules, with a Python API to seed and change it;
- :class:`Switches`: behaviour where Syncro's is unknown (``docs/emulator-unknowns.md``);
- :func:`seed_sample`: deterministic sample data for demos and benchmarks.
"""

from .emulator import SyncroEmulator
from .errors import AlreadyPaid, DraftsDisabled, NotFound, RuleError
from .render import Renderer
from .seed import SeedSummary, seed_sample
from .store import STORE_CREDIT, InvoiceTotals, SyncroStore
from .switches import Switches

__all__ = [
    "STORE_CREDIT",
    "AlreadyPaid",
    "DraftsDisabled",
    "InvoiceTotals",
    "NotFound",
    "Renderer",
    "RuleError",
    "SeedSummary",
    "SyncroEmulator",
    "SyncroStore",
    "Switches",
    "seed_sample",
]
