"""How a written record is found again in Xero after a crash, without a second copy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

#: Natural-key fields, used to match a batch's answers to its records and to look records up.
NUMBER_FIELDS = {
    "Contacts": "ContactNumber",
    "CreditNotes": "CreditNoteNumber",
    "Invoices": "InvoiceNumber",
    "Items": "Code",
    "PurchaseOrders": "PurchaseOrderNumber",
    "Quotes": "QuoteNumber",
}
#: Lists whose GET takes no ``where``.
NO_WHERE = frozenset({"PurchaseOrders", "Quotes"})


@dataclass(frozen=True)
class Lookup:
    """How to find a written record in Xero after a crash.

    ``GET resource?where=...`` narrows the list (Xero compares text there without case); the record
    is then the one whose fields hold exactly what ``identity`` says (field path -> text, compared
    as sent; a path through a list matches any element), and, with ``allocated = (InvoiceID,
    total)``, whose allocations to that invoice add up to at least ``total``. A lookup without
    either identifies nothing: no record is linked on a filter's say-so alone. With ``within``
    (e.g. ``"Options"``), the record is an element of that list of a record read (a tracking
    category's options: ``Lookup("TrackingCategories/<id>", "", {"Name": name}, within="Options")``).
    """

    resource: str
    where: str
    identity: Mapping[str, str] = field(default_factory=dict)
    allocated: tuple[str, str] | None = None
    within: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.identity, Mapping):
            raise TypeError("Lookup identity maps field paths to exact values, e.g. {'Reference': ref}")

    def as_dict(self) -> dict[str, Any]:
        return {"resource": self.resource, "where": self.where, "identity": dict(self.identity),
                "allocated": list(self.allocated) if self.allocated else None, "within": self.within}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Lookup":
        """From :meth:`as_dict`; a row journaled before identities existed identifies nothing."""
        allocated = data.get("allocated")
        return cls(data["resource"], data.get("where", ""), dict(data.get("identity") or {}),
                   (str(allocated[0]), str(allocated[1])) if allocated else None, data.get("within"))

    @property
    def record_resource(self) -> str:
        """The resource of the record found (``"Options"`` for a lookup within a category's)."""
        return self.within or self.resource.split("/")[0]

    def first(self, records: list[dict[str, Any]]) -> dict[str, Any] | None:
        if not self.identity and not self.allocated:
            return None
        if self.within:
            records = [element for r in records for element in r.get(self.within) or []]
        return next((r for r in records if self._identifies(r)), None)

    def _identifies(self, record: dict[str, Any]) -> bool:
        if not all(value in _texts_at(record, path) for path, value in self.identity.items()):
            return False
        if self.allocated is None:
            return True
        invoice_id, total = self.allocated
        return allocated_to(record, invoice_id) >= Decimal(total)


def natural_key_lookup(resource: str, number: str | None) -> Lookup | None:
    """How to find a record of ``resource`` by its number after a crash.

    ``GET /PurchaseOrders`` takes no ``where`` (xero-api.md §1.1): its records are paged through
    and matched on the number alone.
    """
    number_field = NUMBER_FIELDS.get(resource)
    if not number or not number_field:
        return None
    where = "" if resource in NO_WHERE else f"{number_field}=={where_literal(number)}"
    return Lookup(resource, where, {number_field: number})


def where_literal(text: str) -> str:
    """A string literal of Xero's ``where`` language (Dynamic LINQ: ``""`` escapes a quote, and a
    backslash escapes the character after it, so a backslash of the text is doubled)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '""') + '"'


def allocated_to(record: dict[str, Any], invoice_id: str) -> Decimal:
    """What a credit note, overpayment or prepayment has allocated to the invoice, in total."""
    return sum((Decimal(str(a.get("Amount", 0))) for a in record.get("Allocations") or []
                if (a.get("Invoice") or {}).get("InvoiceID") == invoice_id), Decimal(0))


def _texts_at(value: Any, path: str) -> list[str]:
    """The text values at a dotted path; a list on the way is searched element by element."""
    values = [value]
    for name in path.split("."):
        values = [v.get(name) for v in _flatten(values) if isinstance(v, dict)]
    return [str(v) for v in _flatten(values) if v is not None]


def _flatten(values: list[Any]) -> list[Any]:
    return [item for v in values for item in (v if isinstance(v, list) else [v])]
