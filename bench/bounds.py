"""The least requests the rate limits allow for a phase's work, and what a naive client would make.

Computed from the account's size, not from what the daemon did:

- Syncro: every polled list read once at its documented page size (lists without ``meta`` need one
  more page to see their end), invoice lines at 100 a page from ``GET /line_items`` (or one detail
  each when fewer), one detail per purchase order (its lines are on no list);
- Xero: ``ceil(records / 50)`` write calls per resource, for the records the phase wrote; one per
  record where the official spec takes one record a request (``ONE_PER_REQUEST``).

Minutes at the real limits: Syncro 180 requests a minute (per IP), Xero 60 a minute (per tenant),
the two running side by side, so a phase takes the longer of the two.
"""

from __future__ import annotations

import math
from typing import Any

SYNCRO_PER_MINUTE = 180
XERO_PER_MINUTE = 60
NO_META = {"products", "product_categories", "purchase_orders", "vendors"}  # syncro-api.md §1.4
LINES_PER_PAGE = 100
INVOICES_PER_PAGE = 25
XERO_BATCH = 50
#: Xero resources written one record a request: ``PUT /TrackingCategories/{TrackingCategoryID}/Options``
#: (createTrackingOptions) takes a single ``TrackingOption`` object as its body, not an array
#: (xero_accounting.yaml).
ONE_PER_REQUEST = {"Options"}


def minutes(syncro_calls: int, xero_calls: int) -> float:
    return max(syncro_calls / SYNCRO_PER_MINUTE, xero_calls / XERO_PER_MINUTE)


def least_xero(written: dict[str, int]) -> int:
    """The fewest Xero write requests for ``written`` (records per resource)."""
    return sum(n if r in ONE_PER_REQUEST else math.ceil(n / XERO_BATCH) for r, n in written.items())


def list_pages(resource: str, count: int, page_sizes: dict[str, int]) -> int:
    if resource == "product_categories":  # one answer holds them all
        return 2
    pages = max(1, math.ceil(count / page_sizes[resource]))
    return pages + (1 if resource in NO_META else 0)


def least_syncro(phase: str, polled: list[str], size: dict[str, int], page_sizes: dict[str, int],
                 changed_invoices: int = 0) -> int:
    """The fewest Syncro requests for ``phase`` ("backfill", "idle" or "incremental")."""
    full = sum(list_pages(r, size[r], page_sizes) for r in polled if r != "invoices")
    line_pages = math.ceil(size["line_items"] / LINES_PER_PAGE)
    if phase == "backfill":
        invoices = list_pages("invoices", size["invoices"], page_sizes) + min(size["invoices"], line_pages)
        return full + invoices + (size["purchase_orders"] if "purchase_orders" in polled else 0)
    window = max(1, math.ceil(changed_invoices / INVOICES_PER_PAGE))  # since_updated_at
    return full + window + min(changed_invoices, line_pages)


def naive_syncro(phase: str, polled: list[str], size: dict[str, int], page_sizes: dict[str, int],
                 changed_invoices: int = 0) -> int:
    """A per-record client: every list read whole each pass, and one detail per invoice it handles."""
    lists = sum(list_pages(r, size[r], page_sizes) for r in polled)
    details = {"backfill": size["invoices"], "idle": 0, "incremental": changed_invoices}[phase]
    return lists + details


def phase_row(phase: str, stats: dict[str, Any], polled: list[str], changed_invoices: int = 0) -> dict[str, Any]:
    """The figures of one phase: calls, minutes at the limits, the least, their ratio, the naive client's."""
    size, page_sizes = stats["size"], stats["page_sizes"]
    least_s = least_syncro(phase, polled, size, page_sizes, changed_invoices)
    least_x = least_xero(stats["xero_records_written"])
    took = minutes(stats["syncro_calls"], stats["xero_calls"])
    bound = minutes(least_s, least_x)
    naive_s = naive_syncro(phase, polled, size, page_sizes, changed_invoices)
    naive_x = sum(stats["xero_records_written"].values())
    return {
        "phase": phase,
        "syncro_calls": stats["syncro_calls"],
        "syncro_detail_calls": stats["syncro_detail_calls"],
        "syncro_429": stats["syncro_429"],
        "xero_calls": stats["xero_calls"],
        "xero_write_calls": stats["xero_write_calls"],
        "minutes_at_limits": round(took, 2),
        "least_syncro_calls": least_s,
        "least_xero_write_calls": least_x,
        "least_minutes": round(bound, 2),
        "ratio": round(took / bound, 2) if bound else None,
        "naive_syncro_calls": naive_s,
        "naive_xero_calls": naive_x,
        "naive_minutes": round(minutes(naive_s, naive_x), 2),
        "xero_records_written": stats["xero_records_written"],
        "xero_write_calls_by_path": stats["xero_write_calls_by_path"],
    }
