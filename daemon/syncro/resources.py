"""The Syncro resources the core knows how to poll, registered through ``syncro_xero_resources``.

A plugin that needs another resource (tickets, estimates, ...) registers a :class:`SyncroResource`
of its own through the same hook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..hookspecs import hookimpl
from .polling import FullScan, PollStrategy, UpdatedSince


@dataclass(frozen=True)
class SyncroResource:
    """One Syncro list endpoint as a source of changes."""

    name: str
    path: str  # list path relative to the API root, e.g. "/invoices"
    list_key: str  # envelope key of the list, e.g. "invoices"
    item_key: str  # envelope key of one record, e.g. "invoice"
    strategy: PollStrategy
    params: dict[str, Any] = field(default_factory=dict)
    #: List records lack what features need (invoice lines): fetch each changed record's detail.
    needs_detail: bool = False
    #: The API has ``GET {path}/{id}``; without it a deletion is confirmed by reading the list again.
    has_detail: bool = True
    #: List records are whole records that nothing changes mid-pass (Syncro has no payment PUT):
    #: ``syncro_record`` serves them from the pass's list instead of a detail GET each.
    list_is_detail: bool = False

    def detail_path(self, record_id: str) -> str:
        return f"{self.path}/{record_id}"


CORE_RESOURCES = [
    # include_disabled: a disabled customer must not look deleted (syncro-api.md §2.1).
    SyncroResource("customers", "/customers", "customers", "customer", FullScan(), {"include_disabled": True}),
    SyncroResource("invoices", "/invoices", "invoices", "invoice", UpdatedSince(), needs_detail=True),
    SyncroResource("payments", "/payments", "payments", "payment", FullScan(), list_is_detail=True),
    SyncroResource("products", "/products", "products", "product", FullScan()),
    # No GET /products/categories/{id} in the spec: its list is unpaged, read whole in one answer.
    SyncroResource("product_categories", "/products/categories", "categories", "category", FullScan(),
                   has_detail=False),
    SyncroResource("vendors", "/vendors", "vendors", "vendor", FullScan()),
    SyncroResource(
        "purchase_orders", "/purchase_orders", "purchase_orders", "purchase_order", FullScan(), needs_detail=True
    ),
]


@hookimpl
def syncro_xero_resources() -> list[SyncroResource]:
    return list(CORE_RESOURCES)
