"""Syncro purchase orders -> Xero purchase orders; a finished PO -> exactly one Xero bill.

Each PO goes to the Xero supplier contact of its vendor (:mod:`.suppliers`), numbered
``number_format``, dated the day it was made, due for delivery on its expected date, with its
shipping notes as delivery instructions (Xero keeps 500 characters). Its lines carry the product's
name (PO lines have no description), the item code when ``products`` is on, the quantity and cost,
the purchase account (a tracked item's inventory account) and the tax type from the tax mapping.
Shipping and other charges become lines of their own on configured accounts (Syncro's own
integration drops the shipping cost), and a discount a line too, so Xero's amount equals Syncro's
total to the cent (:mod:`.orders`); Syncro POs carry no tax, so ``line_amount_types`` says whether
their costs include it. A change in Syncro follows to Xero; when Xero refuses it (a PO deleted, or
billed, in Xero) the PO is parked with what the bookkeeper can do. The Xero PO's status is set
when it is made (``order_status``) and then left to Xero's users, but for marking it billed.

Bills (``bill_on``): "finished" makes one bill when the PO reaches a status in
``finished_statuses``, for what was received; a PO received in part waits, unbilled, until then.
"each_receipt" bills each receipt as it happens (the first bill also carries the charges). A bill
is DRAFT by default so a bookkeeper approves it; the Xero PO is then marked BILLED once the PO is
finished and all of it is billed, if Xero allows (an approved PO; a draft one is left as it is).
A PO that changes after it was billed is parked, never billed twice (:mod:`.bills`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from pydantic import Field
from syncro_xero import (
    Change,
    CheckResult,
    Context,
    Feature,
    Link,
    Park,
    XeroRejected,
    digest,
    from_cents,
    hookimpl,
    natural_key_lookup,
    to_decimal,
)

from ._shared.accounts import account_checks
from ._shared.bills import BillMaker, billed, make_bill
from ._shared.common import day
from ._shared.invoice_content import syncro_web_root
from ._shared.orders import Coding, Order, OrderLine, Share, Unexplained
from ._shared.suppliers import SupplierSettings, supplier_for
from ._shared.tax_map import tax_map

PURCHASE_ORDER = "purchase_order"
NUMBER_TAKEN = "must be unique"
MAX_INSTRUCTIONS = 500


class PurchaseOrdersSettings(SupplierSettings):
    """``[plugins.purchase_orders]``; the supplier-contact keys are :class:`SupplierSettings`'."""

    #: Xero PurchaseOrderNumber (unique); ``{number}`` is Syncro's PO number, ``{id}`` its id.
    number_format: str = "{number}"
    #: Xero Reference of the PO from the PO's fields, e.g. ``{delivery_tracking}``; "" for none.
    reference_format: str = "{delivery_tracking}"
    #: Status of new Xero POs: "AUTHORISED" (approved: can be marked billed), or "DRAFT"/"SUBMITTED".
    order_status: Literal["DRAFT", "SUBMITTED", "AUTHORISED"] = "AUTHORISED"
    #: Account of product lines (a tracked item's lines go to its inventory account).
    purchase_account: str = "310"
    #: The shipping cost line: its account, and whether it is taxed (purchases tax types of [plugins.tax]).
    shipping_account: str = "310"
    shipping_taxable: bool = True
    #: The "other" charges line, likewise.
    other_account: str = "310"
    other_taxable: bool = True
    # UNKNOWN (syncro-api.md §2.9, §7): POs carry no tax field, so whether their costs include tax is
    # not known; Xero is told here.
    #: "Exclusive": tax is added on top of Syncro's costs (Xero's subtotal is Syncro's total);
    #: "Inclusive": the costs include it (Xero's total is Syncro's); "NoTax".
    line_amount_types: Literal["Exclusive", "Inclusive", "NoTax"] = "Exclusive"
    #: When a bill is made: "finished" (one, when the PO is finished), "each_receipt" (one per receipt),
    #: or "never".
    bill_on: Literal["finished", "each_receipt", "never"] = "finished"
    # UNKNOWN (syncro-api.md §2.9, §7): only "Finished" is a known PO status; add others of yours.
    #: Syncro PO statuses that mean finished.
    finished_statuses: list[str] = Field(["Finished"], min_length=1)
    #: Status of bills: "DRAFT" (a bookkeeper approves them) or "AUTHORISED".
    bill_status: Literal["DRAFT", "AUTHORISED"] = "DRAFT"
    #: Xero InvoiceNumber of a PO's bill (a second bill adds "-2", ...); the PO's fields as above.
    bill_number_format: str = "{number}"
    #: Days from a bill's date to its due date, when the PO has no due date.
    bill_due_days: int = Field(30, ge=0)


