"""The Syncro emulator's data and business rules, with a Python API to seed and change it.

Tests use it to play a user working in Syncro (``store.add_invoice(...)``, ``store.add_payment(...)``);
the HTTP routes call the same methods, so both paths share one set of rules. Billing lives here:
invoices and their lines, totals and tax, payments and their allocation, store credit and refunds.
Everything below billing (customers, catalogue, vendors, purchase orders) is in :mod:`.records`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from ...clock import Clock
from .errors import AlreadyPaid, DraftsDisabled, NotFound, RuleError
from .models import Customer, Invoice, LineItem, Payment
from .money import ZERO, round_cents, to_decimal
from .records import RecordStore, editable_fields
from .switches import Switches

STORE_CREDIT = "Store Credit"
LINE_FIELDS = frozenset({
    "item", "name", "quantity", "price", "cost", "taxable", "product_id", "upc_code", "tax_rate_id",
    "discount_percent", "line_discount_percent", "discount_dollars", "position", "invoice_bundle_id",
    "product_category", "tax_note", "user_id",
})
_LINE_MONEY = ("quantity", "price", "cost", "discount_percent", "discount_dollars")
_INVOICE_FIELDS = editable_fields(Invoice, "line_items", "status", "published_at", "settled_without_payment")


class InvoiceTotals(NamedTuple):
    """What Syncro computes for an invoice (exact, to the cent)."""

    subtotal: Decimal
    tax: Decimal
    total: Decimal
    amount_paid: Decimal
    balance_due: Decimal
    is_paid: bool
    hardwarecost: Decimal


class SyncroStore(RecordStore):
    """All the emulator's records and rules; see :class:`~.records.RecordStore` for the rest."""

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        subdomain: str = "demo",
        time_zone: str = "America/New_York",
        draft_invoices: bool = False,
        switches: Switches | None = None,
    ) -> None:
        super().__init__(clock, subdomain=subdomain, time_zone=time_zone, draft_invoices=draft_invoices, switches=switches)
        self.invoices: dict[int, Invoice] = {}
        self.payments: dict[int, Payment] = {}
        self._applied: dict[int, dict[int, Decimal]] = {}  # invoice id → {payment id: amount}
        self._numbers: dict[str, int] = {}  # invoice number → id
        # Store credit that no payment record carries (refunds to credit, hidden manual credit).
        self._credit_adjustments: defaultdict[int, Decimal] = defaultdict(Decimal)

    # -- customers (deletion reaches into billing) --------------------------------------------
    def delete_customer(self, customer_id: int) -> None:
        """Hard delete (S4: 404 afterwards), with the customer's contacts."""
        customer = self.customer(customer_id)
        invoices = [i for i in self.invoices.values() if i.customer_id == customer.id]
        payments = [p for p in self.payments.values() if p.customer_id == customer.id]
        # UNKNOWN (syncro-api.md §2.1): what deleting a customer with invoices/payments does is not
        # documented; refused by default; switch: Switches.customer_delete = "cascade".
        if (invoices or payments) and self.switches.customer_delete == "refuse":
            raise RuleError("Customer has invoices or payments and can't be deleted")
        for payment in payments:
            for invoice_id in payment.allocations:
                self._applied.get(invoice_id, {}).pop(payment.id, None)
            del self.payments[payment.id]
        for invoice in invoices:
            self._drop_invoice(invoice)
        for contact in self.contacts_of(customer.id):
            del self.contacts[contact.id]
        self._credit_adjustments.pop(customer.id, None)
        del self.customers[customer.id]

    # -- invoices -----------------------------------------------------------------------------
    def invoice(self, invoice_id: int) -> Invoice:
        return self._get(self.invoices, invoice_id, "invoice")

    def find_invoice(self, key: int | str) -> Invoice:
        """By id, else by number (``GET /invoices/{id}`` takes either)."""
        # UNKNOWN (syncro-api.md §2.3): which wins when a number equals another invoice's id; the
        # id; switch: none.
        if str(key).isdigit() and int(key) in self.invoices:
            return self.invoices[int(key)]
        if str(key) in self._numbers:
            return self.invoices[self._numbers[str(key)]]
        raise NotFound("invoice", key)

    def add_invoice(
        self,
        customer_id: int,
        lines: Iterable[Mapping[str, Any]] = (),
        *,
        date: date | datetime | str | None = None,
        due_date: date | datetime | str | None = None,
        number: str | int | None = None,
        draft: bool = False,
        **fields: Any,
    ) -> Invoice:
        """An invoice with ``lines`` (dicts of line-item fields; a ``product_id`` fills what is omitted).

        ``number`` defaults to the account's next number, ``date`` to today (account zone),
        ``due_date`` to ``date``. ``draft=True`` needs ``account.draft_invoices``.
        """
        customer = self.customer(customer_id)
        self._check_keys("invoice", fields, _INVOICE_FIELDS - {"customer_id", "number", "date", "due_date"})
        if draft and not self.account.draft_invoices:
            raise RuleError("Draft invoices are not enabled for this account")
        day = self.to_date(date) if date is not None else self.today()
        now = self.now()
        invoice = Invoice(
            self._next_id("invoice"), customer.id, self._free_number(number), day,
            self.to_date(due_date) if due_date is not None else day, now, now,
            user_id=self.account.user_id, employee=self.account.user_email,
            status="draft" if draft else "published", published_at=None if draft else now,
        )
        self._set_invoice_fields(invoice, fields)
        built = [self._build_line(invoice, spec, product_wins=False, position=n) for n, spec in enumerate(lines, 1)]
        invoice.line_items.extend(built)
        if draft and self.totals(invoice).total < 0:
            raise RuleError("A refund can never be a draft")
        self._claim_number(invoice)
        self.invoices[invoice.id] = invoice
        for line in built:
            self._line_stock(line, line.quantity)
        return invoice

    def _free_number(self, number: str | int | None) -> str:
        if number is None:
            number = self.account.next_invoice_number
            while str(number) in self._numbers:
                number += 1
        number = str(number)
        if number in self._numbers:
            raise RuleError("Number has already been taken")
        return number

    def _claim_number(self, invoice: Invoice) -> None:
        self._numbers[invoice.number] = invoice.id
        if invoice.number.isdigit() and int(invoice.number) >= self.account.next_invoice_number:
            self.account.next_invoice_number = int(invoice.number) + 1

    def _set_invoice_fields(self, invoice: Invoice, fields: Mapping[str, Any]) -> None:
        for key, value in fields.items():
            if key in ("date", "due_date", "date_received") and value is not None:
                value = self.to_date(value)
            elif key == "customer_id":
                value = self.customer(value).id
            setattr(invoice, key, value)

    def update_invoice(self, invoice_id: int, **changes: Any) -> Invoice:
        """Change invoice fields (``xero_id=`` plays Syncro's own Xero integration posting it)."""
        invoice = self.invoice(invoice_id)
        self._check_keys("invoice", changes, _INVOICE_FIELDS)
        renumber = "number" in changes and str(changes["number"]) != invoice.number
        if renumber:
            changes = {**changes, "number": self._free_number(changes["number"])}
        if changes.get("customer_id", invoice.customer_id) != invoice.customer_id and self._applied.get(invoice.id):
            raise RuleError("Customer can't change once a payment is applied")
        old_number = invoice.number
        self._set_invoice_fields(invoice, {k: v for k, v in changes.items() if k != "number" or renumber})
        if renumber:
            del self._numbers[old_number]
            self._claim_number(invoice)
        self._touch(invoice)
        return invoice

    def delete_invoice(self, invoice_id: int) -> bool:
        """Hard delete; False when Syncro keeps it (the API answers 200 either way)."""
        invoice = self.invoice(invoice_id)
        # UNKNOWN (syncro-api.md §2.3): "Returns 200 even if the delete fails" — an invoice with
        # payments applied is assumed to be the failing case; switch: invoice_delete_with_payments.
        if self._applied.get(invoice.id) and self.switches.invoice_delete_with_payments == "kept":
            return False
        self._drop_invoice(invoice)
        return True

    def _drop_invoice(self, invoice: Invoice) -> None:
        for payment_id in self._applied.pop(invoice.id, {}):
            payment = self.payments.get(payment_id)
            if payment is not None:
                payment.allocations.pop(invoice.id, None)
                self._touch(payment)
        for line in invoice.line_items:
            self._line_stock(line, -line.quantity)
        del self.invoices[invoice.id]
        del self._numbers[invoice.number]

    def _require_drafts(self) -> None:
        if not self.account.draft_invoices:
            raise DraftsDisabled("draft invoices are not enabled for this account")

    def publish_invoice(self, invoice_id: int) -> Invoice:
        self._require_drafts()
        invoice = self.invoice(invoice_id)
        if invoice.status != "draft":
            raise RuleError("Invoice is not a draft")
        invoice.status, invoice.published_at = "published", self.now()
        self._touch(invoice)
        return invoice

    def convert_to_draft(self, invoice_id: int) -> Invoice:
        """Refused once paid, posted to an accounting provider, or for a refund (S1b)."""
        self._require_drafts()
        invoice = self.invoice(invoice_id)
        if invoice.status == "draft":
            raise RuleError("Invoice is already a draft")
        if self._applied.get(invoice.id) or invoice.settled_without_payment:
            raise RuleError("A payment has been applied to this invoice")
        if invoice.xero_id or invoice.qbsdk_external_id or invoice.external_id:
            raise RuleError("Invoice has been posted to an accounting provider")
        if self.totals(invoice).total < 0:
            raise RuleError("A refund can never be a draft")
        invoice.status, invoice.published_at = "draft", None
        self._touch(invoice)
        return invoice

    # -- line items ---------------------------------------------------------------------------
    def line_item(self, invoice_id: int, line_id: int) -> LineItem:
        invoice = self.invoice(invoice_id)
        line = next((li for li in invoice.line_items if li.id == int(line_id)), None)
        if line is None:
            raise NotFound("line_item", line_id)
        return line

    def add_line_item(self, invoice_id: int, **spec: Any) -> LineItem:
        """A line as ``POST /invoices/{id}/line_items`` adds it: a resolved product (by
        ``product_id``, ``upc_code`` or ``item`` name) overrides cost, price and taxable (S1b)."""
        invoice = self.invoice(invoice_id)
        line = self._build_line(invoice, spec, product_wins=True, position=len(invoice.line_items) + 1)
        invoice.line_items.append(line)
        self._line_stock(line, line.quantity)
        self._touch(invoice)
        return line

    def update_line_item(self, invoice_id: int, line_id: int, **changes: Any) -> LineItem:
        """Overwrite the given fields; a paid invoice's lines are left alone (:class:`AlreadyPaid`)."""
        invoice = self.invoice(invoice_id)
        line = self.line_item(invoice_id, line_id)
        self._check_keys("line item", changes, LINE_FIELDS - {"upc_code"})
        if self.totals(invoice).is_paid:
            raise AlreadyPaid()
        values = self._line_values(changes)
        if "product_id" in values and values["product_id"] is not None:
            self.product(values["product_id"])
        self._check_tax_rate(values.get("tax_rate_id"))
        old_quantity, old_product = line.quantity, line.product_id
        for key, value in values.items():
            setattr(line, key, value)
        self._adjust_stock(old_product, old_quantity)
        self._line_stock(line, line.quantity)
        self._touch(line, invoice)
        return line

    def delete_line_item(self, invoice_id: int, line_id: int) -> Invoice:
        invoice = self.invoice(invoice_id)
        line = self.line_item(invoice_id, line_id)
        invoice.line_items.remove(line)
        self._line_stock(line, -line.quantity)
        self._touch(invoice)
        return invoice

    def _line_stock(self, line: LineItem, quantity: Decimal) -> None:
        # UNKNOWN (syncro-api.md §2.8): stock movements are not exposed; invoicing a stocked product
        # is assumed to take it out of stock (a negative refund line puts it back); switch: none.
        self._adjust_stock(line.product_id, -quantity)

    @staticmethod
    def _line_values(spec: Mapping[str, Any]) -> dict[str, Any]:
        values = dict(spec)
        if "line_discount_percent" in values:
            values["discount_percent"] = values.pop("line_discount_percent")
        for key in _LINE_MONEY:
            if values.get(key) is not None:
                values[key] = to_decimal(values[key])
        return values

    def _build_line(self, invoice: Invoice, spec: Mapping[str, Any], *, product_wins: bool, position: int) -> LineItem:
        self._check_keys("line item", spec, LINE_FIELDS)
        values = self._line_values(spec)
        product = None
        if values.get("product_id") is not None:
            product = self.product(values["product_id"])
        elif product_wins and values.get("upc_code"):
            product = self.find_product(upc_code=values["upc_code"])
        elif product_wins and values.get("item"):
            product = self.find_product(name=values["item"])
        if product is not None:
            category = self.category_of(product)
            defaults = {
                "product_id": product.id, "cost": product.price_cost, "price": product.price_retail,
                "taxable": product.taxable, "tax_rate_id": product.tax_rate_id,
                "product_category": category.name if category else None,
            }
            if not values.get("item") and not values.get("name"):
                defaults.update(item=product.name, name=product.description)
            if product_wins:
                values["taxable"] = values.get("taxable", True) and product.taxable
                values.update(cost=product.price_cost, price=product.price_retail)
            values = {**defaults, **{k: v for k, v in values.items() if v is not None}}
        if not values.get("item") and not values.get("name"):
            raise RuleError("Item can't be blank")
        self._check_tax_rate(values.get("tax_rate_id"))
        values.setdefault("position", position)
        now = self.now()
        return LineItem(self._next_id("line_item"), invoice.id, now, now, **values)

    # -- totals and tax -----------------------------------------------------------------------
    def totals(self, invoice: Invoice) -> InvoiceTotals:
        subtotal = round_cents(sum((li.amount for li in invoice.line_items), ZERO))
        total = subtotal + self._tax(invoice)
        applied = self._applied.get(invoice.id, {})
        amount_paid = sum(applied.values(), ZERO) + (total if invoice.settled_without_payment else ZERO)
        balance = total - amount_paid
        settled = bool(applied) or invoice.settled_without_payment
        # UNKNOWN (syncro-api.md §6): whether a $0 invoice is born paid; S11/S12 sync $0 invoices
        # "only when paid", so not until a payment is recorded; switch: Switches.zero_total_is_paid.
        is_paid = balance == 0 and (total != 0 or settled or self.switches.zero_total_is_paid)
        # UNKNOWN (syncro-api.md §1.8): hardwarecost's formula is undocumented; Σ cost × quantity.
        hardware = round_cents(sum((li.cost * li.quantity for li in invoice.line_items), ZERO))
        return InvoiceTotals(subtotal, total - subtotal, total, amount_paid, balance, is_paid, hardware)

    def tax_rate_for(self, line: LineItem, customer: Customer | None) -> Decimal:
        """The line's rate (percent): its own, else the customer's, else the account default."""
        rate_id = line.tax_rate_id or (customer.tax_rate_id if customer else None) or self.account.default_tax_rate_id
        rate = self.tax_rates.get(rate_id) if rate_id is not None else None
        return rate.percent if rate else ZERO

    def _tax(self, invoice: Invoice) -> Decimal:
        # UNKNOWN (syncro-api.md §2.11): Syncro's tax rounding is undocumented; rounded once per
        # invoice and rate by default; switch: Switches.tax_rounding = "line".
        customer = self.customers.get(invoice.customer_id)
        per_line = self.switches.tax_rounding == "line"
        bases: defaultdict[Decimal, Decimal] = defaultdict(Decimal)
        tax = ZERO
        for line in invoice.line_items:
            rate = self.tax_rate_for(line, customer) if line.taxable else ZERO
            if per_line:
                tax += round_cents(line.amount * rate / 100)
            else:
                bases[rate] += line.amount
        return tax + sum((round_cents(base * rate / 100) for rate, base in bases.items()), ZERO)

    # -- payments -----------------------------------------------------------------------------
    def payment(self, payment_id: int) -> Payment:
        return self._get(self.payments, payment_id, "payment")

    def applied_to(self, invoice_id: int) -> dict[int, Decimal]:
        """payment id → amount applied to this invoice (the per-invoice split the API hides)."""
        return dict(self._applied.get(invoice_id, {}))

    def add_payment(
        self,
        customer_id: int,
        amount: object,
        *,
        applied: Mapping[int, object] | None = None,
        invoice_id: int | None = None,
        method: str | None = "Cash",
        ref_num: str | None = None,
        date: date | datetime | str | None = None,
        register_id: int | None = None,
    ) -> Payment:
        """A payment of ``amount`` dollars.

        ``applied={invoice_id: amount}`` splits it over invoices (each at most the invoice's balance);
        ``invoice_id=`` applies as much as that invoice's balance takes. Whatever is not applied is
        the customer's store credit (an overpayment, or ``invoice_ids: [null]`` when nothing is).
        """
        customer = self.customer(customer_id)
        amount = to_decimal(amount)
        if applied is not None and invoice_id is not None:
            raise TypeError("give applied= or invoice_id=, not both")
        if invoice_id is not None:
            invoice = self._payable(customer, invoice_id)
            balance = self.totals(invoice).balance_due
            plan = {invoice.id: amount if abs(amount) <= abs(balance) else balance}
        else:
            plan = {int(k): to_decimal(v) for k, v in (applied or {}).items()}
        for key, portion in plan.items():
            self._check_portion(self._payable(customer, key), amount, portion)
        if sum((abs(p) for p in plan.values()), ZERO) > abs(amount):
            raise RuleError("Applied amounts exceed the payment amount")
        now = self.now()
        payment = Payment(
            self._next_id("payment"), customer.id, amount, self.to_date(date) if date is not None else self.today(),
            now, now, payment_method=method, ref_num=ref_num, register_id=register_id,
        )
        self.payments[payment.id] = payment
        for key, portion in plan.items():
            self._allocate(payment, self.invoices[key], portion)
        return payment

    def _payable(self, customer: Customer, invoice_id: int) -> Invoice:
        invoice = self.invoice(invoice_id)
        if invoice.customer_id != customer.id:
            raise RuleError(f"Invoice {invoice.number} belongs to another customer")
        if invoice.status == "draft":
            # UNKNOWN (syncro-api.md §2.3): paying a draft is undocumented; refused; switch: none.
            raise RuleError("Draft invoices can't take payments")
        return invoice

    def _check_portion(self, invoice: Invoice, amount: Decimal, portion: Decimal) -> None:
        # UNKNOWN (syncro-api.md §2.5): applying more than an invoice owes through apply_payments is
        # undocumented; refused (an invoice_id payment applies up to the balance); switch: none.
        totals = self.totals(invoice)
        if totals.is_paid and totals.total != 0:
            raise RuleError(f"Invoice {invoice.number} is already paid")
        if portion * amount < 0 or portion * totals.balance_due < 0 or abs(portion) > abs(totals.balance_due):
            raise RuleError(f"Amount applied to invoice {invoice.number} must be within its balance due")

    def _allocate(self, payment: Payment, invoice: Invoice, portion: Decimal) -> None:
        was_paid = self.totals(invoice).is_paid
        payment.allocations[invoice.id] = payment.allocations.get(invoice.id, ZERO) + portion
        applied = self._applied.setdefault(invoice.id, {})
        applied[payment.id] = applied.get(payment.id, ZERO) + portion
        # UNKNOWN (syncro-api.md §7): whether a payment bumps the invoice's updated_at; it does by
        # default, else only when is_paid flips; switch: Switches.payment_touches_invoice.
        if self.switches.payment_touches_invoice or was_paid != self.totals(invoice).is_paid:
            self._touch(invoice)

    # -- store credit -------------------------------------------------------------------------
    def delete_payment(self, payment_id: int) -> None:
        """Delete a payment as a user can in Syncro's UI (the API has no DELETE, syncro-api.md §2.5):
        it leaves the lists and its invoices owe what it paid again."""
        payment = self.payment(payment_id)
        for invoice_id in payment.allocations:
            self._applied.get(invoice_id, {}).pop(payment.id, None)
            if invoice_id in self.invoices:
                self._touch(self.invoices[invoice_id])
        del self.payments[payment.id]

    def store_credit_balance(self, customer_id: int) -> Decimal:
        """Unapplied money of the customer's payments plus credit no payment carries."""
        customer = self.customer(customer_id)
        unapplied = sum((p.unapplied for p in self.payments.values() if p.customer_id == customer.id and p.amount > 0), ZERO)
        return unapplied + self._credit_adjustments[customer.id]

    def add_store_credit(self, customer_id: int, amount: object, *, ref_num: str | None = None) -> Payment | None:
        """Manual store credit ("New → Store Credit"): a "Store Credit" payment on no invoice, or
        nothing visible when ``Switches.manual_credit_visible`` is off (then None)."""
        customer = self.customer(customer_id)
        amount = to_decimal(amount)
        if amount <= 0:
            raise RuleError("Store credit must be positive")
        # UNKNOWN (syncro-api.md §2.7): how manual store credit shows in the API; as an unapplied
        # payment by default; switch: Switches.manual_credit_visible.
        if not self.switches.manual_credit_visible:
            self._credit_adjustments[customer.id] += amount
            return None
        return self.add_payment(customer.id, amount, method=STORE_CREDIT, ref_num=ref_num)

    def apply_store_credit(self, customer_id: int, invoice_id: int, amount: object) -> list[Payment]:
        """Apply credit to an invoice; returns the payments that now carry it.

        Default ("relink"): the oldest credit-bearing payments get the invoice added to their
        ``invoice_ids``; credit no payment carries becomes a new "Store Credit" payment.
        "new_payment": always one new "Store Credit" payment; the source payments are unchanged.
        """
        customer = self.customer(customer_id)
        invoice = self._payable(customer, invoice_id)
        amount = to_decimal(amount)
        if amount <= 0:
            raise RuleError("Amount must be positive")
        self._check_portion(invoice, amount, amount)
        if amount > self.store_credit_balance(customer.id):
            raise RuleError("Not enough store credit")
        # UNKNOWN (syncro-api.md §2.7): whether applying credit re-links the existing payment or
        # creates a new one is a gap; switch: Switches.store_credit_application.
        carriers: list[Payment] = []
        remaining = amount
        if self.switches.store_credit_application == "relink":
            for payment in sorted(self.payments.values(), key=lambda p: p.id):
                if remaining and payment.customer_id == customer.id and payment.amount > 0 and payment.unapplied > 0:
                    take = min(payment.unapplied, remaining)
                    self._allocate(payment, invoice, take)
                    self._touch(payment)
                    carriers.append(payment)
                    remaining -= take
        if remaining:
            self._credit_adjustments[customer.id] -= remaining
            carriers.append(self.add_payment(customer.id, remaining, applied={invoice.id: remaining}, method=STORE_CREDIT))
        return carriers

    # -- refunds ------------------------------------------------------------------------------
    def refund_invoice(
        self,
        invoice_id: int,
        lines: Iterable[Mapping[str, Any]] | None = None,
        *,
        payout: str | None = None,
        method: str = "Cash",
        ref_num: str | None = None,
        date: date | datetime | str | None = None,
    ) -> Invoice:
        """A refund invoice (negative total) for the original's customer.

        ``lines``: what is refunded, quantities positive (default: every line of the original);
        the refund carries them negated. ``payout``: None leaves it open (negative balance due),
        "cash" pays it out with ``method``, "store_credit" turns it into the customer's credit.
        """
        original = self.invoice(invoice_id)
        if lines is None:
            lines = [
                {"item": li.item, "name": li.name, "quantity": li.quantity, "price": li.price, "cost": li.cost,
                 "taxable": li.taxable, "product_id": li.product_id, "tax_rate_id": li.tax_rate_id,
                 "product_category": li.product_category}
                for li in original.line_items
            ]
        specs = [{**spec, "quantity": -abs(to_decimal(spec.get("quantity", 1)))} for spec in lines]
        refund = self.add_invoice(original.customer_id, specs, date=date, note=f"Refund of invoice #{original.number}")
        total = self.totals(refund).total
        if payout is None:
            return refund
        if payout not in ("cash", "store_credit") or total >= 0:
            raise RuleError("A payout needs payout='cash' or 'store_credit' and a negative refund total")
        if payout == "store_credit":
            self._credit_adjustments[refund.customer_id] -= total
            method = STORE_CREDIT
        # UNKNOWN (syncro-api.md §2.6): how a refund's cash-out appears in /payments is a gap; a
        # negative payment on the refund invoice by default; switch: Switches.refund_payout = "none".
        if self.switches.refund_payout == "none":
            refund.settled_without_payment = True
            self._touch(refund)
        else:
            self.add_payment(refund.customer_id, total, invoice_id=refund.id, method=method, ref_num=ref_num, date=date)
        return refund
