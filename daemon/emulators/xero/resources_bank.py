"""BankTransactions, and the Overpayments and Prepayments some of them create.

Spend and receive money through a BANK account. A ``RECEIVE-OVERPAYMENT`` / ``SPEND-OVERPAYMENT``
or ``…-PREPAYMENT`` transaction also opens an Overpayment or Prepayment with the same id
([S] xero-php#889: the overpayment's id is its bank transaction's id) whose RemainingCredit is
then allocated to invoices (``PUT /Overpayments/{id}/Allocations``) or refunded (a payment with an
Overpayment target). An overpayment has a single line, coded to the AR/AP control account, without
tax, and cannot be edited after creation (xero-api.md §1.5 [S] databuzz); a prepayment's lines are
coded like any receive or spend money. Deleting the transaction voids its overpayment.
"""

from __future__ import annotations

from typing import ClassVar

from . import fields as F
from .allocations import allocation_routes, remaining_credit, shown_allocations
from .documents import (
    ACCOUNT_REF,
    CONTACT_REF,
    Document,
    Kind,
    account_ref,
    contact_view,
    find_account,
)
from .fields import Schema
from .ledger import SOURCE_ID, payment_brief, payments_to, settled_status
from .lines import AMOUNT_TYPES, LINE_ITEM, LineRules, show_lines
from .resource import GET, LIST, POST, POST_ONE, PUT, Call, Resource, Route
from .store import Org

SPENDING = ("SPEND", "SPEND-OVERPAYMENT", "SPEND-PREPAYMENT")
RECEIVING = ("RECEIVE", "RECEIVE-OVERPAYMENT", "RECEIVE-PREPAYMENT")
TRANSFERS = ("RECEIVE-TRANSFER", "SPEND-TRANSFER")
CREDIT_OF = {t: "Overpayments" for t in ("RECEIVE-OVERPAYMENT", "SPEND-OVERPAYMENT")} | {
    t: "Prepayments" for t in ("RECEIVE-PREPAYMENT", "SPEND-PREPAYMENT")}

BANK_TRANSACTION = Schema(
    "BankTransaction",
    {
        "Type": F.choice(*RECEIVING, *SPENDING, *TRANSFERS),
        "Contact": F.obj(CONTACT_REF),
        "LineItems": F.objs(LINE_ITEM),
        "BankAccount": F.obj(ACCOUNT_REF),
        "IsReconciled": F.flag(),
        "Date": F.day(),
        "Reference": F.text(),
        "CurrencyCode": F.text(3),
        "CurrencyRate": F.money(),
        "Url": F.text(),
        "Status": F.choice("AUTHORISED", "DELETED", "VOIDED"),
        "LineAmountTypes": F.choice(*AMOUNT_TYPES),
        "SubTotal": F.money(read_only=True),
        "TotalTax": F.money(read_only=True),
        "Total": F.money(read_only=True),
        "BankTransactionID": F.guid(),
        "PrepaymentID": F.guid(read_only=True),
        "OverpaymentID": F.guid(read_only=True),
        "UpdatedDateUTC": F.stamp(read_only=True),
        "HasAttachments": F.flag(read_only=True),
        "StatusAttributeString": F.text(read_only=True),
    },
)


class BankTransactions(Document):
    plural = "BankTransactions"
    singular = "BankTransaction"
    id_field = "BankTransactionID"
    schema = BANK_TRANSACTION
    operations = frozenset({LIST, GET, PUT, POST, POST_ONE})
    summarize_errors_on = frozenset({PUT, POST})
    paged = True
    kinds = {t: Kind(sales=t in RECEIVING) for t in (*RECEIVING, *SPENDING)}
    moves = {None: frozenset({"AUTHORISED"}), "AUTHORISED": frozenset({"AUTHORISED", "DELETED"})}
    # UNKNOWN ([Inf]): the wording of every message in this class is the emulator's own.
    required = {"Type": "Bank transaction Type must be specified.",
                "BankAccount": "A BankAccount must be specified."}
    missing_message = "An existing Bank Transaction with the specified BankTransactionID could not be found"
    negative_message = "Bank transaction total cannot be negative."

    def defaults(self, call: Call) -> dict:
        return {**super().defaults(call), "Status": "AUTHORISED", "IsReconciled": False}

    def compose(self, call: Call, values: dict, existing: dict | None) -> tuple[dict, list[str], dict | None]:
        if existing is None and "OVERPAYMENT" in values.get("Type", ""):
            values = {**values, "LineAmountTypes": "NoTax"}  # no tax on overpayments
        return super().compose(call, values, existing)

    def line_rules(self, call: Call, record: dict, kind: Kind) -> LineRules:
        rules = super().line_rules(call, record, kind)
        if "OVERPAYMENT" not in record["Type"]:
            return rules
        system = "DEBTORS" if record["Type"] in RECEIVING else "CREDITORS"
        control = call.org.find("Accounts", SystemAccount=system)
        return LineRules(rules.sales, rules.unit_places, "NoTax", control_account=control["Code"] if control else None)

    def validate(self, call: Call, values: dict, existing: dict | None) -> list[str]:
        record = {**(existing or {}), **values}
        if record.get("Type") in TRANSFERS:
            return ["Transfers between bank accounts are made with BankTransfers."]
        if existing is not None and existing["Type"] in CREDIT_OF:
            composed, problems, _ = self.compose(call, values, existing)
            if problems or self.material({**composed, "Status": existing["Status"]}) != self.material(existing):
                return ["Overpayments and prepayments cannot be edited once created."]
        return super().validate(call, values, existing)

    def rules(self, call: Call, record: dict, existing: dict | None) -> list[str]:
        messages = []
        account = find_account(call.org, record.get("BankAccount"))
        if record.get("BankAccount") and (account is None or account["Type"] != "BANK" or account["Status"] != "ACTIVE"):
            messages.append("The BankAccount must be an active BANK account.")
        if "OVERPAYMENT" in record["Type"] and len(record["LineItems"]) != 1:
            messages.append("An overpayment must have exactly one line item.")
        return messages

    def settled(self, org: Org, record: dict) -> bool:
        plural = CREDIT_OF.get(record.get("Type", ""))
        credit = org.table(plural).get(record[self.id_field]) if plural else None
        return credit is not None and credit["RemainingCredit"] < credit["Total"]

    def build(self, call: Call, values: dict, existing: dict | None) -> dict:
        record = super().build(call, values, existing)
        account = find_account(call.org, record.get("BankAccount"))
        if account is not None:
            record["BankAccount"] = account_ref(account)
        # UNKNOWN (spec: Reference "only supported for SPEND and RECEIVE"): overpayments and
        # prepayments keep it unless XeroConfig.overpayment_reference_kept is off.
        if record["Type"] in CREDIT_OF and not call.config.overpayment_reference_kept:
            record.pop("Reference", None)
        return record

    def save(self, call: Call, values: dict, existing: dict | None, *, touch: bool = True) -> dict:
        record = super().save(call, values, existing, touch=touch)
        plural = CREDIT_OF.get(record["Type"])
        if plural is None:
            return record
        credits = call.table(plural)
        id_field = SOURCE_ID[plural]
        if existing is None:
            record = call.table(self.plural).put({**record, id_field: record[self.id_field]})
            credits.put(open_credit(call, plural, record))
        elif record["Status"] == "DELETED":
            credit = credits.get(record[self.id_field])
            credits.put({**credit, "Status": "VOIDED", "UpdatedDateUTC": call.now})
        return record


