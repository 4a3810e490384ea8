"""``/purchase_orders`` (with S1b's PUT and partial receipt) and ``/vendors``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .api import (
    Routes,
    as_int,
    fields_from,
    ok,
    paginated,
    params,
    path_id,
    refuses,
)
from .errors import RuleError
from .money import from_cents

PO_CREATE_PARAMS = frozenset({
    "vendor_id", "discount_percent", "expected_date", "general_notes", "other_cents", "shipping_cents",
    "shipping_notes", "user_id", "location_id", "due_date", "paid_date", "order_date", "delivery_tracking",
})
#: S1b: "Only the following fields may be modified"; anything else is dropped.
PO_UPDATE_PARAMS = frozenset({"status", "general_notes", "shipping_cents", "delivery_tracking", "vendor_id"})
PO_INTS = frozenset({"vendor_id", "other_cents", "shipping_cents", "user_id", "location_id"})
VENDOR_PARAMS = frozenset({
    "name", "rep_first_name", "rep_last_name", "email", "phone", "account_number", "address", "city", "state",
    "zip", "website", "notes",
})


def _po_fields(values: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """Cents on the wire, dollars in the store."""
    fields = fields_from(values, allowed, ints=PO_INTS)
    for key in ("shipping", "other"):
        if (cents := fields.pop(f"{key}_cents", None)) is not None:
            fields[key] = from_cents(cents)
    return fields


class PurchasingRoutes(Routes):
    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/purchase_orders", self.list_pos),
            web.post("/purchase_orders", self.create_po),
            web.get("/purchase_orders/{id}", self.show_po),
            web.put("/purchase_orders/{id}", self.update_po),
            web.post("/purchase_orders/{id}/create_po_line_item", self.add_po_line),
            web.post("/purchase_orders/{id}/receive", self.receive),
            web.get("/vendors", self.list_vendors),
            web.post("/vendors", self.create_vendor),
            web.get("/vendors/{id}", self.show_vendor),
            web.put("/vendors/{id}", self.update_vendor),
        ]

    # -- purchase orders (no DELETE, S4) ------------------------------------------------------
    async def list_pos(self, request: web.Request) -> web.Response:
        """20 a page, no ``meta`` (spec)."""
        items = sorted(self.store.purchase_orders.values(), key=lambda po: po.id)
        q = await params(request)
        return paginated("purchase_orders", items, self.render.purchase_order, q, self.ctx, resource="purchase_orders", meta=None)

    @refuses("errors")
    async def create_po(self, request: web.Request) -> web.Response:
        fields = _po_fields(await params(request), PO_CREATE_PARAMS)
        vendor_id = fields.pop("vendor_id", None)
        if vendor_id is None:
            raise RuleError("Vendor can't be blank")
        po = self.store.add_purchase_order(vendor_id, **fields)
        return ok({"purchase_order": self.render.purchase_order(po)})

    async def show_po(self, request: web.Request) -> web.Response:
        return ok({"purchase_order": self.render.purchase_order(self.store.purchase_order(path_id(request)))})

    @refuses("errors")
    async def update_po(self, request: web.Request) -> web.Response:
        """S1b: refuses "Finished" while lines are unreceived; ``general_notes`` appears in the answer."""
        po = self.store.update_purchase_order(path_id(request), **_po_fields(await params(request), PO_UPDATE_PARAMS))
        return ok({"purchase_order": self.render.purchase_order(po, general_notes=True)})

    @refuses("errors")
    async def add_po_line(self, request: web.Request) -> web.Response:
        q = await params(request)
        product_id, quantity = as_int(q.get("product_id"), "product_id"), as_int(q.get("quantity"), "quantity")
        if product_id is None:
            raise RuleError("Product can't be blank")
        line = self.store.add_po_line(path_id(request), product_id, 1 if quantity is None else quantity)
        return ok({"po_line_item": self.render.po_line(line)})

    @refuses("errors")
    async def receive(self, request: web.Request) -> web.Response:
        """``line_item_id``; S1b's ``received_quantity`` receives part of it."""
        q = await params(request)
        line_id = as_int(q.get("line_item_id"), "line_item_id")
        if line_id is None:
            raise RuleError("Line item can't be blank")
        po = self.store.receive_po_line(path_id(request), line_id, as_int(q.get("received_quantity"), "received_quantity"))
        return ok({"purchase_order": self.render.purchase_order(po)})

    # -- vendors (no DELETE, S4) --------------------------------------------------------------
    async def list_vendors(self, request: web.Request) -> web.Response:
        """100 a page, no ``meta`` (spec)."""
        items = sorted(self.store.vendors.values(), key=lambda v: v.id)
        q = await params(request)
        return paginated("vendors", items, self.render.vendor, q, self.ctx, resource="vendors", meta=None)

    @refuses("message")
    async def create_vendor(self, request: web.Request) -> web.Response:
        fields = fields_from(await params(request), VENDOR_PARAMS)
        vendor = self.store.add_vendor(fields.pop("name", None) or "", **fields)
        return ok({"vendor": self.render.vendor(vendor)})

    async def show_vendor(self, request: web.Request) -> web.Response:
        return ok({"vendor": self.render.vendor(self.store.vendor(path_id(request)))})

    @refuses("message")
    async def update_vendor(self, request: web.Request) -> web.Response:
        vendor = self.store.update_vendor(path_id(request), **fields_from(await params(request), VENDOR_PARAMS))
        return ok({"vendor": self.render.vendor(vendor)})
