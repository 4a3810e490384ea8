"""Syncro invoices -> Xero sales invoices (ACCREC); negative invoices -> Xero credit notes.

Each invoice goes to the Xero contact of its customer (synced first if needed), with its lines
(product lines carry the item code, all lines an account and a tax type from the tax mapping, and
the category's tracking option when ``categories`` is on), its number, date, due date and a link
back to Syncro. Xero's totals are made equal to Syncro's to the cent (``lines.settle``).

Beyond Syncro's own integration: $0 invoices sync whether paid or not, $0 lines are kept,
negative invoices become credit notes instead of being dropped, and an invoice deleted in Syncro
is voided in Xero (deleted while a draft). Whatever Xero refuses (a paid invoice edited, a date
in a locked period, a void with payments) is parked with what the bookkeeper can do about it.
"""

from __future__ import annotations

from typing import Any

from syncro_xero import (
    Change,
    CheckResult,
    Context,
    Defer,
    Drift,
    Feature,
    Link,
    Lookup,
    Park,
    XeroRejected,
    digest,
    hookimpl,
    parse_instant,
    to_decimal,
    where_literal,
)

from ._shared.common import contact_for, day
from ._shared.invoice_content import (
    CREDIT_NOTE,
    INVOICE,
    InvoicesSettings,
    fill,
    record_sent,
    syncro_web_root,
)
from ._shared.lines import Mismatch, SourceLine, effective_rates, settle, xero_line
from ._shared.tax_map import tax_map
from ._shared.tracking import tracking_for

LOCK_MARKERS = ("lock date", "locked period", "period lock")
NUMBER_TAKEN = ("must be unique",)


