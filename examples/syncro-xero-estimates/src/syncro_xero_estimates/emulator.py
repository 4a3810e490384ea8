"""The emulator extension: Syncro's ``/estimates`` and Xero's ``/Quotes``, which the built-in
emulators do not serve.

Offered through the entry-point group ``syncro_xero.emulators``: the pytest fixtures
``syncro_emulator`` and ``xero_emulator`` apply it, so the feature's tests run against both.
Only what the official specs and notes show is served (syncro-api.md §2.12; xero_accounting.yaml
``/Quotes``); the strict spec check covers these routes like the built-in ones.

Seed estimates as a Syncro user would with ``estimates(syncro_emulator).add(...)``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from aiohttp import web
from syncro_xero.emulators.syncro import NotFound, Renderer, SyncroEmulator
from syncro_xero.emulators.xero import (
    CONTACT_REF,
    GET,
    LIST,
    LINE_ITEM,
    POST,
    POST_ONE,
    PUT,
    Call,
    Document,
    Kind,
    Schema,
    XeroEmulator,
    totals,
)
from syncro_xero.emulators.xero import fields as F

NAME = "estimates"
#: "each 'page' contains 50 results" (GET /estimates, S1a).
ESTIMATES_PER_PAGE = 50
ESTIMATE_STATUSES = ("Fresh", "Draft", "Approved", "Declined")


# -- Syncro: /estimates ---------------------------------------------------------------------------
@dataclass
class Estimate:
    id: int
    customer_id: int
    name: str
    number: str
    status: str
    date: datetime
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    created_at: datetime
    updated_at: datetime


class Estimates:
    """One emulator's estimates, and the routes that serve them."""

    def __init__(self, emulator: SyncroEmulator) -> None:
        self.store = emulator.store
        self.render = Renderer(emulator.store)
        self.records: dict[int, Estimate] = {}

    # -- as a Syncro user would ------------------------------------------------------------------
    def add(self, customer_id: int, name: str, subtotal: str, tax: str = "0.00", *, total: str | None = None,
            number: str | None = None, status: str = "Fresh", when: date | datetime | str | None = None) -> Estimate:
        """A new estimate of an existing customer (money as text, as Syncro shows it); ``total`` is
        the subtotal plus tax unless given (Syncro shows all three)."""
        self.store.customer(customer_id)  # NotFound for an unknown customer
        if status not in ESTIMATE_STATUSES:
            raise ValueError(f"status is one of {ESTIMATE_STATUSES}")
        now = self.store.now()
        new_id = max(self.records, default=0) + 1
        estimate = Estimate(new_id, customer_id, name, number or str(1000 + new_id), status,
                            self.store.to_instant(when) if when is not None else now,
                            Decimal(subtotal), Decimal(tax),
                            Decimal(total) if total is not None else Decimal(subtotal) + Decimal(tax), now, now)
        self.records[estimate.id] = estimate
        return estimate

    def update(self, estimate_id: int, **changes: Any) -> Estimate:
        """Change fields (money as text) as an edit in Syncro would; the total follows the subtotal and
        tax unless given; bumps ``updated_at``."""
        estimate = self._get(estimate_id)
        for key, value in changes.items():
            setattr(estimate, key, Decimal(value) if key in ("subtotal", "tax", "total") else value)
        if "total" not in changes:
            estimate.total = estimate.subtotal + estimate.tax
        estimate.updated_at = self.store.now()
        return estimate

    def delete(self, estimate_id: int) -> None:
        del self.records[self._get(estimate_id).id]

    def _get(self, estimate_id: int) -> Estimate:
        if estimate_id not in self.records:
            raise NotFound("estimate", estimate_id)
        return self.records[estimate_id]

    # -- the API -------------------------------------------------------------------------------
    def show(self, e: Estimate) -> dict[str, Any]:
        """An estimate with exactly the fields of the spec's example (money as strings)."""
        return {
            "id": e.id, "customer_id": e.customer_id,
            "customer_business_then_name": self.store.customer(e.customer_id).business_then_name,
            "name": e.name, "number": e.number, "status": e.status,
            "created_at": self.render.ts(e.created_at), "updated_at": self.render.ts(e.updated_at),
            # syncro-api.md §1.6: "Estimate `date` is still a full timestamp in S1b examples".
            "date": self.render.ts(e.date),
            "subtotal": f"{e.subtotal:.2f}", "total": f"{e.total:.2f}", "tax": f"{e.tax:.2f}",
            "ticket_id": None, "pdf_url": None, "location_id": None, "invoice_id": None, "employee": None,
        }

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/estimates", self.list), web.get("/estimates/{id}", self.detail)]

    async def list(self, request: web.Request) -> web.Response:
        page = max(1, int(request.query.get("page", "1")))
        rows = sorted(self.records.values(), key=lambda e: e.id)
        status = request.query.get("status")
        if status:  # "Possible values are 'approved' and 'declined'"
            rows = [e for e in rows if e.status.lower() == status.lower()]
        shown = rows[(page - 1) * ESTIMATES_PER_PAGE: page * ESTIMATES_PER_PAGE]
        total_pages = max(1, math.ceil(len(rows) / ESTIMATES_PER_PAGE))
        return web.json_response({"estimates": [self.show(e) for e in shown],
                                  "meta": {"total_pages": total_pages, "page": page}})

    async def detail(self, request: web.Request) -> web.Response:
        raw = request.match_info["id"]
        estimate = self.records.get(int(raw)) if raw.isdigit() else None
        if estimate is None:
            raise NotFound("estimate", raw)
        return web.json_response({"estimate": self.show(estimate)})


