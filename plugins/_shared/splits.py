"""How much of a Syncro payment went to each of its invoices, only where Syncro's figures say so.

A payment lists the invoices it was applied to (``invoice_ids``) but not how much went to each
(syncro-api.md §2.5). What is documented: each invoice's ``total`` and ``balance_due`` (what it still
owes), and its ``payments[]`` (only ``id`` guaranteed); each payment's ``payment_amount``. Those give
linear facts about the unknown shares ``s(payment, invoice) >= 0``:

- per invoice: its payments' shares add up to what it has been paid (``total - balance_due``);
- per payment: its shares add up to at most its amount (the rest is the customer's credit).

Shares already in Xero (a ``payment`` or ``store_credit`` link's ``applied``) are known amounts.
Bounds are tightened over the payments and invoices around this one until nothing moves; a share is
taken when its lowest and highest possible values meet, so it is the one Syncro applied no matter
how the user split the money. One case is settled by order instead: when the open shares are all on
one invoice and none of its payments has an open share anywhere else (credit from two payments
applied to one invoice), every answer puts the same money on the same invoices and only which
payment keeps the leftover credit differs; they are filled in the order Syncro applied them, and a
note says so. Otherwise :class:`SplitUnknown` names the payment, each invoice and the range left, and
the record parks: money never lands on an invoice Syncro may not have put it on.

UNKNOWN (syncro-api.md §2.5): an ``applied_amount`` on an invoice's ``payments[]`` entry (no source
shows one; the Syncro emulator's ``invoice_payments = "applied"``) is read as the share when present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from syncro_xero import Context, Park, to_decimal

ZERO = Decimal("0")
#: Syncro records read around one payment (beyond its own invoices) before bounds are settled with
#: what is known; further records are left out, which only widens the bounds (never a wrong share).
READ_BUDGET = 30
#: Tightening rounds; each is linear in the records read, and bounds stay valid if it stops early.
ROUNDS = 20
#: Links whose ``extra["applied"]`` records a Syncro payment's shares already in Xero.
BOOKED = ("payment", "store_credit")

Edge = tuple[str, str]  # (payment id, invoice id)


class SplitUnknown(Park):
    """The split of a payment over its invoices cannot be known from Syncro's figures."""


@dataclass
class _Graph:
    paid: dict[str, Decimal] = field(default_factory=dict)  # invoice id -> total - balance_due
    numbers: dict[str, str] = field(default_factory=dict)  # invoice id -> its number
    amounts: dict[str, Decimal] = field(default_factory=dict)  # payment id -> payment_amount
    low: dict[Edge, Decimal] = field(default_factory=dict)
    high: dict[Edge, Decimal | None] = field(default_factory=dict)  # None: no bound yet

    def edge(self, payment_id: str, invoice_id: str, known: Decimal | None = None) -> None:
        key = (payment_id, invoice_id)
        if key not in self.low:
            self.low[key], self.high[key] = ZERO, None
        if known is not None:
            self.low[key], self.high[key] = known, known

    def tighten(self) -> None:
        for _ in range(ROUNDS):
            moved = False
            for invoice_id, paid in self.paid.items():
                moved |= self._settle([e for e in self.low if e[1] == invoice_id], paid, exact=True)
            for payment_id, amount in self.amounts.items():
                moved |= self._settle([e for e in self.low if e[0] == payment_id], amount, exact=False)
            if not moved:
                return

    def open_edges(self, payment_id: str) -> list[Edge]:
        return [e for e in self.low if e[0] == payment_id and self.low[e] != self.high[e]]

    def only_shared(self, invoice_id: str) -> bool:
        """Whether the open shares on ``invoice_id`` only trade money between its payments: each of
        them is read (its amount known) and has no open share anywhere else."""
        payers = [e[0] for e in self.low if e[1] == invoice_id and self.low[e] != self.high[e]]
        return invoice_id in self.paid and all(
            p in self.amounts and self.open_edges(p) == [(p, invoice_id)] and self.high[(p, invoice_id)] is not None
            for p in payers)

    def fill_in_order(self, invoice_id: str) -> None:
        """Close the open shares on ``invoice_id``: its payments in the order Syncro applied them
        (UNKNOWN: taken as id order), each taking the most it can of what is left to account for."""
        edges = sorted((e for e in self.low if e[1] == invoice_id), key=lambda e: (len(e[0]), e[0]))
        left = self.paid[invoice_id] - sum((self.low[e] for e in edges if self.low[e] == self.high[e]), ZERO)
        open_ = [e for e in edges if self.low[e] != self.high[e]]
        for n, edge in enumerate(open_):
            later_lows = sum((self.low[e] for e in open_[n + 1:]), ZERO)
            take = min(self.high[edge], left - later_lows)  # type: ignore[type-var]
            self.low[edge] = self.high[edge] = take
            left -= take

    def _settle(self, edges: list[Edge], sum_: Decimal, *, exact: bool) -> bool:
        """Bounds implied by ``sum(edges) == sum_`` (``<=`` when not exact); True if any moved."""
        moved = False
        lows = sum((self.low[e] for e in edges), ZERO)
        highs = [self.high[e] for e in edges]
        for edge in edges:
            high = sum_ - (lows - self.low[edge])
            if self.high[edge] is None or high < self.high[edge]:  # type: ignore[operator]
                self.high[edge], moved = high, True
            others_high = [h for e, h in zip(edges, highs) if e != edge]
            if exact and None not in others_high:
                low = sum_ - sum(others_high, ZERO)  # type: ignore[arg-type]
                if low > self.low[edge]:
                    self.low[edge], moved = low, True
        return moved


