"""A Syncro invoice and its Xero invoice side by side, in Xero's terms, for the way back to Syncro.

``content`` is what both sides say about what a bookkeeper can edit in Xero and Syncro can hold:
the header (date, due date, reference, number, contact, and whether line amounts are tax exclusive,
as Syncro's prices are) and the lines (description, quantity,
unit price, discount rate, item code, tax type), normalised so that equal means equal. A Syncro
invoice's content is what the invoices feature sends to Xero (the same ``xero_line`` and formats);
a Xero invoice's leaves out the rounding line and the lines' tax amounts (``settle`` may have set
one; Syncro computes its own tax, so line amounts are compared, never tax). Line order is not
content: Syncro keeps its own, and the invoices feature puts Xero's lines in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict
from syncro_xero import Context, Link, parse_instant, to_decimal

from .common import day
from .lines import (
    ROUNDING_DESCRIPTION,
    SourceLine,
    effective_rates,
    line_amount,
    xero_line,
)
from .tax_map import TaxMap, tax_map

#: ``[plugins.xero_invoices] fields`` -> the content key it compares.
FIELDS = {"date": "date", "due_date": "due_date", "po_number": "reference", "number": "number",
          "customer": "contact", "lines": "lines"}
#: Fields Xero holds through a ``[plugins.invoices]`` template: (template setting, placeholder).
TEMPLATED = {"po_number": ("reference_format", "po_number"), "number": ("invoice_number_format", "number")}

EXCLUSIVE = "Exclusive"  # the invoices feature's LineAmountTypes
#: xero_invoices' link: Syncro invoice id <-> InvoiceID; extra {"content"}: both sides when last in step.
BASE = "invoice_base"

Content = dict[str, Any]
LineKey = list[str]  # description, quantity, unit price, discount rate, item code, tax type, line amount
DESCRIPTION, QUANTITY, PRICE, DISCOUNT, ITEM, TAX, AMOUNT = range(7)


@dataclass(frozen=True)
class Mapping:
    """What both directions map through: the invoices feature's formats and the tax mapping."""

    invoices: InvoicesSettings
    taxes: TaxMap
    rates: dict[str, Decimal]
    items: bool  # products is on: lines carry item codes

    @classmethod
    async def load(cls, ctx: Context) -> Mapping:
        taxes = await tax_map(ctx)
        rates = taxes.rates(effective_rates(await ctx.xero_list("TaxRates")))
        return cls(ctx.settings_of("invoices"), taxes, rates, ctx.enabled("products"))

    def template(self, field: str) -> str:
        return getattr(self.invoices, TEMPLATED[field][0])

    def compared(self, fields: list[str]) -> list[str]:
        """The content keys of ``fields``, less those whose template cannot be read back (see ``invert``);
        always "amounts"."""
        return ["amounts", *(FIELDS[f] for f in fields
                             if f not in TEMPLATED or self.template(f).count("{" + TEMPLATED[f][1] + "}") == 1)]


def canon(value: Any) -> str:
    amount = to_decimal(value)
    return format(amount.normalize(), "f") if amount else "0"


def line_key(line: dict[str, Any], items: bool) -> LineKey:
    """A line as compared; its amount is Xero's LineAmount when Xero has one (a DiscountAmount, which
    Syncro's lines cannot hold, shows there), else what Xero would make of it."""
    amount = line["LineAmount"] if line.get("LineAmount") is not None else line_amount(line)
    return [line.get("Description") or "", canon(line.get("Quantity")), canon(line.get("UnitAmount")),
            canon(line.get("DiscountRate")), (line.get("ItemCode") or "") if items else "", line.get("TaxType") or "",
            canon(amount)]


def own_lines(invoice: dict[str, Any]) -> list[dict[str, Any]]:
    """A Xero invoice's lines without the rounding line the invoices feature adds."""
    return [line for line in invoice.get("LineItems") or [] if line.get("Description") != ROUNDING_DESCRIPTION]


def _xero_day(value: Any) -> str | None:
    return parse_instant(value).date().isoformat() if value else None


def xero_content(invoice: dict[str, Any], mapping: Mapping) -> Content:
    return {
        "date": _xero_day(invoice.get("Date")),
        "due_date": _xero_day(invoice.get("DueDate")),
        "reference": invoice.get("Reference") or "",
        "number": invoice.get("InvoiceNumber") or "",
        "contact": (invoice.get("Contact") or {}).get("ContactID"),
        "amounts": invoice.get("LineAmountTypes") or EXCLUSIVE,
        "lines": [line_key(line, mapping.items) for line in own_lines(invoice)],
    }


async def syncro_content(invoice: dict[str, Any], mapping: Mapping, ctx: Context) -> Content:
    """What the invoices feature would send to Xero for ``invoice``, as content."""
    customer_rate = (invoice.get("customer") or {}).get("tax_rate_id")
    lines = []
    for line in invoice.get("line_items") or []:
        tax_type = mapping.taxes.sales(bool(line.get("taxable")), line.get("tax_rate_id") or customer_rate)
        code = await _item_code(line.get("product_id"), ctx) if mapping.items else None
        lines.append(line_key(xero_line(SourceLine.from_syncro(line), account_code="", tax_type=tax_type,
                                        item_code=code), mapping.items))
    contact = await ctx.link("contact", invoice.get("customer_id"))
    return {
        "date": day(invoice.get("date")),
        "due_date": day(invoice.get("due_date")),
        "reference": fill(mapping.invoices.reference_format, invoice)[:255],
        "number": fill(mapping.invoices.invoice_number_format, invoice),
        "contact": contact.xero_id if contact else None,
        "amounts": EXCLUSIVE,
        "lines": lines,
    }


