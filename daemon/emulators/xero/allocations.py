"""Allocations: applying a credit note's, overpayment's or prepayment's credit to invoices.

``PUT /{Source}/{id}/Allocations`` takes ``{"Allocations": [{Invoice: {InvoiceID}, Amount, Date}]}``
(or one bare Allocation) and ``summarizeErrors``; ``DELETE /{Source}/{id}/Allocations/{AllocationID}``
takes one back and answers the Allocation itself with ``IsDeleted: true`` (the spec's shape). The
source must be AUTHORISED; the invoice AUTHORISED, of the matching type and the same contact; the
amount may exceed neither the source's RemainingCredit nor the invoice's AmountDue (xero-api.md §1.5).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, Mapping

from . import fields as F
from .errors import no_data_processed, not_found, validation_failed
from .fields import Schema
from .ledger import lock_error, payments_to, settle, total
from .resource import Call, Reply, Resource, Route, round_money, run_batch
from .store import Org, new_id

INVOICE_REF = Schema("Invoice", {"InvoiceID": F.guid(), "InvoiceNumber": F.text()})
ALLOCATION = Schema(
    "Allocation",
    {"AllocationID": F.guid(), "Invoice": F.obj(INVOICE_REF), "Amount": F.money(), "Date": F.day(),
     "IsDeleted": F.flag(read_only=True)},
)
# [C-spec: the example answer of several endpoints]; used here for an unknown InvoiceID [Inf].
NO_SUCH_DOCUMENT = "The document with the supplied id was not found for this endpoint."


@dataclass(frozen=True)
class Source:
    """A kind of document whose credit can be allocated."""

    noun: str  # in messages: "Credit Note"
    field: str  # how payments and allocations name it: "CreditNote"
    invoice_types: Mapping[str, str]  # source Type -> the invoice Type it may pay


SOURCES = {
    "CreditNotes": Source("Credit Note", "CreditNote", {"ACCRECCREDIT": "ACCREC", "ACCPAYCREDIT": "ACCPAY"}),
    "Overpayments": Source("Overpayment", "Overpayment",
                           {"RECEIVE-OVERPAYMENT": "ACCREC", "SPEND-OVERPAYMENT": "ACCPAY"}),
    "Prepayments": Source("Prepayment", "Prepayment", {"RECEIVE-PREPAYMENT": "ACCREC", "SPEND-PREPAYMENT": "ACCPAY"}),
}


def allocation_routes(resource: Resource) -> list[Route]:
    base = f"/{resource.plural}/{{{resource.id_field}}}/Allocations"
    return [Route("PUT", base, partial(allocate, resource)),
            Route("DELETE", base + "/{AllocationID}", partial(deallocate, resource))]


def remaining_credit(org: Org, record: dict, id_field: str, field: str) -> tuple[Decimal, list]:
    """A source's Total less its allocations and refunds, and the dates they were made."""
    used = [*record.get("Allocations", []), *payments_to(org, field, record[id_field])]
    return record["Total"] - total(u["Amount"] for u in used), [u["Date"] for u in used]


def invoice_brief(invoice: dict) -> dict:
    keys = ("Type", "InvoiceID", "InvoiceNumber", "Status", "AmountDue", "AmountPaid", "AmountCredited", "Total")
    return {k: invoice[k] for k in keys if k in invoice}


def shown_allocations(org: Org, record: dict) -> list[dict]:
    """A source's allocations as the API lists them."""
    invoices = org.table("Invoices")
    return [{**a, "Invoice": invoice_brief(invoices.get(a["Invoice"]["InvoiceID"]) or a["Invoice"])}
            for a in record.get("Allocations", [])]