async def allocations(payment: dict[str, Any], ctx: Context) -> dict[str, Decimal]:
    """Syncro invoice id -> the amount of ``payment`` Syncro applied to it (invoices it put nothing on
    are left out); raises :class:`SplitUnknown` when Syncro's figures leave more than one answer."""
    payment_id = str(payment["id"])
    own = list(dict.fromkeys(str(i) for i in payment.get("invoice_ids") or [] if i is not None))
    if not own:
        return {}
    if len(own) == 1 and await paid_in_full(own[0], ctx):
        return {own[0]: to_decimal(payment.get("payment_amount"))}
    graph = _Graph()
    graph.amounts[payment_id] = to_decimal(payment.get("payment_amount"))
    for invoice_id in own:
        graph.edge(payment_id, invoice_id)
    await _read_around(graph, payment_id, own, ctx)
    graph.tighten()
    shared = sorted({e[1] for e in graph.open_edges(payment_id)})
    if len(shared) == 1 and graph.only_shared(shared[0]):
        graph.fill_in_order(shared[0])
        ctx.note(f"payment {payment_id}: Syncro does not say how much of invoice {_name(graph, shared[0])} it paid "
                 "beside the invoice's other payments; taken in the order Syncro applied them (only the credit each "
                 "keeps depends on it)")
    shares: dict[str, Decimal] = {}
    unsure = []
    for invoice_id in own:
        low, high = graph.low[(payment_id, invoice_id)], graph.high[(payment_id, invoice_id)]
        if high is not None and low > high:
            raise SplitUnknown(
                f"Syncro's figures for payment {payment_id} do not add up: invoice {_name(graph, invoice_id)} "
                f"has been paid {graph.paid.get(invoice_id)}, which its payments cannot make. Check the "
                "payment in Syncro, enter it in Xero by hand if it belongs there, then dismiss this record."
            )
        if high is None or low != high:
            unsure.append(f"{_name(graph, invoice_id)} between {low} and {high if high is not None else 'any'}")
        elif low > 0:
            shares[invoice_id] = low
    if unsure:
        raise SplitUnknown(
            f"Syncro does not say how much of payment {payment_id} ({graph.amounts[payment_id]}) went to each of "
            f"its invoices, and their balances leave more than one answer: {'; '.join(unsure)}. Enter the payment "
            "in Xero by hand as Syncro shows it, then dismiss this record."
        )
    return shares


