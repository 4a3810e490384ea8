"""Customer credit applied in Syncro -> allocations in Xero.

Syncro keeps credit (an overpayment's remainder, a manual store credit) on a payment record and,
when it is applied to an invoice, adds that invoice to the payment (UNKNOWN syncro-api.md §2.7:
the emulator's default; switchable there). In Xero the same credit is an overpayment or a credit
note, allocated to the invoice. This compares what Syncro now applies with what was allocated.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from syncro_xero import (
    Context,
    Defer,
    Link,
    Lookup,
    Park,
    XeroRejected,
    allocated_to,
    where_literal,
)

ZERO = Decimal("0")


async def allocate_applications(
    ctx: Context,
    *,
    what: str,
    link: Link,
    applied: dict[str, Decimal],
    resource: str,
    xero_id: str,
    id_field: str,
) -> dict[str, str]:
    """Allocate ``resource/xero_id`` (an overpayment or credit note) to what ``applied`` added since
    ``link.extra["applied"]``; returns the new allocated amounts per Syncro invoice id."""
    before = {k: Decimal(v) for k, v in link.extra.get("applied", {}).items()}
    shrunk = [k for k, v in before.items() if applied.get(k, ZERO) < v]
    if shrunk:
        raise Park(
            f"{what} was taken off invoice(s) {', '.join(shrunk)} in Syncro after it was sent to Xero. Change "
            "the allocation in Xero by hand to match, then dismiss this record."
        )
    allocated = {k: str(v) for k, v in before.items()}
    for invoice_id, amount in applied.items():
        delta = amount - before.get(invoice_id, ZERO)
        if delta <= 0:
            continue
        invoice = await ctx.link("invoice", invoice_id)
        if invoice is None:
            raise Defer(f"waiting for Syncro invoice {invoice_id} to be in Xero")
        # An allocation carries no reference: after a crash it is known by the total allocated to the
        # invoice exceeding what was allocated before it, so that total is read first.
        current = await ctx.xero_record(resource, xero_id)
        before_in_xero = allocated_to(current or {}, invoice.xero_id)
        try:
            await ctx.write(
                f"{link.entity}_allocation", f"{link.syncro_id}:{invoice_id}:{amount}", "allocate", "PUT",
                f"{resource}/{xero_id}/Allocations",
                {"Invoice": {"InvoiceID": invoice.xero_id}, "Amount": delta, "Date": ctx.clock.now().date().isoformat()},
                lookup=Lookup(resource, f"{id_field}==Guid({where_literal(xero_id)})", {id_field: xero_id},
                              allocated=(invoice.xero_id, str(before_in_xero + delta))),
            )
        except XeroRejected as rejected:
            raise Park.from_rejected(
                rejected, f"Xero refused to allocate {what} to invoice {invoice.xero_number}: {'; '.join(rejected.messages)}"
            ) from rejected
        allocated[invoice_id] = str(amount)
        ctx.note(f"{what}: {delta} of its credit {ctx.done('allocated', 'would be allocated')} to invoice {invoice.xero_number}")
    await ctx.save_link(replace(link, extra={**link.extra, "applied": allocated}))
    return allocated
