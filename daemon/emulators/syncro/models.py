"""The records the Syncro emulator holds. Money is Decimal, instants are aware UTC datetimes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .money import ZERO


@dataclass
class Account:
    """What ``GET /settings`` and ``GET /me`` show about the tenant and the token's owner."""

    subdomain: str = "demo"
    time_zone: str = "America/New_York"
    business_name: str = "Demo MSP"
    currency_symbol: str = "$"
    iso_code: str = "en"
    date_format: str = "mm-dd-yy"
    time_format: str = "hh:mm tt"
    #: Draft invoices are an account feature (S1b): off means no ``status``/``published_date``
    #: fields and 404 from ``/publish`` and ``/convert_to_draft``.
    draft_invoices: bool = False
    default_tax_rate_id: int | None = None
    next_invoice_number: int = 1001
    location_id: int = 1
    user_id: int = 101202
    user_name: str = "Demo Admin"
    user_email: str = "admin@demo.example"
    #: The token owner is a Global Admin (``GET /line_items`` needs it; ``/me`` shows ``admin``).
    admin: bool = True


@dataclass
class TaxRate:
    """A tax rate or tax group; ``components`` are (name, percent) pairs. Not exposed by the API."""

    id: int
    name: str
    components: tuple[tuple[str, Decimal], ...]

    @property
    def percent(self) -> Decimal:
        return sum((rate for _, rate in self.components), ZERO)


@dataclass
class PaymentMethod:
    id: int
    name: str
    created_at: datetime
    updated_at: datetime
    uses_card_processing: bool = False


@dataclass
class Contact:
    id: int
    customer_id: int
    created_at: datetime
    updated_at: datetime
    name: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    notes: str | None = None
    vendor_id: int | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    opt_out: bool = False
    extension: str | None = None


@dataclass
class Customer:
    id: int
    created_at: datetime
    updated_at: datetime
    firstname: str | None = None
    lastname: str | None = None
    business_name: str | None = None
    email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    address: str | None = None
    address_2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    notes: str | None = None
    get_sms: bool = False
    opt_out: bool = False
    disabled: bool = False
    no_email: bool = False
    location_id: int | None = None
    location_name: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    tax_rate_id: int | None = None
    notification_email: str | None = None
    invoice_cc_emails: str | None = None
    invoice_term_id: int | None = None
    referred_by: str | None = None
    ref_customer_id: int | None = None

    @property
    def fullname(self) -> str:
        return " ".join(p for p in (self.firstname, self.lastname) if p)

    @property
    def business_then_name(self) -> str:
        return self.business_name or self.fullname

    @property
    def business_and_full_name(self) -> str:
        # UNKNOWN (syncro-api.md §2.1): the joined form for businesses is not shown by any example;
        # "Business - Full Name" is assumed; switch: none (display-only field).
        if self.business_name and self.fullname:
            return f"{self.business_name} - {self.fullname}"
        return self.business_then_name


@dataclass
class Category:
    id: int
    name: str
    parent_id: int | None = None
    description: str | None = None
    ancestry: str | None = None
    names_depth_cache: str = ""


@dataclass
class Vendor:
    id: int
    name: str
    created_at: datetime
    updated_at: datetime
    rep_first_name: str | None = None
    rep_last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    account_number: str | None = None
    address: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    website: str | None = None
    notes: str | None = None


@dataclass
class LocationQuantity:
    id: int
    product_id: int
    location_id: int
    quantity: int
    created_at: datetime
    updated_at: datetime
    price_cost_cents: int | None = None
    price_retail_cents: int | None = None
    tax_rate_id: int | None = None
    reorder_at: int | None = None
    desired_stock_level: int | None = None


@dataclass
class ProductSku:
    id: int
    vendor_id: int
    sku: str