class Invoices(Feature[InvoicesSettings]):
    name = "invoices"
    link_kinds = ("invoice", "invoice_base", "credit_note")
    description = "Syncro invoices -> Xero sales invoices; negative invoices -> credit notes"
    syncro_resources = ("invoices",)
    depends_on = ("contacts", "tax")
    Settings = InvoicesSettings

    async def handle(self, change: Change, ctx: Context[InvoicesSettings]) -> None:
        settings = ctx.settings
        if change.op == "deleted":
            await self._deleted(change, ctx, settings)
            return
        invoice = change.current
        if invoice.get("status") == "draft" and settings.drafts == "skip":
            return
        negative = to_decimal(invoice.get("total")) < 0
        entity = CREDIT_NOTE if negative else INVOICE
        other = await ctx.link(INVOICE if negative else CREDIT_NOTE, change.record_id)
        if other is not None:
            raise Park(
                f"Syncro invoice {invoice.get('number')} changed sign after it was sent to Xero as "
                f"{'an invoice' if negative else 'a credit note'}. Void that document in Xero, then retry."
            )
        native = not negative and invoice.get("xero_id") and await ctx.link(INVOICE, change.record_id) is None
        if native and settings.native_links == "skip":
            return
        contact = await contact_for(invoice.get("customer_id"), ctx, f"invoice {invoice.get('number')}")
        if native:
            await self._adopt(change.record_id, invoice, contact, ctx, settings)
        payload = await self._payload(invoice, contact, negative, ctx, settings)
        resource = "CreditNotes" if negative else "Invoices"
        number_field = "CreditNoteNumber" if negative else "InvoiceNumber"
        if not negative and ctx.enabled("xero_invoices"):
            await _no_unread_xero_edit(change.record_id, payload, ctx)
        lookup = None
        if not payload[number_field]:  # no number to find it by after a crash: its link back to Syncro
            lookup = Lookup("Invoices", f"Contact.ContactID==Guid({where_literal(contact.xero_id)})",
                            {"Contact.ContactID": contact.xero_id, "Url": payload["Url"]})
        try:
            await ctx.upsert(entity, change.record_id, resource, payload, number=payload[number_field],
                             params={"unitdp": "4"}, lookup=lookup)
        except XeroRejected as rejected:
            await self._rejected(rejected, invoice, payload, entity, resource, number_field, change, ctx)
        if not negative and ctx.enabled("xero_invoices"):
            await record_sent(change.record_id, invoice, ctx)  # the way back keeps the base of what is in Xero

    async def _adopt(
        self, record_id: str, invoice: dict[str, Any], contact: Link, ctx: Context[InvoicesSettings], settings: InvoicesSettings
    ) -> None:
        """Link the Xero invoice Syncro's own integration posted (``xero_id``), only when it is this
        invoice: its customer's contact, its number and its total; else park, writing nothing."""
        xero_id, number = str(invoice["xero_id"]), invoice.get("number")
        differences = []
        other = await ctx.link_by_xero_id(INVOICE, xero_id)
        if other is not None and other.syncro_id != str(record_id):
            differences.append(
                f"that Xero invoice is already linked to Syncro invoice {other.xero_number or other.syncro_id}")
        document = await ctx.xero_record("Invoices", xero_id)
        if document is None or document.get("Status") in ("DELETED", "VOIDED"):
            differences.append(f"Xero has no live invoice {xero_id}")
        else:
            if (document.get("Contact") or {}).get("ContactID") != contact.xero_id:
                differences.append(f"Xero's is for another contact ({(document.get('Contact') or {}).get('Name')})")
            # UNKNOWN (syncro-api.md §7 item 14): the InvoiceNumber Syncro's own integration gives is not
            # documented: Syncro's number, or this daemon's invoice_number_format of it, both count.
            if document.get("InvoiceNumber") not in (fill(settings.invoice_number_format, invoice), str(number)):
                differences.append(f"Xero's is numbered {document.get('InvoiceNumber')}")
            if to_decimal(document.get("Total")) != to_decimal(invoice.get("total")):
                differences.append(f"Xero's total is {document.get('Total')}, Syncro's {invoice.get('total')}")
        if differences:
            raise Park(
                f"Syncro invoice {number} carries the Xero id of an invoice that is not it ({xero_id}, set by "
                f"Syncro's own Xero integration): {'; '.join(differences)}. Nothing was written. If that Xero "
                "invoice is this one, make them agree and retry; if not, clear the invoice's Xero link in Syncro "
                "(or set native_links = \"skip\"), then retry."
            )
        await ctx.save_link(
            Link(
                entity=INVOICE,
                syncro_id=record_id,
                xero_id=xero_id,
                xero_number=document.get("InvoiceNumber"),
                feature=self.name,
            )
        )
        ctx.note(
            f"invoice {number}: already in Xero via Syncro's own integration; {ctx.done('linked', 'would be linked')}"
        )

    async def _payload(
        self, invoice: dict[str, Any], contact: Link, negative: bool, ctx: Context[InvoicesSettings], settings: InvoicesSettings
    ) -> dict[str, Any]:
        sign = -1 if negative else 1
        taxes = await tax_map(ctx)
        customer_rate = (invoice.get("customer") or {}).get("tax_rate_id")
        lines = []
        mapped: dict[str, str] = {}  # which Syncro tax rate gave which Xero tax type, for a park reason
        for line in invoice.get("line_items") or []:
            item_code = await _item_code(line, ctx)
            category = line.get("product_category")
            tax_type = taxes.sales(bool(line.get("taxable")), line.get("tax_rate_id") or customer_rate)
            if line.get("taxable"):
                mapped[_rate_source(line, invoice)] = tax_type
            lines.append(
                xero_line(
                    SourceLine.from_syncro(line, sign),
                    account_code=settings.category_accounts.get(category or "", settings.sales_account),
                    tax_type=tax_type,
                    item_code=item_code,
                    tracking=await _tracking(category, ctx),
                )
            )
        subtotal, tax = to_decimal(invoice.get("subtotal")), to_decimal(invoice.get("tax"))
        if invoice.get("total") is not None and to_decimal(invoice["total"]) != subtotal + tax:
            raise Park(
                f"Syncro invoice {invoice.get('number')} says its total is {invoice['total']}, but its subtotal "
                f"{subtotal} plus tax {tax} is {subtotal + tax}; correct it in Syncro, then retry."
            )
        rates = taxes.rates(effective_rates(await ctx.xero_list("TaxRates")))
        try:
            settled = settle(
                lines,
                subtotal=subtotal * sign,
                tax=tax * sign,
                rates=rates,
                rounding_account=settings.rounding_account,
                no_tax_type=taxes.settings.sales_exempt,
                mode=settings.rounding,
            )
        except Mismatch as mismatch:
            used = "; ".join(f"{source} -> Xero {tax_type}" for source, tax_type in sorted(mapped.items()))
            raise Park(
                f"Syncro invoice {invoice.get('number')} (id {invoice.get('id')}) cannot be matched to the cent in "
                f"Xero: {mismatch}." + (f" Its taxable lines map {used}." if used else "")
            ) from mismatch
        if settled.adjusted:
            ctx.note(
                f"invoice {invoice.get('number')}: Xero's rounding settled (subtotal {settled.subtotal_gap:+}, "
                f"tax {settled.tax_gap:+}) so its total equals Syncro's"
            )
        draft = invoice.get("status") == "draft"
        payload: dict[str, Any] = {
            "Type": "ACCRECCREDIT" if negative else "ACCREC",
            "Contact": {"ContactID": contact.xero_id},
            "Date": day(invoice.get("date")),
            "LineAmountTypes": "Exclusive",
            "LineItems": settled.lines,
            "Status": "DRAFT" if draft else settings.status,
        }
        if negative:
            # A credit note has no Url to be found by after a crash: without a number, the daemon gives one.
            payload["CreditNoteNumber"] = (
                fill(settings.credit_note_number_format, invoice) or f"SYNCRO-{invoice['id']}"
            )
        else:
            payload["InvoiceNumber"] = fill(settings.invoice_number_format, invoice)
            if invoice.get("due_date"):
                payload["DueDate"] = day(invoice["due_date"])
            payload["Url"] = f"{syncro_web_root(ctx.syncro.api_url)}/invoices/{invoice['id']}"
        if reference := fill(settings.reference_format, invoice):
            payload["Reference"] = reference[:255]
        return payload

    async def _rejected(
        self,
        rejected: XeroRejected,
        invoice: dict[str, Any],
        payload: dict[str, Any],
        entity: str,
        resource: str,
        number_field: str,
        change: Change,
        ctx: Context[InvoicesSettings],
    ) -> None:
        text = " ".join(rejected.messages).lower()
        number = payload[number_field]
        linked = await ctx.link(entity, change.record_id)
        if linked is None and any(m in text for m in NUMBER_TAKEN):
            existing = await ctx.xero_record_by_number(resource, number)
            if existing and _same_document(existing, payload, invoice):
                id_field = "CreditNoteID" if entity == CREDIT_NOTE else "InvoiceID"
                await ctx.save_link(
                    Link(
                        entity=entity,
                        syncro_id=change.record_id,
                        xero_id=existing[id_field],
                        xero_number=number,
                        feature=self.name,
                    )
                )
                ctx.note(
                    f"invoice {number}: already in Xero; {ctx.done('linked', 'would be linked')} instead of posted twice"
                )
                await ctx.upsert(entity, change.record_id, resource, payload, number=number, params={"unitdp": "4"})
                return
            raise Park(
                f"Invoice number {number} is already used in Xero by another document, not this invoice "
                "(another contact's, or one not made from it). Nothing was overwritten. Renumber one of them, "
                'or set invoice_number_format (e.g. "SY-{number}"), then retry.',
                "; ".join(rejected.messages),
            )
        if linked is not None and await _paid_in_xero(ctx, resource, linked.xero_id):
            raise Park(
                f"Invoice {number} changed in Syncro after it was paid (or credited) in Xero, and Xero does "
                "not allow editing it. Either remove the payment in Xero and retry, or make the same change "
                "in Xero by hand and dismiss this record.",
                "; ".join(rejected.messages),
            )
        if any(m in text for m in LOCK_MARKERS):
            raise Park(
                f"Invoice {number} is dated {payload.get('Date')}, inside a period locked in Xero. Ask your "
                "accountant to move the lock date, or change the invoice date in Syncro, then retry.",
                "; ".join(rejected.messages),
            )
        raise rejected

    async def _deleted(self, change: Change, ctx: Context[InvoicesSettings], settings: InvoicesSettings) -> None:
        for entity, resource, id_field in (
            (INVOICE, "Invoices", "InvoiceID"),
            (CREDIT_NOTE, "CreditNotes", "CreditNoteID"),
        ):
            link = await ctx.link(entity, change.record_id)
            if link is None:
                continue
            if settings.on_delete == "keep":
                return
            number = (change.previous or {}).get("number")
            current = await ctx.xero_record(resource, link.xero_id)
            if current is None or current.get("Status") in ("DELETED", "VOIDED"):
                await ctx.forget_link(entity, change.record_id)
                return
            paid = to_decimal(current.get("AmountPaid")) + to_decimal(current.get("AmountCredited"))
            if current.get("Status") == "PAID" or paid:
                raise Park(
                    f"Invoice {number} was deleted in Syncro, but in Xero it has payments or credits of {paid}. "
                    "Xero cannot void it until they are removed: remove them in Xero and retry, or keep the "
                    "invoice and dismiss this record."
                )
            status = "DELETED" if current.get("Status") in ("DRAFT", "SUBMITTED") else "VOIDED"
            await ctx.write(
                entity,
                change.record_id,
                "void",
                "POST",
                f"{resource}/{link.xero_id}",
                {id_field: link.xero_id, "Status": status},
            )
            ctx.note(
                f"invoice {number}: deleted in Syncro, "
                f"{ctx.done(status.lower(), 'would be ' + status.lower())} in Xero"
            )
            await ctx.forget_link(entity, change.record_id)
            return

    async def reconcile(self, ctx: Context[InvoicesSettings]) -> list[Drift]:
        """Every Syncro invoice against its Xero document: present, total, amount still due."""
        syncro = {str(i["id"]): i for i in await ctx.syncro.get_all("/invoices", "invoices")}
        xero = {d["InvoiceID"]: d for d in await ctx.xero_list("Invoices", {"where": 'Type=="ACCREC"'})}
        xero.update(
            {d["CreditNoteID"]: d for d in await ctx.xero_list("CreditNotes", {"where": 'Type=="ACCRECCREDIT"'})}
        )
        parked = {p.record_id: p.reason for p in await ctx.parked(self.name)}
        drifts = []
        for syncro_id, invoice in syncro.items():
            what = f"invoice {invoice.get('number')}"
            if invoice.get("status") == "draft":
                continue
            total, due = to_decimal(invoice.get("total")), to_decimal(invoice.get("balance_due"))
            link = await ctx.link(CREDIT_NOTE if total < 0 else INVOICE, syncro_id)
            document = xero.get(link.xero_id) if link else None
            if document is None:
                drifts.append(Drift(what, f"total {total}", "absent", parked.get(syncro_id, "not synced yet")))
                continue
            sign = -1 if total < 0 else 1
            xero_total = to_decimal(document.get("Total")) * sign
            xero_due = to_decimal(document.get("AmountDue", document.get("RemainingCredit"))) * sign
            if xero_total != total:
                drifts.append(Drift(what, f"total {total}", f"total {xero_total}", parked.get(syncro_id, "")))
            elif xero_due != due:
                drifts.append(
                    Drift(what, f"due {due}", f"due {xero_due}", "a payment or credit recorded on one side only")
                )
        for link in await ctx.links(INVOICE) + await ctx.links(CREDIT_NOTE):
            document = xero.get(link.xero_id)
            if link.syncro_id not in syncro and document and document.get("Status") not in ("VOIDED", "DELETED"):
                drifts.append(
                    Drift(
                        f"invoice {link.xero_number}",
                        "deleted",
                        f"{document.get('Status')}",
                        parked.get(link.syncro_id, ""),
                    )
                )
        return drifts

    async def check(self, ctx: Context[InvoicesSettings]) -> list[CheckResult]:
        settings = ctx.settings
        accounts = await ctx.accounts()
        wanted = {
            "plugins.invoices.sales_account": settings.sales_account,
            "plugins.invoices.rounding_account": settings.rounding_account,
            **{f"plugins.invoices.category_accounts.{k}": v for k, v in settings.category_accounts.items()},
        }
        return [
            CheckResult(
                code in accounts and accounts[code].get("Status", "ACTIVE") == "ACTIVE",
                f"{key} = {code}",
                accounts[code]["Name"] if code in accounts else f"no account '{code}' in Xero",
            )
            for key, code in wanted.items()
        ]


