"""Syncro payments -> Xero payments: full, partial, split and over-payments.

- A payment applied to one invoice becomes one Xero payment into the bank account mapped from
  its payment method. Several payments completing one invoice are several Xero payments.
- A payment split over several invoices becomes one Xero batch payment, so the bank feed shows one
  deposit (``split_payments = "per_invoice"`` makes one payment per invoice instead).
- What a payment brings beyond the invoices it pays (Syncro keeps it as store credit) goes into
  Xero as an overpayment on the contact; when Syncro later applies that credit to an invoice, the
  overpayment is allocated to it. Syncro's own integration keeps that credit out of Xero.
- A payment whose invoice is not in Xero yet waits for it (``Defer``); it never fails for that.
- A payment deleted in Syncro has its Xero payment removed.

Refunds (negative payments on refund invoices) and store-credit payments belong to the
``refunds`` and ``store_credit`` features and are left alone here.

How much of a payment went to each invoice is not in the payment record (syncro-api.md §2.5): it is
worked out from the invoices' balances (``splits``), and the payment parks, naming its invoices,
whenever those leave more than one answer.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from syncro_xero import (
    Change,
    CheckResult,
    Context,
    Defer,
    Feature,
    Link,
    Lookup,
    Park,
    XeroRejected,
    hookimpl,
    to_decimal,
    where_literal,
)

from ._shared.common import (
    BATCH_MARK,
    FROM_XERO,
    contact_for,
    customer_id_of,
    day,
    reference,
)
from ._shared.credit import allocate_applications
from ._shared.splits import allocations

ENTITY = "payment"
ZERO = Decimal("0")
#: BatchPayment.Details: "Maximum field length = 18" (the spec's description).
DETAILS_MAX = 18


class PaymentsSettings(BaseModel):
    """``[plugins.payments]``"""

    model_config = ConfigDict(extra="forbid")

    #: Syncro payment method name -> Xero account code receiving the money (a bank account, or an
    #: account with "enable payments" on), e.g. { "Credit Card" = "091" }.
    accounts: dict[str, str] = {}
    #: For methods not in ``accounts``; empty to park payments of unmapped methods instead.
    default_account: str = "090"
    #: One payment split over several invoices: one Xero batch payment, or a payment per invoice.
    split_payments: Literal["batch", "per_invoice"] = "batch"
    #: The batch payment field carrying our reference: "Details" (outside NZ) or "Reference" (NZ).
    batch_reference_field: Literal["Details", "Reference"] = "Details"
    #: What a payment brings beyond its invoices: a Xero overpayment on the contact, or nothing.
    overpayments: Literal["overpayment", "skip"] = "overpayment"
    #: The Syncro payment method of store-credit payments (the store_credit feature's).
    store_credit_method: str = "Store Credit"


def batch_marker(payment: dict[str, Any]) -> str:
    """``Syncro#{id}``: within Details' 18 characters (Syncro ids up to 11 digits), so Xero neither
    refuses nor truncates it, and the batch is found again by exactly what was sent."""
    return f"{BATCH_MARK}{payment['id']}"


def account_for(payment: dict[str, Any], settings: PaymentsSettings) -> str:
    method = payment.get("payment_method")
    account = settings.accounts.get(method or "", settings.default_account)
    if not account:
        raise Park(
            f"Syncro payment {payment.get('id')} was paid by '{method}', and no Xero account is mapped for that "
            "payment method. Add it to [plugins.payments] accounts (or set default_account), then retry."
        )
    return account


class Payments(Feature[PaymentsSettings]):
    name = "payments"
    link_kinds = ("payment", "overpayment", "payment_allocation")
    description = "Syncro payments -> Xero payments (partial, split as batch payments, overpayments)"
    syncro_resources = ("payments",)
    depends_on = ("contacts", "invoices")
    Settings = PaymentsSettings

    def wants(self, change: Change, ctx: Context[PaymentsSettings]) -> bool:
        payment = change.current
        return to_decimal(payment.get("payment_amount")) > 0

    async def handle(self, change: Change, ctx: Context[PaymentsSettings]) -> None:
        settings = ctx.settings
        payment = change.current
        if payment.get("payment_method") == settings.store_credit_method:
            return
        if change.op == "deleted":
            await self._deleted(change, ctx)
            return
        if (payment.get("ref_num") or "").startswith(FROM_XERO) and await ctx.link(ENTITY, change.record_id) is None:
            if ctx.enabled("xero_payments"):
                raise Defer("recorded from a Xero payment; waiting for xero_payments to link it")
        applied = await allocations(payment, ctx)
        synced = await ctx.link(ENTITY, change.record_id)
        if synced is None:
            await self._first_sync(payment, applied, ctx, settings)
        else:
            await self._credit_applied(payment, applied, synced, ctx)

    async def _first_sync(
        self, payment: dict[str, Any], applied: dict[str, Decimal], ctx: Context[PaymentsSettings], settings: PaymentsSettings
    ) -> None:
        contact = await contact_for(customer_id_of(payment), ctx, f"payment {payment['id']}")
        account = account_for(payment, settings)
        invoices = {}
        for invoice_id in applied:
            link = await ctx.link("invoice", invoice_id)
            if link is None:
                raise Defer(f"waiting for Syncro invoice {invoice_id} to be in Xero")
            invoices[invoice_id] = link
        date = day(payment.get("applied_at") or payment.get("created_at"))
        kind, xero_ids = "none", []
        try:
            if len(applied) > 1 and settings.split_payments == "batch":
                kind = "batch"
                xero_ids = [await self._batch(payment, applied, invoices, account, date, ctx, settings)]
            elif applied:
                kind = "payments"
                for invoice_id, amount in applied.items():
                    suffix = f" / invoice {invoices[invoice_id].xero_number}" if len(applied) > 1 else ""
                    xero_ids.append(await self._pay(payment, invoices[invoice_id], amount, account, date, suffix, ctx))
        except XeroRejected as rejected:
            raise Park(_refusal(payment, rejected), "; ".join(rejected.messages)) from rejected
        excess = to_decimal(payment.get("payment_amount")) - sum(applied.values(), ZERO)
        overpayment = None
        if excess > 0 and settings.overpayments == "overpayment":
            overpayment = await self._overpayment(payment, excess, contact, account, date, ctx)
        await ctx.save_link(
            Link(
                entity=ENTITY,
                syncro_id=str(payment["id"]),
                xero_id=",".join(xero_ids) or (overpayment or ""),
                feature=self.name,
                extra={
                    "kind": kind,
                    "ids": xero_ids,
                    "applied": _plain(applied),
                    "overpayment": overpayment,
                    "excess": str(excess),
                },
            )
        )

    async def _pay(
        self,
        payment: dict[str, Any],
        invoice: Link,
        amount: Decimal,
        account: str,
        date: Any,
        suffix: str,
        ctx: Context[PaymentsSettings],
    ) -> str:
        ref = reference(payment, suffix)
        result = await ctx.write(
            ENTITY,
            f"{payment['id']}:{invoice.syncro_id}",
            "create",
            "PUT",
            "Payments",
            {
                "Invoice": {"InvoiceID": invoice.xero_id},
                "Account": {"Code": account},
                "Date": date,
                "Amount": amount,
                "Reference": ref,
            },
            lookup=Lookup("Payments", f"Reference=={where_literal(ref)}", {"Reference": ref}),
        )
        return str(result.get("PaymentID", ""))

    async def _batch(
        self,
        payment: dict[str, Any],
        applied: dict[str, Decimal],
        invoices: dict[str, Link],
        account: str,
        date: Any,
        ctx: Context[PaymentsSettings],
        settings: PaymentsSettings,
    ) -> str:
        ref = batch_marker(payment)
        field = settings.batch_reference_field
        if len(ref) > DETAILS_MAX:
            raise Park(
                f"Syncro payment {payment['id']}: its id is too long for the 18 characters a Xero batch "
                "payment's Details holds. Enter it in Xero by hand, then dismiss this record."
            )
        result = await ctx.write(
            ENTITY,
            str(payment["id"]),
            "create",
            "PUT",
            "BatchPayments",
            {
                "Account": {"Code": account},
                "Date": date,
                field: ref,
                "Payments": [
                    {"Invoice": {"InvoiceID": invoices[i].xero_id}, "Amount": amount} for i, amount in applied.items()
                ],
            },
            lookup=Lookup("BatchPayments", f"{field}=={where_literal(ref)}", {field: ref}),
        )
        return str(result.get("BatchPaymentID", ""))

    async def _overpayment(
        self, payment: dict[str, Any], excess: Decimal, contact: Link, account: str, date: Any, ctx: Context
    ) -> str:
        marker = reference(payment, " (store credit)")
        result = await ctx.write(
            "overpayment",
            str(payment["id"]),
            "create",
            "PUT",
            "BankTransactions",
            {
                "Type": "RECEIVE-OVERPAYMENT",
                "Contact": {"ContactID": contact.xero_id},
                "BankAccount": {"Code": account},
                "Date": date,
                "LineAmountTypes": "NoTax",
                "LineItems": [{"Description": marker, "LineAmount": excess}],
            },
            lookup=Lookup(
                "BankTransactions",
                f'Type=="RECEIVE-OVERPAYMENT" AND Contact.ContactID==Guid({where_literal(contact.xero_id)})',
                {"Contact.ContactID": contact.xero_id, "LineItems.Description": marker},
            ),
        )
        ctx.note(
            f"payment {payment['id']}: {excess} beyond its invoices "
            f"{ctx.done('went', 'would go')} to Xero as an overpayment (store credit)"
        )
        return str(result.get("OverpaymentID") or result.get("BankTransactionID", ""))

    async def _credit_applied(
        self, payment: dict[str, Any], applied: dict[str, Decimal], synced: Link, ctx: Context
    ) -> None:
        """Syncro applied this payment's leftover credit to more invoices: allocate the overpayment."""
        before = synced.extra.get("applied", {})
        if applied == {k: Decimal(v) for k, v in before.items()}:
            return
        overpayment = synced.extra.get("overpayment")
        if not overpayment:
            raise Park(
                f"Syncro payment {payment['id']} was applied to other invoices after it was sent to Xero, "
                "and it has no overpayment in Xero to allocate from. Change it in Xero by hand, then "
                "dismiss this record."
            )
        await allocate_applications(
            ctx,
            what=f"payment {payment['id']}",
            link=synced,
            applied=applied,
            resource="Overpayments",
            xero_id=overpayment,
            id_field="OverpaymentID",
        )

    async def _deleted(self, change: Change, ctx: Context[PaymentsSettings]) -> None:
        synced = await ctx.link(ENTITY, change.record_id)
        if synced is None:
            return
        if synced.extra.get("overpayment"):
            raise Park(
                f"Syncro payment {change.record_id} was deleted; its overpayment (store credit) in Xero must be "
                "removed by hand (Xero does not allow it through the API once created). Then dismiss this record."
            )
        for xero_id in synced.extra.get("ids", []):
            if synced.extra.get("kind") == "batch":
                path, body = "BatchPayments", {"BatchPaymentID": xero_id, "Status": "DELETED"}
            else:
                path, body = f"Payments/{xero_id}", {"Status": "DELETED"}
            try:
                await ctx.write(ENTITY, change.record_id, "delete", "POST", path, body)
            except XeroRejected as rejected:
                raise Park(
                    f"Syncro payment {change.record_id} was deleted, but Xero would not remove its payment "
                    "(reconciled, perhaps). Remove it in Xero by hand, then dismiss this record.",
                    "; ".join(rejected.messages),
                ) from rejected
        ctx.note(
            f"payment {change.record_id}: deleted in Syncro, {ctx.done('removed', 'would be removed')} from Xero"
        )
        await ctx.forget_link(ENTITY, change.record_id)

    async def check(self, ctx: Context[PaymentsSettings]) -> list[CheckResult]:
        return await check_payment_accounts(ctx, "payments", ctx.settings)


async def check_payment_accounts(ctx: Context, feature: str, settings: Any) -> list[CheckResult]:
    """Every mapped account exists in Xero and accepts payments."""
    accounts = await ctx.accounts()
    wanted = {f"plugins.{feature}.accounts.{k}": v for k, v in settings.accounts.items()}
    if settings.default_account:
        wanted[f"plugins.{feature}.default_account"] = settings.default_account
    results = []
    for key, code in wanted.items():
        account = accounts.get(code)
        ok = account is not None and (account.get("Type") == "BANK" or bool(account.get("EnablePaymentsToAccount")))
        detail = (
            account["Name"]
            if ok
            else f"'{code}' is not a bank account and does not accept payments"
            if account
            else f"no account '{code}' in Xero"
        )
        results.append(CheckResult(ok, f"{key} = {code}", detail))
    return results


def _refusal(payment: dict[str, Any], rejected: XeroRejected) -> str:
    return f"Xero refused Syncro payment {payment['id']}: {'; '.join(rejected.messages)}"


def _plain(amounts: dict[str, Decimal]) -> dict[str, str]:
    return {k: str(v) for k, v in amounts.items()}


@hookimpl
def syncro_xero_feature() -> Feature:
    return Payments()
