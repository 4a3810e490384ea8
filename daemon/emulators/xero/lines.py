"""Line items of invoices, credit notes, purchase orders and bank transactions.

:func:`compose_lines` turns submitted lines into stored ones as Xero does (xero-api.md §1.2): an
``ItemCode`` fills the description, price, account and tax type left out; accounts, tax types and
tracking must exist and suit the document; amounts follow Xero's rules::

    LineAmount = round(Quantity × UnitAmount × (1 − DiscountRate/100), 2)   (or − DiscountAmount)
    TaxAmount  = round(LineAmount × rate/100, 2)              Exclusive
               = round(LineAmount × rate/(100 + rate), 2)     Inclusive (LineAmount includes tax)
               = 0                                            NoTax

A submitted ``TaxAmount`` is kept instead of the computed one (xero-api.md §1.2 LineItem;
Xero's docs: "This value can be overriden if the calculated TaxAmount is not correct").
:func:`totals` sums the lines: tax is rounded per line, then summed ([S] N1).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import fields as F
from .fields import Schema
from .resource import round_money
from .resources_settings import account_code_error, tax_type_error
from .store import Org

TRACKING = Schema(
    "LineItemTracking",
    {"TrackingCategoryID": F.guid(), "TrackingOptionID": F.guid(), "Name": F.text(100), "Option": F.text()},
)
ITEM_REF = Schema("LineItemItem", {"ItemID": F.guid(), "Code": F.text(30), "Name": F.text(50)})
LINE_ITEM = Schema(
    "LineItem",
    {
        "LineItemID": F.guid(),
        "Description": F.text(4000),
        "Quantity": F.money(),
        "UnitAmount": F.money(),
        "ItemCode": F.text(),
        "AccountCode": F.text(),
        "AccountID": F.guid(),
        "TaxType": F.text(),
        "TaxAmount": F.money(),
        "Item": F.obj(ITEM_REF, read_only=True),
        "LineAmount": F.money(),
        "Tracking": F.objs(TRACKING),
        "DiscountRate": F.money(),
        "DiscountAmount": F.money(),
    },
)
AMOUNT_TYPES = ("Exclusive", "Inclusive", "NoTax")
COMPUTED = ("LineAmount", "TaxAmount", "Item")  # recomputed unless submitted again
_CLASS_FLAG = {
    "REVENUE": "CanApplyToRevenue", "EXPENSE": "CanApplyToExpenses", "ASSET": "CanApplyToAssets",
    "LIABILITY": "CanApplyToLiabilities", "EQUITY": "CanApplyToEquity",
}
# UNKNOWN ([Inf]): lines may not be coded to bank accounts or the AR/AP control accounts.
_UNUSABLE_SYSTEM = ("DEBTORS", "CREDITORS")
FOUR = Decimal("0.0001")


@dataclass(frozen=True)
class LineRules:
    """How one document codes its lines."""

    sales: bool  # item SalesDetails fill the line (else PurchaseDetails)
    unit_places: int  # UnitAmount precision: 2, or 4 with unitdp=4 (always 4 on purchase orders)
    amount_types: str  # Exclusive | Inclusive | NoTax
    discounts: bool = False  # DiscountRate/DiscountAmount allowed (ACCREC only, xero-api.md §1.2)
    control_account: str | None = None  # overpayments: every line goes to this AR/AP account


def compose_lines(org: Org, submitted: list[dict], stored: list[dict], rules: LineRules) -> tuple[list[dict], list[str]]:
    """Stored lines for a submitted ``LineItems`` array, and the messages about them.

    A line whose LineItemID matches a stored line updates it; one without (or with an unknown id)
    is new; stored lines left out are deleted (xero-api.md §1.2 [S] N1, N2).
    """
    by_id = {line["LineItemID"].lower(): line for line in stored if line.get("LineItemID")}
    lines, messages = [], []
    for raw in submitted:
        old = by_id.get(str(raw.get("LineItemID", "")).lower())
        # UNKNOWN ([Inf]): fields left out of an updated line keep their stored values, except
        # the computed LineAmount/TaxAmount, which are computed again.
        line = {**({k: v for k, v in old.items() if k not in COMPUTED} if old else {}), **raw}
        if old is None:
            line.pop("LineItemID", None)
        messages += _fill(org, line, rules)
        lines.append(line)
    return lines, messages


def totals(lines: list[dict], amount_types: str) -> dict:
    """SubTotal, TotalTax, Total and TotalDiscount of computed lines."""
    amounts = sum((line["LineAmount"] for line in lines), Decimal("0.00"))
    tax = sum((line["TaxAmount"] for line in lines), Decimal("0.00"))
    gross = sum((round_money(line["Quantity"] * line["UnitAmount"]) for line in lines), Decimal("0.00"))
    subtotal = amounts - tax if amount_types == "Inclusive" else amounts
    return {"SubTotal": subtotal, "TotalTax": tax, "Total": subtotal + tax, "TotalDiscount": gross - amounts}


def show_lines(lines: list[dict], unit_places: int) -> list[dict]:
    """Lines as the API shows them: Quantity to 4 dp, UnitAmount to ``unit_places``."""
    return [
        {**line, "Quantity": line["Quantity"].quantize(FOUR), "UnitAmount": round_money(line["UnitAmount"], unit_places),
         "Tracking": line.get("Tracking", [])}
        for line in lines
    ]


def net_amount(line: dict, amount_types: str) -> Decimal:
    """The line's amount without tax."""
    return line["LineAmount"] - line["TaxAmount"] if amount_types == "Inclusive" else line["LineAmount"]


