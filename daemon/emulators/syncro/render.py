"""Records rendered as Syncro's JSON: field names per the official spec, timestamps in the account's
time zone with offset, date-only fields per the date style, and money in each resource's own type
(decimal strings on invoices and lines, numbers on payments/products/POs, cents on PO lines)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime, time
from typing import Any

from .models import (
    Category,
    Contact,
    Customer,
    Invoice,
    LineItem,
    LocationQuantity,
    Payment,
    PaymentMethod,
    POLineItem,
    Product,
    PurchaseOrder,
    Vendor,
)
from .money import decimal_string, number
from .store import SyncroStore
from .switches import Switches

Json = dict[str, Any]


def _opt(value: Any, fn: Any) -> Any:
    return None if value is None else fn(value)


class Renderer:
    """Turns the store's records into response objects (without envelopes)."""

    def __init__(self, store: SyncroStore) -> None:
        self.store = store

    @property
    def switches(self) -> Switches:
        return self.store.switches

    # -- time ---------------------------------------------------------------------------------
    def ts(self, instant: datetime | None) -> str | None:
        """``2026-03-02T04:00:00.000-05:00``: every timestamp in the account's zone (§1.6)."""
        if instant is None:
            return None
        return instant.astimezone(self.store.zone).isoformat(timespec="milliseconds")

    def day(self, value: date | None) -> str | None:
        """A date-only field: ``YYYY-MM-DD`` (S1b) or midnight in the account zone (S1a)."""
        # UNKNOWN (syncro-api.md §1.6): S1a and S1b disagree on date-only fields; switch: date_style.
        if value is None:
            return None
        if self.switches.date_style == "midnight":
            return self.ts(datetime.combine(value, time(0), self.store.zone))
        return value.isoformat()

    # -- customers ----------------------------------------------------------------------------
    def customer(self, c: Customer) -> Json:
        portal_key = hashlib.sha1(f"{self.store.account.subdomain}:{c.id}".encode()).hexdigest()[:20]
        return {
            "id": c.id, "firstname": c.firstname, "lastname": c.lastname, "fullname": c.fullname,
            "business_name": c.business_name, "email": c.email, "phone": c.phone, "mobile": c.mobile,
            "created_at": self.ts(c.created_at), "updated_at": self.ts(c.updated_at), "pdf_url": None,
            "address": c.address, "address_2": c.address_2, "city": c.city, "state": c.state, "zip": c.zip,
            "latitude": c.latitude, "longitude": c.longitude, "notes": c.notes, "get_sms": c.get_sms,
            "opt_out": c.opt_out, "disabled": c.disabled, "no_email": c.no_email,
            "location_name": c.location_name, "location_id": c.location_id, "properties": dict(c.properties),
            "online_profile_url": f"https://{self.store.account.subdomain}.syncromsp.com/my_profile/v2/index"
            f"?portal_key={portal_key}",
            "tax_rate_id": c.tax_rate_id, "notification_email": c.notification_email,
            "invoice_cc_emails": c.invoice_cc_emails, "invoice_term_id": c.invoice_term_id,
            "referred_by": c.referred_by, "ref_customer_id": c.ref_customer_id,
            "business_and_full_name": c.business_and_full_name, "business_then_name": c.business_then_name,
            "contacts": [self.contact(k) for k in self.store.contacts_of(c.id)],
        }

    def contact(self, k: Contact) -> Json:
        return {
            "id": k.id, "name": k.name, "address1": k.address1, "address2": k.address2, "city": k.city,
            "state": k.state, "zip": k.zip, "email": k.email, "phone": k.phone, "mobile": k.mobile,
            "latitude": k.latitude, "longitude": k.longitude, "customer_id": k.customer_id,
            "account_id": 1, "notes": k.notes, "created_at": self.ts(k.created_at),
            "updated_at": self.ts(k.updated_at), "vendor_id": k.vendor_id, "properties": dict(k.properties),
            "opt_out": k.opt_out, "extension": k.extension,
        }

    # -- invoices -----------------------------------------------------------------------------
    def invoice(self, inv: Invoice) -> Json:
        """The list (and create/update) shape: S1a's fields plus S1b's."""
        t = self.store.totals(inv)
        customer = self.store.customers.get(inv.customer_id)
        body: Json = {
            "id": inv.id, "customer_id": inv.customer_id,
            "customer_business_then_name": customer.business_then_name if customer else None,
            "number": inv.number, "name": inv.name,
            "created_at": self.ts(inv.created_at), "updated_at": self.ts(inv.updated_at),
            "date": self.day(inv.date), "due_date": self.day(inv.due_date),
            "subtotal": decimal_string(t.subtotal), "total": decimal_string(t.total), "tax": decimal_string(t.tax),
            "verified_paid": inv.verified_paid, "tech_marked_paid": inv.tech_marked_paid,
            "ticket_id": inv.ticket_id, "pdf_url": None, "is_paid": t.is_paid, "location_id": inv.location_id,
            "po_number": inv.po_number, "contact_id": inv.contact_id, "note": inv.note,
            "hardwarecost": decimal_string(t.hardwarecost), "user_id": inv.user_id,
            "is_recurring": inv.is_recurring, "schedule_id": inv.schedule_id, "external_id": inv.external_id,
            "qbsdk_external_id": inv.qbsdk_external_id, "xero_id": inv.xero_id,
            "amount_paid": number(t.amount_paid), "balance_due": number(t.balance_due),
        }
        if self.store.account.draft_invoices:
            body["status"] = inv.status
            body["published_date"] = self.ts(inv.published_at)
        return body

    def invoice_detail(self, inv: Invoice) -> Json:
        """``GET /invoices/{id}``: the list shape plus customer, lines and payments."""
        body = self.invoice(inv)
        # UNKNOWN (syncro-api.md §1.8): S1b's detail example shows balance_due as a string, its list
        # example a number; string here by default; switch: Switches.detail_balance_due = "number".
        if self.switches.detail_balance_due == "string":
            body["balance_due"] = decimal_string(self.store.totals(inv).balance_due)
        customer = self.store.customers.get(inv.customer_id)
        body.update(
            date_received=self.day(inv.date_received), employee=inv.employee,
            customer=self.customer(customer) if customer else None,
            line_items=[self.line_item(li) for li in inv.line_items],
            payments=self.invoice_payments(inv),
        )
        return body

    def invoice_payments(self, inv: Invoice) -> list[Json]:
        # UNKNOWN (syncro-api.md §2.5): the objects in invoice-detail payments[] are only known to
        # carry ``id``, so by default they carry only that; switch: Switches.invoice_payments =
        # "payment" (the payment's fields) or "applied" (those plus the amount applied here).
        shape = self.switches.invoice_payments
        out = []
        for payment_id, applied in self.store.applied_to(inv.id).items():
            payment = self.store.payments[payment_id]
            if shape == "ids":
                out.append({"id": payment.id})
                continue
            body = self.payment(payment, customer=False)
            if shape == "applied":
                body["applied_amount"] = number(applied)
            out.append(body)
        return out

    def line_item(self, li: LineItem) -> Json:
        return {
            "id": li.id, "created_at": self.ts(li.created_at), "updated_at": self.ts(li.updated_at),
            "invoice_id": li.invoice_id, "item": li.item, "name": li.name, "cost": decimal_string(li.cost),
            "price": decimal_string(li.price), "quantity": decimal_string(li.quantity),
            "product_id": li.product_id, "taxable": li.taxable,
            "discount_percent": _opt(li.discount_percent, decimal_string), "position": li.position,
            "invoice_bundle_id": li.invoice_bundle_id, "discount_dollars": _opt(li.discount_dollars, decimal_string),
            "product_category": li.product_category, "tax_rate_id": li.tax_rate_id,
        }

    # -- payments -----------------------------------------------------------------------------
    def payment(self, p: Payment, *, customer: bool = True) -> Json:
        created = p.created_at
        if self.switches.payment_created_at_midnight:
            # UNKNOWN (syncro-api.md §2.5): examples show created_at at midnight of the day the
            # payment was entered; switch: Switches.payment_created_at_midnight.
            created = datetime.combine(created.astimezone(self.store.zone).date(), time(0), self.store.zone)
        body: Json = {
            "id": p.id, "created_at": self.ts(created), "updated_at": self.ts(p.updated_at), "success": p.success,
            "payment_amount": number(p.amount), "invoice_ids": list(p.allocations) or [None],
            "ref_num": p.ref_num, "applied_at": self.day(p.applied_at), "payment_method": p.payment_method,
            "transaction_response": None, "signature_date": None,
        }
        if customer:
            body["customer"] = self.customer(self.store.customers[p.customer_id])
        return body

    def payment_created(self, p: Payment) -> Json:
        """``POST /payments`` answers without the customer and with ``tickets`` (spec example)."""
        return {**self.payment(p, customer=False), "tickets": []}

    def payment_method(self, m: PaymentMethod) -> Json:
        return {
            "id": m.id, "name": m.name, "created_at": self.ts(m.created_at), "updated_at": self.ts(m.updated_at),
            "uses_card_processing": m.uses_card_processing,
        }

    # -- catalogue ----------------------------------------------------------------------------
    def product(self, p: Product, *, skus: bool = True) -> Json:
        category = self.store.category_of(p)
        body: Json = {
            "id": p.id, "price_cost": number(p.price_cost), "price_retail": number(p.price_retail),
            "condition": p.condition, "description": p.description, "maintain_stock": p.maintain_stock,
            "name": p.name, "quantity": p.quantity, "warranty": p.warranty, "sort_order": p.sort_order,
            "reorder_at": p.reorder_at, "disabled": p.disabled, "taxable": p.taxable,
            "product_category": category.name if category else None,
            "category_path": category.names_depth_cache if category else None, "upc_code": p.upc_code,
            "discount_percent": _opt(p.discount_percent, number), "warranty_template_id": p.warranty_template_id,
            "qb_item_id": p.qb_item_id, "desired_stock_level": p.desired_stock_level,
            "price_wholesale": number(p.price_wholesale), "notes": p.notes, "tax_rate_id": p.tax_rate_id,
            "physical_location": p.physical_location, "serialized": p.serialized, "vendor_ids": list(p.vendor_ids),
            "long_description": p.long_description,
            "location_quantities": [self.location_quantity(q) for q in p.location_quantities], "photos": [],
        }
        if skus:
            vendors = self.store.vendors
            body["product_skus"] = [
                {"id": s.id, "vendor_name": vendors[s.vendor_id].name if s.vendor_id in vendors else None, "sku": s.sku}
                for s in p.skus
            ]
        return body

    def location_quantity(self, q: LocationQuantity) -> Json:
        return {
            "product_id": q.product_id, "id": q.id, "quantity": q.quantity, "price_cost_cents": q.price_cost_cents,
            "price_retail_cents": q.price_retail_cents, "location_id": q.location_id, "tax_rate_id": q.tax_rate_id,
            "created_at": self.ts(q.created_at), "updated_at": self.ts(q.updated_at), "reorder_at": q.reorder_at,
            "desired_stock_level": q.desired_stock_level,
        }

    @staticmethod
    def category(c: Category) -> Json:
        return {
            "id": c.id, "account_id": 1, "ancestry": c.ancestry, "name": c.name, "description": c.description,
            "device_product_id": None, "names_depth_cache": c.names_depth_cache,
        }

    # -- purchasing ---------------------------------------------------------------------------
    def vendor(self, v: Vendor) -> Json:
        return {
            "id": v.id, "name": v.name, "rep_first_name": v.rep_first_name, "rep_last_name": v.rep_last_name,
            "email": v.email, "phone": v.phone, "account_number": v.account_number,
            "created_at": self.ts(v.created_at), "updated_at": self.ts(v.updated_at), "address": v.address,
            "city": v.city, "state": v.state, "zip": v.zip, "website": v.website, "notes": v.notes,
        }

    def purchase_order(self, po: PurchaseOrder, *, general_notes: bool = False) -> Json:
        """A PO; ``general_notes`` only where S1b shows it (the PUT answer), never on GET (S4)."""
        body: Json = {
            "id": po.id, "account_subdomain": self.store.account.subdomain,
            "created_at": self.ts(po.created_at), "updated_at": self.ts(po.updated_at),
            "expected_date": self.ts(po.expected_date), "number": po.number, "other": number(po.other),
            "shipping": number(po.shipping), "shipping_notes": po.shipping_notes, "status": po.status,
            "total": number(self.store.po_total(po)), "user_id": po.user_id, "vendor_id": po.vendor_id,
            "location_id": po.location_id, "due_date": self.day(po.due_date), "paid_date": self.day(po.paid_date),
            "delivery_tracking": po.delivery_tracking, "vendor": self.vendor(self.store.vendors[po.vendor_id]),
            "location": None, "line_items": [self.po_line(li) for li in po.line_items],
        }
        if general_notes:
            body["general_notes"] = po.general_notes
        return body

    def po_line(self, li: POLineItem) -> Json:
        return {
            "id": li.id, "purchase_order_id": li.purchase_order_id, "product_id": li.product_id,
            "quantity": li.quantity, "cost_cents": li.cost_cents, "total_cents": li.total_cents,
            "created_at": self.ts(li.created_at), "updated_at": self.ts(li.updated_at), "received": li.received,
            "position": li.position, "received_quantity": li.received_quantity,
            "parent_po_line_item_id": li.parent_po_line_item_id, "old_cost_cents": li.old_cost_cents,
        }

    # -- account ------------------------------------------------------------------------------
    def settings(self) -> Json:
        account = self.store.account
        offset = self.ts(self.store.now())[-6:]  # type: ignore[index]
        days = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
        return {
            "customers": {"required_fields": None, "customer_fields": [], "customer_field_answers": []},
            "assets": {"asset_types": [], "asset_type_fields": [], "asset_type_field_answers": []},
            "locale": {
                "iso_code": account.iso_code, "currency_symbol": account.currency_symbol,
                "date_format": account.date_format, "time_format": account.time_format,
                "time_zone": account.time_zone, "time_offset": offset,
            },
            "ticket": {
                "ticket_types": [], "ticket_type_fields": [], "ticket_type_field_answers": [],
                "problem_types": ["Virus", "TuneUp", "Hardware", "Software", "Other"],
                "priorities": ["", "0 Urgent", "1 High", "2 Normal", "3 Low"],
            },
            "business_hours_enabled": True,
            "business_hours": [
                {"day": d, "start": "09:00", "end": "17:00", "closed": d in ("Sunday", "Saturday")} for d in days
            ],
            "default_holiday_calendar": "USA",
            "msp_addon": None,
        }

    def me(self) -> Json:
        account = self.store.account
        full = {"read": True, "write": True, "delete": True}
        return {
            # Never the API key itself: a stable stand-in.
            "user_token": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{account.subdomain}.syncromsp.com")),
            "user_email": account.user_email, "user_name": account.user_name, "user_id": account.user_id,
            "admin": account.admin, "can_use_app": True, "two_factor_required": False,
            "subdomain": account.subdomain, "default_location": None, "enable_multi_locations": False,
            "locations_allowed": [],
            "permissions": {
                **{kind: dict(full) for kind in ("asset", "customer", "ticket", "invoice", "payment")},
                "worksheet": {"add": True, "manage": True, "delete": True}, "script": {"execute": True},
            },
        }
