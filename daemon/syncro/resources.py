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
class Embed:
    """A record of another listed resource that the detail view embeds (an invoice's ``customer``)."""

    resource: str
    via: str  # the list record's field holding the embedded record's id, e.g. "customer_id"
    into: str  # the detail's key, e.g. "customer"


@dataclass(frozen=True)
class BulkDetail:
    """A list endpoint holding the children of every record at once (``GET /line_items``).

    A detail view is the list record plus its children (under ``into``) plus embedded records;
    what it holds beyond those (an invoice's ``payments``) is absent from a record composed so.
    """

    path: str
    list_key: str
    params: dict[str, Any]
    parent_field: str  # the child's field naming its record, e.g. "invoice_id"
    into: str  # the detail's key for the children, e.g. "line_items"
    embeds: tuple[Embed, ...] = ()


#: ``GET /line_items?invoice_id_not_null=true``: every invoice's lines, 100 a page; Syncro allows it
#: only to tokens with the Global Admin permission (syncro-api.md §1.2, §2.4, §5.16).
INVOICE_LINES = BulkDetail(
    "/line_items", "line_items", {"invoice_id_not_null": True}, "invoice_id", "line_items",
    (Embed("customers", "customer_id", "customer"),),
)


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
    #: Where the detail's missing parts can be read in bulk instead (invoice lines), if anywhere.
    bulk: BulkDetail | None = None

    def detail_path(self, record_id: str) -> str:
        return f"{self.path}/{record_id}"


CORE_RESOURCES = [
    # include_disabled: a disabled customer must not look deleted (syncro-api.md §2.1).
    SyncroResource("customers", "/customers", "customers", "customer", FullScan(), {"include_disabled": True}),
    SyncroResource("invoices", "/invoices", "invoices", "invoice", UpdatedSince(), needs_detail=True, bulk=INVOICE_LINES),
    SyncroResource("payments", "/payments", "payments", "payment", FullScan(), list_is_detail=True),
    # A product's list entry is the whole product (the PO feature reads products named on lines).
    SyncroResource("products", "/products", "products", "product", FullScan(), list_is_detail=True),
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
