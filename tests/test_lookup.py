"""How a record written before a crash is recognised in Xero: by exact fields, never by a filter alone."""

import pytest
from syncro_xero import Lookup

PAYMENTS = [
    {"PaymentID": "p1", "Reference": "syncro payment 12"},
    {"PaymentID": "p2", "Reference": "Syncro payment 12"},
]


def test_a_record_is_identified_by_its_exact_text_not_by_a_case_blind_match():
    lookup = Lookup("Payments", 'Reference=="Syncro payment 12"', {"Reference": "Syncro payment 12"})
    assert lookup.first(PAYMENTS)["PaymentID"] == "p2"
    assert lookup.first(PAYMENTS[:1]) is None


def test_a_path_through_a_list_matches_any_element_exactly():
    record = {"LineItems": [{"Description": "Syncro payment 112 (store credit)"}, {"Description": "other"}]}
    assert Lookup("BankTransactions", "", {"LineItems.Description": "other"}).first([record]) is record
    assert Lookup("BankTransactions", "", {"LineItems.Description": "Syncro payment 12 (store credit)"}).first(
        [record]) is None


def test_a_lookup_without_an_identity_identifies_nothing():
    assert Lookup("Payments", 'Reference=="x"').first(PAYMENTS) is None
    assert Lookup.from_dict({"resource": "Payments", "where": "", "marker": "12"}).first(PAYMENTS) is None


def test_an_allocation_is_identified_by_the_total_allocated_to_its_invoice():
    note = {"CreditNoteID": "c", "Allocations": [{"Invoice": {"InvoiceID": "i"}, "Amount": "5.00"},
                                                 {"Invoice": {"InvoiceID": "j"}, "Amount": "20.00"}]}
    assert Lookup("CreditNotes", "", {"CreditNoteID": "c"}, allocated=("i", "5")).first([note]) is note
    assert Lookup("CreditNotes", "", {"CreditNoteID": "c"}, allocated=("i", "25")).first([note]) is None


def test_a_marker_string_in_place_of_an_identity_is_refused():
    with pytest.raises(TypeError):
        Lookup("Payments", "", "Syncro payment 12")  # type: ignore[arg-type]
