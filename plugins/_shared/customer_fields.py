"""A Xero contact's values as Syncro customer fields: the inverse of ``contacts.contact_payload``.

``name`` stands for the Xero contact Name, which is the customer's business name, or its first and
last name for an individual (``contacts.display_name``); the other fields are Syncro's own.
"""

from __future__ import annotations

import re
from typing import Any, Literal, get_args

from syncro_xero import one_line

from .contact_payload import display_name

FieldName = Literal["name", "firstname", "lastname", "email", "phone", "mobile", "address", "address_2", "city",
                    "state", "zip"]
FIELDS: tuple[FieldName, ...] = get_args(FieldName)
#: Each Syncro address field, and the part of a Xero address that holds it.
ADDRESS = {"address": "AddressLine1", "address_2": "AddressLine2", "city": "City", "state": "Region",
           "zip": "PostalCode"}
_NOT_DIGITS = re.compile(r"\D")


def text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def xero_values(contact: dict[str, Any]) -> dict[str, str]:
    """The contact's values, by Syncro field."""
    address = _address(contact)
    return {
        "name": text(contact.get("Name")),
        "firstname": text(contact.get("FirstName")),
        "lastname": text(contact.get("LastName")),
        "email": text(contact.get("EmailAddress")),
        "phone": _phone(contact, "DEFAULT"),
        "mobile": _phone(contact, "MOBILE"),
        **{field: text(address.get(part)) for field, part in ADDRESS.items()},
    }


def syncro_values(customer: dict[str, Any], kept_name: str | None) -> dict[str, str]:
    """The customer's values, by the same fields; ``kept_name``: the Xero name ``contacts`` keeps."""
    names = {f: one_line(customer.get(f)) for f in ("firstname", "lastname")}  # as contacts sends them
    return {"name": kept_name or display_name(customer),
            **{f: names.get(f, text(customer.get(f))) for f in FIELDS if f != "name"}}


def same(field: str, one: str, other: str) -> bool:
    """Whether two values of ``field`` mean the same: emails without case, phones by their digits
    (a number with or without its area or country code is the same number)."""
    if field == "email":
        return one.casefold() == other.casefold()
    if field in ("phone", "mobile"):
        a, b = _NOT_DIGITS.sub("", one), _NOT_DIGITS.sub("", other)
        return a == b or bool(a and b and (a.endswith(b) or b.endswith(a)))
    return one == other


def new_customer(values: dict[str, str]) -> dict[str, str]:
    """The POST /customers body of a contact: a business, or an individual when its name is the
    person's name."""
    body = {f: v for f, v in values.items() if v and f != "name"}
    if values["name"] != _person(values):
        body["business_name"] = values["name"]
    return body


def customer_changes(values: dict[str, str], fields: list[str], customer: dict[str, Any]) -> dict[str, str]:
    """The PUT /customers fields that give ``customer`` these ``fields`` of ``values``. A new name is
    the business name, unless an individual's name is now its (new) first and last name."""
    changes = {f: values[f] for f in fields if f != "name"}
    if "name" in fields and (text(customer.get("business_name")) or values["name"] != _person(values)):
        changes["business_name"] = values["name"]
    return changes


def _person(values: dict[str, str]) -> str:
    return " ".join(p for p in (values["firstname"], values["lastname"]) if p)


def _address(contact: dict[str, Any]) -> dict[str, Any]:
    """The billing (POBOX) address ``contacts`` writes, or the street address when it has none."""
    by_type = {a.get("AddressType"): a for a in contact.get("Addresses") or []}
    for kind in ("POBOX", "STREET"):
        if any(text(by_type.get(kind, {}).get(part)) for part in ADDRESS.values()):
            return by_type[kind]
    return {}


def _phone(contact: dict[str, Any], kind: str) -> str:
    """One phone as text: its country and area codes before the number, unless the number has them."""
    phone = next((p for p in contact.get("Phones") or [] if p.get("PhoneType") == kind), {})
    number = text(phone.get("PhoneNumber"))
    if not number:
        return ""
    for code in (text(phone.get("PhoneAreaCode")), text(phone.get("PhoneCountryCode"))):
        if code and not number.startswith(code):
            number = f"{code} {number}"
    return number
