"""Xero payments -> Syncro payments: payments and split (batch) payments received in Xero.

A payment received in Xero (``ACCRECPAYMENT``, AUTHORISED) on a sales invoice linked to a Syncro
invoice becomes a Syncro payment on that invoice (``POST /payments``): its method mapped from the
Xero account the money went into, its ``ref_num`` the marker ``Xero {PaymentID}``, its date the
payment's. A Xero batch payment becomes one Syncro payment per Syncro customer (usually one) split
over its invoices with ``apply_payments``, marked ``Xero {BatchPaymentID}``. A marker is 41
characters. UNKNOWN (syncro-api.md §2.5): the longest ``ref_num`` Syncro keeps is undocumented
(a Rails string column holds 255), so the marker carries nothing else, not even Xero's reference.

No echo, no loop:
- payments the daemon wrote to Xero itself (``payments``) are never imported: their Reference says
  "Syncro payment {id}", their batch's Details/Reference "Syncro#{id}", and their batch has a ``payment``
  link of that feature's;
- each Syncro payment made here gets the ``payment`` link ``payments`` keeps for those it sent
  (kind, ids, applied), so that feature sees it as already in Xero.

Exactly once, without idempotency keys: each share (one per Syncro customer, with its invoices and
amounts) is one POST through the core's Syncro writer, journaled as ``xero_payment`` by the Xero id,
step the customer, the share kept with it and the ``payment`` link saved with Syncro's answer. A
share whose POST has no recorded answer (a crash, or no clear answer from Syncro) is looked for in
Syncro first, by its marker in the ``ref_num`` of its invoices' ``payments[]``: at once, at the start
of every pass (``prepare``, before ``payments`` could take it for a new Syncro payment) and before it
is ever posted again. A POST that got no clear answer and is not found parks the payment, asking the
bookkeeper to check Syncro first.

Batches: whichever of a batch's payments comes first in a pass reads the whole batch from Xero
(``GET /BatchPayments/{id}``) and records it; the batch's other payments in that pass are covered
(``ctx.memo``). One arriving in a later pass (a crash, a long poll) finds the batch's plan done, so
the split is posted once however its payments arrive.

Left alone, on purpose:
- payments on invoices with no Syncro link (made in Xero, not from Syncro): not Syncro's business;
  a batch's payments on such invoices are left out of its Syncro payment;
- bill payments (ACCPAYPAYMENT) and refunds of credit notes, overpayments and prepayments (the other
  PaymentTypes). Credit allocated in Xero is no payment and is not imported either: Syncro's API has
  no way to apply store credit (syncro-api.md §2.7);
- a payment larger than what the Syncro invoice still owes is parked: it may be recorded in Syncro
  already, and Syncro would keep the excess as store credit that Xero does not have.

Deleted or moved in Xero (a move is a deletion plus a new payment; the new one is imported as
usual): Syncro's API cannot delete or change a payment. syncro-api.md §2.5 lists only GET and POST
for payments, and S4's live tests there found no PUT or DELETE (404, docs/emulator-unknowns.md row
15); Syncro's OpenAPI spec (tests/specs/syncro_swagger.json) has ``/payments`` get/post and
``/payments/{id}`` get, nothing else. So the deletion is parked, naming the Syncro payment to delete
by hand; a retry confirms it is gone. Its ``payment`` link is emptied first, so deleting it in
Syncro does not make ``payments`` delete anything in Xero.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from syncro_xero import (
    Change,
    CheckResult,
    Context,
    Feature,
    Link,
    Park,
    SyncroNotFound,
    SyncroValidationError,
    SyncroWrite,
    SyncroWriteUncertain,
    hookimpl,
    parse_instant,
    to_cents,
    to_decimal,
)

from ._shared.common import BATCH_MARK, FROM_XERO

INTENT = "xero_payment"  # the journal entity of the Syncro payments made here, keyed by the Xero id
PAYMENT = "payment"  # plugins/payments.py's link: Syncro payment id <-> its Xero payments
OWN = "Syncro payment "  # in the reference of every Xero payment plugins/payments.py writes
ZERO = Decimal(0)


class XeroPaymentsSettings(BaseModel):
    """``[plugins.xero_payments]``"""

    model_config = ConfigDict(extra="forbid")

    #: Xero account the money was received into (its code; its AccountID if it has none) -> Syncro
    #: payment method name, e.g. { "090" = "Bank Transfer" }.
    methods: dict[str, str] = {}
    #: For accounts not in ``methods``; "" parks payments into unmapped accounts instead.
    default_method: str = "Other"
    # UNKNOWN (syncro-api.md §2.5): the unit of apply_payments values (spec: "a payment amount"; S4: cents).
    #: Unit of a split payment's per-invoice amounts: "cents" or "dollars".
    apply_payments_unit: Literal["cents", "dollars"] = "cents"
    # UNKNOWN (syncro-api.md §2.5): POST /payments documents no date; the record's date is applied_at.
    #: The POST /payments field carrying the Xero payment date; "" sends none (Syncro dates it today).
    date_field: str = "applied_at"


def marker(xero_id: str) -> str:
    """What a Syncro payment's ``ref_num`` carries to be found again: stable, unique, short."""
    return f"{FROM_XERO}{xero_id}"


