"""Money as :class:`~decimal.Decimal`, end to end.

Syncro sends money as decimal strings (``"9.99"``), JSON numbers (``100.0``) and integer cents
(syncro-api.md §1.8). The Syncro client parses JSON numbers straight to ``Decimal``, so nothing here
ever needs a float, and every function refuses one with a ``TypeError``: a float reaching money
code means some JSON was parsed without ``parse_float=Decimal``, or someone did float arithmetic.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


def _check_decimal(value: object) -> Decimal:
    """``value`` as a finite Decimal; ints (not bools) are accepted, anything else is refused."""
    if isinstance(value, (float, bool)) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"money must be a Decimal or an int, not {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"money must be a finite number, not {amount}")
    return amount


def to_decimal(value: Decimal | str | int | None) -> Decimal:
    """A money value as Syncro sends it (decimal string, Decimal-parsed JSON number, int, None) as Decimal.

    ``None`` is zero. Strings must be plain decimal numbers (``"9.99"``, ``" -1.0 "``); floats are
    refused, see the module docstring.
    """
    if value is None:
        return Decimal(0)
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a decimal amount: {value!r}") from None
    return _check_decimal(value)


def from_cents(cents: int) -> Decimal:
    """Integer cents (``amount_cents``, ``shipping_cents``…) as a two-place Decimal: 999 → 9.99."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"cents must be an int, not {type(cents).__name__}")
    return Decimal(cents).scaleb(-2)


def to_cents(amount: Decimal) -> int:
    """``amount`` in integer cents, exactly; a sub-cent remainder raises ``ValueError`` (round first)."""
    cents = _check_decimal(amount) * _HUNDRED
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has a fraction of a cent; round it before converting to cents")
    return int(cents)


def round_money(amount: Decimal, places: int = 2) -> Decimal:
    """``amount`` rounded to ``places`` decimals with ROUND_HALF_UP.

    Python's ROUND_HALF_UP rounds ties away from zero (2.345 → 2.35, -2.345 → -2.35), which is how
    Xero rounds.
    """
    return _check_decimal(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def money_str(amount: Decimal) -> str:
    """``amount`` in plain notation, at least two decimals, nothing lost: 1 → "1.00", 1.2345 → "1.2345".

    Trailing zeros beyond the second decimal are dropped and zero is never signed ("-0.00" → "0.00").
    """
    amount = _check_decimal(amount).normalize()
    if amount.as_tuple().exponent > -2:
        amount = amount.quantize(CENT)
    if amount.is_zero():
        amount = amount.copy_abs()
    return f"{amount:f}"