async def _item_code(product_id: Any, ctx: Context) -> str | None:
    link = await ctx.link("item", product_id) if product_id else None
    return link.xero_number if link else None


def view(content: Content, keys: list[str]) -> Content:
    """The compared part of ``content``; lines as a multiset."""
    out = {key: content[key] for key in keys}
    if "lines" in out:
        out["lines"] = sorted(out["lines"])
    return out


def invert(template: str, placeholder: str, invoice: dict[str, Any], value: str) -> str | None:
    """The ``placeholder`` field that makes ``template`` read ``value`` for this invoice, or None."""
    head, _, tail = template.partition("{" + placeholder + "}")
    before, after = fill(head, invoice), fill(tail, invoice)
    if len(value) < len(before) + len(after) or not (value.startswith(before) and value.endswith(after)):
        return None
    found = value[len(before):len(value) - len(after)].strip()
    return found if fill(template, {**invoice, placeholder: found}) == value else None


@dataclass
class LinePlan:
    """How Syncro's lines become Xero's: (Syncro line, its key, Xero's key) updates, adds, deletes."""

    updates: list[tuple[dict[str, Any], LineKey, LineKey]]
    adds: list[LineKey]
    deletes: list[dict[str, Any]]

    def __bool__(self) -> bool:
        return bool(self.updates or self.adds or self.deletes)


def plan_lines(xero: list[LineKey], syncro: list[tuple[dict[str, Any], LineKey]]) -> LinePlan:
    """Equal lines match whatever their order; of the rest, a Xero line changes the Syncro line with
    the same description, else the same item code; the others are added or deleted (a Syncro line
    is never turned into an unrelated one: it would keep its item, cost and category). Idempotent:
    run on a half-written invoice it plans only what is still missing."""
    left = list(syncro)
    unmatched = []
    for key in xero:
        hit = next((i for i, (_, have) in enumerate(left) if have == key), None)
        if hit is None:
            unmatched.append(key)
        else:
            left.pop(hit)
    updates = []
    for alike in (DESCRIPTION, ITEM):
        for key in list(unmatched):
            hit = next((i for i, (_, have) in enumerate(left) if key[alike] and have[alike] == key[alike]), None)
            if hit is not None:
                line, have = left.pop(hit)
                unmatched.remove(key)
                updates.append((line, have, key))
    return LinePlan(updates, unmatched, [line for line, _ in left])


def describe_line(key: LineKey) -> str:
    return f"'{key[DESCRIPTION]}' {key[QUANTITY]} × {key[PRICE]} = {key[AMOUNT]} ({key[TAX]})"


INVOICE = "invoice"

CREDIT_NOTE = "credit_note"


class InvoicesSettings(BaseModel):
    """``[plugins.invoices]``"""

    model_config = ConfigDict(extra="forbid")

    #: Xero InvoiceNumber (unique among sales invoices); ``{number}`` is Syncro's invoice number.
    invoice_number_format: str = "{number}"
    #: Xero CreditNoteNumber of a negative invoice.
    credit_note_number_format: str = "{number}"
    #: Revenue account of lines, unless their product category has its own in ``category_accounts``.
    sales_account: str = "200"
    category_accounts: dict[str, str] = {}
    #: Status given to new Xero documents: "AUTHORISED" (approved) or "DRAFT" (for review).
    status: Literal["AUTHORISED", "DRAFT"] = "AUTHORISED"
    #: Syncro draft invoices (accounts with drafts enabled): keep them out of Xero until published,
    #: or send them as Xero drafts.
    drafts: Literal["skip", "xero_draft"] = "skip"
    #: Xero Reference; ``{po_number}`` and ``{number}`` are Syncro's; "" for none.
    reference_format: str = "{po_number}"
    #: Settle Xero's per-line tax rounding on the largest taxed line, or on a rounding line.
    rounding: Literal["adjust_line_tax", "rounding_line"] = "adjust_line_tax"
    #: Account of rounding lines (a new organisation's "860 Rounding").
    rounding_account: str = "860"
    #: An invoice deleted in Syncro: void it in Xero (delete a draft), or keep it.
    on_delete: Literal["void", "keep"] = "void"
    #: Invoices Syncro's own Xero integration already posted (their ``xero_id``): link and keep them
    #: in step ("adopt"), or leave them alone ("skip"). Either way they are never posted twice.
    native_links: Literal["adopt", "skip"] = "adopt"


def syncro_web_root(api_url: str) -> str:
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}"


def fill(template: str, invoice: dict[str, Any]) -> str:
    """``template`` (``"{po_number}"``) filled with the invoice's fields, None as "", stripped."""
    try:
        return template.format(**{k: ("" if v is None else v) for k, v in invoice.items()}).strip()
    except (KeyError, IndexError, ValueError):
        return ""


async def record_sent(syncro_id: str, invoice: dict[str, Any], ctx: Context) -> None:
    """The invoices feature sent ``invoice`` to Xero: both sides are in step on its content (the base
    against which the next Xero edit is told from the daemon's own write)."""
    link = await ctx.link(INVOICE, syncro_id)
    if link is None or not link.xero_id:
        return
    content = await syncro_content(invoice, await Mapping.load(ctx), ctx)
    base = await ctx.link(BASE, syncro_id)
    if base is None or base.xero_id != link.xero_id or base.extra.get("content") != content:
        await ctx.save_link(
            Link(
                entity=BASE,
                syncro_id=syncro_id,
                xero_id=link.xero_id,
                feature="xero_invoices",
                extra={"content": content},
            )
        )
