"""``/payments`` and ``/payment_methods``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiohttp import web

from .api import (
    BadParam,
    Routes,
    as_int,
    ok,
    paginated,
    params,
    path_id,
    refuses,
)
from .errors import RuleError
from .models import Payment
from .money import from_cents, to_decimal


class PaymentRoutes(Routes):
    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/payments", self.list_payments),
            web.post("/payments", self.create_payment),
            web.get("/payments/{id}", self.show_payment),
            web.get("/payment_methods", self.list_methods),
        ]

    async def list_payments(self, request: web.Request) -> web.Response:
        q = await params(request)
        items = list(self.store.payments.values())
        if needle := str(q.get("query") or "").casefold():
            # UNKNOWN (syncro-api.md §2.5): what ``query`` searches is a gap; here ref_num, method
            # and the customer's names; switch: none.
            items = [p for p in items if needle in self._searchable(p)]
        # UNKNOWN (syncro-api.md §2.5): list order is a gap; newest first by default;
        # switch: Switches.newest_first.
        items.sort(key=lambda p: p.id, reverse=self.store.switches.newest_first)
        return paginated("payments", items, self.render.payment, q, self.ctx, resource="payments", meta="short")

    def _searchable(self, payment: Payment) -> str:
        customer = self.store.customers[payment.customer_id]
        parts = (payment.ref_num, payment.payment_method, customer.business_then_name, customer.fullname)
        return " ".join(p for p in parts if p).casefold()

    async def show_payment(self, request: web.Request) -> web.Response:
        return ok({"payment": self.render.payment(self.store.payment(path_id(request)))})

    @refuses("message")
    async def create_payment(self, request: web.Request) -> web.Response:
        """``amount_cents``; ``invoice_id`` or ``invoice_number`` or ``apply_payments``; what is not
        applied stays on the customer as store credit (S4, S14)."""
        q = await params(request)
        cents = as_int(q.get("amount_cents"), "amount_cents")
        if cents is None:
            raise RuleError("Amount cents can't be blank")
        invoice_id = as_int(q.get("invoice_id"), "invoice_id")
        if invoice_id is None and q.get("invoice_number") not in (None, ""):
            invoice_id = self.store.find_invoice(str(q["invoice_number"])).id
        customer_id = as_int(q.get("customer_id"), "customer_id")
        if customer_id is None and invoice_id is not None:
            customer_id = self.store.invoice(invoice_id).customer_id
        if customer_id is None:
            raise RuleError("Customer can't be blank")
        applied = self._applied(q.get("apply_payments")) if q.get("apply_payments") else None
        payment = self.store.add_payment(
            customer_id, from_cents(cents), applied=applied, invoice_id=None if applied else invoice_id,
            method=q.get("payment_method"), ref_num=q.get("ref_num"),
            register_id=as_int(q.get("register_id"), "register_id"),
        )
        return ok({"payment": self.render.payment_created(payment)})

    def _applied(self, raw: Any) -> dict[int, Decimal]:
        if not isinstance(raw, dict):
            raise BadParam("apply_payments must be an object of invoice id → amount")
        # UNKNOWN (syncro-api.md §2.5): the unit of apply_payments values; cents by default (S4);
        # switch: Switches.apply_payments_unit = "dollars".
        cents = self.store.switches.apply_payments_unit == "cents"
        return {as_int(k, "apply_payments"): from_cents(v) if cents else to_decimal(v) for k, v in raw.items()}  # type: ignore[misc]

    async def list_methods(self, request: web.Request) -> web.Response:
        return ok({"payment_methods": [self.render.payment_method(m) for m in self.store.payment_methods.values()]})
