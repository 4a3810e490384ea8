"""Bills (ACCPAY) of Syncro purchase orders, each made exactly once.

A PO's bills are the records ``{po id}``, ``{po id}-2``, ... (link entity ``po_bill``), numbered
``bill_number_format``, then ``-2``, ``-3``... Each link keeps the :class:`~.orders.Share` its bill
carries, so what is left to bill is what should be billed by now less what the bills carry.

Exactly once, across crashes and reruns: a bill is a journaled ``create`` (never sent again once
Xero confirmed it), and a crash between sending it and recording it is resolved before the next
pass by looking it up in Xero by supplier, number and type (bill numbers are not unique in Xero,
xero-api.md §1.2), and its link, share and all, restored from the journal. Before a bill is made,
Xero is asked whether the supplier already has a bill of that number (a lost state file, or a bill
keyed by hand): one of the same amount is adopted, another one parks the PO.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from syncro_xero import (
    Context,
    Link,
    Lookup,
    Park,
    XeroRejected,
    digest,
    to_decimal,
    where_literal,
)

from .common import day
from .lines import line_amount
from .orders import ZERO, Coding, Order, Share

BILL = "po_bill"
GONE = ("DELETED", "VOIDED")


def bill_key(po_id: str, n: int) -> str:
    return po_id if n == 1 else f"{po_id}-{n}"


@dataclass(frozen=True)
class BillMaker:
    """Everything a bill of one PO is made of, but its share and place."""

    po: dict[str, Any]
    order: Order
    coding: Coding
    contact_id: str
    number: str  # of the first bill
    line_amount_types: str
    status: str
    due_days: int
    url: str

    def number_of(self, n: int) -> str:
        return self.number if n == 1 else f"{self.number}-{n}"

    def payload(self, share: Share, n: int) -> dict[str, Any]:
        issued = day(self.po["updated_at"])  # the receipt or the finishing that made the bill due
        # UNKNOWN (syncro-api.md §2.9): what a PO's due_date means; taken as when the supplier is to be
        # paid (a PO also has a paid_date), else bill_due_days after the bill.
        due = day(self.po.get("due_date")) or (date.fromisoformat(issued) + timedelta(days=self.due_days)).isoformat()
        return {
            "Type": "ACCPAY",
            "Contact": {"ContactID": self.contact_id},
            "InvoiceNumber": self.number_of(n),
            "Date": issued,
            "DueDate": due,
            "LineAmountTypes": self.line_amount_types,
            "LineItems": self.order.xero_lines(share, self.coding),
            "Status": self.status,
            "Url": self.url,
        }

    def identity(self, n: int) -> dict[str, str]:
        """What only the PO's ``n``-th bill holds (bill numbers are unique per supplier at most)."""
        return {"Type": "ACCPAY", "Contact.ContactID": self.contact_id, "InvoiceNumber": self.number_of(n)}

    def where(self, n: int) -> str:
        return (f'Type=="ACCPAY" AND Contact.ContactID==Guid({where_literal(self.contact_id)}) '
                f"AND InvoiceNumber=={where_literal(self.number_of(n))}")


async def billed(po_id: str, ctx: Context) -> tuple[list[Link], Share]:
    """The PO's bills so far and what they carry together."""
    links: list[Link] = []
    while (link := await ctx.link(BILL, bill_key(po_id, len(links) + 1))) is not None:
        links.append(link)
    return links, sum((Share.from_json(link.extra) for link in links), Share())


async def make_bill(maker: BillMaker, share: Share, n: int, ctx: Context) -> None:
    """Bill ``share`` as the PO's ``n``-th bill: adopt the supplier's bill of that number, or create it."""
    key = bill_key(str(maker.po["id"]), n)
    payload = maker.payload(share, n)
    link = Link(
        entity=BILL,
        syncro_id=key,
        xero_id="",
        xero_number=payload["InvoiceNumber"],
        payload_digest=digest(payload),
        feature="purchase_orders",
        extra=share.to_json(),
    )
    found = await ctx.xero_list("Invoices", {"where": maker.where(n) + "".join(f' AND Status!="{s}"' for s in GONE)})
    if found:
        await _adopt(found[0], payload, link, ctx)
        return
    try:
        await ctx.write(
            BILL,
            key,
            "create",
            "PUT",
            "Invoices",
            payload,
            lookup=Lookup("Invoices", maker.where(n), maker.identity(n)),
            link=link,
        )
    except XeroRejected as rejected:
        raise Park(
            f"Xero refused bill {payload['InvoiceNumber']} of purchase order {maker.po.get('number')}: "
            f"{'; '.join(rejected.messages)}. Correct it in Syncro or in the [plugins.purchase_orders] settings, "
            "then retry.",
            "; ".join(rejected.messages),
        ) from rejected
    ctx.note(
        f"purchase order {maker.po.get('number')}: bill {payload['InvoiceNumber']} "
        f"{ctx.done('made', 'would be made')} in Xero "
        f"({payload['Status'].lower()})"
    )


async def _adopt(existing: dict[str, Any], payload: dict[str, Any], link: Link, ctx: Context) -> None:
    amount = sum((line_amount(line) for line in payload["LineItems"]), ZERO)
    theirs = to_decimal(existing.get("SubTotal" if payload["LineAmountTypes"] == "Exclusive" else "Total"))
    if theirs != amount:
        raise Park(
            f"The supplier already has bill {payload['InvoiceNumber']} in Xero, for {theirs} where this purchase "
            f"order's bill comes to {amount}. If it is this PO's bill, correct it in Xero and retry; otherwise set "
            "[plugins.purchase_orders] bill_number_format to tell them apart, then retry."
        )
    await ctx.save_link(replace(link, xero_id=existing["InvoiceID"]))
    ctx.note(
        f"bill {payload['InvoiceNumber']}: already in Xero for this supplier and amount; "
        f"{ctx.done('linked', 'would be linked')}, not made twice"
    )