# -- one line ---------------------------------------------------------------------------------
def _fill(org: Org, line: dict, rules: LineRules) -> list[str]:
    messages: list[str] = []
    if code := line.get("ItemCode"):
        item = org.table("Items").find("Code", code)
        if item is None:
            # UNKNOWN ([Inf]): wording of the unknown-item message is the emulator's own.
            messages.append(f"Item code '{code}' is not valid.")
        else:
            _from_item(line, item, rules)
    account = _account(org, line, rules, messages)
    if account is not None and not line.get("TaxType") and account.get("TaxType"):
        line["TaxType"] = account["TaxType"]
    messages += _tax_errors(org, line, account)
    messages += _tracking(org, line)
    messages += _amounts(org, line, rules)
    return messages


def _from_item(line: dict, item: dict, rules: LineRules) -> None:
    details = item.get("SalesDetails" if rules.sales else "PurchaseDetails") or {}
    text = item.get("Description") if rules.sales else item.get("PurchaseDescription") or item.get("Description")
    line.setdefault("Description", text or item.get("Name", ""))
    if details.get("UnitPrice") is not None:
        line.setdefault("UnitAmount", details["UnitPrice"])
    if item.get("IsTrackedAsInventory") and not rules.sales:
        # UNKNOWN ([S] N1 "Bills raise stock"): purchase lines of a tracked item always post to its
        # inventory asset account, whatever AccountCode was sent.
        line["AccountCode"] = item["InventoryAssetAccountCode"]
    elif details.get("AccountCode"):
        line.setdefault("AccountCode", details["AccountCode"])
    if details.get("TaxType"):
        line.setdefault("TaxType", details["TaxType"])
    line["ItemCode"] = item["Code"]
    line["Item"] = {"ItemID": item["ItemID"], "Name": item.get("Name", ""), "Code": item["Code"]}


def _account(org: Org, line: dict, rules: LineRules, messages: list[str]) -> dict | None:
    accounts = org.table("Accounts")
    if rules.control_account:
        control = accounts.find("Code", rules.control_account)
        line.update(AccountCode=control["Code"], AccountID=control["AccountID"], TaxType=control.get("TaxType", ""))
        return control
    if not line.get("AccountCode") and line.get("AccountID"):
        by_id = accounts.get(line["AccountID"])
        line["AccountCode"] = by_id["Code"] if by_id else line["AccountID"]
    code = line.get("AccountCode")
    if not code:
        return None
    account = accounts.find("Code", code)
    message = account_code_error(org, code)
    if message is None and (account["Type"] == "BANK" or account.get("SystemAccount") in _UNUSABLE_SYSTEM):
        message = f"Account code '{code}' is not a valid code for this document."
    if message:
        messages.append(message)
        return None
    line["AccountID"] = account["AccountID"]
    return account


