"""``/invoices`` (with drafts, S1b), their line items, and ``/line_items``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from .api import (
    BadParam,
    Routes,
    as_flag,
    as_int,
    fields_from,
    ok,
    paginated,
    params,
    path_id,
    refuses,
)
from .errors import AlreadyPaid, RuleError
from .models import Invoice
from .store import LINE_FIELDS

INVOICE_CREATE_PARAMS = frozenset({
    "customer_id", "number", "date", "due_date", "name", "ticket_id", "location_id", "po_number", "contact_id", "note",
})
INVOICE_UPDATE_PARAMS = INVOICE_CREATE_PARAMS | {"date_received", "employee"}
INVOICE_INTS = frozenset({"customer_id", "ticket_id", "location_id", "contact_id"})
LINE_INTS = frozenset({"product_id", "tax_rate_id", "position", "invoice_bundle_id", "user_id"})
NOT_ADMIN = {"error": "Not authorized. Please ask account admin to update your group permissions."}


class InvoiceRoutes(Routes):
    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/invoices", self.list_invoices),
            web.post("/invoices", self.create_invoice),
            web.get("/invoices/{id}", self.show_invoice),
            web.put("/invoices/{id}", self.update_invoice),
            web.delete("/invoices/{id}", self.delete_invoice),
            web.post("/invoices/{id}/publish", self.publish),
            web.post("/invoices/{id}/convert_to_draft", self.convert_to_draft),
            web.post("/invoices/{id}/line_items", self.add_line_item),
            web.put("/invoices/{id}/line_items/{line_item_id}", self.update_line_item),
            web.delete("/invoices/{id}/line_items/{line_item_id}", self.delete_line_item),
            web.get("/line_items", self.list_line_items),
        ]

    # -- invoices -----------------------------------------------------------------------------
    async def list_invoices(self, request: web.Request) -> web.Response:
        """``since_updated_at``, ``paid``, ``unpaid``, ``ticket_id``; 25 a page, ``per_page`` ≤ 25."""
        q = await params(request)
        items = list(self.store.invoices.values())
        if since := q.get("since_updated_at"):
            items = self._updated_since(items, since)
        if as_flag(q.get("paid")):
            items = [i for i in items if self.store.totals(i).is_paid]
        if as_flag(q.get("unpaid")):
            items = [i for i in items if not self.store.totals(i).is_paid]
        if (ticket_id := as_int(q.get("ticket_id"), "ticket_id")) is not None:
            items = [i for i in items if i.ticket_id == ticket_id]
        # UNKNOWN (syncro-api.md §7): list order is undocumented; newest first by default;
        # switch: Switches.newest_first.
        items.sort(key=lambda i: i.id, reverse=self.store.switches.newest_first)
        return paginated("invoices", items, self.render.invoice, q, self.ctx, resource="invoices", meta="short")

    def _updated_since(self, items: list[Invoice], since: str) -> list[Invoice]:
        # UNKNOWN (syncro-api.md §1.5): the value format and whether the bound is inclusive are
        # undocumented; ISO 8601 or a date (midnight, account zone), inclusive by default;
        # switch: Switches.since_updated_at_inclusive.
        # An unparseable value is answered 422 (Syncro's answer is unknown too) so a client bug shows.
        try:
            bound: datetime = self.store.to_instant(since)
        except ValueError:
            raise BadParam(f"since_updated_at is not a date or time: {since!r}") from None
        if self.store.switches.since_updated_at_inclusive:
            return [i for i in items if i.updated_at >= bound]
        return [i for i in items if i.updated_at > bound]

    @staticmethod
    def _line_specs(raw: Any) -> list[dict[str, Any]]:
        if not isinstance(raw, list) or not all(isinstance(spec, dict) for spec in raw):
            raise BadParam("line_items must be a list of objects")
        return [fields_from(spec, LINE_FIELDS, ints=LINE_INTS, flags=frozenset({"taxable"})) for spec in raw]

    @refuses("error")
    async def create_invoice(self, request: web.Request) -> web.Response:
        """Computed fields are ignored on input; ``number`` defaults to the next one (S1b)."""
        q = await params(request)
        fields = fields_from(q, INVOICE_CREATE_PARAMS, ints=INVOICE_INTS)
        customer_id = fields.pop("customer_id", None)
        if customer_id is None:
            raise RuleError("Customer can't be blank")
        lines: list[dict[str, Any]] = []
        # UNKNOWN (syncro-api.md §2.3): S4 saw line_items on create ignored, S1b documents them;
        # honoured by default; switch: Switches.invoice_create_line_items = "ignored".
        if q.get("line_items") and self.store.switches.invoice_create_line_items == "honoured":
            lines = self._line_specs(q["line_items"])
        invoice = self.store.add_invoice(customer_id, lines, **fields)
        return ok({"invoice": self.render.invoice(invoice)})

    async def show_invoice(self, request: web.Request) -> web.Response:
        """By id or by number."""
        return ok({"invoice": self.render.invoice_detail(self.store.find_invoice(request.match_info["id"]))})

    @refuses("error")
    async def update_invoice(self, request: web.Request) -> web.Response:
        fields = fields_from(await params(request), INVOICE_UPDATE_PARAMS, ints=INVOICE_INTS)
        invoice = self.store.update_invoice(path_id(request), **fields)
        return ok({"invoice": self.render.invoice(invoice)})

    async def delete_invoice(self, request: web.Request) -> web.Response:
        """200 whether or not the invoice was deleted (spec: "even if the delete fails")."""
        # UNKNOWN (syncro-api.md §2.3): the spec shows no body; the estimates' delete message is
        # mirrored; switch: none.
        invoice = self.store.invoice(path_id(request))
        self.store.delete_invoice(invoice.id)
        return ok({"message": f"We deleted # {invoice.number}."})

    @refuses("error")
    async def publish(self, request: web.Request) -> web.Response:
        return ok({"invoice": self.render.invoice(self.store.publish_invoice(path_id(request)))})

    @refuses("error")
    async def convert_to_draft(self, request: web.Request) -> web.Response:
        return ok({"invoice": self.render.invoice(self.store.convert_to_draft(path_id(request)))})

    # -- line items ---------------------------------------------------------------------------
    @refuses("error")
    async def add_line_item(self, request: web.Request) -> web.Response:
        """Answers with the invoice and the new line."""
        # UNKNOWN (syncro-api.md §2.4): the spec shows no body; the estimates endpoint's
        # {"estimate", "line_item"} is mirrored; switch: none.
        spec = self._line_specs([await params(request)])[0]
        line = self.store.add_line_item(path_id(request), **spec)
        return ok({"invoice": self.render.invoice(self.store.invoice(line.invoice_id)), "line_item": self.render.line_item(line)})

    @refuses("error")
    async def update_line_item(self, request: web.Request) -> web.Response:
        changes = self._line_specs([await params(request)])[0]
        changes.pop("upc_code", None)
        try:
            line = self.store.update_line_item(path_id(request), path_id(request, "line_item_id"), **changes)
        except AlreadyPaid as exc:
            return ok({"message": str(exc)})
        return ok({"line_item": self.render.line_item(line)})

    async def delete_line_item(self, request: web.Request) -> web.Response:
        """Answers with the updated invoice (S4)."""
        invoice = self.store.delete_line_item(path_id(request), path_id(request, "line_item_id"))
        return ok({"invoice": self.render.invoice(invoice)})

    async def list_line_items(self, request: web.Request) -> web.Response:
        """Needs a Global Admin token (spec); 100 a page with full meta."""
        if not self.store.account.admin:
            # UNKNOWN (syncro-api.md §1.2): the spec's refusal is 401, S16 says 403;
            # switch: Switches.permission_denied_status.
            return ok(NOT_ADMIN, status=self.store.switches.permission_denied_status)
        q = await params(request)
        invoices = sorted(self.store.invoices.values(), key=lambda i: i.id)
        if (invoice_id := as_int(q.get("invoice_id"), "invoice_id")) is not None:
            invoices = [i for i in invoices if i.id == invoice_id]
        # The emulator holds no estimates, so estimate filters match nothing.
        estimates_only = q.get("estimate_id") is not None or as_flag(q.get("estimate_id_not_null"))
        items = [] if estimates_only else [li for i in invoices for li in i.line_items]
        return paginated("line_items", items, self.render.line_item, q, self.ctx, resource="line_items", meta="full")
