"""Stock counted or adjusted in Syncro -> the quantity on hand of the Xero tracked item.

Syncro's own integration does not do this. Syncro has no stock-take endpoint (syncro-api.md §2.8):
a product whose ``quantity`` changed between two scans is the signal (as is a product seen for
the first time, or newly stocked: its opening quantity). Xero has no adjustment endpoint either:
QuantityOnHand moves only by transactions (xero-api.md §1.2). So each adjustment is a document,
the way Xero suggests for tracked items over the API: to the contact ``contact_name`` (created
when missing), AUTHORISED (only approved documents move stock), without tax, dated today (UTC):

- more in Syncro than in Xero: a $0 bill (ACCPAY) with the item line (the quantity at the
  product's cost in Syncro: stock and its value go up) and a line taking the same amount off the
  adjustment account;
- fewer: a $0 supplier credit note (ACCPAYCREDIT) the same way, at Xero's average cost
  (TotalCostPool / QuantityOnHand), so the stock left keeps its value.

The offsetting line goes to ``adjustment_account`` (default 310 Cost of Goods Sold: a found or lost
unit is a change in the cost of what was sold), or the account of the product's category in
``category_accounts``; ``categories`` chooses whose stock is kept in step at all.

The quantity posted is Syncro's quantity minus Xero's QuantityOnHand read in this pass, never
Syncro's change: sales invoices and purchase-order bills synced by other features move Xero's
stock themselves, so nothing is counted twice, and a stock count that was missed is caught up by
the next one. This needs those features to run before this one in the pass. A document that
reaches Xero late (a parked invoice retried days later) moves its stock apart from Syncro's until
the product's next stock signal, which brings them together again. Each document is a
record of its own, ``{product id}-{n}``, numbered ``{number_prefix}-{product id}-{n}`` and journaled
with that number as its natural key: a crash between sending it and recording it is resolved by
looking it up in Xero, and a rerun posts only what Xero still lacks.
"""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Awaitable

from pydantic import BaseModel, ConfigDict, Field
from syncro_xero import (
    Change,
    CheckResult,
    Context,
    Feature,
    Link,
    Lookup,
    Park,
    XeroRejected,
    hookimpl,
    natural_key_lookup,
    to_decimal,
    where_literal,
)

from ._shared.accounts import account_checks
from ._shared.common import ADJUSTMENT_CONTACT, in_categories

ADJUSTMENT = "stock_adjustment"
CENT, FOUR_PLACES = Decimal("0.01"), Decimal("0.0001")


class InventorySettings(BaseModel):
    """``[plugins.inventory]``"""

    model_config = ConfigDict(extra="forbid")

    #: Tracked products whose stock is kept in step, by Syncro category (name or display path);
    #: ["*"]: every tracked item.
    categories: list[str] = ["*"]
    #: Account of the line offsetting the stock written on or off.
    adjustment_account: str = "310"
    #: Syncro category (name or display path) -> its own adjustment account.
    category_accounts: dict[str, str] = {}
    #: The Xero contact of adjustment documents, created when missing.
    contact_name: str = Field("Inventory Adjustments", min_length=1, max_length=255, pattern=r'^[^"]*$')
    #: Adjustment documents are numbered PREFIX-{product id}-{n}.
    number_prefix: str = Field("ADJ", min_length=1, max_length=20)


def counted(previous: dict[str, Any] | None, product: dict[str, Any]) -> bool:
    """Whether the change is a stock signal: new, newly stocked, recategorised, or another quantity."""
    if previous is None:
        return True
    return any(previous.get(k) != product.get(k) for k in ("quantity", "maintain_stock", "product_category"))


def adjustment_payload(
    product: dict[str, Any],
    item: dict[str, Any],
    *,
    target: Decimal,
    contact_id: str,
    number: str,
    account: str,
    today: date,
) -> dict[str, Any]:
    """The $0 bill (more stock) or supplier credit note (less) taking ``item`` to ``target`` on hand."""
    on_hand = to_decimal(item.get("QuantityOnHand"))
    pool = to_decimal(item.get("TotalCostPool"))
    quantity = abs(target - on_hand)
    more = target > on_hand
    if more or on_hand <= 0 or pool <= 0:
        unit = to_decimal(product.get("price_cost"))
    else:
        unit = (pool / on_hand).quantize(FOUR_PLACES, ROUND_HALF_UP)
    amount = (quantity * unit).quantize(CENT, ROUND_HALF_UP)
    counted_text = f"Stock count in Syncro: {target.normalize():f} on hand (Xero had {on_hand.normalize():f})"
    lines = [
        {"ItemCode": item["Code"], "Description": counted_text, "Quantity": quantity, "UnitAmount": unit,
         "AccountCode": item["InventoryAssetAccountCode"]},
        {"Description": f"Inventory adjustment: {item['Code']}", "Quantity": Decimal(1), "UnitAmount": -amount,
         "AccountCode": account},
    ]
    payload: dict[str, Any] = {
        "Type": "ACCPAY" if more else "ACCPAYCREDIT",
        "Contact": {"ContactID": contact_id},
        "Date": today.isoformat(),
        "LineAmountTypes": "NoTax",
        "Status": "AUTHORISED",
        "LineItems": lines,
    }
    if more:
        return {**payload, "InvoiceNumber": number, "DueDate": today.isoformat()}
    return {**payload, "CreditNoteNumber": number}