def extend_syncro(emulator: SyncroEmulator) -> None:
    estimates = Estimates(emulator)
    emulator.extensions[NAME] = estimates
    emulator.add_routes(estimates.routes())


def estimates(emulator: SyncroEmulator) -> Estimates:
    """The estimates of an extended Syncro emulator."""
    return emulator.extensions[NAME]


# -- Xero: /Quotes --------------------------------------------------------------------------------
QUOTE = Schema(
    "Quote",
    {
        "QuoteID": F.guid(),
        "QuoteNumber": F.text(255),
        "Reference": F.text(4000),
        "Terms": F.text(4000),
        "Contact": F.obj(CONTACT_REF),
        "LineItems": F.objs(LINE_ITEM),
        "Date": F.day(),
        "ExpiryDate": F.day(),
        "Status": F.choice("DRAFT", "SENT", "DECLINED", "ACCEPTED", "INVOICED", "DELETED"),
        "CurrencyCode": F.text(3),
        "CurrencyRate": F.money(),
        "SubTotal": F.money(read_only=True),
        "TotalTax": F.money(read_only=True),
        "Total": F.money(read_only=True),
        "TotalDiscount": F.money(read_only=True),
        "Title": F.text(100),
        "Summary": F.text(3000),
        "BrandingThemeID": F.guid(),
        "UpdatedDateUTC": F.stamp(read_only=True),
        # QuoteLineAmountTypes: upper case, unlike invoices' LineAmountTypes.
        "LineAmountTypes": F.choice("EXCLUSIVE", "INCLUSIVE", "NOTAX"),
        "StatusAttributeString": F.text(read_only=True),
    },
)
QUOTE_KIND = Kind(sales=True, prefix="QU-", unique=True, discounts=True)
#: How the lines module spells each QuoteLineAmountTypes value.
_AMOUNT_TYPES = {"EXCLUSIVE": "Exclusive", "INCLUSIVE": "Inclusive", "NOTAX": "NoTax"}
#: "Up to 100 Quotes will be returned in a single API call" with ?page (the spec's page parameter).
QUOTES_PER_PAGE = 100


class Quotes(Document):
    """Quotes: lines and totals as sales invoices; no ledger effect; numbered QU-0001."""

    plural, singular, id_field = "Quotes", "Quote", "QuoteID"
    schema = QUOTE
    operations = frozenset({LIST, GET, PUT, POST, POST_ONE})
    summarize_errors_on = frozenset({PUT, POST})
    alt_key = "QuoteNumber"
    number_field = "QuoteNumber"
    # UNKNOWN (not in the spec): how a quote's status may move; here forward through the sales
    # cycle, and back to DRAFT from SENT; switch: none (an example, not a built-in).
    moves = {
        None: frozenset({"DRAFT", "SENT"}),
        "DRAFT": frozenset({"DRAFT", "SENT", "DELETED"}),
        "SENT": frozenset({"SENT", "DRAFT", "ACCEPTED", "DECLINED", "DELETED"}),
        "ACCEPTED": frozenset({"ACCEPTED", "INVOICED"}),
        "DECLINED": frozenset({"DECLINED"}),
    }
    missing_message = "An existing Quote with the specified QuoteID could not be found"  # UNKNOWN: wording
    negative_message = "Quote total cannot be negative."  # UNKNOWN: wording
    creates_contacts = False  # UNKNOWN: whether a new contact Name creates one; the stricter here
    posts = False

    def kind(self, record: dict) -> Kind:
        return QUOTE_KIND

    def defaults(self, call: Call) -> dict:
        defaults = {**super().defaults(call), "LineAmountTypes": "EXCLUSIVE"}
        defaults.pop("HasAttachments")  # not a field of Quote
        return defaults

    def line_rules(self, call: Call, record: dict, kind: Kind) -> Any:
        return super().line_rules(call, {**record, "LineAmountTypes": _AMOUNT_TYPES[record["LineAmountTypes"]]}, kind)

    def compose(self, call: Call, values: dict, existing: dict | None) -> tuple[dict, list[str], dict | None]:
        record, messages, new_contact = super().compose(call, values, existing)
        if not messages:
            record.update(totals(record["LineItems"], _AMOUNT_TYPES[record["LineAmountTypes"]]))
        return record, messages, new_contact

    def select(self, call: Call, records: list[dict]) -> list[dict]:
        # The spec's filters on GET /Quotes; no where, IDs or searchTerm.
        records = super().select(_only(call, "order"), records)
        for param, field in (("ContactID", "ContactID"), ("Status", "Status"), ("QuoteNumber", "QuoteNumber")):
            wanted = (call.arg(param) or "").lower()
            if wanted:
                records = [r for r in records
                           if str((r["Contact"] if field == "ContactID" else r).get(field, "")).lower() == wanted]
        if (page := call.number("page")) is not None:
            page = max(1, page)
            records = records[(page - 1) * QUOTES_PER_PAGE: page * QUOTES_PER_PAGE]
        return records


def _only(call: Call, *names: str) -> Call:
    return dataclasses.replace(call, query={k: v for k, v in call.query.items() if k in names})


def extend_xero(emulator: XeroEmulator) -> None:
    emulator.add_resource(Quotes())


__all__ = ["Estimate", "Estimates", "Quotes", "estimates", "extend_syncro", "extend_xero"]
