"""Tracked inventory: how posted invoices and credit notes move QuantityOnHand and TotalCostPool.

While a document is AUTHORISED or PAID its tracked-item lines move stock ([S] N1 "Bills raise stock,
sales invoices lower it, at average cost"): ACCPAY raises, ACCPAYCREDIT lowers, both at the lines'
net amounts; ACCREC lowers, ACCRECCREDIT raises, both at the item's average cost. What a document
moved is kept on it (``_Stock``), so voiding it, or editing it, moves exactly that back first.
"""

from __future__ import annotations

from decimal import Decimal

from .ledger import LEDGER
from .lines import FOUR, net_amount
from .resource import round_money
from .store import Org

SIGN = {"ACCREC": -1, "ACCPAYCREDIT": -1, "ACCPAY": 1, "ACCRECCREDIT": 1}
_AT_LINE_PRICE = ("ACCPAY", "ACCPAYCREDIT")
USING = ("Invoices", "CreditNotes", "PurchaseOrders", "BankTransactions")


def movements(org: Org, record: dict) -> dict[str, Decimal]:
    """Signed quantity per tracked ItemID that ``record`` moves while it is posted."""
    sign = SIGN.get(record.get("Type", ""))
    if sign is None or record.get("Status") not in LEDGER:
        return {}
    moved: dict[str, Decimal] = {}
    for line in record.get("LineItems", []):
        item = org.table("Items").get((line.get("Item") or {}).get("ItemID"))
        if item is not None and item.get("IsTrackedAsInventory"):
            moved[item["ItemID"]] = moved.get(item["ItemID"], Decimal(0)) + sign * line["Quantity"]
    return moved


def shortages(org: Org, existing: dict | None, record: dict) -> list[str]:
    """Messages for tracked items ``record`` would take below zero on hand."""
    returned = {e["ItemID"]: -e["Quantity"] for e in (existing or {}).get("_Stock", [])}
    messages = []
    for item_id, quantity in movements(org, record).items():
        item = org.table("Items").get(item_id)
        on_hand = item["QuantityOnHand"] + returned.get(item_id, Decimal(0))
        if quantity < 0 and on_hand + quantity < 0:
            # UNKNOWN ([S] N1, SDK `allowBackorders`): the wording is the emulator's own.
            messages.append(
                f"There is not enough stock of '{item['Code']}' for this transaction: "
                f"quantity on hand is {on_hand.quantize(FOUR)}."
            )
    return messages


def transfer(org: Org, existing: dict | None, record: dict) -> list[dict]:
    """Undo what ``existing`` moved, move what ``record`` moves; returns the new ``_Stock``."""
    old = (existing or {}).get("_Stock", [])
    moves = movements(org, record)
    if {e["ItemID"]: e["Quantity"] for e in old} == moves and not _line_priced(record):
        return old  # same quantities at average cost: nothing to re-cost
    for effect in old:
        _move(org, effect["ItemID"], -effect["Quantity"], -effect["Cost"])
    effects = []
    for item_id, quantity in moves.items():
        cost = _cost(org, record, item_id, quantity)
        _move(org, item_id, quantity, cost)
        effects.append({"ItemID": item_id, "Quantity": quantity, "Cost": cost})
    return effects


def used(org: Org, item_id: str) -> bool:
    """Whether any transaction has a line for the item."""
    return any(
        (line.get("Item") or {}).get("ItemID", "").lower() == item_id.lower()
        for plural in USING if plural in org.resources
        for record in org.records(plural)
        for line in record.get("LineItems", [])
    )


def _line_priced(record: dict) -> bool:
    return record.get("Type") in _AT_LINE_PRICE


def _cost(org: Org, record: dict, item_id: str, quantity: Decimal) -> Decimal:
    if _line_priced(record):
        lines = [line for line in record["LineItems"] if (line.get("Item") or {}).get("ItemID") == item_id]
        value = sum((net_amount(line, record.get("LineAmountTypes", "Exclusive")) for line in lines), Decimal(0))
        return value if quantity > 0 else -value
    item = org.table("Items").get(item_id)
    on_hand, pool = item["QuantityOnHand"], item["TotalCostPool"]
    if quantity < 0 and on_hand == -quantity:
        return -pool  # selling everything takes the whole pool, leaving no rounding behind
    # UNKNOWN ([Inf]): with nothing on hand the average cost is the item's purchase price.
    average = pool / on_hand if on_hand > 0 else (item.get("PurchaseDetails") or {}).get("UnitPrice", Decimal(0))
    return round_money(average * quantity)


def _move(org: Org, item_id: str, quantity: Decimal, cost: Decimal) -> None:
    table = org.table("Items")
    item = table.get(item_id)
    if item is None:
        return
    # UNKNOWN ([Inf]): a stock movement bumps the item's UpdatedDateUTC.
    table.put({
        **item,
        "QuantityOnHand": (item["QuantityOnHand"] + quantity).quantize(FOUR),
        "TotalCostPool": round_money(item["TotalCostPool"] + cost),
        "UpdatedDateUTC": org.now(),
    })