def open_credit(call: Call, plural: str, bank: dict) -> dict:
    """The Overpayment or Prepayment a new bank transaction opens."""
    id_field = SOURCE_ID[plural]
    keys = ("Type", "Contact", "Date", "LineAmountTypes", "LineItems", "SubTotal", "TotalTax", "Total",
            "CurrencyCode", "CurrencyRate", "Reference")
    credit = {id_field: bank["BankTransactionID"], **{k: bank[k] for k in keys if k in bank},
              "Status": "AUTHORISED", "Allocations": [], "HasAttachments": False, "UpdatedDateUTC": call.now}
    if plural == "Prepayments" and bank.get("Reference"):
        # UNKNOWN (spec: a prepayment's Reference "returns Invoice number field"): both are the
        # bank transaction's Reference.
        credit["InvoiceNumber"] = bank["Reference"]
    call.org.resources[plural].derive(call, credit)
    return credit


# -- Overpayments and Prepayments ----------------------------------------------------------------
def _credit_schema(name: str, types: tuple[str, ...], extra: dict[str, F.Field]) -> Schema:
    return Schema(
        name,
        {
            "Type": F.choice(*types),
            "Contact": F.obj(CONTACT_REF),
            "Date": F.day(),
            "Status": F.choice("AUTHORISED", "PAID", "VOIDED"),
            "LineAmountTypes": F.choice(*AMOUNT_TYPES),
            "LineItems": F.objs(LINE_ITEM),
            "SubTotal": F.money(),
            "TotalTax": F.money(),
            "Total": F.money(),
            "UpdatedDateUTC": F.stamp(),
            "CurrencyCode": F.text(3),
            f"{name}ID": F.guid(),
            "CurrencyRate": F.money(),
            "RemainingCredit": F.money(),
            "Allocations": F.objs(Schema("Allocation", {})),
            "Payments": F.objs(Schema("Payment", {})),
            "HasAttachments": F.flag(),
            **extra,
        },
    )


class CreditBalance(Resource):
    """Overpayments and Prepayments: read, allocate, refund; created by bank transactions."""

    field: ClassVar[str]  # "Overpayment": how payments and allocations name it
    operations = frozenset({LIST, GET})
    paged = True
    status_field = "Status"

    def derive(self, call: Call, record: dict) -> None:
        record["RemainingCredit"], dates = remaining_credit(call.org, record, self.id_field, self.field)
        settled_status(call.org, record, record["RemainingCredit"], dates)

    def render(self, call: Call, record: dict) -> dict:
        return {
            **record,
            "Contact": contact_view(call.org, record["Contact"]),
            "LineItems": show_lines(record["LineItems"], call.unit_places),
            "Allocations": shown_allocations(call.org, record),
            "Payments": [payment_brief(p) for p in payments_to(call.org, self.field, record[self.id_field])],
        }

    def extra_routes(self) -> list[Route]:
        return allocation_routes(self)


class Overpayments(CreditBalance):
    plural = "Overpayments"
    singular = "Overpayment"
    id_field = "OverpaymentID"
    field = "Overpayment"
    schema = _credit_schema("Overpayment", ("RECEIVE-OVERPAYMENT", "SPEND-OVERPAYMENT"), {"Reference": F.text()})
    list_filters = {"References": "Reference"}


class Prepayments(CreditBalance):
    plural = "Prepayments"
    singular = "Prepayment"
    id_field = "PrepaymentID"
    field = "Prepayment"
    schema = _credit_schema("Prepayment", ("RECEIVE-PREPAYMENT", "SPEND-PREPAYMENT"),
                            {"Reference": F.text(), "InvoiceNumber": F.text()})
    list_filters = {"InvoiceNumbers": "InvoiceNumber"}


BANK_RESOURCES: tuple[Resource, ...] = (BankTransactions(), Overpayments(), Prepayments())
