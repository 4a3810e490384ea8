"""Syncro vendors -> Xero supplier contacts, made when a purchase order first needs one.

A vendor's contact (link entity ``supplier``) has ContactNumber ``contact_number_format``, so a lost
state file finds it again, and the vendor's name, email, rep, phone, address and account number.
It is written when a purchase order of the vendor is synced, and kept in step from then on.

On first use the vendor is matched to an existing Xero contact instead of being duplicated: by
ContactNumber, then by name among active contacts. A contact of that name that is already a
customer's (or another vendor's) is a clash, settled by ``name_clash``: "suffix" names the supplier
"<name> (supplier)"; "share" makes the customer's contact the supplier too (a Xero contact may be
both; the customer's details are kept and the vendor's are never written over them); "park" asks
a person. Every choice is reported in the pass summary.

Two purchase orders of a new vendor handled at once may both ask Xero to create the contact; Xero
refuses the second (names and contact numbers are unique), which then takes the first one's link.
Neither waits for the other: a handler waiting on another's write would stall the write batcher.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from syncro_xero import Context, Link, Park, XeroRejected, one_line, where_literal

SUPPLIER = "supplier"
CUSTOMER = "contact"  # the contacts feature's link entity


class SupplierSettings(BaseModel):
    """The ``[plugins.purchase_orders]`` keys about supplier contacts."""

    model_config = ConfigDict(extra="forbid")

    #: Xero ContactNumber of a vendor's contact (API-only, max 50); ``{id}`` is the Syncro vendor id.
    contact_number_format: str = "SYNCRO-VENDOR-{id}"
    #: The vendor's name is a customer's (or another vendor's) Xero contact: "suffix" (a contact of
    #: its own named name + ``name_clash_suffix``), "share" (the customer's contact is the supplier
    #: too) or "park".
    name_clash: Literal["suffix", "share", "park"] = "suffix"
    name_clash_suffix: str = Field(" (supplier)", min_length=1)


def vendor_name(vendor: dict[str, Any]) -> str:
    return " ".join(one_line(vendor.get("name")).split()) or f"Syncro vendor {vendor['id']}"


def supplier_payload(vendor: dict[str, Any], settings: SupplierSettings, suffixed: bool) -> dict[str, Any]:
    """The Xero contact of a Syncro vendor (a pure function: the same vendor, the same payload)."""
    name = vendor_name(vendor) + (settings.name_clash_suffix if suffixed else "")
    payload: dict[str, Any] = {
        "Name": name[:255],
        "ContactNumber": settings.contact_number_format.format(id=vendor["id"])[:50],
        "ContactStatus": "ACTIVE",
    }
    for xero, syncro, limit in (("EmailAddress", "email", 255), ("FirstName", "rep_first_name", 255),
                                ("LastName", "rep_last_name", 255), ("AccountNumber", "account_number", 50)):
        if value := one_line(vendor.get(syncro)):
            payload[xero] = value[:limit]
    if vendor.get("phone"):
        payload["Phones"] = [{"PhoneType": "DEFAULT", "PhoneNumber": str(vendor["phone"])[:50]}]
    address = {xero: str(vendor[syncro]) for xero, syncro in (("AddressLine1", "address"), ("City", "city"),
                                                             ("Region", "state"), ("PostalCode", "zip"))
               if vendor.get(syncro)}
    if address:
        payload["Addresses"] = [{"AddressType": "POBOX", **address}]
    return payload


async def supplier_for(vendor: dict[str, Any], ctx: Context, settings: SupplierSettings, what: str) -> Link:
    """The vendor's Xero contact: linked, matched or created, and kept in step; parks ``what`` if impossible."""
    vendor_id = str(vendor["id"])
    link = await ctx.link(SUPPLIER, vendor_id)
    if link is None:
        link = await _match(vendor, ctx, settings)
    if link is not None and link.extra.get("shared"):
        return link
    suffixed = bool(link and link.extra.get("suffixed"))
    if link is None and _active_named(await _contacts(vendor, ctx, settings), vendor_name(vendor)) is not None:
        suffixed = True
    payload = supplier_payload(vendor, settings, suffixed)
    try:
        return await ctx.upsert(SUPPLIER, vendor_id, "Contacts", payload, number=payload["ContactNumber"],
                                extra={"suffixed": suffixed})
    except XeroRejected as rejected:
        made = await ctx.link(SUPPLIER, vendor_id)
        if link is None and made is not None:
            return made  # another purchase order of this vendor created it in the same batch
        raise Park(
            f"Xero refused the supplier contact '{payload['Name']}' of Syncro vendor {vendor_id}, needed by {what}: "
            f"{'; '.join(rejected.messages)}. Correct the vendor in Syncro (or the clashing contact in Xero), then retry.",
            "; ".join(rejected.messages),
        ) from rejected


