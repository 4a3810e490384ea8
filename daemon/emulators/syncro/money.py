"""Money as Syncro keeps it (exact decimals) and as it renders it (strings, numbers or cents)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0")
CENT = Decimal("0.01")


def to_decimal(value: object) -> Decimal:
    """An exact Decimal from a Decimal, int, numeric string or float (through its shortest repr)."""
    if isinstance(value, bool):
        raise ValueError(f"not an amount: {value!r}")
    if isinstance(value, Decimal):
        return value
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return result


def round_cents(value: Decimal) -> Decimal:
    """Half-up to the cent, as Ruby's BigDecimal rounds by default."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def from_cents(cents: object) -> Decimal:
    return to_decimal(cents) / 100


def to_cents(value: Decimal) -> int:
    return int(round_cents(value) * 100)


def decimal_string(value: Decimal) -> str:
    """Rails' rendering of a decimal column: ``"330.0"``, ``"9.99"``, ``"-50.0"``, ``"0.0"``."""
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return "0.0" if text in ("-0.0", "0.0") else text


def number(value: Decimal) -> float:
    """A JSON number in dollars (payments, products, purchase orders, invoice balances)."""
    return float(value)
