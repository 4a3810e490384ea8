"""Payments and BatchPayments.

A payment applies money to exactly one document — an invoice, a credit note (a refund), an
overpayment or a prepayment (refunds of those) — through a BANK account or one with
EnablePaymentsToAccount (xero-api.md §1.2). Payments are created and deleted, never changed:
``POST /Payments/{id}`` with ``{"Status":"DELETED"}`` deletes one and its target is settled again.

A batch payment is one bank line paying several invoices ("split payments"): ``PUT /BatchPayments``
creates one payment per element of its Payments, each carrying the BatchPaymentID, all or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import fields as F
from .allocations import NO_SUCH_DOCUMENT, invoice_brief
from .documents import ACCOUNT_REF, CONTACT_REF, account_ref, contact_view, find_account
from .errors import not_found, validation_failed
from .fields import Schema
from .ledger import lock_error, settle
from .resource import (
    GET,
    LIST,
    POST,
    POST_ONE,
    PUT,
    Call,
    Reply,
    Resource,
    Route,
    envelope,
    round_money,
    run_batch,
)
from .store import Org, new_id


@dataclass(frozen=True)
class Target:
    """A kind of document a payment can pay."""

    field: str  # "Invoice"
    plural: str  # "Invoices"
    id_field: str  # "InvoiceID"
    number_field: str | None  # "InvoiceNumber": also accepted at the payment's top level

    def brief(self, org: Org, doc: dict) -> dict:
        """The target as a payment shows it."""
        if self.field == "Invoice":
            return {**invoice_brief(doc), "Contact": contact_view(org, doc["Contact"])}
        keys = (self.id_field, self.number_field or "", "Type", "Status", "RemainingCredit", "Total")
        return {**{k: doc[k] for k in keys if k in doc}, "Contact": contact_view(org, doc["Contact"])}


TARGETS = (
    Target("Invoice", "Invoices", "InvoiceID", "InvoiceNumber"),
    Target("CreditNote", "CreditNotes", "CreditNoteID", "CreditNoteNumber"),
    Target("Prepayment", "Prepayments", "PrepaymentID", None),
    Target("Overpayment", "Overpayments", "OverpaymentID", None),
)
PAYMENT_TYPES = {  # target Type -> PaymentType [C-spec enum]
    "ACCREC": "ACCRECPAYMENT", "ACCPAY": "ACCPAYPAYMENT", "ACCRECCREDIT": "ARCREDITPAYMENT",
    "ACCPAYCREDIT": "APCREDITPAYMENT", "RECEIVE-OVERPAYMENT": "AROVERPAYMENTPAYMENT",
    "SPEND-OVERPAYMENT": "APOVERPAYMENTPAYMENT", "RECEIVE-PREPAYMENT": "ARPREPAYMENTPAYMENT",
    "SPEND-PREPAYMENT": "APPREPAYMENTPAYMENT",
}


def _ref(target: Target) -> Schema:
    fields = {target.id_field: F.guid(), "Type": F.text(), "Contact": F.obj(CONTACT_REF)}
    if target.number_field:
        fields[target.number_field] = F.text()
    return Schema(target.field, fields)


PAYMENT = Schema(
    "Payment",
    {
        **{t.field: F.obj(_ref(t)) for t in TARGETS},
        "InvoiceNumber": F.text(),
        "CreditNoteNumber": F.text(),
        "Account": F.obj(ACCOUNT_REF),
        "Code": F.text(),
        "Date": F.day(),
        "CurrencyRate": F.money(),
        "Amount": F.money(),
        "BankAmount": F.money(),
        "Reference": F.text(),
        "IsReconciled": F.flag(),
        "Status": F.choice("AUTHORISED", "DELETED"),
        "PaymentType": F.choice(*PAYMENT_TYPES.values(), read_only=True),
        "UpdatedDateUTC": F.stamp(read_only=True),
        "PaymentID": F.guid(),
        "BatchPaymentID": F.guid(read_only=True),
        "BankAccountNumber": F.text(),
        "Particulars": F.text(),
        "Details": F.text(),
        "HasAccount": F.flag(read_only=True),
        "HasValidationErrors": F.flag(read_only=True),
        "StatusAttributeString": F.text(read_only=True),
    },
)
# [S: N2 quoting Xero] and [S: quicktill#133, a captured Xero answer]; [C-spec example].
NOT_MODIFIABLE = "Payments cannot be modified, only created and deleted"
NOT_POSITIVE = "Payment amounts must be positive amounts"
EXCEEDS = "Payment amount exceeds the amount outstanding on this document"


def payment_account_error(org: Org, ref: dict | None, code: str | None) -> tuple[dict | None, str | None]:
    """The account money moves through, or the message why it cannot."""
    account = find_account(org, ref, code)
    # UNKNOWN ([S] N2 for the rule): the wording of both messages is the emulator's own.
    if account is None or account.get("Status") != "ACTIVE":
        return None, "A valid Account (Code or AccountID) must be specified."
    if account["Type"] != "BANK" and not account.get("EnablePaymentsToAccount"):
        return None, f"Account '{account['Code']}' is not a bank account and does not accept payments."
    return account, None


class Payments(Resource):
    plural = "Payments"
    singular = "Payment"
    id_field = "PaymentID"
    schema = PAYMENT
    operations = frozenset({LIST, GET, PUT, POST, POST_ONE})
    summarize_errors_on = frozenset({PUT})
    paged = True
    status_field = "Status"
    error_flag = "HasValidationErrors"

    def upsert_records(self, call: Call) -> Reply:
        return self.write(call, PUT)  # POST /Payments creates one payment (xero-api.md §1.1)

    def target(self, call: Call, values: dict) -> tuple[Target | None, dict | None, list[str]]:
        """The one document the payment pays, or the message why not."""
        named = []
        for target in TARGETS:
            ref = values.get(target.field) or {}
            key = ref.get(target.id_field) or (ref.get(target.number_field) if target.number_field else None)
            if target.number_field:
                key = key or values.get(target.number_field)
            if key:
                named.append((target, key))
        if len(named) != 1:
            # UNKNOWN ([C-spec] "exactly one target"): the wording is the emulator's own.
            return None, None, ["A payment must be applied to one Invoice, CreditNote, Prepayment or Overpayment."]
        target, key = named[0]
        table = call.table(target.plural)
        doc = table.get(key) or (table.find(target.number_field, key) if target.number_field else None)
        return (target, doc, []) if doc is not None else (target, None, [NO_SUCH_DOCUMENT])

    def validate(self, call: Call, values: dict, existing: dict | None) -> list[str]:
        if existing is not None:
            return self.deletion_errors(call, values, existing)
        target, doc, messages = self.target(call, values)
        _, account_error = payment_account_error(call.org, values.get("Account"), values.get("Code"))
        messages += [account_error] if account_error else []
        amount = values.get("Amount")
        if amount is None or amount <= 0:
            messages.append(NOT_POSITIVE)
        if doc is not None and target is not None:
            if doc["Status"] not in ("AUTHORISED", "PAID"):
                # UNKNOWN ([S] N2 for the rule): the wording is the emulator's own.
                messages.append("Payments can only be made against AUTHORISED documents.")
            elif amount is not None and amount > doc["AmountDue" if target.field == "Invoice" else "RemainingCredit"]:
                messages.append(EXCEEDS)
        if locked := lock_error(call.org, values.get("Date", call.now.date())):
            messages.append(locked)
        return messages

    def deletion_errors(self, call: Call, values: dict, existing: dict) -> list[str]:
        if set(values) - {"PaymentID", "Status"} or values.get("Status") != "DELETED":
            return [NOT_MODIFIABLE]
        if existing.get("BatchPaymentID"):
            # UNKNOWN ([S] N2 for the rule): the wording is the emulator's own.
            return ["A payment that is part of a batch payment cannot be deleted on its own."]
        return [m for m in [lock_error(call.org, existing["Date"])] if m]

    def build(self, call: Call, values: dict, existing: dict | None) -> dict:
        if existing is not None:
            return {**existing, "Status": "DELETED"}
        target, doc, _ = self.target(call, values)
        assert target is not None and doc is not None
        account, _ = payment_account_error(call.org, values.get("Account"), values.get("Code"))
        assert account is not None
        amount = round_money(values["Amount"])
        snapshot = {target.id_field: doc[target.id_field], "Type": doc["Type"], "Contact": doc["Contact"]}
        if target.number_field:
            snapshot[target.number_field] = doc.get(target.number_field, "")
        record = {
            "Date": values.get("Date", call.now.date()),
            "Amount": amount,
            "BankAmount": amount,
            "CurrencyRate": Decimal("1.000000"),
            "Reference": values.get("Reference", ""),
            "IsReconciled": values.get("IsReconciled", False),
            "Status": "AUTHORISED",
            "PaymentType": PAYMENT_TYPES[doc["Type"]],
            "HasAccount": True,
            "HasValidationErrors": False,
            "Account": account_ref(account),
            target.field: snapshot,
        }
        keep = ("BatchPaymentID", "BankAccountNumber", "Particulars", "Details")
        return {**record, **{k: values[k] for k in keep if k in values}}

    def save(self, call: Call, values: dict, existing: dict | None, *, touch: bool = True) -> dict:
        record = super().save(call, values, existing, touch=touch)
        target = next(t for t in TARGETS if t.field in record)
        settle(call.org, target.plural, record[target.field][target.id_field])
        return record

    def render(self, call: Call, record: dict) -> dict:
        shown = dict(record)
        for target in TARGETS:
            if target.field in record:
                doc = call.table(target.plural).get(record[target.field][target.id_field])
                shown[target.field] = target.brief(call.org, doc) if doc else record[target.field]
        return shown


# -- BatchPayments ----------------------------------------------------------------------------------
DETAILS_MAX = 18
BATCH_PAYMENT = Schema(
    "BatchPayment",
    {
        "Account": F.obj(ACCOUNT_REF),
        "Reference": F.text(255),
        "Particulars": F.text(12),
        "Code": F.text(12),
        "Details": F.text(DETAILS_MAX),  # the spec's description: "Maximum field length = 18"
        "Narrative": F.text(18),
        "BatchPaymentID": F.guid(read_only=True),
        "Date": F.day(),
        "Payments": F.objs(PAYMENT),
        "Type": F.choice("PAYBATCH", "RECBATCH", read_only=True),
        "Status": F.choice("AUTHORISED", "DELETED", read_only=True),
        "TotalAmount": F.money(read_only=True),
        "UpdatedDateUTC": F.stamp(read_only=True),
        "IsReconciled": F.flag(read_only=True),
    },
)
_BATCH_TYPES = {"ACCRECPAYMENT": "RECBATCH", "ACCPAYPAYMENT": "PAYBATCH"}


class BatchPayments(Resource):
    plural = "BatchPayments"
    singular = "BatchPayment"
    id_field = "BatchPaymentID"
    schema = BATCH_PAYMENT
    operations = frozenset({LIST, GET, PUT})
    summarize_errors_on = frozenset({PUT})
    status_field = "Status"

    def create_records(self, call: Call) -> Reply:
        summarize = call.flag("summarizeErrors", True)
        elements = self.elements(call)
        if call.config.batch_details_beyond_18 == "truncate":
            elements = [{**e, "Details": e["Details"][:DETAILS_MAX]} if isinstance(e, dict) and isinstance(
                e.get("Details"), str) else e for e in elements]
        parsed = [self.schema.parse(raw, f"BatchPayments[{i}]") for i, raw in enumerate(elements)]

        def step(values: dict, problems: list[str]) -> tuple[bool, dict]:
            batch_id = new_id()
            with call.org.atomic():
                messages = list(problems) + self.payments(call, values, batch_id)
                if not messages:
                    return True, self.present(call, self.save(call, {**values, "BatchPaymentID": batch_id}, None))
                call.org.rollback()
            return False, self.failed(call, values, None, messages)

        return run_batch(call, self.plural, parsed, step, summarize)

    def payments(self, call: Call, values: dict, batch_id: str) -> list[str]:
        """Create the batch's payments, each linked to ``batch_id``; the problems found."""
        payments = call.resource("Payments")
        messages, types = [], set()
        # UNKNOWN ([Inf]): the wording of the three batch-level messages is the emulator's own.
        if not values.get("Payments"):
            messages.append("A batch payment must contain at least one payment.")
        for element in values.get("Payments", []):
            if not (element.get("Invoice") or element.get("InvoiceNumber")):
                messages.append("Batch payments can only pay invoices.")
                continue
            shared = {k: values[k] for k in ("Account", "Date", "Reference") if k in values}
            payment = {**shared, **element, "BatchPaymentID": batch_id}
            problems = payments.check(call, payment, None, [])
            if problems:
                messages += problems
                continue
            types.add(payments.save(call, payment, None)["PaymentType"])
        if not types <= set(_BATCH_TYPES):
            messages.append("Batch payments can only pay sales invoices or bills.")
        elif len(types) > 1:
            messages.append("A batch payment cannot pay both sales invoices and bills.")
        return messages

    def build(self, call: Call, values: dict, existing: dict | None) -> dict:
        payments = self.batch_payments(call.org, values["BatchPaymentID"])
        kept = ("BatchPaymentID", "Date", "Reference", "Particulars", "Code", "Details", "Narrative")
        return {
            **{k: values[k] for k in kept if k in values},
            "Account": payments[0]["Account"],
            "Date": values.get("Date", payments[0]["Date"]),
            "Type": _BATCH_TYPES[payments[0]["PaymentType"]],
            "Status": "AUTHORISED",
            "TotalAmount": sum((p["Amount"] for p in payments), Decimal("0.00")),
            "IsReconciled": False,
        }

    def render(self, call: Call, record: dict) -> dict:
        payments = call.resource("Payments")
        live = [p for p in self.batch_payments(call.org, record["BatchPaymentID"]) if p["Status"] == "AUTHORISED"]
        return {**record, "Payments": [payments.present(call, p) for p in live]}

    @staticmethod
    def batch_payments(org: Org, batch_id: str) -> list[dict]:
        return [p for p in org.records("Payments") if p.get("BatchPaymentID") == batch_id]

    # -- delete -------------------------------------------------------------------------------
    def extra_routes(self) -> list[Route]:
        return [Route("POST", "/BatchPayments", self.delete_by_body),
                Route("POST", "/BatchPayments/{BatchPaymentID}", self.delete_by_url)]

    def delete_by_body(self, call: Call) -> Reply:
        body = call.body if isinstance(call.body, dict) else {}
        return self.delete(call, str(body.get("BatchPaymentID") or ""), body)

    def delete_by_url(self, call: Call) -> Reply:
        return self.delete(call, call.params["BatchPaymentID"], call.body if isinstance(call.body, dict) else {})

    def delete(self, call: Call, batch_id: str, body: dict) -> Reply:
        record = call.table(self.plural).get(batch_id)
        if record is None:
            raise not_found()
        # UNKNOWN (xero-api.md §10): see XeroConfig.batch_payments_deletable; wording the emulator's.
        if str(body.get("Status", "")).upper() != "DELETED":
            raise validation_failed("A batch payment can only be updated to Status DELETED.")
        if not call.config.batch_payments_deletable:
            raise validation_failed("Batch payments cannot be deleted via the API.")
        if message := lock_error(call.org, record["Date"]):
            raise validation_failed(message)
        payments = call.resource("Payments")
        with call.org.atomic():
            for payment in self.batch_payments(call.org, batch_id):
                if payment["Status"] == "AUTHORISED":
                    payments.save(call, {"Status": "DELETED"}, payment)
            record = call.table(self.plural).put({**record, "Status": "DELETED", "UpdatedDateUTC": call.now})
        return Reply(200, envelope(call, {self.plural: [self.present(call, record)]}))


PAYMENT_RESOURCES: tuple[Resource, ...] = (Payments(), BatchPayments())