def _format(template: str, po: dict[str, Any]) -> str:
    try:
        return template.format(**{k: ("" if v is None else v) for k, v in po.items()}).strip()
    except (KeyError, IndexError, ValueError):
        return ""


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class PurchaseOrders(Feature[PurchaseOrdersSettings]):
    name = "purchase_orders"
    link_kinds = ("purchase_order", "po_bill", "supplier")
    description = "Syncro purchase orders -> Xero purchase orders; finished POs -> bills"
    syncro_resources = ("purchase_orders",)
    depends_on = ("tax",)
    runs_after = ("contacts", "products")
    Settings = PurchaseOrdersSettings

    async def handle(self, change: Change, ctx: Context[PurchaseOrdersSettings]) -> None:
        settings = ctx.settings
        po = change.current
        what = f"purchase order {po.get('number')}"
        if change.op == "deleted":
            ctx.note(f"{what}: gone from Syncro; its Xero purchase order is left as it is")
            return
        if not po.get("line_items") and not (to_decimal(po.get("shipping")) or to_decimal(po.get("other"))):
            return  # nothing ordered yet
        number = _format(settings.number_format, po)
        if not number:
            raise Park(f"The Xero number of {what} is empty; check [plugins.purchase_orders] number_format.")
        vendor = po.get("vendor") or await ctx.syncro_record("vendors", po["vendor_id"])
        contact = await supplier_for(vendor, ctx, settings, what)
        order, coding = await self._order(po, ctx, settings)
        try:
            ordered = order.ordered()
        except Unexplained as exc:
            raise Park(f"{what} cannot be matched to the cent in Xero: {exc}. Check the PO in Syncro, then retry.") from exc
        finished = po.get("status") in settings.finished_statuses
        made, due = await self._due(change.record_id, order, finished, ctx, settings, what)
        link = await self._save(change.record_id, self._body(po, order, ordered, coding, contact, number, settings),
                                number, ctx, settings, what)
        status = None
        if not due.empty:
            status = await self._xero_status(link, ctx, what)
            if status == "BILLED" and not link.extra.get("billed"):
                raise Park(
                    f"{what} is already billed in Xero (a bill made there by hand?), so no bill was made, lest it be "
                    "billed twice. If that bill is this PO's, dismiss this record; otherwise mark the PO unbilled "
                    "in Xero and retry."
                )
            maker = BillMaker(po, order, coding, contact.xero_id, _format(settings.bill_number_format, po) or number,
                              settings.line_amount_types, settings.bill_status, settings.bill_due_days,
                              f"{syncro_web_root(ctx.syncro.api_url)}/purchase_orders/{po['id']}")
            await make_bill(maker, due, made + 1, ctx)
            made += 1
        if finished and made and not link.extra.get("billed"):
            await self._mark_billed(link, status or await self._xero_status(link, ctx, what), ctx, what)

    async def _due(self, po_id: str, order: Order, finished: bool, ctx: Context[PurchaseOrdersSettings], settings: PurchaseOrdersSettings,
                   what: str) -> tuple[int, Share]:
        """How many bills the PO has, and what is left to bill now; parks a PO that changed after billing."""
        if settings.bill_on == "never":
            return 0, Share()
        target = order.received() if finished or settings.bill_on == "each_receipt" else Share()
        bills, carried = await billed(po_id, ctx)
        due = target - carried
        if bills and not due.empty and not (settings.bill_on == "each_receipt" and due.receives):
            numbers = ", ".join(b.xero_number or "" for b in bills)
            raise Park(
                f"{what} changed in Syncro after it was billed in Xero (bill {numbers}): {_describe(due, order)}. "
                "Nothing was changed in Xero; adjust the PO and its bill there by hand (or raise a supplier credit "
                "note), then dismiss this record."
            )
        return len(bills), due

    async def _order(self, po: dict[str, Any], ctx: Context[PurchaseOrdersSettings], settings: PurchaseOrdersSettings) -> tuple[Order, Coding]:
        taxes = await tax_map(ctx)
        lines = []
        for line in po.get("line_items") or []:
            product = await ctx.syncro_record("products", line["product_id"])
            item = await _item(line["product_id"], ctx)
            tracked = bool(item and item.extra.get("tracked"))
            lines.append(OrderLine(
                id=str(line["id"]),
                description=(product.get("name") or "").strip() or f"Syncro product {line['product_id']}",
                quantity=int(line["quantity"]),
                received=int(line.get("received_quantity") or 0),
                cost=from_cents(int(line["cost_cents"])),
                account=ctx.settings_of("products").inventory_account if tracked else settings.purchase_account,
                tax_type=taxes.purchases(bool(product.get("taxable"))),
                item_code=item.xero_number if item else None,
            ))
        coding = Coding(
            shipping=(settings.shipping_account, taxes.purchases(settings.shipping_taxable)),
            other=(settings.other_account, taxes.purchases(settings.other_taxable)),
            discount_account=settings.purchase_account,
        )
        order = Order(lines, to_decimal(po.get("shipping")), to_decimal(po.get("other")), to_decimal(po.get("total")))
        return order, coding

    def _body(self, po: dict[str, Any], order: Order, ordered: Share, coding: Coding, contact: Link, number: str,
              settings: PurchaseOrdersSettings) -> dict[str, Any]:
        """The Xero PO but its status (which Xero's users may move on)."""
        body: dict[str, Any] = {
            "Contact": {"ContactID": contact.xero_id},
            "PurchaseOrderNumber": number,
            "Date": day(po.get("created_at")),
            "LineAmountTypes": settings.line_amount_types,
            "LineItems": order.xero_lines(ordered, coding),
        }
        if po.get("expected_date"):
            body["DeliveryDate"] = day(po["expected_date"])
        if reference := _format(settings.reference_format, po):
            body["Reference"] = reference[:255]
        if notes := (po.get("shipping_notes") or "").strip():
            body["DeliveryInstructions"] = _cut(notes, MAX_INSTRUCTIONS)
        return body

    async def _save(self, po_id: str, body: dict[str, Any], number: str, ctx: Context[PurchaseOrdersSettings],
                    settings: PurchaseOrdersSettings, what: str) -> Link:
        """Create the Xero PO or update it (never its status); unchanged, nothing is written."""
        link = await ctx.link(PURCHASE_ORDER, po_id)
        if link is not None and link.payload_digest == digest(body):
            return link
        extra = {"billed": bool(link and link.extra.get("billed"))}
        planned = Link(entity=PURCHASE_ORDER, syncro_id=po_id, xero_id=link.xero_id if link else "", xero_number=number,
                       payload_digest=digest(body), feature=self.name, extra=extra)
        try:
            action, method, payload = (
                ("create", "PUT", {**body, "Status": settings.order_status}) if link is None
                else ("update", "POST", {**body, "PurchaseOrderID": link.xero_id})
            )
            result = await ctx.write(
                PURCHASE_ORDER, po_id, action, method, "PurchaseOrders", payload,
                lookup=natural_key_lookup("PurchaseOrders", number), link=planned,
            )
        except XeroRejected as rejected:
            return await self._rejected(rejected, link, po_id, body, number, ctx, settings, what)
        return replace(planned, xero_id=str(result.get("PurchaseOrderID", planned.xero_id)))

    async def _rejected(
        self,
        rejected: XeroRejected,
        link: Link | None,
        po_id: str,
        body: dict[str, Any],
        number: str,
        ctx: Context[PurchaseOrdersSettings],
        settings: PurchaseOrdersSettings,
        what: str,
    ) -> Link:
        said = "; ".join(rejected.messages)
        if link is None and any(NUMBER_TAKEN in m for m in rejected.messages):
            existing = await ctx.xero_record_by_number("PurchaseOrders", number)
            if existing and existing["Contact"]["ContactID"] == body["Contact"]["ContactID"]:
                found = Link(
                    entity=PURCHASE_ORDER,
                    syncro_id=po_id,
                    xero_id=existing["PurchaseOrderID"],
                    xero_number=number,
                    feature=self.name,
                    extra={"billed": existing.get("Status") == "BILLED"},
                )
                await ctx.save_link(found)
                ctx.note(
                    f"{what}: already in Xero for this supplier; "
                    f"{ctx.done('linked', 'would be linked')} instead of made twice"
                )
                return await self._save(po_id, body, number, ctx, settings, what)
            raise Park(
                f"Purchase order number {number} is taken in Xero by another supplier's order. Set "
                '[plugins.purchase_orders] number_format (e.g. "SY-{number}"), then retry.',
                said,
            )
        if link is None:
            raise Park(f"Xero refused {what}: {said}. Correct it in Syncro or in the settings, then retry.", said)
        status = await self._xero_status(link, ctx, what)
        if status == "DELETED":
            raise Park(
                f"{what} changed in Syncro, but its purchase order in Xero is deleted and Xero refuses changes "
                "to it. Dismiss this record to leave it so, or raise the order again in Syncro.",
                said,
            )
        if status == "BILLED":
            raise Park(
                f"{what} changed in Syncro, but its purchase order is billed in Xero and Xero refuses changes "
                "to it. Make the same change to the PO and its bill in Xero by hand, then dismiss this record.",
                said,
            )
        raise Park(f"Xero refused the change to {what} (it is {status} there): {said}. Correct it, then retry.", said)

    async def _xero_status(self, link: Link, ctx: Context[PurchaseOrdersSettings], what: str) -> str:
        current = await ctx.xero_record("PurchaseOrders", link.xero_id)
        if current is None and not ctx.dry_run:
            raise Park(
                f"The Xero purchase order of {what} ({link.xero_number}) is gone from Xero. Dismiss this "
                "record, or raise the order again in Syncro."
            )
        return (current or {}).get("Status", "")

    async def _mark_billed(self, link: Link, status: str, ctx: Context[PurchaseOrdersSettings], what: str) -> None:
        billed_link = replace(link, extra={**link.extra, "billed": True})
        if status == "BILLED":
            await ctx.save_link(billed_link)
        elif status == "AUTHORISED":
            await ctx.write(
                PURCHASE_ORDER,
                link.syncro_id,
                "update",
                "POST",
                "PurchaseOrders",
                {"PurchaseOrderID": link.xero_id, "PurchaseOrderNumber": link.xero_number, "Status": "BILLED"},
                lookup=natural_key_lookup("PurchaseOrders", link.xero_number or ""),
                link=billed_link,
            )
        elif status:
            ctx.note(
                f"{what}: billed; its Xero purchase order is {status.lower()}, and Xero marks only approved "
                "orders billed, so it was left as it is"
            )

    async def check(self, ctx: Context[PurchaseOrdersSettings]) -> list[CheckResult]:
        settings = ctx.settings
        return await account_checks(
            ctx,
            self.name,
            {
                "purchase_account": (settings.purchase_account, None),
                "shipping_account": (settings.shipping_account, None),
                "other_account": (settings.other_account, None),
            },
        )


async def _item(product_id: Any, ctx: Context) -> Link | None:
    """The product's Xero item (synced now if it is not yet), when ``products`` is on."""
    if not ctx.enabled("products"):
        return None
    link = await ctx.link("item", product_id)
    if link is None:
        await ctx.ensure("products", product_id)
        link = await ctx.link("item", product_id)
    return link


def _describe(share: Share, order: Order) -> str:
    """A difference of shares, as a bookkeeper reads it."""
    names = {line.id: line.description for line in order.lines}
    parts = [f"{names.get(i, 'a removed line')} {q:+d}" for i, q in share.quantities.items()]
    parts += [
        f"{what} {amount:+}"
        for what, amount in (
            ("shipping", share.shipping),
            ("other charges", share.other),
            ("discount", share.discount),
        )
        if amount
    ]
    return "now " + ", ".join(parts) + " against what was billed"


@hookimpl
def syncro_xero_feature() -> Feature:
    return PurchaseOrders()
