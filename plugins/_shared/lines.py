"""Line items for Xero documents, and settling Xero's rounding so its totals equal Syncro's.

Xero rounds each line's amount and each line's tax to the cent, then sums (xero-api.md §1.2).
Syncro sums unrounded amounts and rounds its tax per invoice (syncro-api.md §2.11, emulator
default). The two can differ by a cent or two on the same lines. :func:`settle` predicts Xero's
totals and closes the gap the ways Xero allows, visibly:

- a subtotal difference becomes a "Rounding" line on the rounding account;
- a tax difference is put on the largest taxed line's ``TaxAmount`` (Xero keeps an explicit tax
  amount), or on the rounding line (``rounding = "rounding_line"``).

A gap larger than rounding can explain (a cent per line) is not rounding but a mapping error
(a wrong tax type, say): it raises :class:`Mismatch` and the record is parked, never "fixed".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from syncro_xero import to_decimal

CENT = Decimal("0.01")
#: The description of the line :func:`settle` adds; never a line of the source document.
ROUNDING_DESCRIPTION = "Rounding (to match Syncro's total)"
FOUR_PLACES = Decimal("0.0001")
ZERO = Decimal("0")


class Mismatch(Exception):
    """Xero's totals would differ from Syncro's by more than rounding."""


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _fits(value: Decimal, places: Decimal = FOUR_PLACES) -> bool:
    return value == value.quantize(places)


@dataclass(frozen=True)
class SourceLine:
    """A Syncro line reduced to what Xero needs."""

    description: str
    quantity: Decimal
    price: Decimal
    discount_percent: Decimal = ZERO
    discount_dollars: Decimal = ZERO

    @property
    def amount(self) -> Decimal:
        """Syncro's unrounded line amount."""
        amount = self.quantity * self.price
        if self.discount_percent:
            amount -= amount * self.discount_percent / 100
        return amount - self.discount_dollars

    @classmethod
    def from_syncro(cls, line: dict[str, Any], sign: int = 1) -> "SourceLine":
        description = (line.get("name") or line.get("item") or "Item").strip() or "Item"
        return cls(
            description=description,
            quantity=to_decimal(line.get("quantity")),
            price=to_decimal(line.get("price")) * sign,
            discount_percent=to_decimal(line.get("discount_percent")),
            discount_dollars=to_decimal(line.get("discount_dollars")) * sign,
        )


def xero_line(line: SourceLine, *, account_code: str, tax_type: str, item_code: str | None = None,
              tracking: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """One Xero line; quantity and price as in Syncro when Xero can hold them exactly (4 dp)."""
    out: dict[str, Any] = {"Description": line.description[:4000], "AccountCode": account_code, "TaxType": tax_type}
    exact = _fits(line.quantity) and _fits(line.price) and not line.discount_dollars
    if exact:
        # Xero refuses negative quantities: a credit line carries its sign on the price.
        sign = -1 if line.quantity < 0 else 1
        out["Quantity"] = (line.quantity * sign).normalize() if line.quantity else ZERO
        out["UnitAmount"] = line.price * sign
        if line.discount_percent:
            out["DiscountRate"] = line.discount_percent
    else:
        # Xero keeps 4 decimals of quantity and price: show Syncro's figures, bill the line amount.
        out["Quantity"] = Decimal("1")
        out["UnitAmount"] = cents(line.amount)
        detail = f"{line.quantity.normalize()} × {line.price.normalize()}"
        if line.discount_percent:
            detail += f" less {line.discount_percent.normalize()}%"
        if line.discount_dollars:
            detail += f" less {line.discount_dollars.normalize()}"
        out["Description"] = f"{line.description} ({detail})"[:4000]
    if item_code:
        out["ItemCode"] = item_code
    if tracking:
        out["Tracking"] = tracking
    return out


def line_amount(line: dict[str, Any]) -> Decimal:
    """What Xero makes of a line's amount (Exclusive): rounded to the cent."""
    amount = Decimal(line["Quantity"]) * Decimal(line["UnitAmount"])
    if line.get("DiscountRate"):
        amount -= amount * Decimal(line["DiscountRate"]) / 100
    return cents(amount)


def line_tax(line: dict[str, Any], rates: dict[str, Decimal]) -> Decimal:
    """What Xero makes of a line's tax: its explicit TaxAmount, or amount × rate rounded."""
    if "TaxAmount" in line:
        return Decimal(line["TaxAmount"])
    return cents(line_amount(line) * rates.get(line["TaxType"], ZERO) / 100)


@dataclass(frozen=True)
class Settlement:
    lines: list[dict[str, Any]]
    subtotal_gap: Decimal
    tax_gap: Decimal

    @property
    def adjusted(self) -> bool:
        return bool(self.subtotal_gap or self.tax_gap)


def settle(
    lines: list[dict[str, Any]],
    *,
    subtotal: Decimal,
    tax: Decimal,
    rates: dict[str, Decimal],
    rounding_account: str,
    no_tax_type: str,
    mode: Literal["adjust_line_tax", "rounding_line"] = "adjust_line_tax",
) -> Settlement:
    """``lines`` adjusted so that Xero's SubTotal, TotalTax and Total equal ``subtotal`` and ``tax``."""
    lines = [dict(line) for line in lines]
    subtotal_gap = subtotal - sum((line_amount(line) for line in lines), ZERO)
    tax_gap = tax - sum((line_tax(line, rates) for line in lines), ZERO)
    tolerance = CENT * max(1, len(lines))
    if abs(subtotal_gap) > tolerance:
        raise Mismatch(f"Syncro's subtotal {subtotal} and its lines' total {subtotal - subtotal_gap} differ")
    if abs(tax_gap) > tolerance:
        raise Mismatch(
            f"Syncro charged {tax} tax; the mapped Xero tax types give {tax - tax_gap}. "
            "Check the tax mapping ([plugins.tax]) for this customer's or these lines' tax rates"
        )
    taxed = [line for line in lines if rates.get(line["TaxType"], ZERO) and line_amount(line)]
    if tax_gap and mode == "adjust_line_tax" and taxed:
        largest = max(taxed, key=lambda line: abs(line_amount(line)))
        largest["TaxAmount"] = line_tax(largest, rates) + tax_gap
        rounding_tax = ZERO
    else:
        rounding_tax = tax_gap
    if subtotal_gap or rounding_tax:
        rounding = {
            "Description": ROUNDING_DESCRIPTION,
            "Quantity": Decimal("1"),
            "UnitAmount": subtotal_gap,
            "AccountCode": rounding_account,
            "TaxType": no_tax_type,
        }
        if rounding_tax:
            rounding["TaxAmount"] = rounding_tax
        lines.append(rounding)
    return Settlement(lines, subtotal_gap, tax_gap)


def effective_rates(tax_rates: list[dict[str, Any]]) -> dict[str, Decimal]:
    """TaxType -> percent, from Xero's TaxRates list."""
    out = {}
    for rate in tax_rates:
        value = rate.get("EffectiveRate", rate.get("DisplayTaxRate"))
        if value is None:
            value = sum((Decimal(str(c.get("Rate", 0))) for c in rate.get("TaxComponents") or []), ZERO)
        out[rate["TaxType"]] = Decimal(str(value))
    return out
