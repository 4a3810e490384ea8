"""Xero line items from Syncro lines, and Xero's totals settled to Syncro's to the cent."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from syncro_xero.plugins._shared.lines import (
    Mismatch,
    SourceLine,
    line_amount,
    line_tax,
    settle,
    xero_line,
)

D = Decimal
RATES = {"OUTPUT2": D("20"), "NONE": D("0"), "NYC": D("8.875")}


def syncro_totals(lines: list[SourceLine], taxable: list[bool], rate: Decimal) -> tuple[Decimal, Decimal]:
    """As Syncro computes them: unrounded line amounts summed, tax rounded once per invoice."""
    subtotal = sum((line.amount for line in lines), D(0)).quantize(D("0.01"), ROUND_HALF_UP)
    base = sum((line.amount for line, t in zip(lines, taxable) if t), D(0))
    return subtotal, (base * rate / 100).quantize(D("0.01"), ROUND_HALF_UP)


def xero_totals(lines: list[dict]) -> tuple[Decimal, Decimal]:
    return sum((line_amount(x) for x in lines), D(0)), sum((line_tax(x, RATES) for x in lines), D(0))


CASES = {
    "one taxed line": [("1", "100.00", True)],
    "many taxed lines each rounding up": [("1", "0.05", True)] * 7,
    "taxed and untaxed mix": [("3", "19.99", True), ("1", "250.00", False), ("2", "0.33", True), ("5", "1.01", False)],
    "three-decimal quantity and price": [("1.125", "10.333", True), ("2.5", "3.335", True)],
    "five-decimal price": [("3", "0.33333", True), ("7", "1.99999", False)],
    "zero lines kept": [("1", "0", True), ("2", "15.50", True)],
    "negative credit line": [("1", "100", True), ("1", "-12.345", True)],
    "forty lines of pennies": [("1", "0.015", True)] * 40,
}


@pytest.mark.parametrize("tax_type,rate", [("OUTPUT2", D("20")), ("NYC", D("8.875"))])
@pytest.mark.parametrize("case", CASES)
def test_xeros_totals_equal_syncros_to_the_cent(case, tax_type, rate):
    source = [SourceLine("line", D(q), D(p)) for q, p, _ in CASES[case]]
    taxable = [t for *_, t in CASES[case]]
    subtotal, tax = syncro_totals(source, taxable, rate)
    lines = [xero_line(s, account_code="200", tax_type=tax_type if t else "NONE") for s, t in zip(source, taxable)]

    settled = settle(lines, subtotal=subtotal, tax=tax, rates=RATES, rounding_account="860", no_tax_type="NONE")

    assert xero_totals(settled.lines) == (subtotal, tax)


def test_quantity_and_price_are_kept_when_xero_can_hold_them():
    line = xero_line(SourceLine("Licences", D("10"), D("8.5")), account_code="200", tax_type="OUTPUT2")
    assert (line["Quantity"], line["UnitAmount"]) == (D("1E+1"), D("8.5"))


def test_more_than_four_decimals_bill_the_amount_and_show_the_figures():
    line = xero_line(SourceLine("Storage", D("3"), D("0.33333")), account_code="200", tax_type="OUTPUT2")
    assert (line["Quantity"], line["UnitAmount"]) == (D("1"), D("1.00"))
    assert line["Description"] == "Storage (3 × 0.33333)"


def test_a_tax_gap_goes_on_the_largest_taxed_line():
    # Xero: 3 x round(0.07 x 20%) = 0.03; Syncro: round(0.21 x 20%) = 0.04
    lines = [xero_line(SourceLine("a", D("1"), D("0.07")), account_code="200", tax_type="OUTPUT2") for _ in range(3)]
    settled = settle(lines, subtotal=D("0.21"), tax=D("0.04"), rates=RATES, rounding_account="860", no_tax_type="NONE")
    assert [x.get("TaxAmount") for x in settled.lines] == [D("0.02"), None, None]
    assert settled.tax_gap == D("0.01")


def test_rounding_line_mode_puts_the_gap_on_a_rounding_line():
    lines = [xero_line(SourceLine("a", D("1"), D("0.07")), account_code="200", tax_type="OUTPUT2") for _ in range(3)]
    settled = settle(lines, subtotal=D("0.21"), tax=D("0.04"), rates=RATES, rounding_account="860",
                     no_tax_type="NONE", mode="rounding_line")
    rounding = settled.lines[-1]
    assert (rounding["AccountCode"], rounding["UnitAmount"], rounding["TaxAmount"]) == ("860", D("0"), D("0.01"))


def test_a_gap_larger_than_rounding_is_a_mismatch_not_an_adjustment():
    lines = [xero_line(SourceLine("a", D("1"), D("100")), account_code="200", tax_type="OUTPUT2")]
    with pytest.raises(Mismatch, match="Syncro charged 8.88 tax; the mapped Xero tax types give 20.00"):
        settle(lines, subtotal=D("100"), tax=D("8.88"), rates=RATES, rounding_account="860", no_tax_type="NONE")


def test_a_negative_quantity_moves_its_sign_to_the_price():
    line = xero_line(SourceLine("Returned", D("-2"), D("15.50")), account_code="200", tax_type="OUTPUT2")
    assert (line["Quantity"], line["UnitAmount"]) == (D("2"), D("-15.50"))