def payment_method(account: dict[str, Any], settings: XeroPaymentsSettings, shares: list[dict[str, Any]]) -> str:
    key = account.get("Code") or account.get("AccountID", "")
    method = settings.methods.get(key, settings.default_method)
    if not method:
        invoices = ", ".join(number for share in shares for number in share["numbers"])
        raise Park(
            f"No Syncro payment method is mapped for the Xero account {key}, which this payment of Syncro "
            f"invoice(s) {invoices} was paid into. Add it to [plugins.xero_payments] methods (or set "
            "default_method), then retry."
        )
    return method


def total(share: dict[str, Any]) -> Decimal:
    return sum((Decimal(v) for v in share["applied"].values()), ZERO)


def first_in_pass(ctx: Context[XeroPaymentsSettings], key: tuple[str, str]) -> bool:
    """True once per pass per ``key``: a batch's payments are handled by the first that comes."""
    seen: set[tuple[str, str]] = ctx.memo.setdefault("seen", set())
    if key in seen:
        return False
    seen.add(key)
    return True


async def syncro_invoice(invoice_id: str, ctx: Context[XeroPaymentsSettings]) -> dict[str, Any]:
    try:
        return await ctx.syncro_record("invoices", invoice_id, fresh=True)  # money is recorded against it
    except SyncroNotFound as gone:
        raise Park(
            f"Syncro invoice {invoice_id}, linked to the Xero invoice this payment pays, is gone from Syncro. "
            "Record the payment in Syncro by hand if it belongs there, then dismiss this record."
        ) from gone


async def find_in_syncro(write: SyncroWrite, ctx: Context[XeroPaymentsSettings]) -> dict[str, Any] | None:
    """The Syncro payment (an invoice's ``payments[]`` entry) carrying the marker of ``write``'s Xero
    payment on its share's invoices, if there is one."""
    wanted = marker(write.key)
    for invoice_id in write.extra["applied"]:
        try:
            invoice = await ctx.syncro_record("invoices", invoice_id, needs=("payments",), fresh=True)
        except SyncroNotFound:
            continue  # its payments went with it
        for entry in invoice.get("payments") or []:
            if wanted in await ref_num(entry, ctx):
                return entry
    return None


async def ref_num(entry: dict[str, Any], ctx: Context[XeroPaymentsSettings]) -> str:
    """The ``ref_num`` of one of an invoice's ``payments[]``."""
    # UNKNOWN (syncro-api.md §2.5, §7): payments[] objects are only known to carry `id`; without
    # `ref_num` among them, the payment itself is read.
    if "ref_num" not in entry:
        try:
            entry = await ctx.syncro.get_record(f"/payments/{entry['id']}", "payment", entry["id"])
        except SyncroNotFound:
            return ""
    return entry.get("ref_num") or ""


