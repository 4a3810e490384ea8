"""Syncro customers -> Xero contacts: businesses and individuals, created, updated, archived.

Syncro's own integration syncs organisations only; this plugin syncs individuals too (switchable).
A customer not yet linked to a Xero contact is first matched against the organisation's contacts:
by ContactNumber always (it carries the Syncro id, so a lost state file never duplicates), and on
the first run also by name, then by email (``match_existing``). A name taken by another Xero
contact is resolved by a suffix naming the Syncro id, reported in the pass summary, or the record
is parked with a reason (``name_clash``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from syncro_xero import Change, Context, Feature, Link, Park, XeroRejected, hookimpl

from ._shared.contact_payload import (
    ENTITY,
    ContactsSettings,
    contact_payload,
    display_name,
)

CLASH_MARKERS = ("already assigned to another contact", "must be unique")


class _Matcher:
    """The organisation's contacts, for matching unlinked customers; one per pass."""

    def __init__(self, contacts: list[dict[str, Any]]) -> None:
        self.by_number = {c["ContactNumber"]: c for c in contacts if c.get("ContactNumber")}
        self.by_name = {c["Name"].casefold(): c for c in contacts if c.get("Name")}
        self.by_email: dict[str, dict[str, Any]] = {}
        for c in contacts:
            if c.get("EmailAddress"):
                self.by_email.setdefault(c["EmailAddress"].casefold(), c)
        self.claimed: set[str] = set()
        self.lock = asyncio.Lock()


class Contacts(Feature[ContactsSettings]):
    name = "contacts"
    link_kinds = ("contact",)
    description = "Syncro customers (businesses and individuals) -> Xero contacts"
    syncro_resources = ("customers",)
    Settings = ContactsSettings

    async def handle(self, change: Change, ctx: Context[ContactsSettings]) -> None:
        settings = ctx.settings
        if change.op == "deleted":
            await self._deleted(change, ctx, settings)
            return
        customer = change.current
        if not settings.include_individuals and not (customer.get("business_name") or "").strip():
            return
        link = await ctx.link(ENTITY, change.record_id)
        if link is None:
            link = await self._match(customer, ctx, settings)
        name = link.extra.get("name") if link and link.extra.get("renamed") else None
        try:
            await self._upsert(customer, ctx, settings, name, link)
        except XeroRejected as rejected:
            if not _is_name_clash(rejected):
                raise
            await self._resolve_clash(customer, ctx, settings, rejected)

    async def _upsert(
        self, customer: dict[str, Any], ctx: Context[ContactsSettings], settings: ContactsSettings, name: str | None, link: Link | None
    ) -> Link:
        payload = contact_payload(customer, settings, name)
        extra = {"name": payload["Name"], "renamed": name is not None}
        return await ctx.upsert(ENTITY, customer["id"], "Contacts", payload, number=payload["ContactNumber"], extra=extra)

    async def _resolve_clash(
        self, customer: dict[str, Any], ctx: Context[ContactsSettings], settings: ContactsSettings, rejected: XeroRejected
    ) -> None:
        wanted = display_name(customer)
        if settings.name_clash == "park":
            raise Park(
                f"Another Xero contact is already called '{wanted}'. Rename the customer in Syncro, "
                "rename or archive the other contact in Xero, or set name_clash = \"suffix\"; then retry.",
                "; ".join(rejected.messages),
            )
        unique = f"{wanted}{settings.name_clash_suffix.format(id=customer['id'])}"
        try:
            await self._upsert(customer, ctx, settings, unique, await ctx.link(ENTITY, customer["id"]))
        except XeroRejected as again:
            raise Park(
                f"Xero refused both '{wanted}' and '{unique}' as the contact name. Rename the customer in "
                "Syncro or the clashing contact in Xero, then retry.",
                "; ".join(again.messages),
            ) from again
        ctx.note(f"customer {customer['id']}: '{wanted}' is taken in Xero; "
                 f"{ctx.done('synced', 'would sync')} as '{unique}'")

    async def _match(self, customer: dict[str, Any], ctx: Context[ContactsSettings], settings: ContactsSettings) -> Link | None:
        """Link an unlinked customer to an existing Xero contact, if one is clearly the same."""
        matcher = await self._matcher(ctx)
        number = contact_payload(customer, settings)["ContactNumber"]
        by_name_too = settings.match_existing == "always" or (
            settings.match_existing == "first_run" and not await self._initial_match_done(ctx)
        )
        async with matcher.lock:
            found, how = matcher.by_number.get(number), "contact number"
            if found is None and by_name_too:
                found, how = matcher.by_name.get(display_name(customer).casefold()), "name"
                if found is None and customer.get("email"):
                    found, how = matcher.by_email.get(customer["email"].casefold()), "email"
            if found is None or found["ContactID"] in matcher.claimed:
                return None
            if await ctx.link_by_xero_id(ENTITY, found["ContactID"]):
                return None  # already another customer's contact
            matcher.claimed.add(found["ContactID"])
        link = Link(
            entity=ENTITY,
            syncro_id=str(customer["id"]),
            xero_id=found["ContactID"],
            xero_number=found.get("ContactNumber"),
            feature=self.name,
            extra={"name": found["Name"], "renamed": found["Name"] != display_name(customer)},
        )
        await ctx.save_link(link)
        ctx.note(
            f"customer {customer['id']} '{display_name(customer)}' matched existing Xero contact "
            f"'{found['Name']}' by {how}"
        )
        return link

    async def _matcher(self, ctx: Context[ContactsSettings]) -> _Matcher:
        memo = ctx.memo
        if "matcher" not in memo:
            memo["matcher"] = asyncio.ensure_future(ctx.xero_list("Contacts", {"includeArchived": "true"}))
        contacts = await memo["matcher"]
        if "matcher_index" not in memo:
            memo["matcher_index"] = _Matcher(contacts)
        return memo["matcher_index"]

    async def _initial_match_done(self, ctx: Context[ContactsSettings]) -> bool:
        return await ctx.get_flag("initial_match_done")

    async def _deleted(self, change: Change, ctx: Context[ContactsSettings], settings: ContactsSettings) -> None:
        link = await ctx.link(ENTITY, change.record_id)
        if link is None or settings.on_delete == "keep":
            return
        try:
            await ctx.write(
                ENTITY,
                change.record_id,
                "archive",
                "POST",
                "Contacts",
                {"ContactID": link.xero_id, "ContactStatus": "ARCHIVED"},
            )
        except XeroRejected as rejected:
            raise Park(
                f"The customer was deleted in Syncro, but Xero would not archive contact '{link.extra.get('name')}'. "
                "Settle or move its open invoices in Xero, then retry.",
                "; ".join(rejected.messages),
            ) from rejected
        await ctx.forget_link(ENTITY, change.record_id)

    async def pass_finished(self, ctx: Context[ContactsSettings]) -> None:
        """After a complete pass, name and email matching stops (``match_existing = "first_run"``)."""
        await ctx.set_flag("initial_match_done")


def _is_name_clash(rejected: XeroRejected) -> bool:
    return any(marker in m for m in rejected.messages for marker in CLASH_MARKERS) and any(
        "name" in m.lower() for m in rejected.messages
    )


@hookimpl
def syncro_xero_feature() -> Feature:
    return Contacts()
