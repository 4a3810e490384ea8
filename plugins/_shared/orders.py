"""A Syncro purchase order as Xero lines: what was ordered, what was received, what is left to bill.

A Syncro PO has lines (a product, a quantity, a cost in cents, a received quantity), a shipping
and an "other" charge, and a total (syncro-api.md §2.9). Its ``discount_percent`` is accepted on
create but never shown, so a total below lines + charges is taken as that discount and becomes a
"Discount" line, to the cent; a total above them is explained by no field, so it is not guessed
(:class:`Unexplained`).

What one Xero document carries is a :class:`Share`: a quantity per PO line and amounts of
shipping, other charges and discount. The Xero PO carries :meth:`Order.ordered`; the bills
together carry :meth:`Order.received`: each received quantity, the charges in full from the first
receipt, and the discount in proportion to the cost received (all of it once all is received).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .lines import SourceLine, cents, xero_line

ZERO = Decimal("0")


class Unexplained(Exception):
    """Syncro's PO total is more than its lines and charges."""


@dataclass(frozen=True)
class Share:
    """What one document carries of a PO (or the difference between two such)."""

    quantities: dict[str, int] = field(default_factory=dict)  # PO line id -> quantity
    shipping: Decimal = ZERO
    other: Decimal = ZERO
    discount: Decimal = ZERO

    def __add__(self, other: Share) -> Share:
        return self._combine(other, 1)

    def __sub__(self, other: Share) -> Share:
        return self._combine(other, -1)

    def _combine(self, other: Share, sign: int) -> Share:
        ids = self.quantities.keys() | other.quantities.keys()
        quantities = {i: self.quantities.get(i, 0) + sign * other.quantities.get(i, 0) for i in sorted(ids)}
        return Share({i: q for i, q in quantities.items() if q}, self.shipping + sign * other.shipping,
                     self.other + sign * other.other, self.discount + sign * other.discount)

    @property
    def empty(self) -> bool:
        return not (self.quantities or self.shipping or self.other or self.discount)

    @property
    def receives(self) -> bool:
        """Whether it bills newly received goods (and takes none back)."""
        return any(q > 0 for q in self.quantities.values()) and all(q >= 0 for q in self.quantities.values())

    def to_json(self) -> dict[str, Any]:
        return {"quantities": self.quantities, "shipping": str(self.shipping), "other": str(self.other),
                "discount": str(self.discount)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Share:
        return cls({str(k): int(v) for k, v in data["quantities"].items()}, Decimal(data["shipping"]),
                   Decimal(data["other"]), Decimal(data["discount"]))


@dataclass(frozen=True)
class OrderLine:
    """One PO line with its Xero coding."""

    id: str
    description: str
    quantity: int
    received: int
    cost: Decimal
    account: str
    tax_type: str
    item_code: str | None = None


@dataclass(frozen=True)
class Coding:
    """Accounts and tax types of the lines that are not products."""

    shipping: tuple[str, str]
    other: tuple[str, str]
    discount_account: str


@dataclass(frozen=True)
class Order:
    """A Syncro PO reduced to what its Xero documents need."""

    lines: list[OrderLine]
    shipping: Decimal
    other: Decimal
    total: Decimal

    @property
    def cost(self) -> Decimal:
        return sum((line.cost * line.quantity for line in self.lines), ZERO)

    @property
    def discount(self) -> Decimal:
        """Syncro's total less lines and charges: zero or a discount (negative)."""
        gap = self.total - self.cost - self.shipping - self.other
        if gap > 0:
            raise Unexplained(f"Syncro's total {self.total} is {gap} more than the PO's lines and charges "
                              f"({self.total - gap}), and no field of the PO explains it")
        return gap

    def ordered(self) -> Share:
        return Share({line.id: line.quantity for line in self.lines}, self.shipping, self.other, self.discount)

    def received(self) -> Share:
        quantities = {line.id: line.received for line in self.lines if line.received}
        if not quantities:
            return Share()
        received_cost = sum((line.cost * line.received for line in self.lines), ZERO)
        discount = self.discount if received_cost == self.cost else cents(self.discount * received_cost / self.cost)
        return Share(quantities, self.shipping, self.other, discount)

    def xero_lines(self, share: Share, coding: Coding) -> list[dict[str, Any]]:
        """The Xero lines of ``share``: its products, then shipping, other charges and discount."""
        out = [
            xero_line(SourceLine(line.description, Decimal(share.quantities[line.id]), line.cost),
                      account_code=line.account, tax_type=line.tax_type, item_code=line.item_code)
            for line in self.lines if share.quantities.get(line.id)
        ]
        # UNKNOWN (syncro-api.md §2.9): how Syncro's discount splits over taxed and untaxed lines; the
        # tax type of the largest line is assumed.
        largest = max(self.lines, key=lambda line: line.cost * line.quantity, default=None)
        charges = (("Shipping", share.shipping, *coding.shipping), ("Other charges", share.other, *coding.other),
                   ("Discount (Syncro PO total)", share.discount, coding.discount_account,
                    largest.tax_type if largest else coding.other[1]))
        for description, amount, account, tax_type in charges:
            if amount:
                out.append(xero_line(SourceLine(description, Decimal(1), amount), account_code=account, tax_type=tax_type))
        return out
