"""A Syncro list endpoint as a source of changes, as a plugin declares it (``syncro_xero_resources``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

#: How the core finds a resource's changes (admins may choose another per resource under
#: ``[sync] strategies``): every page each pass; ``?since_updated_at=`` with an overlap; pages down to
#: the first page of known records (only for a list that is newest first); ``?sort=updated_at DESC``.
Polling = Literal["full_scan", "updated_since", "newest_first", "sorted_by_update"]


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


@dataclass(frozen=True)
class SyncroResource:
    """One Syncro list endpoint as a source of changes."""

    name: str
    path: str  # list path relative to the API root, e.g. "/invoices"
    list_key: str  # envelope key of the list, e.g. "invoices"
    item_key: str  # envelope key of one record, e.g. "invoice"
    polling: Polling = "full_scan"
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
