"""Invoices: ACCREC sales invoices and ACCPAY bills.

PUT (create) and POST (create or update, matched by InvoiceID, else an ACCREC InvoiceNumber) with
summarizeErrors, unitdp and allowBackorders; POST /Invoices/{id}; paged GET with Xero's filters;
GET by InvoiceID or InvoiceNumber. Lines and totals come from :mod:`.lines`; AmountPaid and
AmountCredited are recomputed from payments and allocations, and an AUTHORISED invoice turns PAID
when its AmountDue reaches zero. Posted ACCREC/ACCPAY lines move tracked stock (:mod:`.inventory`).
"""

from __future__ import annotations

from . import fields as F
from .documents import CONTACT_REF, DOCUMENT_STATUSES, Document, Kind, listed
from .fields import Schema
from .ledger import (
    LEDGER,
    allocations_to,
    mark_contact,
    payment_brief,
    payments_to,
    settled_status,
    total,
)
from .lines import AMOUNT_TYPES, LINE_ITEM
from .resource import GET, LIST, POST, POST_ONE, PUT, Call, Reply, Resource, Unique
from .store import Org

INVOICE = Schema(
    "Invoice",
    {
        "Type": F.choice("ACCREC", "ACCPAY"),
        "Contact": F.obj(CONTACT_REF),
        "LineItems": F.objs(LINE_ITEM),
        "Date": F.day(),
        "DueDate": F.day(),
        "LineAmountTypes": F.choice(*AMOUNT_TYPES),
        "InvoiceNumber": F.text(255),
        "Reference": F.text(),
        "BrandingThemeID": F.guid(),
        "Url": F.text(),
        "CurrencyCode": F.text(3),
        "CurrencyRate": F.money(),
        "Status": F.choice(*DOCUMENT_STATUSES),
        "SentToContact": F.flag(),
        "ExpectedPaymentDate": F.day(),
        "PlannedPaymentDate": F.day(),
        "SubTotal": F.money(read_only=True),
        "TotalTax": F.money(read_only=True),
        "Total": F.money(read_only=True),
        "TotalDiscount": F.money(read_only=True),
        "InvoiceID": F.guid(),
        "HasAttachments": F.flag(read_only=True),
        "IsDiscounted": F.flag(read_only=True),
        "Payments": listed("Payment"),
        "Prepayments": listed("Prepayment"),
        "Overpayments": listed("Overpayment"),
        "AmountDue": F.money(read_only=True),
        "AmountPaid": F.money(read_only=True),
        "FullyPaidOnDate": F.day(read_only=True),
        "AmountCredited": F.money(read_only=True),
        "UpdatedDateUTC": F.stamp(read_only=True),
        "CreditNotes": listed("CreditNote"),
        "HasErrors": F.flag(read_only=True),
        "StatusAttributeString": F.text(read_only=True),
    },
)


