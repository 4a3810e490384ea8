"""A Syncro customer as a Xero contact: the contacts feature's settings and payload, shared with
xero_contacts (the way back).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from syncro_xero import one_line

ENTITY = "contact"


class ContactsSettings(BaseModel):
    """``[plugins.contacts]``"""

    model_config = ConfigDict(extra="forbid")

    #: Xero ContactNumber (API-only, max 50) from the Syncro customer; ``{id}`` is the customer id.
    contact_number_format: str = "SYNCRO-{id}"
    #: Xero AccountNumber (shown to users); ``{id}``, or a custom field: ``{properties[Account No]}``;
    #: empty to leave it alone.
    account_number_format: str = "{id}"
    #: Syncro custom fields (``properties``) holding the tax number, first present wins.
    tax_number_properties: list[str] = ["Tax Number", "ABN", "VAT Number", "GST Number", "EIN"]
    #: Match unlinked customers to existing Xero contacts by name and email: on the first run only,
    #: always, or never (ContactNumber matches always).
    match_existing: Literal["first_run", "always", "never"] = "first_run"
    #: When the name is taken by another Xero contact: add ``name_clash_suffix``, or park the record.
    name_clash: Literal["suffix", "park"] = "suffix"
    name_clash_suffix: str = " (Syncro #{id})"
    #: Sync individuals (customers with no business name) too, not only organisations.
    include_individuals: bool = True
    #: A customer deleted in Syncro: archive its Xero contact, or keep it as it is.
    on_delete: Literal["archive", "keep"] = "archive"
    #: Syncro contacts of the customer become Xero contact persons (at most this many).
    max_contact_persons: int = Field(5, ge=0, le=5)


def display_name(customer: dict[str, Any]) -> str:
    """The Xero contact name: the business name, else the person's full name."""
    business = one_line(customer.get("business_name"))
    if business:
        return business
    person = " ".join(p for p in (one_line(customer.get("firstname")), one_line(customer.get("lastname"))) if p)
    return person or one_line(customer.get("fullname")) or f"Syncro customer {customer['id']}"


def _format(template: str, customer: dict[str, Any]) -> str:
    try:
        return template.format(id=customer["id"], properties=customer.get("properties") or {}).strip()
    except (KeyError, IndexError):
        return ""


def contact_payload(customer: dict[str, Any], settings: ContactsSettings, name: str | None = None) -> dict[str, Any]:
    """The Xero contact for a Syncro customer (a pure function: the same customer, the same payload)."""
    payload: dict[str, Any] = {
        "Name": (name or display_name(customer))[:255],
        "ContactNumber": _format(settings.contact_number_format, customer)[:50],
        "ContactStatus": "ACTIVE",
    }
    if account_number := _format(settings.account_number_format, customer):
        payload["AccountNumber"] = account_number[:50]
    for xero, syncro in (("FirstName", "firstname"), ("LastName", "lastname")):
        if value := one_line(customer.get(syncro)):
            payload[xero] = value[:255]
    if customer.get("email"):
        payload["EmailAddress"] = customer["email"][:255]
    properties = customer.get("properties") or {}
    for key in settings.tax_number_properties:
        if properties.get(key):
            payload["TaxNumber"] = str(properties[key])[:50]
            break
    phones = [
        {"PhoneType": kind, "PhoneNumber": str(customer[field])[:50]}
        for kind, field in (("DEFAULT", "phone"), ("MOBILE", "mobile"))
        if customer.get(field)
    ]
    if phones:
        payload["Phones"] = phones
    if any(customer.get(f) for f in ("address", "city", "zip")):
        payload["Addresses"] = [
            {
                "AddressType": "POBOX",  # Xero's billing/postal address
                **{
                    xero: str(customer[syncro])
                    for xero, syncro in (
                        ("AddressLine1", "address"),
                        ("AddressLine2", "address_2"),
                        ("City", "city"),
                        ("Region", "state"),
                        ("PostalCode", "zip"),
                    )
                    if customer.get(syncro)
                },
            }
        ]
    persons = _contact_persons(customer, settings.max_contact_persons)
    if persons:
        payload["ContactPersons"] = persons
    return payload


def _contact_persons(customer: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    persons = []
    for contact in (customer.get("contacts") or [])[:limit]:
        first, _, last = one_line(contact.get("name")).partition(" ")
        if not first:
            continue
        person = {"FirstName": first, "LastName": last or "", "IncludeInEmails": False}
        if contact.get("email"):
            person["EmailAddress"] = contact["email"]
        persons.append(person)
    return persons
