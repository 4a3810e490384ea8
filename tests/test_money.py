"""Money helpers: Decimal in, Decimal out, floats refused."""

from decimal import Decimal

import pytest
from syncro_xero import from_cents, money_str, round_money, to_cents, to_decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9.99", Decimal("9.99")),
        (" -1.0 ", Decimal("-1.0")),
        ("0.0", Decimal("0")),
        (Decimal("0.1"), Decimal("0.1")),
        (42, Decimal(42)),
        (None, Decimal(0)),
    ],
)
def test_to_decimal_takes_what_syncro_sends(value, expected):
    result = to_decimal(value)
    assert isinstance(result, Decimal)
    assert result == expected


@pytest.mark.parametrize("value", ["", "abc", "9,99", "$1", "NaN", "Infinity"])
def test_to_decimal_refuses_text_that_is_not_an_amount(value):
    with pytest.raises(ValueError):
        to_decimal(value)


def test_from_cents_gives_two_places():
    assert str(from_cents(999)) == "9.99"
    assert str(from_cents(100)) == "1.00"
    assert str(from_cents(-5)) == "-0.05"
    assert from_cents(0) == 0


def test_to_cents_is_exact():
    assert to_cents(Decimal("9.99")) == 999
    assert to_cents(Decimal("9.990")) == 999
    assert to_cents(Decimal("-0.05")) == -5
    assert to_cents(Decimal("1E+2")) == 10000
    assert to_cents(3) == 300


@pytest.mark.parametrize("amount", [Decimal("0.001"), Decimal("9.995"), Decimal("-1.0001")])
def test_to_cents_refuses_fractions_of_a_cent(amount):
    with pytest.raises(ValueError, match="fraction of a cent"):
        to_cents(amount)


@pytest.mark.parametrize(
    ("amount", "places", "expected"),
    [
        ("2.345", 2, "2.35"),
        ("-2.345", 2, "-2.35"),
        ("2.344", 2, "2.34"),
        ("0.125", 2, "0.13"),
        ("1.23455", 4, "1.2346"),
        ("7", 2, "7.00"),
    ],
)
def test_round_money_rounds_half_away_from_zero(amount, places, expected):
    assert str(round_money(Decimal(amount), places)) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1", "1.00"),
        ("1.5", "1.50"),
        ("1.50000", "1.50"),
        ("1.2345", "1.2345"),
        ("1E+2", "100.00"),
        ("-0.00", "0.00"),
        ("-12.3", "-12.30"),
    ],
)
def test_money_str_is_plain_and_loses_nothing(amount, expected):
    assert money_str(Decimal(amount)) == expected


@pytest.mark.parametrize(
    "call",
    [
        lambda: to_decimal(0.1),
        lambda: from_cents(999.0),
        lambda: to_cents(9.99),
        lambda: round_money(2.345),
        lambda: money_str(1.5),
        lambda: to_decimal(True),
        lambda: from_cents(True),
        lambda: to_cents("9.99"),
    ],
    ids=["to_decimal", "from_cents", "to_cents", "round_money", "money_str", "bool", "bool-cents", "str"],
)
def test_floats_and_other_non_amounts_are_refused(call):
    with pytest.raises(TypeError):
        call()


def test_non_finite_decimals_are_refused():
    with pytest.raises(ValueError):
        to_cents(Decimal("Infinity"))
    with pytest.raises(ValueError):
        money_str(Decimal("NaN"))
