"""A pass holds Syncro listings packed: exact, counted, and parsed only while read."""

from decimal import Decimal

from syncro_xero.packed import Listing


def test_a_listing_keeps_each_record_exactly_and_hands_out_fresh_copies():
    listing = Listing()
    listing.extend([{"id": 1, "updated_at": "2026-01-02T03:04:05Z", "total": Decimal("10.50")}])

    first, again = list(listing), list(listing)

    assert first == [{"id": 1, "updated_at": "2026-01-02T03:04:05Z", "total": Decimal("10.50")}]
    assert str(first[0]["total"]) == "10.50"
    first[0]["total"] = Decimal("0")
    assert again[0]["total"] == Decimal("10.50")  # a reader changing its copy changes nobody else's
    assert (listing.entries[0].id, listing.entries[0].updated_at) == (1, "2026-01-02T03:04:05Z")


def test_entries_that_are_no_json_object_are_counted_not_kept():
    listing = Listing()
    listing.extend([{"id": 1}, "oops", None, {"id": 2}])

    assert [r["id"] for r in listing] == [1, 2]
    assert listing.malformed == 2
    assert listing.keeping(lambda e: e.id == 2).malformed == 2


def test_records_by_id_take_the_later_of_two_entries_with_one_id():
    listing = Listing()
    listing.extend([{"id": 7, "name": "old"}])
    listing.extend([{"id": 7, "name": "new"}, {"id": 8, "name": "other"}])

    by_id = listing.by_id()

    assert by_id["7"] == {"id": 7, "name": "new"}
    assert sorted(by_id) == ["7", "8"] and "8" in by_id and "9" not in by_id
