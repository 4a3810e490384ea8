"""Syncro refunds -> the cash paid back, as a refund on the Xero credit note.

A Syncro refund invoice (a negative invoice) is a Xero credit note already (the ``invoices``
feature). The money paid back is a negative payment on it (UNKNOWN syncro-api.md §2.6: the
emulator's default; switchable there), which becomes a Xero payment against that credit note, out
of the account mapped from the payment method. Syncro's own integration syncs refunds only when
the method maps to a liability account: ``liability_accounts_only = true`` keeps that rule, and
``syncro-xero check`` lists every payment method whose refunds could not sync, and why.
"""

from __future__ import annotations

from typing import Any

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

from ._shared.common import day, reference

ENTITY = "refund"


class RefundsSettings(BaseModel):
    """``[plugins.refunds]``"""

    model_config = ConfigDict(extra="forbid")

    #: Syncro payment method -> Xero account the refund is paid from (bank, or payments enabled).
    accounts: dict[str, str] = {}
    #: For methods not in ``accounts``; empty to park refunds of unmapped methods.
    default_account: str = "090"
    #: Refund only from liability accounts with payments enabled, as Syncro's own integration does.
    liability_accounts_only: bool = False


class Refunds(Feature[RefundsSettings]):
    name = "refunds"
    link_kinds = ("refund",)
    description = "Syncro refunds -> Xero refunds of the credit note (cash paid back)"
    syncro_resources = ("payments",)
    depends_on = ("invoices",)
    Settings = RefundsSettings

    def wants(self, change: Change, ctx: Context[RefundsSettings]) -> bool:
        return to_decimal(change.current.get("payment_amount")) < 0

    async def handle(self, change: Change, ctx: Context[RefundsSettings]) -> None:
        if change.op == "deleted":
            if await ctx.link(ENTITY, change.record_id):
                raise Park(f"Syncro refund {change.record_id} was deleted; remove its refund in Xero by hand, then "
                           "dismiss this record.")
            return
        settings = ctx.settings
        payment = change.current
        if await ctx.link(ENTITY, change.record_id):
            return  # Xero refunds cannot be edited; a changed Syncro refund is already paid out
        invoice_ids = [i for i in payment.get("invoice_ids") or [] if i is not None]
        if len(invoice_ids) != 1:
            raise Park(f"Syncro refund {payment['id']} is not tied to exactly one refund invoice; record it in Xero "
                       "by hand, then dismiss this record.")
        credit_note = await ctx.link("credit_note", invoice_ids[0])
        if credit_note is None:
            raise Defer(f"waiting for refund invoice {invoice_ids[0]} to be in Xero as a credit note")
        account = await refund_account(payment.get("payment_method"), settings, ctx)
        ref = reference(payment)
        try:
            result = await ctx.write(
                ENTITY, str(payment["id"]), "refund", "PUT", "Payments",
                {"CreditNote": {"CreditNoteID": credit_note.xero_id}, "Account": {"Code": account},
                 "Date": day(payment.get("applied_at") or payment.get("created_at")),
                 "Amount": -to_decimal(payment.get("payment_amount")), "Reference": ref},
                lookup=Lookup("Payments", f"Reference=={where_literal(ref)}", {"Reference": ref}),
            )
        except XeroRejected as rejected:
            raise Park(f"Xero refused refund {payment['id']}: {'; '.join(rejected.messages)}",
                       "; ".join(rejected.messages)) from rejected
        await ctx.save_link(
            Link(
                entity=ENTITY,
                syncro_id=str(payment["id"]),
                xero_id=str(result.get("PaymentID", "")),
                feature=self.name,
            )
        )

    async def check(self, ctx: Context[RefundsSettings]) -> list[CheckResult]:
        """For every Syncro payment method: can its refunds sync, and if not, what is missing."""
        settings = ctx.settings
        accounts = await ctx.accounts()
        methods = await ctx.syncro.get_all("/payment_methods", "payment_methods")
        results = []
        for method in methods:
            name = method.get("name")
            code = settings.accounts.get(name, settings.default_account)
            problem = _account_problem(accounts.get(code), code, settings) if code else "no account mapped"
            results.append(
                CheckResult(
                    problem is None,
                    f"refunds paid by '{name}'",
                    f"from {code} {accounts[code]['Name']}"
                    if problem is None
                    else f"cannot sync: {problem}; map it in [plugins.refunds] accounts",
                )
            )
        return results


async def refund_account(method: str | None, settings: RefundsSettings, ctx: Context) -> str:
    code = settings.accounts.get(method or "", settings.default_account)
    accounts = await ctx.accounts()
    problem = _account_problem(accounts.get(code), code, settings) if code else "no account is mapped"
    if problem:
        raise Park(
            f"A refund paid by '{method}' cannot sync: {problem}. Map the method in [plugins.refunds] "
            "accounts, then retry."
        )
    return code


def _account_problem(account: dict[str, Any] | None, code: str, settings: RefundsSettings) -> str | None:
    if account is None:
        return f"no account '{code}' in Xero"
    accepts = account.get("Type") == "BANK" or bool(account.get("EnablePaymentsToAccount"))
    if settings.liability_accounts_only:
        if account.get("Class") != "LIABILITY" or not account.get("EnablePaymentsToAccount"):
            return f"'{code}' is not a liability account with payments enabled (liability_accounts_only)"
        return None
    return None if accepts else f"'{code}' is not a bank account and does not accept payments"


@hookimpl
def syncro_xero_feature() -> Feature:
    return Refunds()
