"""A Xero edit of an invoice as Syncro writes: what to send (planned, and checked, before anything is
sent), and sending it one journaled call at a time, saying what was written if Syncro refuses a step.

Every value is checked while planning: a tax type no Syncro rate maps to, an item that is no Syncro
product, a reference that does not fit ``reference_format`` park the invoice with nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, NoReturn

from syncro_xero import (
    Context,
    Park,
    SyncroNotFound,
    SyncroValidationError,
    SyncroWrite,
    syncro_error_messages,
    syncro_unwrap,
    to_decimal,
)

from .common import day
from .invoice_content import (
    AMOUNT,
    DESCRIPTION,
    DISCOUNT,
    ITEM,
    PRICE,
    QUANTITY,
    TAX,
    TEMPLATED,
    Content,
    LineKey,
    Mapping,
    invert,
    plan_lines,
)
from .lines import line_amount
from .tax_map import TaxMap

#: PUT /invoices/{id} parameters (syncro-api.md §2.3, the spec's request schema) read back in its detail.
HEADER = ("customer_id", "number", "date", "due_date", "ticket_id", "location_id", "po_number", "contact_id", "note")
#: PUT /invoices/{id}/line_items/{id} parameters (§2.4) read back on a line (line_discount_percent as discount_percent).
LINE = ("item", "name", "quantity", "price", "cost", "taxable", "tax_rate_id", "product_id", "line_discount_percent",
        "discount_dollars")
#: Line fields the request schemas type as numbers.
NUMBERS = ("quantity", "price", "cost")
PutSends = Literal["changes", "all"]


@dataclass
class Edit:
    """What to write to one Syncro invoice: header fields, line changes, new lines, lines to remove."""

    header: dict[str, Any] = field(default_factory=dict)
    updates: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)  # (Syncro line, changes)
    adds: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def touches_lines(self) -> bool:
        return bool(self.updates or self.adds or self.deletes)

    def summary(self) -> str:
        parts = [", ".join(self.header)] if self.header else []
        counts = ((len(self.updates), "changed"), (len(self.adds), "added"), (len(self.deletes), "removed"))
        parts += [f"{n} line(s) {what}" for n, what in counts if n]
        return "; ".join(parts)


async def plan_edit(xero: Content, syncro: Content, invoice: dict[str, Any], keys: list[str], mapping: Mapping,
                    ctx: Context) -> Edit:
    """The writes that make ``invoice`` (content ``syncro``) read as ``xero`` in the ``keys`` compared."""
    edit = Edit(header=await _header(xero, syncro, invoice, keys, mapping, ctx))
    if "lines" not in keys:
        return edit
    customer_rate = (invoice.get("customer") or {}).get("tax_rate_id")
    lines = plan_lines(xero["lines"], list(zip(invoice.get("line_items") or [], syncro["lines"])))
    for line, have, key in lines.updates:
        edit.updates.append((line, await _line_fields(key, have, line, customer_rate, mapping, invoice, ctx)))
    for key in lines.adds:
        fields = await _line_fields(key, None, None, customer_rate, mapping, invoice, ctx)
        edit.adds.append({k: v for k, v in fields.items() if v is not None})
    edit.deletes = lines.deletes
    return edit


async def _header(xero: Content, syncro: Content, invoice: dict[str, Any], keys: list[str], mapping: Mapping,
                  ctx: Context) -> dict[str, Any]:
    if xero["amounts"] != syncro["amounts"]:
        raise Park(
            f"Invoice {invoice.get('number')}'s line amounts are '{xero['amounts']}' in Xero; Syncro's prices exclude "
            "tax, so Xero's cannot be copied as they are. Nothing was written to Syncro. Set the invoice back to tax "
            "exclusive amounts in Xero, then retry."
        )
    out: dict[str, Any] = {key: xero[key] for key in ("date", "due_date") if key in keys and xero[key] != syncro[key]}
    for name, key in (("po_number", "reference"), ("number", "number")):
        if key in keys and xero[key] != syncro[key]:
            template = mapping.template(name)
            value = invert(template, TEMPLATED[name][1], invoice, xero[key])
            if value is None:
                raise Park(
                    f"Invoice {invoice.get('number')}'s {key} in Xero, '{xero[key]}', does not fit [plugins.invoices] "
                    f"{TEMPLATED[name][0]} '{template}', so it cannot be written to Syncro's {name}. Nothing was "
                    "written to Syncro. Make it fit in Xero (or change it in Syncro by hand), then retry."
                )
            out[name] = value
    if "contact" in keys and xero["contact"] != syncro["contact"]:
        customer = await ctx.link_by_xero_id("contact", xero["contact"] or "")
        if customer is None:
            raise Park(
                f"Invoice {invoice.get('number')} was moved in Xero to a contact that is no Syncro customer. Nothing "
                "was written to Syncro. Move it to a contact synced from Syncro (or move it in Syncro), then retry."
            )
        out["customer_id"] = int(customer.syncro_id)
    return out


async def _line_fields(key: LineKey, have: LineKey | None, line: dict[str, Any] | None, customer_rate: Any,
                       mapping: Mapping, invoice: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """The Syncro fields that make ``line`` (content ``have``; None for a new line) read ``key``."""
    quantity, price, discount = Decimal(key[QUANTITY]), Decimal(key[PRICE]), Decimal(key[DISCOUNT])
    if line_amount({"Quantity": quantity, "UnitAmount": price, "DiscountRate": discount}) != Decimal(key[AMOUNT]):
        raise Park(
            f"Line '{key[DESCRIPTION]}' of invoice {invoice.get('number')} amounts to {key[AMOUNT]} in Xero, which is not "
            "its quantity × price less its discount rate (a discount amount?), so Syncro's line cannot hold it. "
            "Nothing was written to Syncro. Use a discount rate in Xero, then retry."
        )
    out: dict[str, Any] = {}
    if have is None or key[DESCRIPTION] != have[DESCRIPTION]:
        out["name"] = key[DESCRIPTION]
    if have is None or key[QUANTITY:ITEM] != have[QUANTITY:ITEM]:
        out.update(quantity=quantity, price=price)
        if have is not None or discount:
            out["line_discount_percent"] = discount
        if line is not None and to_decimal(line.get("discount_dollars")):
            out["discount_dollars"] = Decimal(0)  # Xero's line carries no amount discount
    if mapping.items and (have is None or key[ITEM] != have[ITEM]):
        out["product_id"] = await _product(key, invoice, ctx)
    if have is None or key[TAX] != have[TAX]:
        out["taxable"], rate = syncro_tax(key, mapping.taxes, customer_rate, invoice)
        if rate is None and line is not None and line.get("tax_rate_id") is not None:
            rate = _fallback_rate_named(key, customer_rate or mapping.taxes.settings.syncro_default_rate_id, invoice)
        if rate is not None:
            out["tax_rate_id"] = rate
    return out


def _fallback_rate_named(key: LineKey, fallback: Any, invoice: dict[str, Any]) -> Any:
    """The rate a line without its own would take (the customer's, else the account's default), named
    on a line that has another: the spec's ``tax_rate_id`` is not nullable, so a line's own rate
    cannot be removed, only replaced by the one it would fall back to."""
    if fallback is None:
        raise Park(
            f"Line '{key[DESCRIPTION]}' of invoice {invoice.get('number')} must lose its own Syncro tax rate to have "
            f"Xero's tax type {key[TAX]}, and Syncro's API has no documented way to remove a line's tax rate. Nothing "
            "was written to Syncro. Remove the line's tax rate in Syncro by hand (or set [plugins.tax] "
            "syncro_default_rate_id), then retry."
        )
    return int(fallback) if str(fallback).isdigit() else fallback


def syncro_tax(key: LineKey, taxes: TaxMap, customer_rate: Any, invoice: dict[str, Any]) -> tuple[bool, Any]:
    """(taxable, tax_rate_id) that the tax mapping turns into the line's Xero tax type; the
    customer's own rate is preferred (no tax_rate_id), then the configured rates in order."""
    rate_ids = sorted({*taxes.settings.rates, *taxes.settings.groups})
    for taxable, rate_id in [(False, None), (True, None), *((True, r) for r in rate_ids)]:
        if taxes.sales(taxable, rate_id or customer_rate) == key[TAX]:
            return taxable, int(rate_id) if rate_id and rate_id.isdigit() else rate_id
    raise Park(
        f"Line '{key[DESCRIPTION]}' of invoice {invoice.get('number')} has the Xero tax type {key[TAX]}, which no "
        "Syncro tax rate maps to ([plugins.tax]): Syncro would charge other tax than Xero, and the totals would "
        "differ. Nothing was written to Syncro. Give the line a mapped tax rate in Xero (or map a Syncro tax rate "
        f"to {key[TAX]}), then retry."
    )