async def payments_on(invoice_id: str, ctx: Context) -> list[dict[str, Any]]:
    """The payments listed this pass that name the invoice (their ids indexed once a pass)."""
    listed = await ctx.syncro_listed("payments")
    if "by_invoice" not in ctx.memo:
        index: dict[str, list[str]] = {}
        for payment_id, payment in listed.items():
            named = payment.get("invoice_ids")
            if not isinstance(named, list):  # malformed: that payment parks on its own, not its neighbours
                continue
            for named_id in {str(i) for i in named if i is not None}:
                index.setdefault(named_id, []).append(payment_id)
        ctx.memo.setdefault("by_invoice", index)
    return [listed[payment_id] for payment_id in ctx.memo["by_invoice"].get(invoice_id, [])]


async def paid_in_full(invoice_id: str, ctx: Context) -> bool:
    """Whether every payment on the invoice went wholly to it, read from the lists alone, without the
    invoice's ``payments[]`` (absent from an invoice composed from bulk pages: no read per payment).

    So when the payments listed with the invoice name only it, none is negative, and their amounts
    add up to what it has been paid (``total - balance_due``): each share is at most its payment, so
    every one is whole. Anything else (a split, credit kept, lists not of one moment) goes the long way.
    """
    invoice = await ctx.syncro_record("invoices", invoice_id)
    if invoice.get("balance_due") is None or invoice.get("total") is None:
        return False
    on_it = await payments_on(invoice_id, ctx)
    amounts = [to_decimal(p.get("payment_amount")) for p in on_it]
    if any(len(p.get("invoice_ids") or []) != 1 for p in on_it) or any(a < 0 for a in amounts):
        return False
    return sum(amounts, ZERO) == to_decimal(invoice["total"]) - to_decimal(invoice["balance_due"])


async def _read_around(graph: _Graph, payment_id: str, own: list[str], ctx: Context) -> None:
    """Add the invoices of ``payment_id``, then the payments on them and their invoices, breadth
    first, within ``READ_BUDGET`` reads; shares already in Xero are known amounts."""
    invoices, payments = list(own), []
    seen_invoices, seen_payments = set(own), {payment_id}
    reads = -len(own)
    while (invoices or payments) and reads < READ_BUDGET:
        if invoices:
            invoice_id = invoices.pop(0)
            invoice = await ctx.syncro_record("invoices", invoice_id, needs=("payments",))
            reads += 1
            graph.numbers[invoice_id] = str(invoice.get("number") or invoice_id)
            if invoice.get("balance_due") is None:
                continue  # no balance: nothing known about its payments' sum
            graph.paid[invoice_id] = to_decimal(invoice.get("total")) - to_decimal(invoice.get("balance_due"))
            for entry in invoice.get("payments") or []:
                other = str(entry.get("id"))
                stated = entry.get("applied_amount")
                known = to_decimal(stated) if stated is not None else await _booked(other, invoice_id, ctx)
                graph.edge(other, invoice_id, known)
                if other not in seen_payments and known is None:
                    seen_payments.add(other)
                    payments.append(other)
        else:
            other = payments.pop(0)
            record = await ctx.syncro_record("payments", other)
            reads += 1
            amount = to_decimal(record.get("payment_amount"))
            targets = [str(i) for i in record.get("invoice_ids") or [] if i is not None]
            if amount < 0:  # a refund's cash-out (syncro-api.md §2.6): all of it on its refund invoice
                for invoice_id in targets:
                    graph.edge(other, invoice_id, amount if len(targets) == 1 else None)
                    if len(targets) > 1:
                        graph.low[(other, invoice_id)], graph.high[(other, invoice_id)] = amount, ZERO
                continue
            graph.amounts[other] = amount
            for invoice_id in targets:
                graph.edge(other, invoice_id, await _booked(other, invoice_id, ctx))
                if invoice_id not in seen_invoices:
                    seen_invoices.add(invoice_id)
                    invoices.append(invoice_id)


async def _booked(payment_id: str, invoice_id: str, ctx: Context) -> Decimal | None:
    """The share of ``payment_id`` on ``invoice_id`` already in Xero, if it is."""
    for entity in BOOKED:
        link = await ctx.link(entity, payment_id)
        if link is not None and invoice_id in link.extra.get("applied", {}):
            return Decimal(link.extra["applied"][invoice_id])
    return None


def _name(graph: _Graph, invoice_id: str) -> str:
    number = graph.numbers.get(invoice_id)
    return f"{number} (Syncro invoice id {invoice_id})" if number and number != invoice_id else invoice_id
