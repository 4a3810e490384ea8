"""Items (price-list items): not paged, GET by ItemID or Code, PUT/POST with unitdp, DELETE."""

from __future__ import annotations

from decimal import Decimal

from . import fields as F
from .errors import validation_failed
from .fields import Schema
from .inventory import used
from .resource import (
    DELETE,
    GET,
    LIST,
    POST,
    POST_ONE,
    PUT,
    Call,
    Reply,
    Resource,
    Unique,
    round_money,
)
from .resources_settings import account_code_error, tax_type_error

DETAILS = Schema(
    "Purchase",
    {"UnitPrice": F.money(), "AccountCode": F.text(), "COGSAccountCode": F.text(), "TaxType": F.text()},
)
ITEM = Schema(
    "Item",
    {
        "ItemID": F.guid(),
        "Code": F.text(30),
        "InventoryAssetAccountCode": F.text(),
        "Name": F.text(50),
        "IsSold": F.flag(),
        "IsPurchased": F.flag(),
        "Description": F.text(4000),
        "PurchaseDescription": F.text(4000),
        "PurchaseDetails": F.obj(DETAILS),
        "SalesDetails": F.obj(DETAILS),
        # Derived: true when InventoryAssetAccountCode and PurchaseDetails.COGSAccountCode are set.
        "IsTrackedAsInventory": F.flag(read_only=True),
        "TotalCostPool": F.money(read_only=True),
        "QuantityOnHand": F.money(read_only=True),
        "UpdatedDateUTC": F.stamp(read_only=True),
        "StatusAttributeString": F.text(read_only=True),
    },
)


class Items(Resource):
    plural = "Items"
    singular = "Item"
    id_field = "ItemID"
    schema = ITEM
    operations = frozenset({LIST, GET, PUT, POST, POST_ONE, DELETE})
    summarize_errors_on = frozenset({PUT, POST})
    alt_key = "Code"
    # UNKNOWN ([Inf]): the wording of the missing-Code message is the emulator's own.
    required = {"Code": "Item Code must be specified."}
    # The message is the spec's example, quotes doubled as there [C-spec].
    unique = (Unique("Code", "Price List Item with Code ''{value}'' already exists"),)

    def defaults(self, call: Call) -> dict:
        return {"IsSold": True, "IsPurchased": True, "PurchaseDetails": {}, "SalesDetails": {}}

    def match(self, call: Call, values: dict, create_only: bool) -> dict | None:
        table = call.table(self.plural)
        if values.get("ItemID") or create_only:
            return table.get(values.get("ItemID"))
        return table.find("Code", values.get("Code"))

    def validate(self, call: Call, values: dict, existing: dict | None) -> list[str]:
        org = call.org
        merged = self.build(call, values, existing)
        messages = []
        for part in ("SalesDetails", "PurchaseDetails"):
            details = values.get(part, {})
            messages += filter(None, [account_code_error(org, details.get("AccountCode"))])
            messages += filter(None, [account_code_error(org, details.get("COGSAccountCode"))])
            messages += filter(None, [tax_type_error(org, details.get("TaxType"))])
        inventory = values.get("InventoryAssetAccountCode")
        if inventory:
            account = org.table("Accounts").find("Code", inventory)
            # UNKNOWN ([Inf]): wording of both inventory messages is the emulator's own.
            if account is None or account.get("Type") != "INVENTORY":
                messages.append(f"Account code '{inventory}' is not a valid inventory asset account.")
            if not merged["PurchaseDetails"].get("COGSAccountCode"):
                messages.append("A COGS account code is required for tracked inventory items.")
        return messages

    def build(self, call: Call, values: dict, existing: dict | None) -> dict:
        record = super().build(call, values, existing)
        places = call.unit_places
        for part in ("SalesDetails", "PurchaseDetails"):
            if "UnitPrice" in record.get(part, {}):
                record[part] = {**record[part], "UnitPrice": round_money(record[part]["UnitPrice"], places)}
        return record

    def derive(self, call: Call, record: dict) -> None:
        tracked = bool(record.get("InventoryAssetAccountCode") and record["PurchaseDetails"].get("COGSAccountCode"))
        record["IsTrackedAsInventory"] = tracked
        if tracked:
            record.setdefault("QuantityOnHand", Decimal("0.0000"))
            record.setdefault("TotalCostPool", Decimal("0.00"))

    def render(self, call: Call, record: dict) -> dict:
        shown = dict(record)
        for part in ("SalesDetails", "PurchaseDetails"):
            if "UnitPrice" in shown.get(part, {}):
                shown[part] = {**shown[part], "UnitPrice": round_money(shown[part]["UnitPrice"], call.unit_places)}
        return shown

    def remove(self, call: Call, record: dict) -> Reply:
        if record.get("IsTrackedAsInventory") and used(call.org, record["ItemID"]):
            # UNKNOWN ([S] N1 for the rule): the wording is the emulator's own.
            raise validation_failed(f"Item '{record['Code']}' is tracked and used in transactions, so it cannot be deleted.")
        call.table(self.plural).remove(record["ItemID"])
        return Reply(204)


ITEM_RESOURCES: tuple[Resource, ...] = (Items(),)
