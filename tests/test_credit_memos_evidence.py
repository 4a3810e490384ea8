"""docs/credit-memos-from-xero.md holds: Syncro's API spec has no credit, refund or store-credit endpoint."""

import json
import re
from pathlib import Path

SPEC = Path(__file__).parent / "specs" / "syncro_swagger.json"


def test_the_syncro_spec_names_no_credit_refund_or_memo_but_a_card_field():
    words = set(re.findall(r"\w*(?:credit|refund|memo)\w*", SPEC.read_text(), re.IGNORECASE))

    # POST /payments' card field, the "Credit Card" method in GET /payment_methods' example, a "memory" field
    assert words == {"credit_card_number", "Credit", "memory"}
    assert len(json.loads(SPEC.read_text())["paths"]) == 110


def test_invoices_can_be_listed_by_no_field_a_marker_could_sit_in():
    get = json.loads(SPEC.read_text())["paths"]["/invoices"]["get"]

    assert [p["name"] for p in get["parameters"]] == ["paid", "unpaid", "ticket_id", "since_updated_at", "page"]