@dataclass
class Product:
    """A catalogue item. The API shows no ``created_at``/``updated_at``; they are kept internally."""

    id: int
    name: str
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    long_description: str | None = None
    price_cost: Decimal = ZERO
    price_retail: Decimal = ZERO
    price_wholesale: Decimal = ZERO
    condition: str | None = None
    maintain_stock: bool = False
    quantity: int = 0
    reorder_at: int | None = None
    desired_stock_level: int | None = None
    warranty: str | None = None
    warranty_template_id: int | None = None
    sort_order: int | None = None
    disabled: bool = False
    taxable: bool = True
    tax_rate_id: int | None = None
    category_ids: list[int] = field(default_factory=list)
    upc_code: str | None = None
    discount_percent: Decimal | None = None
    qb_item_id: int | None = None
    notes: str | None = None
    physical_location: str | None = None
    serialized: bool = False
    vendor_ids: list[int] = field(default_factory=list)
    skus: list[ProductSku] = field(default_factory=list)
    location_quantities: list[LocationQuantity] = field(default_factory=list)


@dataclass
class LineItem:
    id: int
    invoice_id: int
    created_at: datetime
    updated_at: datetime
    item: str | None = None
    name: str | None = None
    quantity: Decimal = Decimal("1")
    price: Decimal = ZERO
    cost: Decimal = ZERO
    taxable: bool = True
    product_id: int | None = None
    tax_rate_id: int | None = None
    discount_percent: Decimal | None = None
    discount_dollars: Decimal | None = None
    position: int = 1
    invoice_bundle_id: int | None = None
    product_category: str | None = None
    tax_note: str | None = None
    upc_code: str | None = None
    user_id: int | None = None

    @property
    def amount(self) -> Decimal:
        """Quantity × price less discounts, unrounded."""
        amount = self.quantity * self.price
        if self.discount_percent:
            amount -= amount * self.discount_percent / 100
        if self.discount_dollars:
            amount -= self.discount_dollars
        return amount


@dataclass
class Invoice:
    id: int
    customer_id: int
    number: str
    date: date
    due_date: date
    created_at: datetime
    updated_at: datetime
    name: str | None = None
    ticket_id: int | None = None
    location_id: int | None = None
    po_number: str | None = None
    contact_id: int | None = None
    note: str | None = None
    user_id: int | None = None
    employee: str | None = None
    verified_paid: bool = False
    tech_marked_paid: bool = False
    is_recurring: bool = False
    schedule_id: int | None = None
    external_id: int | None = None
    qbsdk_external_id: str | None = None
    xero_id: str | None = None
    status: str = "published"
    published_at: datetime | None = None
    date_received: date | None = None
    line_items: list[LineItem] = field(default_factory=list)
    #: A refund paid out with no payment record (switch ``refund_payout="none"``).
    settled_without_payment: bool = False


@dataclass
class Payment:
    id: int
    customer_id: int
    amount: Decimal
    applied_at: date
    created_at: datetime
    updated_at: datetime
    payment_method: str | None = None
    ref_num: str | None = None
    register_id: int | None = None
    success: bool = True
    #: invoice id → amount applied to it, in the order applied (not exposed by the API: a gap).
    allocations: dict[int, Decimal] = field(default_factory=dict)

    @property
    def unapplied(self) -> Decimal:
        return self.amount - sum(self.allocations.values(), ZERO)


@dataclass
class POLineItem:
    id: int
    purchase_order_id: int
    product_id: int
    quantity: int
    cost_cents: int
    position: int
    created_at: datetime
    updated_at: datetime
    received_quantity: int = 0
    parent_po_line_item_id: int | None = None
    old_cost_cents: int | None = None

    @property
    def received(self) -> bool:
        return self.received_quantity >= self.quantity

    @property
    def total_cents(self) -> int:
        return self.cost_cents * self.quantity


@dataclass
class PurchaseOrder:
    id: int
    vendor_id: int
    number: str
    created_at: datetime
    updated_at: datetime
    status: str
    user_id: int | None = None
    location_id: int | None = None
    expected_date: datetime | None = None
    order_date: date | None = None
    due_date: date | None = None
    paid_date: date | None = None
    shipping: Decimal = ZERO
    other: Decimal = ZERO
    discount_percent: Decimal | None = None
    shipping_notes: str | None = None
    general_notes: str | None = None
    delivery_tracking: str | None = None
    line_items: list[POLineItem] = field(default_factory=list)