async def _no_unread_xero_edit(record_id: str, payload: dict[str, Any], ctx: Context) -> None:
    """An update waits when the Xero invoice changed after this pass read Xero's edits: the next pass
    reads that change first (xero_invoices), instead of this one sending over it unseen."""
    link = await ctx.link(INVOICE, record_id)
    if link is None or link.payload_digest == digest(payload):
        return  # a create, or nothing to send
    changed = await ctx.xero_changed_since_poll("Invoices")
    if changed and link.xero_id in changed:
        raise Defer(
            f"invoice {payload.get('InvoiceNumber')} changed in Xero during this pass: its change is read "
            "before Syncro's is sent"
        )


def _same_document(existing: dict[str, Any], payload: dict[str, Any], invoice: dict[str, Any]) -> bool:
    """Whether the Xero document holding this invoice's number is this invoice sent before (a state
    file lost, an answer that never came): an invoice carries its Syncro link (``Url``); a credit note,
    which has none, must have its contact, date and total."""
    if (existing.get("Contact") or {}).get("ContactID") != payload["Contact"]["ContactID"]:
        return False
    if "Url" in payload:
        return existing.get("Url") == payload["Url"]
    date = parse_instant(existing["Date"]).date().isoformat() if existing.get("Date") else None
    return date == payload["Date"] and to_decimal(existing.get("Total")) == -to_decimal(invoice.get("total"))