class Invoices(Document):
    plural = "Invoices"
    singular = "Invoice"
    id_field = "InvoiceID"
    schema = INVOICE
    operations = frozenset({LIST, GET, PUT, POST, POST_ONE})
    summarize_errors_on = frozenset({PUT, POST})
    paged = True
    alt_key = "InvoiceNumber"
    # UNKNOWN (xero-api.md §1.1): includeArchived and createdByMyApp change nothing here.
    list_filters = {"IDs": "InvoiceID", "InvoiceNumbers": "InvoiceNumber", "ContactIDs": "Contact.ContactID",
                    "Statuses": "Status"}
    search_fields = ("InvoiceNumber", "Reference")
    # UNKNOWN (xero-api.md §1.3): which fields summaryOnly leaves out; these are the nested ones.
    summary_omits = ("LineItems", "Payments", "Prepayments", "Overpayments", "CreditNotes")
    # UNKNOWN ([Inf]): the wording of the missing-Type message is the emulator's own.
    required = {"Type": "Invoice Type must be specified."}
    # [C-spec example] numbers are unique among ACCREC invoices only (xero-api.md §1.2 [C-doc]).
    unique = (Unique("InvoiceNumber", "Invoice # must be unique.",
                     lambda other, mine, config: other.get("Type") == mine.get("Type") == "ACCREC"),)
    error_flag = "HasErrors"
    kinds = {"ACCREC": Kind(sales=True, prefix="INV-", unique=True, discounts=True), "ACCPAY": Kind(sales=False)}
    number_field = "InvoiceNumber"
    status_message = "Invoice not of valid status for modification"  # [S: Xero staff, Xero-NetStandard#79]
    # UNKNOWN ([Inf]): modelled on the spec's credit-note message.
    missing_message = "An existing Invoice with the specified InvoiceID could not be found"
    # UNKNOWN ([Inf]): credit notes exist for negative totals; the wording is the emulator's own.
    negative_message = "Invoice total cannot be negative."
    tracks_stock = True

    def defaults(self, call: Call) -> dict:
        return {**super().defaults(call), "SentToContact": False, "IsDiscounted": False, "HasErrors": False}

    def settled(self, org: Org, record: dict) -> bool:
        return record.get("AmountPaid", 0) + record.get("AmountCredited", 0) > 0

    def rules(self, call: Call, record: dict, existing: dict | None) -> list[str]:
        messages = []
        if record["Status"] in LEDGER and not record.get("DueDate") and call.config.due_date_required_to_authorise:
            # UNKNOWN ([Inf]): rule and wording; switch: XeroConfig.due_date_required_to_authorise.
            messages.append("Due Date is required for an approved invoice.")
        if record.get("SentToContact") and not (existing or {}).get("SentToContact") and record["Status"] not in LEDGER:
            # UNKNOWN ([Inf] from the spec's purchase-order message and the SentToContact description).
            messages.append("Only AUTHORISED and PAID invoices may have SentToContact updated.")
        return messages

    def build(self, call: Call, values: dict, existing: dict | None) -> dict:
        record = super().build(call, values, existing)
        # [C-spec Contact.IsCustomer/IsSupplier] set once an AR or AP invoice exists.
        mark_contact(call.org, record["Contact"]["ContactID"], "IsCustomer" if record["Type"] == "ACCREC" else "IsSupplier")
        return record

    def derive(self, call: Call, record: dict) -> None:
        payments = payments_to(call.org, "Invoice", record["InvoiceID"])
        credits = allocations_to(call.org, record["InvoiceID"])
        paid = total(p["Amount"] for p in payments)
        credited = total(a["Amount"] for _, _, a in credits)
        record.update(
            AmountPaid=paid,
            AmountCredited=credited,
            AmountDue=record["Total"] - paid - credited,
            IsDiscounted=any(line.get("DiscountRate") or line.get("DiscountAmount") for line in record["LineItems"]),
        )
        dates = [p["Date"] for p in payments] + [a["Date"] for _, _, a in credits]
        settled_status(call.org, record, record["AmountDue"], dates)

    def render(self, call: Call, record: dict) -> dict:
        shown = super().render(call, record)
        credits = allocations_to(call.org, record["InvoiceID"])
        shown["Payments"] = [payment_brief(p) for p in payments_to(call.org, "Invoice", record["InvoiceID"])]
        shown["CreditNotes"] = [
            {"CreditNoteID": s["CreditNoteID"], "CreditNoteNumber": s.get("CreditNoteNumber", ""),
             "Date": a["Date"], "Total": s["Total"], "AppliedAmount": a["Amount"]}
            for plural, s, a in credits if plural == "CreditNotes"
        ]
        for plural, id_field in (("Overpayments", "OverpaymentID"), ("Prepayments", "PrepaymentID")):
            shown[plural] = [{id_field: s[id_field], "Date": a["Date"], "Total": s["Total"], "AppliedAmount": a["Amount"]}
                             for kind, s, a in credits if kind == plural]
        return shown

    def list_records(self, call: Call) -> Reply:
        reply = super().list_records(call)
        if "pagination" not in reply.body:
            # [S] N2, [C-doc] retrieving-data: an unpaged multi-invoice GET leaves line details out.
            for invoice in reply.body[self.plural]:
                invoice.pop("LineItems", None)
        return reply


INVOICE_RESOURCES: tuple[Resource, ...] = (Invoices(),)