async def _product(key: LineKey, invoice: dict[str, Any], ctx: Context) -> int | None:
    if not key[ITEM]:
        return None
    link = next((link for link in await ctx.links("item") if link.xero_number == key[ITEM]), None)
    if link is None:
        raise Park(
            f"Line '{key[DESCRIPTION]}' of invoice {invoice.get('number')} has the Xero item {key[ITEM]}, which is no "
            "Syncro product. Nothing was written to Syncro. Use an item synced from Syncro (or none), then retry."
        )
    return int(link.syncro_id)


class EditWriter:
    """Sends an :class:`Edit` to one Syncro invoice, header first, one journaled call per step (journal
    entity ``entity``, keyed by the invoice id, inside the edit the feature opened)."""

    def __init__(self, ctx: Context[Any], entity: str, invoice: dict[str, Any], put_sends: PutSends) -> None:
        self.ctx = ctx
        self.entity = entity
        self.invoice_id = str(invoice["id"])
        self.path = f"/invoices/{invoice['id']}"
        self.number = invoice.get("number")
        self.put_sends = put_sends
        self.done: list[str] = []
        self._known_lines: set[str] = set()  # ids of the lines an added line is not

    async def apply(self, edit: Edit, invoice: dict[str, Any]) -> None:
        self._known_lines = {str(line["id"]) for line in invoice.get("line_items") or []}
        if edit.header:
            await self._step(f"change its {', '.join(edit.header)}", "PUT", self.path,
                             self._body(edit.header, invoice, HEADER))
        for line, changes in edit.updates:
            step = f"change line '{line.get('name') or line.get('item')}'"
            answer = await self._step(step, "PUT", f"{self.path}/line_items/{line['id']}",
                                      self._body(changes, line, LINE))
            # a paid invoice's line: 200 "Invoice is already paid" (§2.4); a dry run's answer is made up
            if "line_item" not in answer and not self.ctx.dry_run:
                self._refused(step, syncro_error_messages(answer), None)
        for body in edit.adds:
            added = await self._step(f"add line '{body['name']}'", "POST", f"{self.path}/line_items", body)
            self._known_lines.add(str(syncro_unwrap(added, "line_item").get("id")))
        for line in edit.deletes:
            try:
                await self._step(f"remove line '{line.get('name') or line.get('item')}'", "DELETE",
                                 f"{self.path}/line_items/{line['id']}")
            except SyncroNotFound:
                pass  # gone already: an earlier attempt got through

    async def _added_line(self, write: SyncroWrite) -> dict[str, Any] | None:
        """The line an unanswered POST may have added: a line of the invoice now that was not there
        before, named as sent."""
        invoice = await self.ctx.syncro.get_record(self.path, "invoice", self.invoice_id)
        name = (write.body or {}).get("name")
        return next((line for line in invoice.get("line_items") or []
                     if str(line["id"]) not in self._known_lines and line.get("name") == name), None)

    async def _step(self, step: str, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            answer = await self.ctx.syncro_write(self.entity, self.invoice_id, method, path, body, step=step,
                                                 find=self._added_line if method == "POST" else None)
        except SyncroValidationError as refused:
            self._refused(step, refused.messages, str(refused))
        self.done.append(step)
        self.ctx.log.debug("Syncro invoice %s: %s (from Xero)", self.number, step)
        return answer

    def _refused(self, step: str, words: list[str], detail: str | None) -> NoReturn:
        written = f"Already written to Syncro: {'; '.join(self.done)}." if self.done else "Nothing was written to Syncro."
        raise Park(
            f"Syncro refused to {step} on invoice {self.number}: {'; '.join(words) or 'no reason given'}. {written} "
            "Correct the invoice in Syncro or in Xero, then retry.",
            detail,
        )

    def _body(self, changes: dict[str, Any], current: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
        # UNKNOWN (syncro-api.md §2.3, §2.4, §5.9): PUT "all parameters overwrite existing params": whether a
        # parameter left out keeps its value (as Rails updates do) or is reset. "changes" sends what differs;
        # "all" also sends every other writable field as Syncro has it now.
        if self.put_sends == "changes":
            return changes
        # The request schemas type no field nullable and a line's price, cost and quantity as numbers,
        # which Syncro reads back as strings: a null stays out (it is null either way), numbers go as numbers.
        now = {name: current.get("discount_percent" if name == "line_discount_percent" else name) for name in fields}
        now = {name: value for name, value in now.items() if value is not None}
        now.update({name: day(now[name]) for name in ("date", "due_date") if name in now})
        now.update({name: Decimal(str(now[name])) for name in NUMBERS if name in now})
        return {**now, **changes}
