"""PurchaseOrders: lines and totals as invoices, no ledger, lock-date or stock effect ([S] N1).

PUT/POST with summarizeErrors, POST /PurchaseOrders/{id}, GET by PurchaseOrderID or number, and a
paged list filtered by Status, DateFrom, DateTo and If-Modified-Since (no ``where``). The contact
must exist: this endpoint never creates one ([S] N2). Line UnitAmounts keep 4 dp ([S] N2).
"""

from __future__ import annotations

import dataclasses
from datetime import date

from . import fields as F
from .documents import CONTACT_REF, EDITABLE, Document, Kind
from .fields import Schema
from .lines import AMOUNT_TYPES, LINE_ITEM
from .resource import GET, LIST, POST, POST_ONE, PUT, Call, Resource, Unique
from .wire import parse_date

PURCHASE_ORDER = Schema(
    "PurchaseOrder",
    {
        "Contact": F.obj(CONTACT_REF),
        "LineItems": F.objs(LINE_ITEM),
        "Date": F.day(),
        "DeliveryDate": F.day(),
        "LineAmountTypes": F.choice(*AMOUNT_TYPES),
        "PurchaseOrderNumber": F.text(),
        "Reference": F.text(),
        "BrandingThemeID": F.guid(),
        "CurrencyCode": F.text(3),
        "Status": F.choice("DRAFT", "SUBMITTED", "AUTHORISED", "BILLED", "DELETED"),
        "SentToContact": F.flag(),
        "DeliveryAddress": F.text(),
        "AttentionTo": F.text(),
        "Telephone": F.text(),
        "DeliveryInstructions": F.text(500),  # "500 characters max" [C-spec]
        "ExpectedArrivalDate": F.day(),
        "PurchaseOrderID": F.guid(),
        "CurrencyRate": F.money(),
        "SubTotal": F.money(read_only=True),
        "TotalTax": F.money(read_only=True),
        "Total": F.money(read_only=True),
        "TotalDiscount": F.money(read_only=True),
        "HasAttachments": F.flag(read_only=True),
        "UpdatedDateUTC": F.stamp(read_only=True),
        "StatusAttributeString": F.text(read_only=True),
    },
)
ORDER = Kind(sales=False, prefix="PO-", unique=True)
_SENDABLE = ("AUTHORISED", "BILLED")


class PurchaseOrders(Document):
    plural = "PurchaseOrders"
    singular = "PurchaseOrder"
    id_field = "PurchaseOrderID"
    schema = PURCHASE_ORDER
    operations = frozenset({LIST, GET, PUT, POST, POST_ONE})
    summarize_errors_on = frozenset({PUT, POST})
    paged = True
    alt_key = "PurchaseOrderNumber"
    unique = (Unique("PurchaseOrderNumber", "Order number must be unique"),)  # [C-spec example]
    kinds = {"": ORDER}
    number_field = "PurchaseOrderNumber"
    # UNKNOWN ([Inf]): approved orders may be billed or deleted, billed ones un-billed.
    moves = {
        None: frozenset({"DRAFT", "SUBMITTED", "AUTHORISED"}),
        **EDITABLE,
        "AUTHORISED": frozenset({"AUTHORISED", "BILLED", "DELETED"}),
        "BILLED": frozenset({"BILLED", "AUTHORISED"}),
    }
    # UNKNOWN ([Inf]): the wording of these two messages is the emulator's own.
    missing_message = "An existing Purchase Order with the specified PurchaseOrderID could not be found"
    negative_message = "Purchase order total cannot be negative."
    creates_contacts = False
    posts = False

    def kind(self, record: dict) -> Kind:
        return ORDER

    def unit_places(self, call: Call) -> int:
        return 4

    def defaults(self, call: Call) -> dict:
        return {**super().defaults(call), "SentToContact": False}

    def rules(self, call: Call, record: dict, existing: dict | None) -> list[str]:
        if record.get("SentToContact") != (existing or {}).get("SentToContact", False) and record["Status"] not in _SENDABLE:
            return ["Only AUTHORISED and BILLED purchase orders may have SentToContact updated."]  # [C-spec]
        return []

    def select(self, call: Call, records: list[dict]) -> list[dict]:
        # The spec gives this list no `where`, IDs or searchTerm: only IMS and order apply.
        plain = dataclasses.replace(call, query={k: v for k, v in call.query.items() if k == "order"})
        records = super().select(plain, records)
        status = (call.arg("Status") or "").upper()
        # UNKNOWN ([Inf]): without ?Status= deleted orders are left out.
        records = [r for r in records if r["Status"] == status] if status else [
            r for r in records if r["Status"] != "DELETED"]
        since, until = _day(call.arg("DateFrom")), _day(call.arg("DateTo"))
        return [r for r in records if (since is None or r["Date"] >= since) and (until is None or r["Date"] <= until)]


def _day(text: str | None) -> date | None:
    try:
        return parse_date(text) if text else None
    except ValueError:
        return None


PURCHASE_ORDER_RESOURCES: tuple[Resource, ...] = (PurchaseOrders(),)
