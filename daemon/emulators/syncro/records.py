"""The emulator's record keeping below billing: time, ids, account, tax table, customers, contacts,
catalogue (categories, products, stock), vendors and purchase orders.

:class:`~.store.SyncroStore` adds invoices and payments on top. Every change stamps ``updated_at``
with the store's clock (or the instant set by :meth:`RecordStore.at`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import fields
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from ...clock import Clock, SystemClock
from .errors import NotFound, RuleError
from .models import (
    Account,
    Category,
    Contact,
    Customer,
    LocationQuantity,
    PaymentMethod,
    POLineItem,
    Product,
    ProductSku,
    PurchaseOrder,
    TaxRate,
    Vendor,
)
from .money import ZERO, round_cents, to_cents, to_decimal
from .switches import Switches

R = TypeVar("R")
_STAMPS = frozenset({"id", "created_at", "updated_at"})
# UNKNOWN (syncro-api.md §2.9): the PO status value set is undocumented ("Finished" is known);
# new POs start as "Pending"; switch: pass ``status=`` to add_purchase_order.
PO_DEFAULT_STATUS = "Pending"
PO_FINISHED = "Finished"
# The spec example's six, plus "Store Credit" (S13 names it as a method).
# UNKNOWN (syncro-api.md §2.7): whether "Store Credit" is listed by /payment_methods; switch:
# none (remove it from store.payment_methods).
DEFAULT_PAYMENT_METHODS = ("Credit Card", "Cash", "Check", "Offline CC", "Quick", "Other", "Store Credit")
# Syncro has no tax endpoint (§2.11): the emulator's own table, groups included.
DEFAULT_TAX_RATES: tuple[tuple[str, dict[str, str]], ...] = (
    ("NYC Sales Tax", {"NY State": "4.0", "New York City": "4.5", "MCTD": "0.375"}),
    ("Tax Exempt", {"Exempt": "0"}),
    ("GST", {"GST": "10"}),
    ("HST", {"HST": "13"}),
)


def editable_fields(cls: type, *exclude: str) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls)) - _STAMPS - set(exclude)


class RecordStore:
    """Customers, contacts, catalogue, vendors and purchase orders, with Syncro's rules."""

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        subdomain: str = "demo",
        time_zone: str = "America/New_York",
        draft_invoices: bool = False,
        switches: Switches | None = None,
    ) -> None:
        ZoneInfo(time_zone)  # fail early on a bad zone name
        self.clock: Clock = clock or SystemClock()
        self.switches = switches or Switches()
        self.account = Account(subdomain=subdomain, time_zone=time_zone, draft_invoices=draft_invoices)
        self.tax_rates: dict[int, TaxRate] = {}
        self.payment_methods: dict[int, PaymentMethod] = {}
        self.customers: dict[int, Customer] = {}
        self.contacts: dict[int, Contact] = {}
        self.categories: dict[int, Category] = {}
        self.vendors: dict[int, Vendor] = {}
        self.products: dict[int, Product] = {}
        self.purchase_orders: dict[int, PurchaseOrder] = {}
        self._backdate: datetime | None = None
        # Realistic id ranges, far apart so an id is never mistaken for another kind's.
        self._ids = {
            kind: itertools.count(start)
            for kind, start in {
                "tax_rate": 1, "payment_method": 1, "customer": 34288070, "contact": 4378587,
                "category": 1, "vendor": 798000, "product": 23389442, "location_quantity": 1,
                "sku": 1695498, "purchase_order": 2050182, "po_line": 8712038, "invoice": 1649793879,
                "line_item": 123197177, "payment": 44123334,
            }.items()
        }
        rates = [self.add_tax_rate(name, components) for name, components in DEFAULT_TAX_RATES]
        self.account.default_tax_rate_id = rates[0].id
        for method in DEFAULT_PAYMENT_METHODS:
            self.add_payment_method(method)

    # -- time ---------------------------------------------------------------------------------
    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.account.time_zone)

    def now(self) -> datetime:
        """The instant a change happening now is stamped with (UTC)."""
        return self._backdate or self.clock.now()

    def today(self) -> date:
        """Today's date in the account's time zone."""
        return self.now().astimezone(self.zone).date()

    @contextmanager
    def at(self, when: datetime) -> Iterator[None]:
        """Stamp the changes made inside the block with ``when`` (e.g. to seed past history)."""
        previous, self._backdate = self._backdate, self.to_instant(when)
        try:
            yield
        finally:
            self._backdate = previous

    def set_time_zone(self, name: str) -> None:
        ZoneInfo(name)
        self.account.time_zone = name

    def to_date(self, value: date | datetime | str) -> date:
        """A calendar date from a date, an instant (its date in the account zone) or ISO text."""
        if isinstance(value, datetime):
            return self.to_instant(value).astimezone(self.zone).date()
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if len(text) == 10:
            return date.fromisoformat(text)
        return self.to_date(self.to_instant(text))

    def to_instant(self, value: date | datetime | str) -> datetime:
        """An aware UTC instant; naive values and bare dates are read in the account zone."""
        if isinstance(value, str):
            text = value.strip()
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text.replace("Z", "+00:00"))
        if not isinstance(value, datetime):
            value = datetime.combine(value, time(0))
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        return value.astimezone(timezone.utc)

    # -- plumbing -----------------------------------------------------------------------------
    def _next_id(self, kind: str) -> int:
        return next(self._ids[kind])

    def _touch(self, *records: Any) -> None:
        now = self.now()
        for record in records:
            record.updated_at = now

    @staticmethod
    def _get(table: Mapping[int, R], key: int, kind: str) -> R:
        try:
            return table[int(key)]
        except (KeyError, TypeError, ValueError):
            raise NotFound(kind, key) from None

    @staticmethod
    def _check_keys(kind: str, changes: Mapping[str, Any], allowed: frozenset[str]) -> None:
        unknown = set(changes) - allowed
        if unknown:
            raise TypeError(f"{kind}: unknown or read-only fields {sorted(unknown)}")

    def _check_tax_rate(self, tax_rate_id: int | None) -> None:
        if tax_rate_id is not None and tax_rate_id not in self.tax_rates:
            raise RuleError(f"Tax rate {tax_rate_id} does not exist")

    # -- account tables -----------------------------------------------------------------------
    def add_tax_rate(self, name: str, components: Mapping[str, object] | object) -> TaxRate:
        """A tax rate (``components`` a percent) or a group (``{"State": "4", "City": "4.5"}``)."""
        parts = components.items() if isinstance(components, Mapping) else [(name, components)]
        rate = TaxRate(self._next_id("tax_rate"), name, tuple((n, to_decimal(p)) for n, p in parts))
        self.tax_rates[rate.id] = rate
        return rate

    def add_payment_method(self, name: str, uses_card_processing: bool = False) -> PaymentMethod:
        now = self.now()
        method = PaymentMethod(self._next_id("payment_method"), name, now, now, uses_card_processing)
        self.payment_methods[method.id] = method
        return method

    # -- customers and contacts ---------------------------------------------------------------
    _CUSTOMER_FIELDS = editable_fields(Customer)

    def customer(self, customer_id: int) -> Customer:
        return self._get(self.customers, customer_id, "customer")

    def add_customer(self, **fields: Any) -> Customer:
        """A business (``business_name=``) or an individual (``firstname=``/``lastname=`` only)."""
        self._check_keys("customer", fields, self._CUSTOMER_FIELDS)
        self._validate_customer(fields)
        now = self.now()
        customer = Customer(id=self._next_id("customer"), created_at=now, updated_at=now, **fields)
        self.customers[customer.id] = customer
        return customer

    def update_customer(self, customer_id: int, **changes: Any) -> Customer:
        customer = self.customer(customer_id)
        self._check_keys("customer", changes, self._CUSTOMER_FIELDS)
        self._validate_customer(changes)
        for key, value in changes.items():
            setattr(customer, key, value)
        self._touch(customer)
        return customer

    def _validate_customer(self, fields: Mapping[str, Any]) -> None:
        email = fields.get("email")
        if email and "@" not in email:
            raise RuleError("Email is not an email")
        self._check_tax_rate(fields.get("tax_rate_id"))

    _CONTACT_FIELDS = editable_fields(Contact, "customer_id")

    def contact(self, contact_id: int) -> Contact:
        return self._get(self.contacts, contact_id, "contact")

    def contacts_of(self, customer_id: int) -> list[Contact]:
        return [c for c in self.contacts.values() if c.customer_id == customer_id]

    def add_contact(self, customer_id: int, name: str | None = None, **fields: Any) -> Contact:
        self.customer(customer_id)
        self._check_keys("contact", fields, self._CONTACT_FIELDS | {"title"})
        fields = self._contact_fields(fields, {})
        now = self.now()
        contact = Contact(self._next_id("contact"), customer_id, now, now, name=name, **fields)
        self.contacts[contact.id] = contact
        return contact

    def update_contact(self, contact_id: int, **changes: Any) -> Contact:
        """``title`` is kept as ``properties.title`` (S4); ``customer_id`` moves the contact."""
        contact = self.contact(contact_id)
        self._check_keys("contact", changes, self._CONTACT_FIELDS | {"title", "customer_id"})
        if "customer_id" in changes:
            self.customer(changes["customer_id"])
        for key, value in self._contact_fields(changes, contact.properties).items():
            setattr(contact, key, value)
        self._touch(contact)
        return contact

    @staticmethod
    def _contact_fields(fields: Mapping[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
        out = dict(fields)
        if "email" in out and out["email"] and "@" not in out["email"]:
            raise RuleError("Email is not an email")
        if "title" in out:
            out["properties"] = {**properties, **out.get("properties", {}), "title": out.pop("title")}
        return out

    def delete_contact(self, contact_id: int) -> None:
        self.contact(contact_id)
        del self.contacts[int(contact_id)]

    # -- catalogue ----------------------------------------------------------------------------
    def add_category(self, name: str, parent_id: int | None = None, description: str | None = None) -> Category:
        """A product category; children carry an ``ancestry`` path of ids, like the Rails gem."""
        ancestry, path = None, name
        if parent_id is not None:
            parent = self._get(self.categories, parent_id, "category")
            ancestry = f"{parent.ancestry}/{parent.id}" if parent.ancestry else str(parent.id)
            # UNKNOWN (syncro-api.md §2.8): the separator of names_depth_cache/category_path is
            # not shown by any example; " > " is assumed; switch: none.
            path = f"{parent.names_depth_cache} > {name}"
        category = Category(self._next_id("category"), name, parent_id, description or name, ancestry, path)
        self.categories[category.id] = category
        return category

    def category_of(self, product: Product) -> Category | None:
        return next((self.categories[c] for c in product.category_ids if c in self.categories), None)

    _PRODUCT_FIELDS = editable_fields(Product, "skus", "location_quantities")
    _PRODUCT_MONEY = ("price_cost", "price_retail", "price_wholesale", "discount_percent")

    def product(self, product_id: int) -> Product:
        return self._get(self.products, product_id, "product")

    def add_product(self, name: str, **fields: Any) -> Product:
        """A product; money fields take dollars (Decimal, str or int); ``quantity`` is stock on hand."""
        self._check_keys("product", fields, self._PRODUCT_FIELDS)
        fields = self._product_fields({"name": name, **fields})
        now = self.now()
        product = Product(id=self._next_id("product"), created_at=now, updated_at=now, **fields)
        self.products[product.id] = product
        self._sync_location_quantity(product)
        return product

    def update_product(self, product_id: int, **changes: Any) -> Product:
        product = self.product(product_id)
        self._check_keys("product", changes, self._PRODUCT_FIELDS)
        for key, value in self._product_fields(changes).items():
            setattr(product, key, value)
        self._sync_location_quantity(product)
        self._touch(product)
        return product

    def _product_fields(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(fields)
        if "name" in out and not out["name"]:
            raise RuleError("Name can't be blank")
        for key in self._PRODUCT_MONEY:
            if out.get(key) is not None:
                out[key] = to_decimal(out[key])
        for category_id in out.get("category_ids", ()):
            self._get(self.categories, category_id, "category")
        self._check_tax_rate(out.get("tax_rate_id"))
        return out

    def _sync_location_quantity(self, product: Product) -> None:
        """Stocked products keep one location quantity at the account's location, equal to ``quantity``."""
        if not product.maintain_stock:
            return
        if not product.location_quantities:
            now = self.now()
            product.location_quantities.append(
                LocationQuantity(self._next_id("location_quantity"), product.id, self.account.location_id, 0, now, now)
            )
        row = product.location_quantities[0]
        if row.quantity != product.quantity:
            row.quantity = product.quantity
            self._touch(row)

    def set_stock(self, product_id: int, quantity: int, location_quantity_id: int | None = None) -> Product:
        """Set stock on hand (a stock take); with ``location_quantity_id``, that location's row."""
        product = self.product(product_id)
        if location_quantity_id is None:
            product.quantity = int(quantity)
            self._sync_location_quantity(product)
        else:
            row = next((r for r in product.location_quantities if r.id == int(location_quantity_id)), None)
            if row is None:
                raise NotFound("location_quantity", location_quantity_id)
            row.quantity = int(quantity)
            self._touch(row)
            product.quantity = sum(r.quantity for r in product.location_quantities)
        self._touch(product)
        return product

    def _adjust_stock(self, product_id: int | None, delta: Decimal | int) -> None:
        """Move stock on hand of a stocked product by ``delta`` (PO receipts, invoice lines)."""
        product = self.products.get(product_id) if product_id is not None else None
        if product is None or not product.maintain_stock or not delta:
            return
        product.quantity += int(delta)
        self._sync_location_quantity(product)
        self._touch(product)

    def add_product_sku(self, product_id: int, vendor_id: int, sku: str) -> ProductSku:
        product = self.product(product_id)
        self.vendor(vendor_id)
        row = ProductSku(self._next_id("sku"), int(vendor_id), sku)
        product.skus.append(row)
        if row.vendor_id not in product.vendor_ids:
            product.vendor_ids.append(row.vendor_id)
        self._touch(product)
        return row

    def find_product(self, *, upc_code: str | None = None, name: str | None = None) -> Product | None:
        for product in self.products.values():
            if (upc_code and product.upc_code == upc_code) or (name and product.name == name):
                return product
        return None

    # -- vendors ------------------------------------------------------------------------------
    _VENDOR_FIELDS = editable_fields(Vendor)

    def vendor(self, vendor_id: int) -> Vendor:
        return self._get(self.vendors, vendor_id, "vendor")

    def add_vendor(self, name: str, **fields: Any) -> Vendor:
        self._check_keys("vendor", fields, self._VENDOR_FIELDS)
        self._validate_vendor({"name": name, **fields})
        now = self.now()
        vendor = Vendor(id=self._next_id("vendor"), name=name, created_at=now, updated_at=now, **fields)
        self.vendors[vendor.id] = vendor
        return vendor

    def update_vendor(self, vendor_id: int, **changes: Any) -> Vendor:
        vendor = self.vendor(vendor_id)
        self._check_keys("vendor", changes, self._VENDOR_FIELDS)
        self._validate_vendor(changes)
        for key, value in changes.items():
            setattr(vendor, key, value)
        self._touch(vendor)
        return vendor

    @staticmethod
    def _validate_vendor(fields: Mapping[str, Any]) -> None:
        if "name" in fields and not fields["name"]:
            raise RuleError("Name can't be blank")
        if fields.get("email") and "@" not in fields["email"]:
            raise RuleError("Email is not an email")

    # -- purchase orders ----------------------------------------------------------------------
    _PO_FIELDS = frozenset({
        "status", "general_notes", "shipping", "other", "shipping_notes", "delivery_tracking", "vendor_id",
        "expected_date", "order_date", "due_date", "paid_date", "discount_percent", "location_id", "user_id",
    })

    def purchase_order(self, po_id: int) -> PurchaseOrder:
        return self._get(self.purchase_orders, po_id, "purchase_order")

    def add_purchase_order(
        self, vendor_id: int, lines: Iterable[Mapping[str, Any]] = (), *, status: str = PO_DEFAULT_STATUS, **fields: Any
    ) -> PurchaseOrder:
        """A PO; ``lines`` are ``{"product_id", "quantity", "cost"?}``, money in dollars
        (``shipping=``, ``other=``); the number is the vendor's initials, the date and a count."""
        vendor = self.vendor(vendor_id)
        self._check_keys("purchase_order", fields, self._PO_FIELDS - {"vendor_id"})
        now = self.now()
        po = PurchaseOrder(
            self._next_id("purchase_order"), vendor.id, self._po_number(vendor), now, now, status,
            user_id=self.account.user_id,
        )
        self._set_po_fields(po, fields)
        self.purchase_orders[po.id] = po
        for line in lines:
            self.add_po_line(po.id, **line)
        return po

    def _po_number(self, vendor: Vendor) -> str:
        prefix = "".join(ch for ch in vendor.name if ch.isupper()) or vendor.name[:2].upper()
        stem = f"{prefix}-{self.today():%Y%m%d}-"
        return stem + str(1 + sum(po.number.startswith(stem) for po in self.purchase_orders.values()))

    def _set_po_fields(self, po: PurchaseOrder, fields: Mapping[str, Any]) -> None:
        for key, value in fields.items():
            if key in ("shipping", "other", "discount_percent") and value is not None:
                value = to_decimal(value)
            elif key == "expected_date" and value is not None:
                value = self.to_instant(value)
            elif key in ("order_date", "due_date", "paid_date") and value is not None:
                value = self.to_date(value)
            elif key == "vendor_id":
                value = self.vendor(value).id
            setattr(po, key, value)

    def add_po_line(self, po_id: int, product_id: int, quantity: int, cost: object = None) -> POLineItem:
        """Only stocked products go on a PO (S1b 422); the cost defaults to the product's cost."""
        po = self.purchase_order(po_id)
        product = self.product(product_id)
        if po.status == PO_FINISHED:
            raise RuleError("Purchase order is finished")
        if not product.maintain_stock:
            raise RuleError(
                "Error adding that item  - please ensure that the item you are trying to add is set to ‘Maintain Stock’."
            )
        if int(quantity) < 1:
            raise RuleError("Quantity must be greater than 0")
        now = self.now()
        # UNKNOWN (syncro-api.md §2.9): the spec's example shows received_quantity equal to quantity
        # on a fresh line; a fresh line here has received nothing (0); switch: none.
        cost_cents = to_cents(to_decimal(cost) if cost is not None else product.price_cost)
        line = POLineItem(
            self._next_id("po_line"), po.id, product.id, int(quantity), cost_cents, len(po.line_items) + 1, now, now
        )
        po.line_items.append(line)
        self._touch(po)
        return line

    def update_purchase_order(self, po_id: int, **changes: Any) -> PurchaseOrder:
        """Change a PO; "Finished" is refused while a line is not fully received (S1b)."""
        po = self.purchase_order(po_id)
        self._check_keys("purchase_order", changes, self._PO_FIELDS)
        if changes.get("status") == PO_FINISHED and any(not line.received for line in po.line_items):
            raise RuleError("Cannot mark purchase order Finished with unreceived line items")
        self._set_po_fields(po, changes)
        self._touch(po)
        return po

    def receive_po_line(self, po_id: int, line_id: int, quantity: int | None = None) -> PurchaseOrder:
        """Receive ``quantity`` (default: all that is outstanding) of a line into stock."""
        po = self.purchase_order(po_id)
        line = next((li for li in po.line_items if li.id == int(line_id)), None)
        if line is None:
            raise NotFound("po_line_item", line_id)
        outstanding = line.quantity - line.received_quantity
        count = outstanding if quantity is None else int(quantity)
        if po.status == PO_FINISHED or outstanding == 0:
            raise RuleError("Line item has already been received")
        if not 0 < count <= outstanding:
            raise RuleError(f"Received quantity must be between 1 and {outstanding}")
        line.received_quantity += count
        self._adjust_stock(line.product_id, count)
        self._touch(line, po)
        return po

    def finish_po(self, po_id: int) -> PurchaseOrder:
        return self.update_purchase_order(po_id, status=PO_FINISHED)

    @staticmethod
    def po_total(po: PurchaseOrder) -> Decimal:
        """Lines (less the PO discount) plus shipping and other charges."""
        lines = sum((Decimal(li.total_cents) / 100 for li in po.line_items), ZERO)
        if po.discount_percent:
            # UNKNOWN (syncro-api.md §2.9): how discount_percent enters the PO total is not
            # documented; assumed off the lines only; switch: none.
            lines -= lines * po.discount_percent / 100
        return round_cents(lines + po.shipping + po.other)
