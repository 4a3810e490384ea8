"""Xero invoice edits -> Syncro: a bookkeeper's change, in Xero, to a sales invoice from Syncro.

For each Xero invoice changed since the last pass that is linked to a Syncro invoice, the two are
compared in Xero's terms (``invoice_content``): first as polled against the Syncro invoice as read
this pass (the daemon's own writes end there, at no cost), then both read again as they are now
(Xero's unit prices to 4 places). What differs, of the ``fields`` chosen, is written to the Syncro
invoice: the header with ``PUT /invoices/{id}``, lines with the line-item endpoints (changed, added,
removed). Nothing else is written, so an invoice the daemon wrote itself and nobody edited costs no
write; the invoices feature then sees the Syncro change and sends the same content back to Xero
once, after which both compare equal and nothing moves. Lines are compared by amount, never tax
(Syncro computes its own), and as a multiset: their order is Syncro's.

Which side changed, field by field (date, due date, reference, number, contact, lines): against the
content both sides had when last seen in step (an ``invoice_base`` link, kept by this feature and by
the invoices feature whenever it sends an invoice). A field Xero moved and Syncro did not: Xero's
edit is written. One Syncro moved and Xero did not: nothing (the invoices feature sends it). One both
moved: settled by ``conflict`` and noted, as ``xero_contacts`` does. This feature reads Xero's edits
first in a pass (``reverse_first``), and the invoices feature holds an update back a pass when the
Xero invoice changed after that read, so it never sends over an edit nobody has read. Without a
base, an invoice the invoices feature parked counts as moved in Syncro: parked with the differences,
nothing written.

Safe by construction:
- every value is mapped and checked before the first call (a tax type no Syncro rate maps to would
  make Syncro charge other tax: parked, nothing written); a paid Syncro invoice's lines are not
  touched (Syncro answers "Invoice is already paid"); a refusal parks with Syncro's words and what
  was already written;
- several calls per invoice are not atomic: each goes through the core's Syncro writer, inside an
  edit journaled as open (``invoice_editing``, with the content it is to reach) before the first,
  and ``prepare`` finishes an edit left open at the start of the next pass, before the invoices
  feature could send the half-written invoice to Xero. Each round re-reads Syncro and writes only what still differs,
  so a rerun never writes twice (a product line takes two rounds: Syncro sets its price on POST);
- after writing, Syncro's recomputed totals are compared with Xero's lines: more than rounding
  apart parks; a rounding cent is noted (the invoices feature settles Xero's total to Syncro's).

Voided or deleted in Xero: never deleted in Syncro (``on_void``). Paid in Xero: payments are
xero_payments' business; the content is compared as always (a payment changes none of it).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from syncro_xero import (
    Change,
    CheckResult,
    Context,
    Feature,
    Link,
    Park,
    SyncroNotFound,
    SyncroWrite,
    hookimpl,
    to_decimal,
)

from ._shared.invoice_content import (
    BASE,
    INVOICE,
    TEMPLATED,
    Content,
    Mapping,
    describe_line,
    own_lines,
    syncro_content,
    view,
    xero_content,
)
from ._shared.invoice_edits import EditWriter, PutSends, plan_edit
from ._shared.lines import Mismatch, settle

EDITING = "invoice_editing"  # the journal entity of the edits written to Syncro, keyed by Syncro invoice id
GONE = ("VOIDED", "DELETED")
ROUNDS = 3
LABELS = {"date": "date", "due_date": "due date", "reference": "reference", "number": "number", "contact": "contact",
          "amounts": "line amounts", "lines": "lines"}


class XeroInvoicesSettings(BaseModel):
    """``[plugins.xero_invoices]``"""

    model_config = ConfigDict(extra="forbid")

    #: What flows back to Syncro: "date", "due_date", "po_number" (Xero's Reference, read through
    #: [plugins.invoices] reference_format), "number" (InvoiceNumber, through invoice_number_format),
    #: "customer" (the Xero contact's Syncro customer), "lines".
    fields: list[Literal["date", "due_date", "po_number", "number", "customer", "lines"]] = [
        "date", "due_date", "po_number", "lines"]
    #: An invoice voided (or deleted) in Xero is never deleted in Syncro: "park" it with what to do
    #: by hand, or only "note" it in the pass summary.
    on_void: Literal["park", "note"] = "park"
    # UNKNOWN (syncro-api.md §2.3, §2.4, §5.9): whether PUT resets the parameters it is not sent.
    #: "changes": PUTs send what differs; "all": also every other writable field as Syncro has it.
    put_sends: PutSends = "changes"
    #: A field changed in both since they were last in step: keep Syncro's value (sent to Xero), or
    #: take Xero's (written to Syncro); noted either way.
    conflict: Literal["syncro", "xero"] = "syncro"


class XeroInvoices(Feature[XeroInvoicesSettings]):
    name = "xero_invoices"
    link_kinds = ("invoice_base",)
    description = "Xero edits of invoices from Syncro -> the Syncro invoice (header and lines)"
    xero_resources = ("Invoices",)
    reverse_first = True  # read Xero's edits before the invoices feature could send over them
    depends_on = ("invoices",)
    sees_own_writes = True  # the invoices feature's writes move the base both sides are in step at
    Settings = XeroInvoicesSettings

    def wants(self, change: Change, ctx: Context[XeroInvoicesSettings]) -> bool:
        return change.current.get("Type") == "ACCREC"

    async def reverse(self, change: Change, ctx: Context[XeroInvoicesSettings]) -> None:
        link = await ctx.link_by_xero_id(INVOICE, change.current["InvoiceID"])
        if link is None:
            return  # made in Xero, or voided there after a deletion in Syncro
        if not await self._in_step_as_polled(link, change.current, ctx):
            await self._sync(link, ctx)

    async def _in_step_as_polled(self, link: Link, polled: dict[str, Any], ctx: Context[XeroInvoicesSettings]) -> bool:
        """The invoice as polled equals the Syncro invoice as read this pass (in step), or the content last
        in step (a Syncro change, or the daemon's own write): nothing more to read, at no cost. The poll
        shows unit prices to 2 places, so anything else is read again, both sides, before it is compared
        for writing."""
        if polled.get("Status") in GONE:
            return False
        settings = ctx.settings
        try:
            invoice = await ctx.syncro_record("invoices", link.syncro_id)
        except SyncroNotFound:
            return False
        mapping = await Mapping.load(ctx)
        keys = mapping.compared(settings.fields)
        s = await syncro_content(invoice, mapping, ctx)
        x = view(xero_content(polled, mapping), keys)
        if x == view(s, keys):
            await self._in_step(link, s, ctx)
            return True
        # Xero unmoved since last in step (the daemon's own write): a Syncro change, the invoices feature's to send
        base = await ctx.link(BASE, link.syncro_id)
        unmoved = base is not None and x == view(base.extra["content"], keys)
        return unmoved and await _open_edit(link.syncro_id, ctx) is None

    async def prepare(self, ctx: Context[XeroInvoicesSettings]) -> None:
        """Finish the edits a crash interrupted, before the invoices feature could send the half-written
        Syncro invoice to Xero."""
        for editing in await ctx.syncro_unfinished(EDITING):
            if not editing.is_edit:
                continue  # a write of an open edit: settled when its edit is finished
            link = await ctx.link(INVOICE, editing.key)
            if link is None:
                await ctx.syncro_end(EDITING, editing.key, given_up=True)
                continue
            try:
                await self._sync(link, ctx)
            except Park as parked:
                ctx.note(f"invoice {editing.extra.get('number')}: an interrupted Xero edit could not be finished: "
                         f"{parked.reason}")

    async def _sync(self, link: Link, ctx: Context[XeroInvoicesSettings]) -> None:
        settings = ctx.settings
        invoice = await _syncro_invoice(link.syncro_id, ctx)
        xero = await _xero_invoice(link.xero_id, ctx)
        if invoice is None or xero is None or xero["Status"] in GONE:
            await ctx.syncro_end(EDITING, link.syncro_id, given_up=True)
            if invoice is not None and xero is not None:
                self._voided(xero, invoice, settings, ctx)
            return  # gone from Syncro: the invoices feature voids (or keeps) the Xero invoice
        mapping = await Mapping.load(ctx)
        keys = mapping.compared(settings.fields)
        x = xero_content(xero, mapping)
        s = await syncro_content(invoice, mapping, ctx)
        if view(x, keys) == view(s, keys):
            await self._in_step(link, s, ctx)
        elif (target := await self._target(link, x, s, keys, invoice, ctx)) is not None:
            await self._write(link, xero, invoice, target, keys, mapping, ctx)

    async def _target(self, link: Link, x: Content, s: Content, keys: list[str], invoice: dict[str, Any],
                      ctx: Context[XeroInvoicesSettings]) -> Content | None:
        """What the Syncro invoice is to read as: Xero's value of each field Xero moved since both were last
        in step, Syncro's of the others, a field both moved settled by ``conflict`` (and noted). None when
        nothing of Xero's is to be written (the invoices feature sends Syncro's)."""
        settings = ctx.settings
        editing = await _open_edit(link.syncro_id, ctx)
        if editing is not None:  # an edit of Xero's was being written: the same one, conflicts settled as then
            return editing.extra.get("target") or x
        base = await ctx.link(BASE, link.syncro_id)
        if base is None:
            if any(p.record_id == link.syncro_id for p in await ctx.parked("invoices")):
                raise Park(
                    f"Invoice {invoice.get('number')} was edited in Xero, and it also differs in Syncro from what "
                    "was last sent to Xero (parked by the invoices feature). Nothing was written. Syncro's version "
                    "goes to Xero once the invoices feature can send it; if Xero's edit still applies, make it in "
                    f"Syncro by hand ({'; '.join(differences(x, s, keys))}), then dismiss this record."
                )
            return x
        known, ours, theirs = view(base.extra["content"], keys), view(x, keys), view(s, keys)
        target = dict(s)
        for key in keys:
            if ours[key] == theirs[key] or ours[key] == known[key]:
                continue  # the same on both sides, or moved in Syncro only
            if theirs[key] != known[key]:
                keep = settings.conflict == "syncro"
                ctx.note(f"invoice {invoice.get('number')}: {LABELS[key]} changed in Syncro and in Xero; "
                         f"{'kept' if keep else 'replaced'} Syncro's {shown(key, s[key])}"
                         f"{', not' if keep else ' by'} Xero's {shown(key, x[key])}")
                if keep:
                    continue
            target[key] = x[key]
        return target if view(target, keys) != theirs else None

    async def _write(self, link: Link, xero: dict[str, Any], invoice: dict[str, Any], target: Content,
                     keys: list[str], mapping: Mapping, ctx: Context[XeroInvoicesSettings]) -> None:
        """Make the Syncro invoice read as ``target`` (Xero's edit, where it wins)."""
        x = target
        settings = ctx.settings
        number = invoice.get("number")
        writer = EditWriter(ctx, EDITING, invoice, settings.put_sends)
        try:
            for attempt in range(ROUNDS + 1):
                s = await syncro_content(invoice, mapping, ctx)
                if view(x, keys) == view(s, keys):
                    break
                if attempt == ROUNDS:
                    raise Park(
                        f"Syncro did not keep Xero's edit of invoice {number}: after {ROUNDS} rounds it still differs "
                        f"({'; '.join(differences(x, s, keys))}). Make the change in Syncro by hand, then retry."
                    )
                edit = await plan_edit(x, s, invoice, keys, mapping, ctx)
                if attempt == 0:
                    if edit.touches_lines and invoice.get("is_paid"):
                        raise Park(
                            f"Invoice {number} was edited in Xero, but it is paid in Syncro, which refuses to change a "
                            "paid invoice's lines (\"Invoice is already paid\"). Nothing was written to Syncro. Remove "
                            "the payment in Syncro and retry, or make the edit in Syncro by hand and dismiss this record."
                        )
                    if ctx.dry_run:
                        await writer.apply(edit, invoice)  # listed in the report, nothing sent
                        ctx.note(f"would write Xero's edit of invoice {number} to Syncro: {edit.summary()}")
                        return
                    await ctx.syncro_begin(EDITING, link.syncro_id, f"/invoices/{link.syncro_id}",
                                           {"target": x, "number": number})
                await writer.apply(edit, invoice)
                ctx.forget_syncro_record("invoices", link.syncro_id)  # the invoices feature reads it anew
                now = await _syncro_invoice(link.syncro_id, ctx)
                if now is None:
                    raise Park(f"Syncro invoice {number} was deleted while Xero's edit was being written to it.")
                invoice = now
        except Park:
            await ctx.syncro_end(EDITING, link.syncro_id, given_up=True)
            raise
        await ctx.syncro_end(EDITING, link.syncro_id)
        # In step as Xero has it: a field Syncro kept (``conflict``) reads as Syncro's change, for the
        # invoices feature to send, never as Xero's edit again.
        xero_now = xero_content(xero, mapping)
        await self._in_step(link, xero_now, ctx)
        ctx.count("updated")
        ctx.note(f"invoice {number}: Xero's edit written to Syncro ({'; '.join(writer.done)})")
        if "lines" not in keys or view(x, keys)["lines"] == view(xero_now, keys)["lines"]:
            self._check_totals(xero, invoice, mapping, ctx)  # Xero's lines are Syncro's now

    def _check_totals(self, xero: dict[str, Any], invoice: dict[str, Any], mapping: Mapping, ctx: Context[XeroInvoicesSettings]) -> None:
        """Syncro's recomputed totals against Xero's lines, as the invoices feature will settle them."""
        number = invoice.get("number")
        lines = [{k: v for k, v in line.items() if k != "TaxAmount"} for line in own_lines(xero)]
        try:
            settle(
                lines,
                subtotal=to_decimal(invoice.get("subtotal")),
                tax=to_decimal(invoice.get("tax")),
                rates=mapping.rates,
                rounding_account=mapping.invoices.rounding_account,
                no_tax_type=mapping.taxes.settings.sales_exempt,
                mode=mapping.invoices.rounding,
            )
        except Mismatch as mismatch:
            raise Park(
                f"Invoice {number} has Xero's edit in Syncro now, but Syncro's recomputed totals differ from Xero's "
                f"by more than rounding: {mismatch}. The invoices feature parks it until that is fixed."
            ) from mismatch
        syncro_total, xero_total = to_decimal(invoice.get("total")), to_decimal(xero.get("Total"))
        if syncro_total != xero_total:
            ctx.note(
                f"invoice {number}: Syncro's total is {syncro_total:.2f} after the edit, Xero showed {xero_total:.2f} "
                "(tax rounding); the invoices feature brings Xero's total to Syncro's"
            )

    async def _in_step(self, link: Link, content: Content, ctx: Context[XeroInvoicesSettings]) -> None:
        base = await ctx.link(BASE, link.syncro_id)
        if base is None or base.xero_id != link.xero_id or base.extra.get("content") != content:
            await ctx.save_link(
                Link(
                    entity=BASE,
                    syncro_id=link.syncro_id,
                    xero_id=link.xero_id,
                    feature=self.name,
                    extra={"content": content},
                )
            )

    def _voided(
        self, xero: dict[str, Any], invoice: dict[str, Any], settings: XeroInvoicesSettings, ctx: Context[XeroInvoicesSettings]
    ) -> None:
        number, status = invoice.get("number"), xero["Status"].lower()
        if settings.on_void == "note":
            ctx.note(f"invoice {number}: {status} in Xero; Syncro's invoice is kept")
            return
        raise Park(
            f"Invoice {number} was {status} in Xero. The daemon never deletes invoices in Syncro. If it should go, "
            f"delete invoice #{number} in Syncro (or, once the customer has it, credit it with a refund invoice) and "
            "retry: this clears once it is gone. If it is still owed, keep it, enter it again in Xero by hand, and "
            "dismiss this record."
        )

    async def check(self, ctx: Context[XeroInvoicesSettings]) -> list[CheckResult]:
        settings = ctx.settings
        invoices = ctx.settings_of("invoices")
        results = []
        for name in (f for f in settings.fields if f in TEMPLATED):
            setting, placeholder = TEMPLATED[name]
            template = getattr(invoices, setting)
            ok = template.count("{" + placeholder + "}") == 1
            results.append(
                CheckResult(
                    ok,
                    f"plugins.xero_invoices.fields: {name}",
                    f"read back through {setting} '{template}'"
                    if ok
                    else f"[plugins.invoices] {setting} '{template}' has no single {{{placeholder}}}: "
                    "not copied back to Syncro",
                )
            )
        return results


def shown(key: str, value: Any) -> str:
    """A content value for a bookkeeper."""
    if key == "lines":
        return ", ".join(describe_line(line) for line in value) or "no lines"
    return str(value or "none")


def differences(xero: Content, syncro: Content, keys: list[str]) -> list[str]:
    """What Xero says that Syncro does not, for a bookkeeper."""
    out = [
        f"{LABELS[key]} {xero[key] or 'none'} in Xero, {syncro[key] or 'none'} from Syncro"
        for key in keys
        if key != "lines" and xero[key] != syncro[key]
    ]
    if "lines" in keys:
        theirs = list(syncro["lines"])
        for line in xero["lines"]:
            if line in theirs:
                theirs.remove(line)
            else:
                out.append(f"Xero's line {describe_line(line)}")
        out += [f"Syncro's line {describe_line(line)}" for line in theirs]
    return out


async def _open_edit(invoice_id: str, ctx: Context[XeroInvoicesSettings]) -> SyncroWrite | None:
    """The edit of this Syncro invoice left open (its writes begun, not all done), if there is one."""
    return next((w for w in await ctx.syncro_unfinished(EDITING, invoice_id) if w.is_edit), None)


async def _syncro_invoice(invoice_id: str, ctx: Context[XeroInvoicesSettings]) -> dict[str, Any] | None:
    """The Syncro invoice as it is now (not the pass's cached copy), or None once deleted."""
    try:
        return await ctx.syncro.get_record(f"/invoices/{invoice_id}", "invoice", invoice_id)
    except SyncroNotFound:
        return None


async def _xero_invoice(invoice_id: str, ctx: Context[XeroInvoicesSettings]) -> dict[str, Any] | None:
    """The Xero invoice with its unit prices to 4 places (the poll shows 2)."""
    found = await ctx.xero_list("Invoices", {"IDs": invoice_id, "unitdp": "4"})
    return found[0] if found else None


@hookimpl
def syncro_xero_feature() -> Feature:
    return XeroInvoices()
