"""Xero contacts -> Syncro customers: contacts made in Xero become customers, edits flow back.

Imported: only contacts a person made in Xero as a customer.
- Not the daemon's own (a ``contact``, ``supplier`` or ``adjustment_contact`` link), and without a
  ContactNumber: that field is API-only, so a contact carrying one was made by an app (this daemon,
  whose ``contacts`` re-matches it by that number, or another app that owns it). ACTIVE only.
- Customers, not suppliers. Xero has no customer/supplier type; it marks a contact IsCustomer or
  IsSupplier once a sales invoice or a bill exists. Suppliers and bank payees are contacts too, and
  one imported by mistake does harm beyond clutter: deleting it in Syncro would make ``contacts``
  archive the supplier's Xero contact. So a contact marked supplier only is ignored, and one marked
  neither waits for its first sales invoice (``Defer``), at most ``wait_hours`` after its last change,
  then is left alone (``import_uninvoiced`` imports it at once). Xero sets these marks without
  bumping UpdatedDateUTC (xero-api.md §1.3); a waiting contact holds the Xero cursor, so each pass
  reads it again.

An imported contact becomes a business (its Name), or an individual when the Name is its first and
last name, with its email, phones and billing address. It is linked under ``contact`` as if
``contacts`` had made it, and given that feature's payload at once (ContactNumber ``SYNCRO-{id}``
included), so ``contacts`` finds nothing to write and a lost state file re-matches it. A Syncro
customer of the same name (no other email) that has no Xero contact yet is linked instead of
duplicated; one already linked to another Xero contact parks the contact (a duplicate to merge).

Exactly once, without idempotency keys: ``POST /customers`` goes through the core's Syncro writer
(journaled as ``xero_contact`` by ContactID, the ``contact`` link saved with Syncro's answer), and its
``notes`` carry the marker ``Xero contact {ContactID}``, by which the customer is found again. POST
with no clear answer: the customer is looked for by that marker at once, else the contact waits for
the next pass. At the start of every pass (``prepare``, before ``contacts`` could send an unlinked
customer to Xero as new), each write left unsettled is: the marked customer linked if there is one,
else the write is marked lost and the contact (not acknowledged) posted again.

Edits of a linked contact, echo-free: its values are compared with the Syncro customer as it is now,
and only the fields that differ, and that changed in Xero since the version last acknowledged, are
written (``PUT /customers/{id}``). ``contacts`` then sends the same values back once, and the next
comparison finds nothing. A field that changed in Syncro too since the last sync (the customer's
payload differs from what ``contacts`` last sent, and the field from the last acknowledged Xero
value) is a conflict, settled by ``conflict`` and noted. A contact archived in Xero is noted; no
customer is ever deleted.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from syncro_xero import (
    Change,
    CheckResult,
    Context,
    Defer,
    Feature,
    Link,
    Park,
    SyncroNotFound,
    SyncroValidationError,
    SyncroWrite,
    SyncroWriteUncertain,
    digest,
    hookimpl,
    parse_instant,
    syncro_unwrap,
)

from ._shared.common import ADJUSTMENT_CONTACT
from ._shared.contact_payload import (
    ENTITY,
    ContactsSettings,
    contact_payload,
    display_name,
)
from ._shared.customer_fields import (
    FIELDS,
    FieldName,
    customer_changes,
    new_customer,
    same,
    syncro_values,
    xero_values,
)
from ._shared.suppliers import SUPPLIER

INTENT = "xero_contact"  # the journal entity of the customers made here, keyed by ContactID
EDIT = "xero_contact_edit"  # the journal entity of the edits written to customers, keyed by ContactID
OTHERS = (SUPPLIER, ADJUSTMENT_CONTACT)  # other features' links to Xero contacts
#: The fields of Syncro's customer body (syncro_swagger.json ``Customer``) that its GET shows too.
BODY = ("business_name", "firstname", "lastname", "email", "phone", "mobile", "address", "address_2", "city",
        "state", "zip", "notes", "get_sms", "opt_out", "no_email", "ref_customer_id", "referred_by", "tax_rate_id",
        "notification_email", "invoice_cc_emails", "invoice_term_id", "properties")


class XeroContactsSettings(BaseModel):
    """``[plugins.xero_contacts]``"""

    model_config = ConfigDict(extra="forbid")

    #: Contacts a person makes in Xero become Syncro customers.
    create_customers: bool = True
    #: Import a contact Xero marks neither customer nor supplier at once, rather than waiting for its
    #: first sales invoice.
    import_uninvoiced: bool = False
    #: How long after its last change a contact may wait for its first sales invoice.
    wait_hours: int = Field(72, ge=0)
    #: Edits of linked contacts in Xero change the Syncro customer.
    update_customers: bool = True
    #: The customer fields Xero edits change ("name": the business name, or an individual's name).
    fields: list[FieldName] = list(FIELDS)
    #: A field changed in both since the last sync: keep Syncro's value, or take Xero's (noted either way).
    conflict: Literal["syncro", "xero"] = "syncro"
    # UNKNOWN (syncro-api.md §5 item 9): whether PUT /customers clears the fields it is not sent (it
    # does for invoices; products reset omitted booleans).
    #: Send the whole customer on PUT with the changes, or only the changes.
    put_full_customer: bool = True


def marker(contact_id: str) -> str:
    """What the ``notes`` of a customer made from a Xero contact carry, to be found again."""
    return f"Xero contact {contact_id}"


async def find_marked(contact_id: str, name: str, ctx: Context[XeroContactsSettings]) -> dict[str, Any] | None:
    """The Syncro customer made from this contact, by its marker: among those named as posted, then all."""
    # UNKNOWN (syncro-api.md §1.5): which fields `query` searches ("Search query"; the emulator: names,
    # email, phones), and whether a search sees a customer created a moment ago; so every customer
    # is read when the search finds none.
    for params in ({"query": name, "include_disabled": "true"}, {"include_disabled": "true"}):
        for customer in await ctx.syncro.get_all("/customers", "customers", params):
            if marker(contact_id) in (customer.get("notes") or ""):
                return customer
    return None


class XeroContacts(Feature[XeroContactsSettings]):
    name = "xero_contacts"
    link_kinds = ("contact",)
    description = "Xero contacts -> Syncro customers: those made in Xero imported, edits flowing back"
    xero_resources = ("Contacts",)
    xero_params = {"Contacts": {"includeArchived": "true"}}  # an archive is news too
    reverse_first = True  # read Xero's edits before contacts could overwrite them
    depends_on = ("contacts",)
    Settings = XeroContactsSettings

    async def reverse(self, change: Change, ctx: Context[XeroContactsSettings]) -> None:
        contact = change.current
        link = await ctx.link_by_xero_id(ENTITY, contact["ContactID"])
        if link is not None:
            await self._edited(contact, change.previous, link, ctx)
        elif await self._importable(contact, ctx):
            await self._import(contact, ctx)

    async def prepare(self, ctx: Context[XeroContactsSettings]) -> None:
        """Settle the customer writes a crash or an unanswered POST left, before ``contacts`` could take
        their customers for new ones."""

        async def find(write: SyncroWrite) -> dict[str, Any] | None:
            return await find_marked(write.key, write.extra["name"], ctx)

        for write in await ctx.syncro_unfinished(INTENT):
            name = write.extra["name"]
            linked = await ctx.link_by_xero_id(ENTITY, write.key) is not None
            customer = await ctx.syncro_settle(write, find)
            if customer is not None and not linked:
                await ctx.save_link(self._link(customer, write.key, name))
                ctx.note(f"Xero contact '{name}': found in Syncro as customer {customer['id']}, "
                         f"{ctx.done('linked', 'would be linked')}")

    # -- importing ----------------------------------------------------------------------------
    async def _importable(self, contact: dict[str, Any], ctx: Context[XeroContactsSettings]) -> bool:
        """Made by a person in Xero, active, and importing is on (whether a customer: ``_import``)."""
        settings = ctx.settings
        if not settings.create_customers or contact.get("ContactStatus") != "ACTIVE" or contact.get("ContactNumber"):
            return False
        for entity in OTHERS:
            if await ctx.link_by_xero_id(entity, contact["ContactID"]) is not None:
                return False
        return True

    async def _import(self, contact: dict[str, Any], ctx: Context[XeroContactsSettings]) -> None:
        settings = ctx.settings
        name = contact["Name"]
        if not contact.get("IsCustomer"):
            if contact.get("IsSupplier"):
                return
            if not settings.import_uninvoiced:
                waited = ctx.clock.now() - parse_instant(contact["UpdatedDateUTC"])
                if waited < timedelta(hours=settings.wait_hours):
                    raise Defer(f"Xero contact '{name}' is not a customer in Xero yet (no sales invoice); "
                                f"it is imported once it is, if within {settings.wait_hours} h", bounded=False)
                ctx.note(f"Xero contact '{name}' had no sales invoice {settings.wait_hours} h after its last "
                         "change: not imported into Syncro")
                return
        values = xero_values(contact)
        if await self._matched(contact, values, ctx):
            return
        customer = await self._post(contact, {**new_customer(values), "notes": marker(contact["ContactID"])}, ctx)
        if ctx.dry_run:
            ctx.note(f"would create Syncro customer '{name}' from the Xero contact")
            return
        await self._adopt(customer, contact, ctx)
        ctx.count("created")

    async def _matched(
        self, contact: dict[str, Any], values: dict[str, str], ctx: Context[XeroContactsSettings]
    ) -> bool:
        """Link a Syncro customer of the same name that has no Xero contact yet; park on one that has."""
        name = values["name"]
        found = await ctx.syncro.get_all("/customers", "customers", {"query": name, "include_disabled": "true"})
        for customer in found:
            email = customer.get("email") or ""
            if display_name(customer).casefold() != name.casefold() or (
                email and values["email"] and not same("email", email, values["email"])
            ):
                continue
            other = await ctx.link(ENTITY, customer["id"])
            if other is not None:
                raise Park(
                    f"Syncro customer {customer['id']} '{display_name(customer)}' is already linked to another Xero "
                    f"contact ('{other.extra.get('name', other.xero_id)}'). If both contacts are this customer, merge "
                    "them in Xero; if not, rename this one; then retry."
                )
            await self._adopt(customer, contact, ctx)
            ctx.note(
                f"Xero contact '{name}' matched Syncro customer {customer['id']}, "
                f"{ctx.done('linked', 'would be linked')}"
            )
            return True
        return False

    async def _post(
        self, contact: dict[str, Any], body: dict[str, Any], ctx: Context[XeroContactsSettings]
    ) -> dict[str, Any]:
        """POST the customer once: found by its marker instead of posted again after an unclear answer;
        the ``contact`` link is saved with Syncro's answer (``_adopt`` completes it)."""
        contact_id, name = contact["ContactID"], contact["Name"]

        async def find(write: SyncroWrite) -> dict[str, Any] | None:
            return await find_marked(contact_id, name, ctx)

        link = Link(entity=ENTITY, syncro_id="", xero_id=contact_id, feature=self.name,
                    extra={"name": name, "renamed": name != display_name({**body, "id": ""})})
        try:
            answer = await ctx.syncro_write(INTENT, contact_id, "POST", "/customers", body, find=find, link=link,
                                            extra={"name": name})
        except SyncroWriteUncertain as unclear:
            raise Defer(
                f"Syncro gave no clear answer when customer '{contact['Name']}' was created; the next "
                f"pass looks for '{marker(contact['ContactID'])}' in its notes first"
            ) from unclear
        except SyncroValidationError as refused:
            raise Park.from_rejected(
                refused,
                f"Syncro refused customer '{contact['Name']}' made from this Xero contact: "
                f"{'; '.join(refused.messages) or refused}. Correct the contact in Xero, then retry.",
            ) from refused
        return syncro_unwrap(answer, "customer")

    async def _adopt(
        self, customer: dict[str, Any], contact: dict[str, Any], ctx: Context[XeroContactsSettings]
    ) -> None:
        """Link the customer to the contact and give the contact the payload ``contacts`` would write."""
        link = self._link(customer, contact["ContactID"], contact["Name"])
        await ctx.save_link(link)
        settings: ContactsSettings = ctx.settings_of("contacts")
        payload = contact_payload(customer, settings, link.extra["name"] if link.extra["renamed"] else None)
        await ctx.upsert(
            ENTITY, customer["id"], "Contacts", payload, number=payload["ContactNumber"], extra=link.extra
        )

    def _link(self, customer: dict[str, Any], contact_id: str, name: str) -> Link:
        """The ``contact`` link as ``contacts`` keeps it: a Xero name unlike the customer's is kept."""
        return Link(
            entity=ENTITY,
            syncro_id=str(customer["id"]),
            xero_id=contact_id,
            feature=self.name,
            extra={"name": name, "renamed": name != display_name(customer)},
        )

    # -- edits --------------------------------------------------------------------------------
    async def _edited(
        self, contact: dict[str, Any], previous: dict[str, Any] | None, link: Link, ctx: Context[XeroContactsSettings]
    ) -> None:
        settings = ctx.settings
        if contact.get("ContactStatus") != "ACTIVE":
            ctx.note(
                f"Xero contact '{contact['Name']}' is {str(contact.get('ContactStatus')).lower()}; Syncro customer "
                f"{link.syncro_id} is kept (this daemon deletes no customer). Delete it in Syncro if it is gone: "
                "an edit of it in Syncro makes the Xero contact active again."
            )
            return
        if not settings.update_customers:
            return
        ours = xero_values(contact)
        before = xero_values(previous) if previous else None
        changed = [f for f in settings.fields if before is None or not same(f, ours[f], before[f])]
        if not changed:
            return  # nothing of ours changed in Xero (e.g. what contacts wrote): Syncro is not read
        try:
            customer = await ctx.syncro_record("customers", link.syncro_id)
        except SyncroNotFound:
            ctx.note(f"Xero contact '{contact['Name']}' changed, but Syncro customer {link.syncro_id} is gone")
            return
        pushed = self._decide(contact["Name"], ours, before, changed, customer, link, ctx)
        if not pushed:
            return
        changes = customer_changes(ours, pushed, customer)
        await self._put(contact, customer, changes, ctx)
        if "name" in pushed and link.extra.get("renamed"):
            # contacts keeps writing the Xero name it was given: from now on, the one the bookkeeper gave
            renamed = contact["Name"] != display_name({**customer, **changes})
            await ctx.save_link(replace(link, extra={"name": contact["Name"], "renamed": renamed}))

    def _decide(
        self,
        name: str,
        ours: dict[str, str],
        before: dict[str, str] | None,
        changed: list[str],
        customer: dict[str, Any],
        link: Link,
        ctx: Context[XeroContactsSettings],
    ) -> list[str]:
        """The fields whose Xero value goes to Syncro: those that differ, conflicts settled by ``conflict``."""
        settings = ctx.settings
        kept_name = link.extra.get("name") if link.extra.get("renamed") else None
        theirs = syncro_values(customer, kept_name)
        contacts_settings: ContactsSettings = ctx.settings_of("contacts")
        syncro_moved = digest(contact_payload(customer, contacts_settings, kept_name)) != link.payload_digest
        pushed = []
        for field in changed:
            if same(field, ours[field], theirs[field]):
                continue
            if syncro_moved and (before is None or not same(field, theirs[field], before[field])):
                keep = settings.conflict == "syncro"
                ctx.note(
                    f"Xero contact '{name}': {field} changed in Syncro and in Xero; "
                    f"{ctx.done('kept', 'would keep') if keep else ctx.done('replaced', 'would replace')} Syncro's {theirs[field]!r}"
                    f"{', not' if keep else ' by'} Xero's {ours[field]!r}"
                )
                if keep:
                    continue
            pushed.append(field)
        return pushed

    async def _put(
        self, contact: dict[str, Any], customer: dict[str, Any], changes: dict[str, str], ctx: Context[XeroContactsSettings]
    ) -> None:
        settings = ctx.settings
        # A field Syncro holds as null is left out: the spec's fields are not nullable, and leaving it
        # out keeps it null whether or not PUT clears what it is not sent.
        body = {k: customer[k] for k in BODY if customer.get(k) is not None} if settings.put_full_customer else {}
        try:
            await ctx.syncro_write(EDIT, contact["ContactID"], "PUT", f"/customers/{customer['id']}",
                                   {**body, **changes})
        except SyncroValidationError as refused:
            raise Park.from_rejected(
                refused,
                f"Syncro refused the change of customer {customer['id']} made in Xero contact '{contact['Name']}': "
                f"{'; '.join(refused.messages) or refused}. Correct the contact in Xero, then retry.",
            ) from refused
        if ctx.dry_run:
            ctx.note(f"would change {', '.join(changes)} of Syncro customer {customer['id']} from Xero")
            return
        ctx.count("updated")

    # -- check --------------------------------------------------------------------------------
    async def check(self, ctx: Context[XeroContactsSettings]) -> list[CheckResult]:
        """Finding a customer made from Xero again needs its notes in Syncro's customer list."""
        customers = (await ctx.syncro.get("/customers", {"page": 1})).get("customers") or []
        if not customers:
            return [CheckResult(True, "Syncro customer list shows notes", "no customer yet to look at")]
        shown = "notes" in customers[0]
        return [
            CheckResult(
                shown,
                "Syncro customer list shows notes",
                "" if shown else "customers made from Xero could not be found again after an interruption",
            )
        ]


@hookimpl
def syncro_xero_feature() -> Feature:
    return XeroContacts()