async def in_syncro(payment_id: str, ctx: Context[XeroPaymentsSettings]) -> bool:
    # UNKNOWN (syncro-api.md §2.5): what GET /payments/{id} answers once the payment is deleted in the
    # UI; 404, as for any record gone (§1.7).
    try:
        await ctx.syncro.get_record(f"/payments/{payment_id}", "payment", payment_id)
    except SyncroNotFound:
        return False
    return True


class XeroPayments(Feature[XeroPaymentsSettings]):
    name = "xero_payments"
    link_kinds = ("payment",)
    description = "Xero payments and batch payments on Syncro's invoices -> Syncro payments (split)"
    xero_resources = ("Payments",)
    depends_on = ("invoices",)
    runs_after = ("xero_invoices",)  # an invoice edited in Xero reaches Syncro before its payment
    Settings = XeroPaymentsSettings

    def wants(self, change: Change, ctx: Context[XeroPaymentsSettings]) -> bool:
        payment = change.current
        return payment.get("PaymentType") == "ACCRECPAYMENT" and OWN not in (payment.get("Reference") or "")

    async def reverse(self, change: Change, ctx: Context[XeroPaymentsSettings]) -> None:
        payment = change.current
        batch_id = payment.get("BatchPaymentID")
        xero_id = batch_id or payment["PaymentID"]
        if batch_id and await self._sent_by_payments(batch_id, ctx):
            return
        if not first_in_pass(ctx, (payment["Status"], xero_id)):
            return
        if payment["Status"] == "DELETED":
            await self._deleted(xero_id, ctx)
            return
        members = [payment]
        if batch_id:  # its payments share its account and date; a batch read shows only AccountID
            batch = await ctx.xero_record("BatchPayments", batch_id)
            if batch is None or batch["Status"] != "AUTHORISED" or any(
                mark in (batch.get(field) or "") for field in ("Details", "Reference") for mark in (OWN, BATCH_MARK)
            ):
                return  # deleted since (its payments come as deleted), or written by `payments`
            members = batch["Payments"]
        await self._import(xero_id, payment["Account"], payment["Date"], members, ctx, batch=bool(batch_id))

    async def prepare(self, ctx: Context[XeroPaymentsSettings]) -> None:
        """Link the Syncro payments a crash or an unanswered POST left unlinked, before ``payments``
        could send them to Xero as new."""
        for xero_id in dict.fromkeys(write.key for write in await ctx.syncro_unfinished(INTENT)):
            await self._resume(xero_id, ctx)

    async def _sent_by_payments(self, batch_id: str, ctx: Context[XeroPaymentsSettings]) -> bool:
        link = await ctx.link_by_xero_id(PAYMENT, batch_id)
        return link is not None and link.feature != self.name

    # -- recording ------------------------------------------------------------------------------
    async def _import(
        self, xero_id: str, account: dict[str, Any], date: str, payments: list[dict[str, Any]],
        ctx: Context[XeroPaymentsSettings], *, batch: bool,
    ) -> None:
        """Record Xero payment ``xero_id`` (one payment, or a batch's ``payments``) in Syncro, once."""
        found = await self._resume(xero_id, ctx)
        posted = found | {write.step for write in await ctx.syncro_written(INTENT, xero_id)}
        shares = await self._shares(payments, batch, ctx)
        todo = [share for share in shares if share["customer_id"] not in posted]
        if not todo:
            return
        method = payment_method(account, ctx.settings, shares)
        await self._reserve(todo, ctx)
        day = parse_instant(date).date().isoformat()
        for share in todo:
            await self._post(xero_id, share, method, day, ctx)
            if not ctx.dry_run:
                ctx.count("created")
        if ctx.dry_run:
            ctx.note(f"would record Xero payment {xero_id} in Syncro ({len(todo)} payment(s), {method})")

    async def _shares(self, payments: list[dict[str, Any]], batch: bool, ctx: Context[XeroPaymentsSettings]) -> list[dict[str, Any]]:
        """One share per Syncro customer: its invoices with the amounts paid, and the Xero payment ids."""
        shares: dict[str, dict[str, Any]] = {}
        for payment in payments:
            link = await ctx.link_by_xero_id("invoice", payment["Invoice"]["InvoiceID"])
            if link is None:
                continue  # not an invoice from Syncro
            invoice = await syncro_invoice(link.syncro_id, ctx)
            customer = str(invoice["customer_id"])
            share = shares.setdefault(customer, {"customer_id": customer, "applied": {}, "numbers": [], "ids": []})
            before = Decimal(share["applied"].get(link.syncro_id, "0"))
            share["applied"][link.syncro_id] = str(before + to_decimal(payment["Amount"]))
            if str(invoice["number"]) not in share["numbers"]:
                share["numbers"].append(str(invoice["number"]))
            share["ids"].append(payment["PaymentID"])
        whole = batch and len(shares) == 1 and sum(len(s["ids"]) for s in shares.values()) == len(payments)
        if batch and not whole and shares:
            ctx.note("batch payment: only its payments on invoices from Syncro are recorded in Syncro")
        return [{**share, "kind": "batch" if whole else "payments"} for share in shares.values()]

    async def _reserve(self, shares: list[dict[str, Any]], ctx: Context[XeroPaymentsSettings]) -> None:
        """Park unless each invoice still owes what the shares pay, counting payments made this pass."""
        wanted = {i: Decimal(amount) for share in shares for i, amount in share["applied"].items()}
        invoices = {i: await syncro_invoice(i, ctx) for i in wanted}
        reserved: dict[str, Decimal] = ctx.memo.setdefault("reserved", {})  # no await from here on
        for invoice_id, amount in wanted.items():
            owed = to_decimal(invoices[invoice_id].get("balance_due")) - reserved.get(invoice_id, ZERO)
            if amount > owed:
                raise Park(
                    f"This Xero payment puts {amount:.2f} on invoice #{invoices[invoice_id]['number']}, but the "
                    f"Syncro invoice owes {owed:.2f}: the payment may be in Syncro already, or the invoices differ. "
                    "Retry once the Syncro invoice is corrected, or dismiss this record if Syncro has the payment."
                )
        for invoice_id, amount in wanted.items():
            reserved[invoice_id] = reserved.get(invoice_id, ZERO) + amount

    async def _post(
        self, xero_id: str, share: dict[str, Any], method: str, day: str, ctx: Context[XeroPaymentsSettings]
    ) -> None:
        """POST one share once, its ``payment`` link saved with Syncro's answer; found by its marker
        instead of posted again when the outcome is unknown."""
        settings = ctx.settings
        applied = {k: Decimal(v) for k, v in share["applied"].items()}
        body: dict[str, Any] = {
            "customer_id": int(share["customer_id"]),
            "amount_cents": to_cents(total(share)),
            "payment_method": method,
            "ref_num": marker(xero_id),
        }
        if len(applied) == 1:
            body["invoice_id"] = int(next(iter(applied)))
        else:
            cents = settings.apply_payments_unit == "cents"
            body["apply_payments"] = {k: to_cents(v) if cents else v for k, v in applied.items()}
        if settings.date_field:
            body[settings.date_field] = day
        numbers = ", #".join(share["numbers"])
        link = self._payment_link(xero_id, {**share, "syncro_payment": ""})

        async def find(write: SyncroWrite) -> dict[str, Any] | None:
            return await find_in_syncro(write, ctx)

        try:
            await ctx.syncro_write(INTENT, xero_id, "POST", "/payments", body, find=find, link=link,
                                   step=share["customer_id"], extra=share)
        except SyncroWriteUncertain as unclear:
            raise Park(
                f"Syncro gave no clear answer when this Xero payment was recorded there, so it may or may not be "
                f"in Syncro. Before retrying, look on Syncro invoice #{numbers} for a payment with reference "
                f"'{marker(xero_id)}': the retry links it if it is there and records it if not.",
                str(unclear),
            ) from unclear
        except SyncroValidationError as refused:
            raise Park.from_rejected(
                refused,
                f"Syncro refused this Xero payment on invoice #{numbers}: {'; '.join(refused.messages) or refused}. "
                "Fix the invoice in Syncro, then retry.",
            ) from refused

    async def _resume(self, xero_id: str, ctx: Context[XeroPaymentsSettings]) -> set[str]:
        """Settle the shares of ``xero_id`` posted without a recorded answer: found in Syncro by their
        marker and linked, or marked lost (posted again). The customers of the shares found."""

        async def find(write: SyncroWrite) -> dict[str, Any] | None:
            return await find_in_syncro(write, ctx)

        steps = set()
        for write in await ctx.syncro_unfinished(INTENT, xero_id):
            found = await ctx.syncro_settle(write, find)
            if found is not None:
                steps.add(write.step)
                await ctx.save_link(self._payment_link(xero_id, {**write.extra, "syncro_payment": found["id"]}))
                ctx.note(
                    f"Xero payment {xero_id}: found in Syncro as payment {found['id']}, "
                    f"{ctx.done('linked', 'would be linked')}"
                )
        return steps

    def _payment_link(self, xero_id: str, share: dict[str, Any], *, detached: bool = False) -> Link:
        """The ``payment`` link as plugins/payments.py keeps it; ``detached``: nothing of it left in Xero."""
        kind = "none" if detached else share["kind"]
        ids = [] if detached else [xero_id] if kind == "batch" else share["ids"]
        return Link(
            entity=PAYMENT,
            syncro_id=str(share["syncro_payment"]),
            xero_id=",".join(ids),
            feature=self.name,
            extra={"kind": kind, "ids": ids, "applied": share["applied"], "overpayment": None, "excess": "0"},
        )

    # -- deleted in Xero ------------------------------------------------------------------------
    async def _deleted(self, xero_id: str, ctx: Context[XeroPaymentsSettings]) -> None:
        await self._resume(xero_id, ctx)  # shares never posted: nothing to look for any more
        recorded = [{**write.extra, "syncro_payment": write.syncro_id}
                    for write in await ctx.syncro_written(INTENT, xero_id)]
        left = [share for share in recorded if await in_syncro(share["syncro_payment"], ctx)]
        for share in left:
            await ctx.save_link(self._payment_link(xero_id, share, detached=True))
        if left:
            what = "; ".join(
                f"payment {s['syncro_payment']} of {total(s):.2f} on invoice #{', #'.join(s['numbers'])}"
                for s in left
            )
            raise Park(
                "This payment was deleted in Xero (a payment moved to another invoice is deleted, and the new "
                "one recorded in Syncro on its own), but Syncro's API cannot delete or change payments. In "
                f"Syncro, delete {what} (reference '{marker(xero_id)}') by hand, then retry this record."
            )

    # -- check ----------------------------------------------------------------------------------
    async def check(self, ctx: Context[XeroPaymentsSettings]) -> list[CheckResult]:
        settings = ctx.settings
        accounts = await ctx.accounts()
        results = [
            CheckResult(
                code in accounts,
                f"plugins.xero_payments.methods.{code} = {method}",
                accounts[code]["Name"] if code in accounts else f"no account '{code}' in Xero",
            )
            for code, method in settings.methods.items()
        ]
        names = {m["name"] for m in await ctx.syncro.get_all("/payment_methods", "payment_methods")}
        for method in sorted({*settings.methods.values(), settings.default_method} - {""}):
            results.append(
                CheckResult(
                    method in names,
                    f"Syncro payment method '{method}'",
                    "" if method in names else "not among Syncro's payment methods",
                )
            )
        return results


@hookimpl
def syncro_xero_feature() -> Feature:
    return XeroPayments()
