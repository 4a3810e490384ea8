"""Money that moves between documents: payments, allocations, lock dates and contact balances.

Payments and allocations are the only sources of truth; every settled amount is recomputed from
them by the owning resource's ``derive`` (:func:`settle`), so deleting a payment or an allocation
needs no bookkeeping of its own. Allocations live on their source document (a credit note,
overpayment or prepayment) as ``{AllocationID, Amount, Date, Invoice: {InvoiceID, …}}``.

A contact's balances (xero-api.md §1.2, Balances [C-spec]) are, per side (AR: ACCREC, ACCRECCREDIT,
RECEIVE-OVERPAYMENT/PREPAYMENT; AP: ACCPAY, ACCPAYCREDIT, SPEND-OVERPAYMENT/PREPAYMENT)::

    Outstanding = Σ AmountDue of AUTHORISED invoices − Σ RemainingCredit of AUTHORISED credit
                  notes, overpayments and prepayments
    Overdue     = Σ AmountDue of AUTHORISED invoices whose DueDate is before today
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Iterator

from .store import Org

ZERO = Decimal("0.00")
LEDGER = ("AUTHORISED", "PAID")  # statuses in which a document posts to the ledger
CREDIT_SOURCES = ("CreditNotes", "Overpayments", "Prepayments")
SOURCE_ID = {"CreditNotes": "CreditNoteID", "Overpayments": "OverpaymentID", "Prepayments": "PrepaymentID"}
_SIDES = {
    "AccountsReceivable": ("ACCREC", ("ACCRECCREDIT", "RECEIVE-OVERPAYMENT", "RECEIVE-PREPAYMENT")),
    "AccountsPayable": ("ACCPAY", ("ACCPAYCREDIT", "SPEND-OVERPAYMENT", "SPEND-PREPAYMENT")),
}


def records(org: Org, plural: str) -> list[dict]:
    """The records of a collection, or none when this emulator does not serve it."""
    return org.records(plural) if plural in org.resources else []


def total(values: Iterator[Decimal] | list[Decimal]) -> Decimal:
    return sum(values, ZERO)


# -- payments and allocations -----------------------------------------------------------------
def payments_to(org: Org, target: str, doc_id: str) -> list[dict]:
    """Live payments whose ``target`` ("Invoice", "CreditNote", …) is the document ``doc_id``."""
    key = doc_id.lower()
    return [
        p for p in records(org, "Payments")
        if p["Status"] == "AUTHORISED" and str((p.get(target) or {}).get(f"{target}ID", "")).lower() == key
    ]


def allocations_to(org: Org, invoice_id: str) -> list[tuple[str, dict, dict]]:
    """``(source plural, source, allocation)`` for every allocation applied to an invoice."""
    key = invoice_id.lower()
    return [
        (plural, source, allocation)
        for plural in CREDIT_SOURCES
        for source in records(org, plural)
        for allocation in source.get("Allocations", [])
        if allocation["Invoice"]["InvoiceID"].lower() == key
    ]


def settle(org: Org, plural: str, doc_id: str) -> None:
    """Recompute a document's settled amounts and status after a payment or allocation changed."""
    from .resource import Call

    table = org.table(plural)
    record = dict(table.get(doc_id) or {})
    if not record:
        return
    org.resources[plural].derive(Call(org, org.config, "POST"), record)
    record["UpdatedDateUTC"] = org.now()
    table.put(record)


def settled_status(org: Org, record: dict, outstanding: Decimal, paid_dates: list[date]) -> None:
    """AUTHORISED ↔ PAID as ``outstanding`` reaches zero; FullyPaidOnDate with it."""
    if record.get("Status") in LEDGER:
        # UNKNOWN ([Inf]): a 0.00 document is settled at once; switch: XeroConfig.zero_total_becomes_paid.
        done = outstanding == 0 and (record.get("Total", ZERO) > 0 or org.config.zero_total_becomes_paid)
        record["Status"] = "PAID" if done else "AUTHORISED"
    if record.get("Status") == "PAID":
        record["FullyPaidOnDate"] = max(paid_dates, default=record.get("Date"))
    else:
        record.pop("FullyPaidOnDate", None)


def payment_brief(payment: dict) -> dict:
    """A payment as documents list it (the spec's examples)."""
    brief = {k: payment[k] for k in ("PaymentID", "Date", "Amount", "Reference", "CurrencyRate") if k in payment}
    return {**brief, "HasAccount": False, "HasValidationErrors": False}


# -- lock dates -------------------------------------------------------------------------------
def lock_error(org: Org, day: date | None) -> str | None:
    """Xero's message when ``day`` falls in a locked period ([S] N1; wording xeroizer#92)."""
    if day is None:
        return None
    for field, label in (("EndOfYearLockDate", "end of year lock date"), ("PeriodLockDate", "period lock date")):
        lock = org.organisation.get(field)
        # UNKNOWN ([Inf]): the lock date itself is locked ("on and before"); switch:
        # XeroConfig.lock_date_inclusive.
        if lock is not None and (day <= lock if org.config.lock_date_inclusive else day < lock):
            return f"The document date cannot be before the {label}, currently set at {lock:%d-%b-%Y}"
    return None


# -- contacts ---------------------------------------------------------------------------------
def contact_balances(org: Org, contact_id: str) -> dict:
    """``Balances`` of a contact, by the formula in the module docstring."""
    key = contact_id.lower()
    today = org.now().date()

    def mine(record: dict) -> bool:
        return record.get("Status") == "AUTHORISED" and record["Contact"].get("ContactID", "").lower() == key

    invoices = [i for i in records(org, "Invoices") if mine(i)]
    credits = [c for plural in CREDIT_SOURCES for c in records(org, plural) if mine(c)]
    balances = {}
    for side, (invoice_type, credit_types) in _SIDES.items():
        owed = [i for i in invoices if i["Type"] == invoice_type]
        unallocated = total(c["RemainingCredit"] for c in credits if c["Type"] in credit_types)
        overdue = [i for i in owed if i.get("DueDate") is not None and i["DueDate"] < today]
        balances[side] = {
            "Outstanding": total(i["AmountDue"] for i in owed) - unallocated,
            "Overdue": total(i["AmountDue"] for i in overdue),
        }
    return balances


def mark_contact(org: Org, contact_id: str, flag: str) -> None:
    """Set IsCustomer/IsSupplier without bumping UpdatedDateUTC (xero-api.md §1.3 [S])."""
    table = org.table("Contacts")
    contact = table.get(contact_id)
    if contact is not None and not contact.get(flag):
        table.put({**contact, flag: True})
