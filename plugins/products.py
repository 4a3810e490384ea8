"""Syncro products -> Xero items: created, updated, matched by code, tracked as inventory where chosen.

Each product becomes the item with Code ``code_format`` (``SYNCRO-{id}``: the key invoice lines
use, and how an existing item is matched instead of duplicated), its name (cut to Xero's 50
characters at a word), description, sale and purchase prices, accounts and tax types (from the tax
mapping; a Syncro product's tax rate is a sales rate, so purchases get the default purchase type).

``sync = "all"`` keeps every product in step (the product list is scanned each pass; unchanged
products write nothing). ``sync = "used"`` follows Syncro's own integration: a product reaches
Xero when an invoice needs it (the invoices feature calls ``ctx.ensure("products", id)``) and is
kept in step from then on. Disabled products are exported only when an invoice needs them; their
items follow ``on_disable``: "unsell" marks them neither sold nor purchased (a tracked item stays
as it is: it holds stock), "keep" leaves them as last synced.

Stocked products in ``track_inventory_categories`` become tracked items (inventory asset and COGS
accounts). An item may start tracking later: Xero allows it from that day on, with quantity 0
(the inventory feature then posts the opening quantity). Xero lets an item stop tracking only if it
was never used; an item with stock or transactions is parked with what the bookkeeper can do.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Literal

from pydantic import BaseModel, ConfigDict, field_validator
from syncro_xero import (
    Change,
    CheckResult,
    Context,
    Feature,
    Link,
    Park,
    XeroRejected,
    hookimpl,
    one_line,
    to_decimal,
)

from ._shared.accounts import account_checks
from ._shared.common import in_categories
from ._shared.tax_map import TaxMap, tax_map

ENTITY = "item"
MAX_CODE, MAX_NAME, MAX_TEXT = 30, 50, 4000


class ProductsSettings(BaseModel):
    """``[plugins.products]``"""

    model_config = ConfigDict(extra="forbid")

    #: Xero item Code (unique, at most 30 characters); ``{id}`` is the Syncro product id.
    code_format: str = "SYNCRO-{id}"
    #: "all": every product; "used": only products an invoice needs (and those already in Xero).
    sync: Literal["all", "used"] = "all"
    #: Revenue account of the item's sales.
    sales_account: str = "200"
    #: Expense account of purchases of untracked items.
    purchase_account: str = "310"
    #: Tracked items: their cost of goods sold account and inventory asset account (type INVENTORY).
    cogs_account: str = "310"
    inventory_account: str = "630"
    #: Stocked ("maintain stock") products in these Syncro categories (names or display paths)
    #: become tracked items; ["*"]: every stocked product; []: none.
    track_inventory_categories: list[str] = []
    #: A disabled product's item: "unsell" (neither sold nor purchased; tracked items stay as they
    #: are) or "keep" (left as last synced).
    on_disable: Literal["unsell", "keep"] = "unsell"

    @field_validator("code_format")
    @classmethod
    def _has_id(cls, value: str) -> str:
        if "{id}" not in value:
            raise ValueError("must contain {id}, or two products would share one Xero item")
        try:
            value.format(id=0)
        except (KeyError, IndexError, ValueError):
            raise ValueError("may name only {id}") from None
        return value


def item_code(product: dict[str, Any], settings: ProductsSettings) -> str:
    return settings.code_format.format(id=product["id"]).strip()


def item_name(product: dict[str, Any]) -> str:
    """The product name within Xero's 50 characters, cut at a word where one is near the end."""
    name = " ".join(one_line(product.get("name")).split()) or f"Syncro product {product['id']}"
    if len(name) <= MAX_NAME:
        return name
    cut = name[: MAX_NAME - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space >= MAX_NAME * 2 // 3 else cut).rstrip(" ,;:-") + "…"


def tracks_stock(product: dict[str, Any], settings: ProductsSettings) -> bool:
    """Whether the product's item is a tracked inventory item."""
    if not product.get("maintain_stock"):
        return False
    return in_categories(product, settings.track_inventory_categories)


def item_payload(product: dict[str, Any], settings: ProductsSettings, taxes: TaxMap) -> dict[str, Any]:
    """The Xero item of a Syncro product (a pure function: the same product, the same payload)."""
    tracked = tracks_stock(product, settings)
    payload: dict[str, Any] = {"Code": item_code(product, settings), "Name": item_name(product)}
    if product.get("disabled") and settings.on_disable == "unsell" and not tracked:
        return {**payload, "IsSold": False, "IsPurchased": False}
    description = (product.get("description") or "").strip() or payload["Name"]
    taxable = bool(product.get("taxable"))
    purchase: dict[str, Any] = {"UnitPrice": to_decimal(product.get("price_cost")), "TaxType": taxes.purchases(taxable)}
    if tracked:
        purchase["COGSAccountCode"] = settings.cogs_account
        payload["InventoryAssetAccountCode"] = settings.inventory_account
    else:
        purchase["AccountCode"] = settings.purchase_account
    return {
        **payload,
        "IsSold": True,
        "IsPurchased": True,
        "Description": description[:MAX_TEXT],
        "PurchaseDescription": description[:MAX_TEXT],
        "SalesDetails": {
            "UnitPrice": to_decimal(product.get("price_retail")),
            "AccountCode": settings.sales_account,
            "TaxType": taxes.sales(taxable, product.get("tax_rate_id")),
        },
        "PurchaseDetails": purchase,
    }


class Products(Feature[ProductsSettings]):
    name = "products"
    link_kinds = ("item",)
    description = "Syncro products -> Xero items (tracked inventory where chosen)"
    syncro_resources = ("products",)
    depends_on = ("tax",)
    Settings = ProductsSettings

    async def handle(self, change: Change, ctx: Context[ProductsSettings]) -> None:
        settings = ctx.settings
        asked = ctx.ensured  # an invoice needs it now
        product = change.current if change.op != "deleted" else {**change.current, "disabled": True}
        link = await ctx.link(ENTITY, change.record_id) or await self._match(product, ctx, settings)
        if link is None and not asked and (settings.sync == "used" or product.get("disabled")):
            return
        if link is not None and product.get("disabled") and settings.on_disable == "keep":
            return
        payload = item_payload(product, settings, await tax_map(ctx))
        if len(payload["Code"]) > MAX_CODE:
            raise Park(f"The Xero item code '{payload['Code']}' is longer than Xero's {MAX_CODE} characters; "
                       "shorten [plugins.products] code_format, then retry.")
        tracked = "InventoryAssetAccountCode" in payload
        was_tracked = bool(link and link.extra.get("tracked"))
        if was_tracked and not tracked:
            payload = await self._untracked(payload, ctx)
        try:
            await ctx.upsert(ENTITY, change.record_id, "Items", payload, number=payload["Code"],
                             extra={"tracked": tracked}, params={"unitdp": "4"})
        except XeroRejected as rejected:
            if link is None or tracked == was_tracked:
                raise
            verb = "start" if tracked else "stop"
            raise Park(
                f"Xero would not {verb} tracking the stock of item {payload['Code']} ('{payload['Name']}'). "
                "Xero refuses while the item is on a repeating invoice or bill, and stops tracking only an "
                f"item that was never used; fix that in Xero or change the product back in Syncro, then retry.",
                "; ".join(rejected.messages),
            ) from rejected
        if link is not None and tracked and not was_tracked:
            then = "the inventory feature posts its quantity" if ctx.enabled("inventory") else "enter its opening quantity"
            ctx.note(f"product {change.record_id}: Xero item {payload['Code']} "
                     f"{ctx.done('tracks', 'would track')} stock from today "
                     f"(Xero does not backdate tracking); {then}")

    async def _untracked(self, payload: dict[str, Any], ctx: Context[ProductsSettings]) -> dict[str, Any]:
        """The payload that stops tracking, or :class:`Park` when Xero holds stock of the item."""
        item = (await self._items(ctx)).get(payload["Code"].casefold()) or {}
        on_hand = to_decimal(item.get("QuantityOnHand"))
        value = to_decimal(item.get("TotalCostPool"))
        if on_hand or value:
            raise Park(
                f"Product '{payload['Name']}' no longer tracks stock in Syncro (maintain stock is off, or its "
                f"category is not in track_inventory_categories), but Xero item {payload['Code']} holds "
                f"{on_hand.normalize()} in stock worth {value}, and Xero stops tracking only items never used. "
                "Track it again in Syncro, or retire the item in Xero and dismiss this record."
            )
        # UNKNOWN (xero-api.md §1.2): how the API untracks an item is not documented; an empty
        # inventory asset account is assumed (leaving it out leaves it unchanged).
        return {**payload, "InventoryAssetAccountCode": ""}

    async def _match(self, product: dict[str, Any], ctx: Context[ProductsSettings], settings: ProductsSettings) -> Link | None:
        """Link the product to an existing Xero item with its code, instead of duplicating it."""
        found = (await self._items(ctx)).get(item_code(product, settings).casefold())
        if found is None or await ctx.link_by_xero_id(ENTITY, found["ItemID"]):
            return None
        link = Link(
            entity=ENTITY,
            syncro_id=str(product["id"]),
            xero_id=found["ItemID"],
            xero_number=found["Code"],
            feature=self.name,
            extra={"tracked": bool(found.get("IsTrackedAsInventory"))},
        )
        await ctx.save_link(link)
        ctx.note(f"product {product['id']} matched existing Xero item {found['Code']}")
        return link

    async def _items(self, ctx: Context[ProductsSettings]) -> dict[str, dict[str, Any]]:
        """The organisation's items by code, read once per pass."""
        memo = ctx.memo
        if "items" not in memo:
            memo["items"] = asyncio.ensure_future(_by_code(ctx.xero_list("Items")))
        return await memo["items"]

    async def check(self, ctx: Context[ProductsSettings]) -> list[CheckResult]:
        settings = ctx.settings
        return await account_checks(
            ctx,
            "products",
            {
                "sales_account": (settings.sales_account, None),
                "purchase_account": (settings.purchase_account, None),
                "cogs_account": (settings.cogs_account, None),
                "inventory_account": (settings.inventory_account, "INVENTORY"),
            },
        )


async def _by_code(items: Awaitable[list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    return {i["Code"].casefold(): i for i in await items if i.get("Code")}


@hookimpl
def syncro_xero_feature() -> Feature:
    return Products()
