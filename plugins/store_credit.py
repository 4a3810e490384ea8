"""Syncro store credit added by hand -> a Xero credit note; applied to an invoice -> an allocation.

A manual store credit is a payment with the store-credit method and no invoice (UNKNOWN
syncro-api.md §2.7: the emulator's default representation). It becomes an ACCRECCREDIT credit
note for the contact (number ``SC-{payment id}``), coded to ``account``; when Syncro applies the
credit to an invoice, the credit note is allocated to it. Credit left by an overpayment is the
``payments`` feature's (a Xero overpayment), as is a refund paid out as credit (the credit note of
the refund invoice simply keeps its credit).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict
from syncro_xero import (
    Change,
    CheckResult,
    Context,
    Feature,
    Park,
    XeroRejected,
    hookimpl,
    to_decimal,
)

from ._shared.common import contact_for, customer_id_of, day
from ._shared.credit import allocate_applications
from ._shared.splits import allocations
from ._shared.tax_map import tax_map

ENTITY = "store_credit"


class StoreCreditSettings(BaseModel):
    """``[plugins.store_credit]``"""

    model_config = ConfigDict(extra="forbid")

    #: The Syncro payment method of store-credit payments.
    method: str = "Store Credit"
    #: Xero account the credit note's line is coded to (what giving credit costs, e.g. Sales).
    account: str = "200"
    #: Xero CreditNoteNumber; ``{id}`` is the Syncro payment id.
    number_format: str = "SC-{id}"


class StoreCredit(Feature[StoreCreditSettings]):
    name = "store_credit"
    link_kinds = ("store_credit", "store_credit_allocation")
    description = "Syncro store credit -> Xero credit notes, allocated when applied"
    syncro_resources = ("payments",)
    depends_on = ("contacts", "invoices", "tax")
    Settings = StoreCreditSettings

    def wants(self, change: Change, ctx: Context[StoreCreditSettings]) -> bool:
        payment = change.current
        return payment.get("payment_method") == ctx.settings.method and to_decimal(payment.get("payment_amount")) > 0

    async def handle(self, change: Change, ctx: Context[StoreCreditSettings]) -> None:
        settings = ctx.settings
        payment = change.current
        if change.op == "deleted":
            await self._deleted(change, ctx)
            return
        link = await ctx.link(ENTITY, change.record_id)
        if link is None:
            contact = await contact_for(customer_id_of(payment), ctx, f"store credit {payment['id']}")
            taxes = await tax_map(ctx)
            number = settings.number_format.format(id=payment["id"])
            amount = to_decimal(payment.get("payment_amount"))
            payload = {
                "Type": "ACCRECCREDIT", "Contact": {"ContactID": contact.xero_id}, "CreditNoteNumber": number,
                "Date": day(payment.get("applied_at") or payment.get("created_at")), "Status": "AUTHORISED",
                "LineAmountTypes": "NoTax", "Reference": f"Syncro store credit {payment['id']}",
                "LineItems": [{"Description": f"Store credit (Syncro payment {payment['id']})", "Quantity": Decimal("1"),
                               "UnitAmount": amount, "AccountCode": settings.account,
                               "TaxType": taxes.settings.sales_exempt}],
            }
            try:
                link = await ctx.upsert(ENTITY, payment["id"], "CreditNotes", payload, number=number, extra={"applied": {}})
            except XeroRejected as rejected:
                raise Park(f"Xero refused store credit {payment['id']}: {'; '.join(rejected.messages)}",
                           "; ".join(rejected.messages)) from rejected
        applied = await allocations(payment, ctx)
        await allocate_applications(ctx, what=f"store credit {payment['id']}", link=link, applied=applied,
                                    resource="CreditNotes", xero_id=link.xero_id, id_field="CreditNoteID")

    async def _deleted(self, change: Change, ctx: Context[StoreCreditSettings]) -> None:
        link = await ctx.link(ENTITY, change.record_id)
        if link is None:
            return
        if link.extra.get("applied"):
            raise Park(f"Store credit {change.record_id} was deleted in Syncro after part of it was applied; "
                       "adjust its credit note in Xero by hand, then dismiss this record.")
        await ctx.write(ENTITY, change.record_id, "void", "POST", f"CreditNotes/{link.xero_id}",
                        {"CreditNoteID": link.xero_id, "Status": "VOIDED"})
        await ctx.forget_link(ENTITY, change.record_id)

    async def check(self, ctx: Context[StoreCreditSettings]) -> list[CheckResult]:
        settings = ctx.settings
        accounts = await ctx.accounts()
        account: dict[str, Any] | None = accounts.get(settings.account)
        return [CheckResult(account is not None, f"plugins.store_credit.account = {settings.account}",
                            account["Name"] if account else f"no account '{settings.account}' in Xero")]


@hookimpl
def syncro_xero_feature() -> Feature:
    return StoreCredit()