def _tax_errors(org: Org, line: dict, account: dict | None) -> list[str]:
    tax_type = line.get("TaxType")
    if message := tax_type_error(org, tax_type):
        return [message]
    rate = org.table("TaxRates").get(tax_type)
    if rate is not None and account is not None and not rate.get(_CLASS_FLAG[account["Class"]], True):
        # [S] WorkGuru's and QicWorks' lists of Xero API messages.
        return [f"The TaxType code '{tax_type}' cannot be used with account code '{account['Code']}'."]
    return []


def _tracking(org: Org, line: dict) -> list[str]:
    pairs = line.get("Tracking") or []
    # UNKNOWN ([S] N1 "a line has at most 2"): the wording of all three messages is the emulator's.
    if len(pairs) > 2:
        return ["A line item can have at most 2 tracking categories."]
    categories = [c for c in org.records("TrackingCategories") if c["Status"] == "ACTIVE"]
    resolved, messages = [], []
    for pair in pairs:
        name = pair.get("TrackingCategoryID") or pair.get("Name") or ""
        category = next(
            (c for c in categories if name.lower() in (c["TrackingCategoryID"].lower(), c["Name"].lower())), None
        )
        if category is None:
            messages.append(f"Tracking category '{name}' does not exist or is not active.")
            continue
        wanted = pair.get("TrackingOptionID") or pair.get("Option") or ""
        option = next(
            (o for o in category["Options"] if o["Status"] == "ACTIVE"
             and wanted.lower() in (o["TrackingOptionID"].lower(), o["Name"].lower())),
            None,
        )
        if option is None:
            messages.append(f"Tracking option '{wanted}' does not exist or is not active in '{category['Name']}'.")
            continue
        resolved.append({"Name": category["Name"], "Option": option["Name"],
                         "TrackingCategoryID": category["TrackingCategoryID"],
                         "TrackingOptionID": option["TrackingOptionID"]})
    line["Tracking"] = resolved
    return messages


def _amounts(org: Org, line: dict, rules: LineRules) -> list[str]:
    messages = []
    # UNKNOWN ([Inf]): a line without Quantity counts 1; without UnitAmount, LineAmount/Quantity.
    quantity = line.get("Quantity", Decimal(1)).quantize(FOUR)
    # UNKNOWN ([S] WorkGuru, wording sourced there); switch: XeroConfig.negative_quantities_allowed.
    if quantity < 0 and not org.config.negative_quantities_allowed:
        messages.append(f"The quantity value '{quantity}' is invalid. Quantity must not be less than zero.")
    given = line.get("LineAmount")
    unit = line.get("UnitAmount")
    if unit is None:
        unit = given / quantity if given is not None and quantity else Decimal(0)
    unit = round_money(unit, rules.unit_places)
    rate, off = line.get("DiscountRate"), line.get("DiscountAmount")
    if (rate or off) and not rules.discounts:
        # UNKNOWN (xero-api.md §1.2: ACCREC only): the wording is the emulator's own.
        messages.append("Discounts can only be applied to sales invoices.")
    if rate:
        line["DiscountRate"] = round_money(rate)
        amount = round_money(quantity * unit * (1 - rate / 100))
    else:
        amount = round_money(quantity * unit) - round_money(off or Decimal(0))
    if given is not None and round_money(given) != amount:
        # [S] QicWorks' list of Xero API messages.
        messages.append(f"The line total {round_money(given)} does not match the expected line total of {amount}")
    line.update(Quantity=quantity, UnitAmount=unit, LineAmount=amount, TaxAmount=_tax(org, line, amount, rules))
    return messages


def _tax(org: Org, line: dict, amount: Decimal, rules: LineRules) -> Decimal:
    if rules.amount_types == "NoTax":
        return Decimal("0.00")
    if line.get("TaxAmount") is not None:
        return round_money(line["TaxAmount"])
    rate = org.table("TaxRates").get(line.get("TaxType"))
    effective = rate["EffectiveRate"] if rate else Decimal(0)
    if rules.amount_types == "Inclusive":
        return round_money(amount * effective / (100 + effective))
    return round_money(amount * effective / 100)
