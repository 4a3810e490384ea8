"""The Syncro resources the core knows how to poll, registered through ``syncro_xero_resources``
like a plugin's (a plugin that needs tickets or estimates registers its own the same way)."""

from __future__ import annotations

from ..api.resources import BulkDetail, Embed, SyncroResource
from ..hookspecs import hookimpl

#: ``GET /line_items?invoice_id_not_null=true``: every invoice's lines, 100 a page; Syncro allows it
#: only to tokens with the Global Admin permission (syncro-api.md §1.2, §2.4, §5.16).
INVOICE_LINES = BulkDetail(
    "/line_items", "line_items", {"invoice_id_not_null": True}, "invoice_id", "line_items",
    (Embed("customers", "customer_id", "customer"),),
)

CORE_RESOURCES = [
    # include_disabled: a disabled customer must not look deleted (syncro-api.md §2.1).
    SyncroResource("customers", "/customers", "customers", "customer", "full_scan", {"include_disabled": True}),
    SyncroResource("invoices", "/invoices", "invoices", "invoice", "updated_since", needs_detail=True,
                   bulk=INVOICE_LINES),
    SyncroResource("payments", "/payments", "payments", "payment", "full_scan", list_is_detail=True),
    # A product's list entry is the whole product (the PO feature reads products named on lines).
    SyncroResource("products", "/products", "products", "product", "full_scan", list_is_detail=True),
    # No GET /products/categories/{id} in the spec: its list is unpaged, read whole in one answer.
    SyncroResource("product_categories", "/products/categories", "categories", "category", "full_scan",
                   has_detail=False),
    SyncroResource("vendors", "/vendors", "vendors", "vendor", "full_scan"),
    SyncroResource(
        "purchase_orders", "/purchase_orders", "purchase_orders", "purchase_order", "full_scan", needs_detail=True
    ),
]


@hookimpl
def syncro_xero_resources() -> list[SyncroResource]:
    return list(CORE_RESOURCES)