async def _paid_in_xero(ctx: Context, resource: str, xero_id: str) -> bool:
    current = await ctx.xero_record(resource, xero_id)
    if current is None:
        return False
    paid = to_decimal(current.get("AmountPaid")) + to_decimal(current.get("AmountCredited"))
    return current.get("Status") == "PAID" or paid > 0


async def _item_code(line: dict[str, Any], ctx: Context) -> str | None:
    product_id = line.get("product_id")
    if not product_id or not ctx.enabled("products"):
        return None
    link = await ctx.link("item", product_id)
    if link is None:
        await ctx.ensure("products", product_id)
        link = await ctx.link("item", product_id)
    return link.xero_number if link else None


async def _tracking(category: str | None, ctx: Context) -> list[dict[str, str]] | None:
    if not category or not ctx.enabled("categories"):
        return None
    return await tracking_for(ctx, category)


@hookimpl
def syncro_xero_feature() -> Feature:
    return Invoices()


def _rate_source(line: dict[str, Any], invoice: dict[str, Any]) -> str:
    """Which Syncro tax rate a taxable line is charged at, in words naming its Syncro id."""
    if line.get("tax_rate_id"):
        return f"Syncro tax rate {line['tax_rate_id']} (line '{line.get('name')}')"
    customer = invoice.get("customer") or {}
    if customer.get("tax_rate_id"):
        return f"Syncro tax rate {customer['tax_rate_id']} (customer {invoice.get('customer_id')}'s)"
    return "Syncro's default tax rate ([plugins.tax] syncro_default_rate_id)"
