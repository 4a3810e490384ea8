"""Switches for every Syncro behaviour the reference notes leave unknown.

Defaults are the best-evidenced behaviour; each alternative is what a test flips to prove the
daemon copes either way. ``docs/emulator-unknowns.md`` lists them with their evidence; the section numbers refer
to ``reference/syncro-api.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: Items per page when ``per_page`` is absent (§1.4: spec statements, or observed where they differ).
# UNKNOWN (syncro-api.md §1.4): spec statements and observations disagree for some endpoints;
# switch: Switches.page_sizes.
DEFAULT_PAGE_SIZES: dict[str, int] = {
    "customers": 25,  # spec says 25; its example's meta says 100
    "contacts": 50,  # spec says 25; the example's meta and S4's live tenant show 50
    "invoices": 25,
    "line_items": 100,
    "payments": 25,
    "products": 25,
    "purchase_orders": 20,
    "vendors": 100,
}
#: ``GET /invoices`` documents ``per_page`` with "default and max 25" (S1b) — not a switch.
INVOICES_PER_PAGE_MAX = 25


@dataclass
class Switches:
    """Behaviour where Syncro's is unknown. Change attributes at any time; the next request sees them."""

    # §1.2 a bare ``Authorization: <token>`` (no "Bearer") is sent by a published module, untested.
    accept_bare_authorization: bool = True
    # §1.2 a token without a permission an endpoint needs (``GET /line_items``: Global Admin, with
    # ``store.account.admin = False``): 401 with the spec's body [C], or 403 (S16 [U]).
    permission_denied_status: Literal[401, 403] = 401
    # §1.3 requests per minute per client IP [C]; window type, body and Retry-After are unknown.
    rate_limit: int = 180
    rate_limit_window: Literal["sliding", "fixed"] = "sliding"
    rate_limit_body: Literal["text", "json"] = "text"
    rate_limit_retry_after: bool = False
    # §1.4 whether ``per_page`` is honoured outside invoices, and its ceiling.
    page_sizes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PAGE_SIZES))
    honour_per_page: bool = True
    per_page_max: int = 100
    # §1.5 / §7 ``since_updated_at`` comparison; ``sort=updated_at`` support; list order.
    since_updated_at_inclusive: bool = True
    sort_by_updated_at: bool = True
    newest_first: bool = True
    # §1.6 date-only fields: S1b ``YYYY-MM-DD`` or S1a midnight datetimes.
    date_style: Literal["date", "midnight"] = "date"
    # §2.1 deleting a customer that has invoices or payments.
    customer_delete: Literal["refuse", "cascade"] = "refuse"
    # §2.3 S4 saw ``line_items`` on ``POST /invoices`` ignored; S1b documents them.
    invoice_create_line_items: Literal["honoured", "ignored"] = "honoured"
    # §2.3 "Returns 200 even if the delete fails": an invoice with payments is kept, or deleted.
    invoice_delete_with_payments: Literal["kept", "deleted"] = "kept"
    # §7 whether applying a payment bumps the invoice's ``updated_at`` (off: only when paid flips).
    payment_touches_invoice: bool = True
    # §6 (S11/S12) a $0 invoice counts as paid only once a payment is recorded against it.
    zero_total_is_paid: bool = False
    # §1.8 invoice detail ``balance_due``: S1b's detail example shows a string, its list a number.
    detail_balance_due: Literal["string", "number"] = "string"
    # §2.11 no tax endpoint: tax rounded once per invoice (per rate) or per line.
    tax_rounding: Literal["invoice", "line"] = "invoice"
    # §2.5 / §7 unit of ``apply_payments`` values (S4: cents; spec: "a payment amount").
    apply_payments_unit: Literal["cents", "dollars"] = "cents"
    # §2.5 / §7 invoice detail ``payments[]``: only ``id`` is documented (the default); the
    # payment's fields, or those plus the amount applied to the invoice, are richer shapes.
    invoice_payments: Literal["applied", "payment", "ids"] = "ids"
    # §2.5 examples show payment ``created_at`` at midnight of a date.
    payment_created_at_midnight: bool = True
    # §2.6 refund cash-out: a negative payment on the refund invoice, or nothing visible.
    refund_payout: Literal["negative_payment", "none"] = "negative_payment"
    # §2.7 applying store credit re-links the credit-bearing payment, or creates a new payment.
    store_credit_application: Literal["relink", "new_payment"] = "relink"
    # §2.7 manual store credit ("New → Store Credit") as a payment with ``invoice_ids: [null]``.
    manual_credit_visible: bool = True
    # §2.8 S4: ``PUT /products/{id}`` resets omitted booleans to their defaults.
    product_put_resets_booleans: bool = True

    def page_size(self, resource: str) -> int:
        return self.page_sizes[resource]