async def _match(vendor: dict[str, Any], ctx: Context, settings: SupplierSettings) -> Link | None:
    """Link the vendor to an existing Xero contact that is clearly its own; None to create one."""
    contacts = await _contacts(vendor, ctx, settings)
    number = settings.contact_number_format.format(id=vendor["id"])[:50].casefold()
    name = vendor_name(vendor)
    found = next((c for c in contacts if (c.get("ContactNumber") or "").casefold() == number), None)
    how = "contact number"
    if found is None:
        found, how = _active_named(contacts, name), "name"
    if found is None:
        return None
    customer = await ctx.link_by_xero_id(CUSTOMER, found["ContactID"])
    other = await ctx.link_by_xero_id(SUPPLIER, found["ContactID"])
    # A contact matched in this pass is not in the state yet: the first vendor to match it claims it.
    claimant = ctx.memo.setdefault("claimed", {}).setdefault(found["ContactID"], str(vendor["id"]))
    if customer is None and other is None and claimant == str(vendor["id"]):
        suffixed = found["Name"].casefold() == (name + settings.name_clash_suffix).casefold()
        link = _matched(vendor, found, {"suffixed": suffixed})
        await ctx.save_link(link)
        ctx.note(f"vendor {vendor['id']} '{name}' matched existing Xero contact '{found['Name']}' by {how}")
        return link
    whose = f"customer {customer.syncro_id}" if customer else f"vendor {other.syncro_id if other else claimant}"
    if settings.name_clash == "park":
        raise Park(
            f"Xero contact '{found['Name']}' is already Syncro {whose}'s, and Syncro vendor {vendor['id']} has the "
            'same name. Rename the vendor in Syncro, or set [plugins.purchase_orders] name_clash to "suffix" or '
            '"share", then retry.'
        )
    if settings.name_clash == "share" and customer is not None:
        link = _matched(vendor, found, {"shared": True})
        await ctx.save_link(link)
        ctx.note(f"vendor {vendor['id']} '{name}' shares Xero contact '{found['Name']}' with Syncro {whose}")
        return link
    ctx.note(
        f"vendor {vendor['id']} '{name}': the name is Syncro {whose}'s contact in Xero; "
        f"{ctx.done('synced', 'would sync')} as '{name}{settings.name_clash_suffix}'"
    )
    return None


def _active_named(contacts: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    wanted = name.casefold()
    return next(
        (
            c
            for c in contacts
            if c.get("ContactStatus", "ACTIVE") == "ACTIVE" and (c.get("Name") or "").casefold() == wanted
        ),
        None,
    )


async def _contacts(vendor: dict[str, Any], ctx: Context, settings: SupplierSettings) -> list[dict[str, Any]]:
    """The Xero contacts with the vendor's contact number or name (Xero compares them without case),
    read once per pass and only when the vendor is not linked yet: not the organisation's every contact."""
    wanted = ctx.memo.setdefault("contacts", {})
    vendor_id = str(vendor["id"])
    if vendor_id not in wanted:
        number = settings.contact_number_format.format(id=vendor["id"])[:50]
        where = f"ContactNumber=={where_literal(number)} OR Name=={where_literal(vendor_name(vendor))}"
        wanted[vendor_id] = asyncio.ensure_future(ctx.xero_list("Contacts", {"includeArchived": "true", "where": where}))
    return await wanted[vendor_id]


def _matched(vendor: dict[str, Any], contact: dict[str, Any], extra: dict[str, Any]) -> Link:
    """The supplier link of a vendor to an existing Xero contact."""
    return Link(
        entity=SUPPLIER,
        syncro_id=str(vendor["id"]),
        xero_id=contact["ContactID"],
        xero_number=contact.get("ContactNumber"),
        feature="purchase_orders",
        extra=extra,
    )
