"""``/customers`` and ``/contacts``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .api import (
    Routes,
    as_flag,
    fields_from,
    id_list,
    ok,
    paginated,
    params,
    path_id,
    refuses,
    sort_by,
)
from .errors import RuleError

CUSTOMER_PARAMS = frozenset({
    "business_name", "firstname", "lastname", "email", "phone", "mobile", "address", "address_2", "city",
    "state", "zip", "notes", "get_sms", "opt_out", "no_email", "disabled", "ref_customer_id", "referred_by",
    "tax_rate_id", "notification_email", "invoice_cc_emails", "invoice_term_id", "properties",
})
CUSTOMER_INTS = frozenset({"ref_customer_id", "tax_rate_id", "invoice_term_id"})
CUSTOMER_FLAGS = frozenset({"get_sms", "opt_out", "no_email", "disabled"})
CONTACT_PARAMS = frozenset({
    "customer_id", "name", "address1", "address2", "city", "state", "zip", "email", "phone", "mobile", "notes",
    "title", "extension", "opt_out", "properties",
})


def _like(value: str | None, needle: str) -> bool:
    return needle.casefold() in (value or "").casefold()


class CustomerRoutes(Routes):
    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/customers", self.list_customers),
            web.post("/customers", self.create_customer),
            web.get("/customers/{id}", self.show_customer),
            web.put("/customers/{id}", self.update_customer),
            web.delete("/customers/{id}", self.delete_customer),
            web.get("/contacts", self.list_contacts),
            web.post("/contacts", self.create_contact),
            web.get("/contacts/{id}", self.show_contact),
            web.put("/contacts/{id}", self.update_contact),
            web.delete("/contacts/{id}", self.delete_contact),
        ]

    # -- customers ----------------------------------------------------------------------------
    async def list_customers(self, request: web.Request) -> web.Response:
        """Disabled customers only with ``include_disabled``; ``query`` and the "like" filters;
        ``id``/``id_not`` (S1b; S1a's ``not_id`` too); ``sort`` ("firstname ASC")."""
        q = await params(request)
        items = [c for c in self.store.customers.values() if as_flag(q.get("include_disabled")) or not c.disabled]
        if query := q.get("query"):
            items = [c for c in items if any(_like(v, query) for v in (c.business_then_name, c.fullname, c.email, c.phone, c.mobile))]
        for name in ("firstname", "lastname", "business_name", "email"):
            if needle := q.get(name):
                items = [c for c in items if _like(getattr(c, name), needle)]
        if wanted := id_list(request, "id"):
            items = [c for c in items if c.id in wanted]
        if unwanted := id_list(request, "id_not") + id_list(request, "not_id"):
            items = [c for c in items if c.id not in unwanted]
        items = sort_by(items, q.get("sort"), self.render.customer, allow_updated_at=self.store.switches.sort_by_updated_at)
        return paginated("customers", items, self.render.customer, q, self.ctx, resource="customers", meta="full")

    @staticmethod
    def _customer_fields(values: dict[str, Any]) -> dict[str, Any]:
        return fields_from(values, CUSTOMER_PARAMS, ints=CUSTOMER_INTS, flags=CUSTOMER_FLAGS)

    @refuses("message")
    async def create_customer(self, request: web.Request) -> web.Response:
        customer = self.store.add_customer(**self._customer_fields(await params(request)))
        return ok({"customer": self.render.customer(customer)})

    async def show_customer(self, request: web.Request) -> web.Response:
        return ok({"customer": self.render.customer(self.store.customer(path_id(request)))})

    @refuses("message")
    async def update_customer(self, request: web.Request) -> web.Response:
        customer = self.store.update_customer(path_id(request), **self._customer_fields(await params(request)))
        return ok({"customer": self.render.customer(customer)})

    @refuses("message")
    async def delete_customer(self, request: web.Request) -> web.Response:
        self.store.delete_customer(path_id(request))
        return ok({"message": "Customer was deleted from the system."})

    # -- contacts (bare objects, S1a) ---------------------------------------------------------
    async def list_contacts(self, request: web.Request) -> web.Response:
        q = await params(request)
        items = list(self.store.contacts.values())
        if (customer_id := q.get("customer_id")) is not None:
            items = [k for k in items if str(k.customer_id) == str(customer_id)]
        return paginated("contacts", items, self.render.contact, q, self.ctx, resource="contacts", meta="full")

    @staticmethod
    def _contact_fields(values: dict[str, Any]) -> dict[str, Any]:
        return fields_from(values, CONTACT_PARAMS, ints=frozenset({"customer_id"}), flags=frozenset({"opt_out"}))

    @refuses("record")
    async def create_contact(self, request: web.Request) -> web.Response:
        fields = self._contact_fields(await params(request))
        customer_id = fields.pop("customer_id", None)
        if customer_id is None:
            raise RuleError("Customer can't be blank")
        return ok(self.render.contact(self.store.add_contact(customer_id, **fields)))

    async def show_contact(self, request: web.Request) -> web.Response:
        return ok(self.render.contact(self.store.contact(path_id(request))))

    @refuses("record")
    async def update_contact(self, request: web.Request) -> web.Response:
        contact = self.store.update_contact(path_id(request), **self._contact_fields(await params(request)))
        return ok(self.render.contact(contact))

    async def delete_contact(self, request: web.Request) -> web.Response:
        # UNKNOWN (syncro-api.md §2.2): the spec shows no body; S4 reports {"success": true}.
        self.store.delete_contact(path_id(request))
        return ok({"success": True})