# -- the two operations ---------------------------------------------------------------------------
def allocate(resource: Resource, call: Call) -> Reply:
    table = call.table(resource.plural)
    source_id = call.params[resource.id_field]
    if table.get(source_id) is None:
        raise not_found()
    parsed = [ALLOCATION.parse(raw, f"Allocations[{i}]") for i, raw in enumerate(_elements(call))]

    def step(values: dict, problems: list[str]) -> tuple[bool, dict]:
        source = table.get(source_id)
        values.setdefault("Date", call.now.date())
        invoice = call.table("Invoices").get((values.get("Invoice") or {}).get("InvoiceID"))
        messages = problems + _errors(call.org, resource.plural, source, invoice, values)
        if messages:
            return False, {**values, "ValidationErrors": [{"Message": m} for m in messages]}
        allocation = {"AllocationID": new_id(), "Amount": round_money(values["Amount"]), "Date": values["Date"],
                      "Invoice": {"InvoiceID": invoice["InvoiceID"], "InvoiceNumber": invoice.get("InvoiceNumber", "")}}
        table.put({**source, "Allocations": [*source.get("Allocations", []), allocation]})
        _settle(call.org, resource, source, allocation)
        return True, _view(call.org, resource, table.get(source_id), allocation)

    return run_batch(call, "Allocations", parsed, step, call.flag("summarizeErrors", True))


def deallocate(resource: Resource, call: Call) -> Reply:
    table = call.table(resource.plural)
    source = table.get(call.params[resource.id_field])
    wanted = call.params["AllocationID"].lower()
    allocation = next((a for a in (source or {}).get("Allocations", []) if a["AllocationID"].lower() == wanted), None)
    if source is None or allocation is None:
        raise not_found()
    if message := lock_error(call.org, allocation["Date"]):
        raise validation_failed(message)
    with call.org.atomic():
        table.put({**source, "Allocations": [a for a in source["Allocations"] if a is not allocation]})
        _settle(call.org, resource, source, allocation)
    return Reply(200, {**_view(call.org, resource, table.get(source[resource.id_field]), allocation),
                       "IsDeleted": True})


# -- helpers --------------------------------------------------------------------------------------
def _elements(call: Call) -> list[Any]:
    body = call.body
    if isinstance(body, dict):
        for key, value in body.items():
            if key.lower() == "allocations":
                if isinstance(value, list) and value:
                    return value
                raise no_data_processed("Allocation")
        if body:
            return [body]
    raise no_data_processed("Allocation")


def _errors(org: Org, plural: str, source: dict, invoice: dict | None, values: dict) -> list[str]:
    spec = SOURCES[plural]
    if invoice is None:
        return [NO_SUCH_DOCUMENT]
    amount = values.get("Amount")
    messages = []
    # UNKNOWN ([S] N1 "must be AUTHORISED"): the wording of these three is the emulator's own.
    if source["Status"] not in ("AUTHORISED", "PAID"):
        messages.append(f"Only AUTHORISED {spec.noun.lower()}s can be allocated.")
    if amount is None or amount <= 0:
        messages.append("The allocation amount must be greater than zero.")
    if invoice["Contact"]["ContactID"].lower() != source["Contact"]["ContactID"].lower():
        messages.append(f"The {spec.noun.lower()} and the invoice must be for the same contact.")
    # [S: xeroizer#320] the next three; the first is truncated there after "invoice t".
    if spec.invoice_types.get(source["Type"]) != invoice["Type"]:
        messages.append(f"{spec.noun} cannot be allocated to an incorrect invoice type")
    if invoice["Status"] == "PAID":
        messages.append("The invoice you are trying to allocate to has already been paid off")
    elif invoice["Status"] != "AUTHORISED":
        # UNKNOWN ([Inf]): the emulator's wording.
        messages.append("Credit can only be allocated to AUTHORISED invoices.")
    if amount is not None and amount > 0 and (amount > source["RemainingCredit"] or amount > invoice["AmountDue"]):
        # [S: xeroizer#320, xero-php#251 (credit notes), xero-php#335 (overpayments)]
        messages.append(f"{spec.noun} cannot be allocated as amount is greater than amount outstanding")
    if locked := lock_error(org, values.get("Date")):
        messages.append(locked)
    return messages


def _settle(org: Org, resource: Resource, source: dict, allocation: dict) -> None:
    settle(org, resource.plural, source[resource.id_field])
    settle(org, "Invoices", allocation["Invoice"]["InvoiceID"])


def _view(org: Org, resource: Resource, source: dict, allocation: dict) -> dict:
    spec = SOURCES[resource.plural]
    invoice = org.table("Invoices").get(allocation["Invoice"]["InvoiceID"])
    mine = {k: source[k] for k in (resource.id_field, "CreditNoteNumber", "RemainingCredit") if k in source}
    return {**allocation, "Invoice": invoice_brief(invoice or allocation["Invoice"]), spec.field: mine}
