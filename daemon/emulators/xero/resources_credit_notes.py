"""CreditNotes: ACCRECCREDIT (customer credit) and ACCPAYCREDIT (supplier credit).

The same line, total, status and lock machinery as invoices. RemainingCredit is the Total less
allocations (``PUT /CreditNotes/{id}/Allocations``, :mod:`.allocations`) and refunds (payments with
a CreditNote target); an AUTHORISED credit note turns PAID when nothing remains. Posted lines move
tracked stock: ACCRECCREDIT returns it, ACCPAYCREDIT sends it back to the supplier.
"""

from __future__ import annotations

from . import fields as F
from .allocations import allocation_routes, remaining_credit, shown_allocations
from .documents import CONTACT_REF, DOCUMENT_STATUSES, Document, Kind, listed
from .fields import Schema
from .ledger import LEDGER, payment_brief, payments_to, settled_status
from .lines import AMOUNT_TYPES, LINE_ITEM
from .resource import GET, LIST, POST, POST_ONE, PUT, Call, Resource, Route, Unique
from .store import Org

CREDIT_NOTE = Schema(
    "CreditNote",
    {
        "Type": F.choice("ACCPAYCREDIT", "ACCRECCREDIT"),
        "Contact": F.obj(CONTACT_REF),
        "Date": F.day(),
        "DueDate": F.day(),
        "Status": F.choice(*DOCUMENT_STATUSES),
        "LineAmountTypes": F.choice(*AMOUNT_TYPES),
        "LineItems": F.objs(LINE_ITEM),
        "SubTotal": F.money(read_only=True),
        "TotalTax": F.money(read_only=True),
        "Total": F.money(read_only=True),
        "TotalDiscount": F.money(read_only=True),
        "UpdatedDateUTC": F.stamp(read_only=True),
        "CurrencyCode": F.text(3),
        "FullyPaidOnDate": F.day(read_only=True),
        "CreditNoteID": F.guid(),
        "CreditNoteNumber": F.text(255),
        "Reference": F.text(),
        "SentToContact": F.flag(read_only=True),
        "CurrencyRate": F.money(),
        "RemainingCredit": F.money(read_only=True),
        "Allocations": listed("Allocation"),
        "AppliedAmount": F.money(read_only=True),
        "Payments": listed("Payment"),
        "BrandingThemeID": F.guid(),
        "StatusAttributeString": F.text(read_only=True),
        "HasAttachments": F.flag(read_only=True),
        "HasErrors": F.flag(read_only=True),
    },
)


class CreditNotes(Document):
    plural = "CreditNotes"
    singular = "CreditNote"
    id_field = "CreditNoteID"
    schema = CREDIT_NOTE
    operations = frozenset({LIST, GET, PUT, POST, POST_ONE})
    summarize_errors_on = frozenset({PUT, POST})
    paged = True
    alt_key = "CreditNoteNumber"
    # UNKNOWN ([Inf]): the wording of these three messages is the emulator's own.
    required = {"Type": "Credit Note Type must be specified."}
    unique = (Unique("CreditNoteNumber", "Credit Note # must be unique.",
                     lambda other, mine, config: other.get("Type") == mine.get("Type") == "ACCRECCREDIT"),)
    negative_message = "Credit Note total cannot be negative."
    error_flag = "HasErrors"
    kinds = {"ACCRECCREDIT": Kind(sales=True, prefix="CN-", unique=True), "ACCPAYCREDIT": Kind(sales=False)}
    number_field = "CreditNoteNumber"
    missing_message = "An existing Credit Note with the specified CreditNoteID could not be found"  # [C-spec]
    tracks_stock = True

    def defaults(self, call: Call) -> dict:
        return {**super().defaults(call), "SentToContact": False, "HasErrors": False, "Allocations": []}

    def settled(self, org: Org, record: dict) -> bool:
        return record.get("Status") in LEDGER and record["RemainingCredit"] < record["Total"]

    def derive(self, call: Call, record: dict) -> None:
        record["RemainingCredit"], dates = remaining_credit(call.org, record, "CreditNoteID", "CreditNote")
        settled_status(call.org, record, record["RemainingCredit"], dates)

    def render(self, call: Call, record: dict) -> dict:
        shown = super().render(call, record)
        shown["Allocations"] = shown_allocations(call.org, record)
        shown["Payments"] = [payment_brief(p) for p in payments_to(call.org, "CreditNote", record["CreditNoteID"])]
        return shown

    def extra_routes(self) -> list[Route]:
        return allocation_routes(self)


CREDIT_NOTE_RESOURCES: tuple[Resource, ...] = (CreditNotes(),)