class Inventory(Feature[InventorySettings]):
    name = "inventory"
    link_kinds = ("adjustment_contact", "stock_adjustment")
    description = "Syncro stock counts -> Xero quantity on hand of tracked items ($0 adjustment documents)"
    syncro_resources = ("products",)
    depends_on = ("products",)
    # Sales and bills move Xero's stock themselves: adjust only after they are in.
    runs_after = ("invoices", "purchase_orders")
    Settings = InventorySettings

    async def handle(self, change: Change, ctx: Context[InventorySettings]) -> None:
        settings = ctx.settings
        product = change.record
        if product is None or not counted(change.previous, product):
            return
        if not in_categories(product, settings.categories):
            return
        link = await ctx.link("item", change.record_id)
        item = (await _tracked_items(ctx)).get((link.xero_number or "").casefold()) if link else None
        if item is None:
            return  # not in Xero, or not a tracked item
        quantity = to_decimal(product.get("quantity"))
        target = max(quantity, Decimal(0))
        if quantity < 0:
            ctx.note(f"product {change.record_id}: Syncro shows {quantity} on hand; Xero cannot hold less than 0")
        on_hand = to_decimal(item.get("QuantityOnHand"))
        if target == on_hand:
            return
        account = next((a for c, a in settings.category_accounts.items() if in_categories(product, [c])),
                       settings.adjustment_account)
        key = await _next_key(ctx, change.record_id)
        number = f"{settings.number_prefix}-{key}"
        payload = adjustment_payload(product, item, target=target, contact_id=await _contact(ctx, settings),
                                     number=number, account=account, today=ctx.clock.now().date())
        resource, number_field = ("Invoices", "InvoiceNumber") if target > on_hand else ("CreditNotes", "CreditNoteNumber")
        try:
            await ctx.write(ADJUSTMENT, key, "create", "PUT", resource, payload,
                            lookup=natural_key_lookup(resource, number), params={"unitdp": "4"},
                            link=Link(entity=ADJUSTMENT, syncro_id=key, xero_id="", xero_number=number, feature=self.name))
        except XeroRejected as rejected:
            raise Park(
                f"Xero refused the stock adjustment {number} of item {item['Code']} ({on_hand.normalize():f} -> "
                f"{target.normalize():f} on hand). Check that account {account} accepts it and that the item "
                "still tracks stock in Xero, then retry.",
                "; ".join(rejected.messages),
            ) from rejected
        ctx.note(
            f"product {change.record_id}: Xero stock of {item['Code']} {ctx.done('', 'would go ')}"
            f"{on_hand.normalize():f} -> "
            f"{target.normalize():f} ({'bill' if target > on_hand else 'credit note'} {number})"
        )

    async def check(self, ctx: Context[InventorySettings]) -> list[CheckResult]:
        settings = ctx.settings
        return await account_checks(
            ctx,
            "inventory",
            {
                "adjustment_account": (settings.adjustment_account, None),
                **{f"category_accounts.{c}": (a, None) for c, a in settings.category_accounts.items()},
            },
        )


async def _next_key(ctx: Context, product_id: str) -> str:
    """``{product id}-{n}`` of the product's next adjustment: the first without a link (every
    confirmed adjustment has one, whether recorded after Xero's answer or found by recovery)."""
    n = 1
    while await ctx.link(ADJUSTMENT, f"{product_id}-{n}") is not None:
        n += 1
    return f"{product_id}-{n}"


async def _tracked_items(ctx: Context) -> dict[str, dict[str, Any]]:
    """Xero's tracked items by code, read once per pass, when the first stock change is handled
    (after the features this one depends on wrote theirs)."""
    memo = ctx.memo
    if "items" not in memo:
        memo["items"] = asyncio.ensure_future(
            _by_code(ctx.xero_list("Items", {"where": "IsTrackedAsInventory==true"}))
        )
    return await memo["items"]


async def _by_code(items: Awaitable[list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    return {i["Code"].casefold(): i for i in await items if i.get("Code")}


async def _contact(ctx: Context, settings: InventorySettings) -> str:
    """The ContactID of the adjustment contact: linked, found by name, or created; once per pass."""
    memo = ctx.memo
    if "contact" not in memo:
        memo["contact"] = asyncio.ensure_future(_find_or_create_contact(ctx, settings.contact_name))
    return await memo["contact"]


async def _find_or_create_contact(ctx: Context, name: str) -> str:
    link = await ctx.link(ADJUSTMENT_CONTACT, name)
    if link is not None:
        return link.xero_id
    found = await ctx.xero_list("Contacts", {"where": f'Name=="{name}"'})
    if found:
        await ctx.save_link(
            Link(entity=ADJUSTMENT_CONTACT, syncro_id=name, xero_id=found[0]["ContactID"], feature="inventory")
        )
        return found[0]["ContactID"]
    created = await ctx.upsert(
        ADJUSTMENT_CONTACT, name, "Contacts", {"Name": name},
        lookup=Lookup("Contacts", f"Name=={where_literal(name)}", {"Name": name}),
    )
    ctx.note(f"{ctx.done('created', 'would create')} the Xero contact '{name}' for stock adjustments")
    return created.xero_id


@hookimpl
def syncro_xero_feature() -> Feature:
    return Inventory()
