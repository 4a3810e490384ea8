"""Deterministic sample data: an MSP's Syncro account with months of history.

``seed_sample(store)`` fills a store with businesses and individuals (with contacts), a categorised
catalogue (stocked hardware, licences, non-taxable labour), vendors, invoices with several lines,
payments (full, partial, split, over, unapplied), store credit, a $0 invoice, a refund, and purchase
orders with shipping (finished, partly received, open). The same ``seed`` gives the same data; sizes
are parameters so a benchmark can ask for thousands of invoices.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from .models import Customer, Invoice, Product, Vendor
from .store import SyncroStore

FIRST = ("Dana", "Sam", "Priya", "Liam", "Mia", "Noah", "Ava", "Omar", "Grace", "Ethan", "Zoe", "Lucas",
         "Chloe", "Mateo", "Ruby", "Hiro", "Isla", "Felix", "Nora", "Theo")
LAST = ("Lee", "Patel", "Nguyen", "Smith", "Garcia", "Kowalski", "O'Brien", "Rossi", "Schmidt", "Okafor",
        "Tanaka", "Johnson", "Silva", "Cohen", "Murphy", "Dubois", "Larsen", "Haddad", "Kim", "Walker")
TRADE = ("Acme", "Harbor", "Summit", "Bluebird", "Ironwood", "Maple", "Northwind", "Riverside", "Keystone",
         "Lighthouse", "Granite", "Willow", "Beacon", "Cedar", "Evergreen", "Falcon", "Orchard", "Pioneer")
KIND = ("Dental", "Law Group", "Accounting", "Logistics", "Realty", "Veterinary Clinic", "Architects",
        "Bakery", "Auto Repair", "Insurance", "Family Practice", "Construction", "Nonprofit")
SUFFIX = ("LLC", "Inc.", "PLLC", "Co.", "Partners")
STREETS = ("Main St", "Oak Ave", "Broadway", "Elm St", "Park Pl", "Court St", "Atlantic Ave", "Hudson St")
TOWNS = (("Brooklyn", "NY", "112"), ("Hoboken", "NJ", "070"), ("Yonkers", "NY", "107"), ("Stamford", "CT", "069"))
VENDORS = (("Ingram Micro", "Ingram"), ("TD Synnex", "Synnex"), ("Pax8", "Pax8"), ("HostedBizz", "HostedBizz"),
           ("Amazon Business", "Amazon"), ("D&H Distributing", "DandH"), ("CDW", "CDW"), ("Leader Systems", "Leader"))
# name, description, category path, cost, retail, stocked, taxable
CATALOGUE = (
    ("Dell USB-C Dock WD19S", "USB-C dock, 130 W", ("Hardware", "Docks"), "180", "259", True, True),
    ("Lenovo ThinkPad E14", "14in business laptop", ("Hardware", "Laptops"), "689", "899", True, True),
    ("Ubiquiti UniFi AP U6-Lite", "Wi-Fi 6 access point", ("Hardware", "Networking"), "89", "139", True, True),
    ("Cisco Meraki MX67", "Security appliance", ("Hardware", "Networking"), "495", "695", True, True),
    ("Logitech MX Keys", "Wireless keyboard", ("Hardware", "Peripherals"), "79", "119", True, True),
    ("Samsung 870 EVO 1TB", "SATA SSD", ("Hardware", "Components"), "64.5", "99.99", True, True),
    ("M365 Business Basic", "Microsoft 365 Business Basic, per user/month", ("Licensing", "Microsoft 365"), "6", "8.5", False, True),
    ("M365 Business Premium", "Microsoft 365 Business Premium, per user/month", ("Licensing", "Microsoft 365"), "22", "28.5", False, True),
    ("SentinelOne Core", "Endpoint protection, per device/month", ("Licensing", "Security"), "3.1", "6", False, True),
    ("M365 Backup", "Cloud backup for Microsoft 365, per user/month", ("Licensing", "Backup"), "1.75", "3.5", False, True),
    ("Remote Support Hour", "Remote support, per hour", ("Services", "Labour"), "0", "125", False, False),
    ("Onsite Support Hour", "Onsite support, per hour", ("Services", "Labour"), "0", "150", False, False),
    ("Managed Services - Per Seat", "Managed IT, per seat/month", ("Services", "Managed"), "0", "65", False, False),
    ("Cat6 Patch Cable 3ft", "Patch cable", ("Consumables",), "1.2", "4.99", True, True),
)
METHODS = ("Check", "Credit Card", "Cash", "Offline CC", "Other")


@dataclass
class SeedSummary:
    """What was created, with the ids of the records each notable case lives on."""

    customers: list[int] = field(default_factory=list)
    products: list[int] = field(default_factory=list)
    vendors: list[int] = field(default_factory=list)
    invoices: list[int] = field(default_factory=list)
    payments: list[int] = field(default_factory=list)
    purchase_orders: list[int] = field(default_factory=list)
    zero_invoice_id: int | None = None
    refund_invoice_id: int | None = None
    draft_invoice_id: int | None = None
    partial_invoice_id: int | None = None
    split_payment_id: int | None = None
    overpayment_id: int | None = None
    prepayment_id: int | None = None
    manual_credit_payment_id: int | None = None
    credit_applied_invoice_id: int | None = None
    finished_po_id: int | None = None
    partial_po_id: int | None = None


def seed_sample(
    store: SyncroStore,
    customers: int = 40,
    invoices: int = 120,
    payments: int = 80,
    products: int = 20,
    vendors: int = 5,
    purchase_orders: int = 8,
    *,
    days: int = 180,
    seed: int = 7,
) -> SeedSummary:
    """Fill ``store`` with ``days`` of history ending at the store's now.

    ``payments`` is roughly how many the random history holds; the notable cases in
    :class:`SeedSummary` are added on top, whatever the sizes (``customers >= 2``).
    """
    return _Seeder(store, random.Random(seed), days).run(customers, invoices, payments, products, vendors, purchase_orders)


class _Seeder:
    def __init__(self, store: SyncroStore, rng: random.Random, days: int) -> None:
        self.store = store
        self.rng = rng
        self.end = store.now()
        self.start = self.end - timedelta(days=days)
        self.summary = SeedSummary()
        self.pending: list[tuple[datetime, int, str, int]] = []  # (when, order, pattern, invoice id)
        self.exempt_rate = next((r.id for r in store.tax_rates.values() if r.percent == 0), None)

    def at(self, fraction: float) -> datetime:
        """The instant ``fraction`` of the way through the history (whole seconds)."""
        return (self.start + (self.end - self.start) * fraction).replace(microsecond=0)

    def run(self, customers: int, invoices: int, payments: int, products: int, vendors: int, pos: int) -> SeedSummary:
        if customers < 2:
            raise ValueError("seed_sample needs at least two customers")
        with self.store.at(self.at(0.0)):
            categories = self.categories()
            self.summary.vendors = [self.vendor(i).id for i in range(vendors)]
            self.summary.products = [self.product(i, categories).id for i in range(products)]
        for i in range(customers):
            with self.store.at(self.at(0.02 + 0.1 * i / customers)):
                self.summary.customers.append(self.customer(i).id)
        self.history(invoices, payments)
        self.purchasing(pos)
        self.special_cases()
        return self.summary

    # -- catalogue and people -----------------------------------------------------------------
    def categories(self) -> dict[tuple[str, ...], int]:
        ids: dict[tuple[str, ...], int] = {}
        for *_, path, _c, _r, _s, _t in CATALOGUE:
            for depth in range(1, len(path) + 1):
                key = path[:depth]
                if key not in ids:
                    ids[key] = self.store.add_category(key[-1], parent_id=ids.get(key[:-1])).id
        return ids

    def vendor(self, i: int) -> Vendor:
        name, short = VENDORS[i % len(VENDORS)]
        name = name if i < len(VENDORS) else f"{name} {i // len(VENDORS) + 1}"
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        return self.store.add_vendor(
            name, rep_first_name=first, rep_last_name=last, email=f"sales@{short.lower()}.example",
            phone=f"800-555-{1000 + i:04d}", account_number=f"C-{1001 + i}", website=f"www.{short.lower()}.example",
        )

    def product(self, i: int, categories: dict[tuple[str, ...], int]) -> Product:
        name, description, path, cost, retail, stocked, taxable = CATALOGUE[i % len(CATALOGUE)]
        if i >= len(CATALOGUE):
            name = f"{name} (v{i // len(CATALOGUE) + 1})"
        product = self.store.add_product(
            name, description=description, price_cost=cost, price_retail=retail, maintain_stock=stocked,
            quantity=self.rng.randrange(2, 30) if stocked else 0, taxable=taxable, category_ids=[categories[path]],
            upc_code=f"0{884116385000 + i}" if stocked else None, reorder_at=2 if stocked else None,
        )
        if stocked and self.summary.vendors:
            self.store.add_product_sku(product.id, self.rng.choice(self.summary.vendors), f"SKU-{product.id % 100000}")
        return product

    def customer(self, i: int) -> Customer:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        town, state, zip3 = self.rng.choice(TOWNS)
        address = {"address": f"{self.rng.randrange(1, 999)} {self.rng.choice(STREETS)}", "city": town,
                   "state": state, "zip": f"{zip3}{self.rng.randrange(10, 99)}"}
        phone = f"212-555-{self.rng.randrange(10000):04d}"
        if i % 4 == 3:  # an individual
            return self.store.add_customer(
                firstname=first, lastname=last, email=f"{first}.{last}@mail.example".lower().replace("'", ""),
                phone=phone, **address,
            )
        kind = self.rng.choice(KIND)
        business = f"{TRADE[i % len(TRADE)]} {kind} {self.rng.choice(SUFFIX)}"
        if i >= len(TRADE):
            business = f"{TRADE[i % len(TRADE)]} {kind} {i // len(TRADE) + 1} {self.rng.choice(SUFFIX)}"
        domain = business.split()[0].lower() + str(i) + ".example"
        customer = self.store.add_customer(
            business_name=business, firstname=first, lastname=last, email=f"accounts@{domain}", phone=phone,
            tax_rate_id=self.exempt_rate if kind == "Nonprofit" else None, invoice_term_id=30, properties={"Account #": f"A{i:04d}"},
            **address,
        )
        for n in range(self.rng.randrange(1, 4)):
            cfirst, clast = (first, last) if n == 0 else (self.rng.choice(FIRST), self.rng.choice(LAST))
            self.store.add_contact(
                customer.id, f"{cfirst} {clast}", email=f"{cfirst}.{clast}@{domain}".lower().replace("'", ""),
                phone=phone, title=("Office Manager", "Owner", "Bookkeeper")[n % 3],
            )
        return customer

    # -- invoices and payments ----------------------------------------------------------------
    def lines(self) -> list[dict[str, object]]:
        chosen = self.rng.sample(self.summary.products, k=min(len(self.summary.products), self.rng.randrange(1, 4)))
        lines: list[dict[str, object]] = []
        for product_id in chosen:
            product = self.store.products[product_id]
            if product.maintain_stock:
                quantity = 1 if product.quantity > 1 else 0
            else:
                quantity = self.rng.choice((1, 2, 3, 5, 10, 12)) if product.taxable else self.rng.choice((1, 1.5, 2, 3.25))
            if quantity:
                lines.append({"product_id": product_id, "quantity": quantity})
        if not lines or self.rng.random() < 0.4:
            lines.append({"item": "Labour", "name": "Troubleshooting and fixes", "taxable": False,
                          "quantity": self.rng.choice((0.5, 1, 1.5, 2)), "price": "125.00"})
        return lines

    def history(self, count: int, payments: int) -> None:
        budget = payments
        for k in range(count):
            when = self.at(0.15 + 0.8 * k / max(1, count))
            self.run_due(when)
            customer_id = self.rng.choice(self.summary.customers)
            with self.store.at(when):
                day = self.store.today()
                invoice = self.store.add_invoice(customer_id, self.lines(), date=day,
                                                 due_date=day + timedelta(days=self.rng.choice((0, 14, 30))))
            self.summary.invoices.append(invoice.id)
            pattern = self.rng.choices(("full", "partial", "split", "over", "unpaid"), (50, 15, 10, 8, 17))[0]
            if pattern != "unpaid" and budget > 0:
                budget -= 2 if pattern == "partial" else 1
                heapq.heappush(self.pending, (when + timedelta(days=self.rng.randrange(1, 20)), k, pattern, invoice.id))
        self.run_due(self.end - timedelta(hours=1))

    def run_due(self, until: datetime) -> None:
        while self.pending and self.pending[0][0] <= until:
            when, order, pattern, invoice_id = heapq.heappop(self.pending)
            with self.store.at(when):
                self.pay(pattern, self.store.invoices[invoice_id], when, order)

    def pay(self, pattern: str, invoice: Invoice, when: datetime, order: int) -> None:
        store, method = self.store, self.rng.choice(METHODS)
        balance = store.totals(invoice).balance_due
        if balance <= 0:
            return
        ref = f"{method[:3].upper()}-{10000 + order}"
        if pattern == "partial":
            part = (balance / 2).quantize(Decimal("0.01"))
            payment = store.add_payment(invoice.customer_id, part, invoice_id=invoice.id, method=method, ref_num=ref)
            heapq.heappush(self.pending, (when + timedelta(days=10), order, "full", invoice.id))
        elif pattern == "split":
            others = [i for i in store.invoices.values() if i.customer_id == invoice.customer_id and i.id != invoice.id
                      and store.totals(i).balance_due > 0 and i.status == "published"]
            applied = {invoice.id: balance, **{i.id: store.totals(i).balance_due for i in others[:1]}}
            payment = store.add_payment(invoice.customer_id, sum(applied.values()), applied=applied, method=method, ref_num=ref)
        elif pattern == "over":
            payment = store.add_payment(invoice.customer_id, balance + 50, invoice_id=invoice.id, method=method, ref_num=ref)
        else:
            payment = store.add_payment(invoice.customer_id, balance, invoice_id=invoice.id, method=method, ref_num=ref)
        self.summary.payments.append(payment.id)

    # -- purchasing ---------------------------------------------------------------------------
    def purchasing(self, count: int) -> None:
        stocked = [p for p in self.summary.products if self.store.products[p].maintain_stock]
        if not stocked or not self.summary.vendors:
            return
        for k in range(count):
            with self.store.at(self.at(0.2 + 0.75 * k / max(1, count))):
                po = self.store.add_purchase_order(
                    self.rng.choice(self.summary.vendors),
                    [{"product_id": p, "quantity": self.rng.randrange(2, 8)} for p in self.rng.sample(stocked, k=min(2, len(stocked)))],
                    shipping=self.rng.choice(("0", "15", "25", "39.95")), shipping_notes="Leave at reception",
                    expected_date=self.store.now() + timedelta(days=5), due_date=self.store.today() + timedelta(days=30),
                )
            self.summary.purchase_orders.append(po.id)
            stage = k % 3
            with self.store.at(self.at(0.25 + 0.75 * k / max(1, count))):
                if stage == 0:
                    for line in po.line_items:
                        self.store.receive_po_line(po.id, line.id)
                    self.store.finish_po(po.id)
                    self.summary.finished_po_id = po.id
                elif stage == 1:
                    self.store.receive_po_line(po.id, po.line_items[0].id, 1)
                    self.summary.partial_po_id = po.id

    # -- the cases a sync must get right ------------------------------------------------------
    def special_cases(self) -> None:
        store, summary = self.store, self.summary
        first, second = summary.customers[0], summary.customers[1]
        with store.at(self.end - timedelta(hours=6)):
            zero = store.add_invoice(first, [{"item": "Warranty replacement", "name": "Replaced under warranty",
                                              "quantity": 1, "price": "0"}])
            zero_payment = store.add_payment(first, 0, invoice_id=zero.id, method="Quick")
            summary.zero_invoice_id = zero.id
            prepayment = store.add_payment(second, 300, method="Check", ref_num="PREPAY-1")
            summary.prepayment_id = prepayment.id
            credit = store.add_store_credit(first, 40, ref_num="Goodwill credit")
            summary.manual_credit_payment_id = credit.id if credit else None
            summary.payments += [zero_payment.id, prepayment.id] + ([credit.id] if credit else [])
        with store.at(self.end - timedelta(hours=4)):
            paid = store.add_invoice(first, [
                {"item": "Managed Services - Per Seat", "name": "Managed IT, 5 seats", "quantity": 5, "price": "65.00", "taxable": False},
                {"item": "M365 Business Basic", "name": "Microsoft 365 Business Basic", "quantity": 5, "price": "8.50"},
            ])
            summary.payments.append(
                store.add_payment(first, store.totals(paid).total, invoice_id=paid.id, method="Credit Card").id
            )
            refunded = {"item": "M365 Business Basic", "name": "Microsoft 365 Business Basic", "quantity": 2, "price": "8.50"}
            refund = store.refund_invoice(paid.id, [refunded], payout="cash", method="Credit Card")
            summary.refund_invoice_id = refund.id
            summary.invoices += [zero.id, paid.id, refund.id]
            summary.payments += list(store.applied_to(refund.id))
        with store.at(self.end - timedelta(hours=3)):
            self.payment_cases(first, second)
        with store.at(self.end - timedelta(hours=2)):
            later = store.add_invoice(second, [{"item": "Onsite Support Hour", "name": "Printer setup", "quantity": 2,
                                                "price": "150.00", "taxable": False}])
            carriers = store.apply_store_credit(
                second, later.id, min(store.totals(later).total, store.store_credit_balance(second))
            )
            summary.payments += [p.id for p in carriers if p.id not in summary.payments]
            summary.credit_applied_invoice_id = later.id
            summary.invoices.append(later.id)
            if store.account.draft_invoices:
                draft = store.add_invoice(second, [{"item": "Quote-ready work", "name": "Network refresh, phase 1",
                                                    "quantity": 1, "price": "1200.00"}], draft=True)
                summary.draft_invoice_id = draft.id
                summary.invoices.append(draft.id)

    def payment_cases(self, first: int, second: int) -> None:
        """One partial, one split and one overpayment whatever the random history holds."""
        store, summary = self.store, self.summary
        labour = {"item": "Remote Support Hour", "name": "Remote support", "quantity": 2, "price": "125.00", "taxable": False}
        licence = {"item": "M365 Business Premium", "name": "Microsoft 365 Business Premium", "quantity": 4, "price": "28.50"}
        partial, over = store.add_invoice(first, [labour, licence]), store.add_invoice(first, [labour])
        split_a, split_b = store.add_invoice(second, [licence]), store.add_invoice(second, [labour, licence])
        summary.invoices += [partial.id, over.id, split_a.id, split_b.id]
        half = store.add_payment(first, "100.00", invoice_id=partial.id, method="Check", ref_num="CHK-2201")
        extra = store.add_payment(first, store.totals(over).total + 25, invoice_id=over.id, method="Cash")
        both = {split_a.id: store.totals(split_a).total, split_b.id: store.totals(split_b).total}
        split = store.add_payment(second, sum(both.values()), applied=both, method="Offline CC", ref_num="EFT-88231")
        summary.payments += [half.id, extra.id, split.id]
        summary.partial_invoice_id, summary.overpayment_id, summary.split_payment_id = partial.id, extra.id, split.id
