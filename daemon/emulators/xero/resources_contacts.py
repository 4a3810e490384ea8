"""Contacts: paged list, GET by ContactID or ContactNumber, PUT create-only, POST upsert, archive."""

from __future__ import annotations

import re

from . import fields as F
from .fields import Schema
from .ledger import contact_balances
from .resource import GET, LIST, POST, POST_ONE, PUT, Call, Resource, Unique
from .resources_settings import account_code_error, tax_type_error

ADDRESS = Schema(
    "Address",
    {
        "AddressType": F.choice("POBOX", "STREET"),
        "AddressLine1": F.text(500),
        "AddressLine2": F.text(500),
        "AddressLine3": F.text(500),
        "AddressLine4": F.text(500),
        "City": F.text(255),
        "Region": F.text(255),
        "PostalCode": F.text(50),
        "Country": F.text(50),
        "AttentionTo": F.text(255),
    },
)
PHONE = Schema(
    "Phone",
    {
        "PhoneType": F.choice("DEFAULT", "DDI", "MOBILE", "FAX", "OFFICE"),
        "PhoneNumber": F.text(50),
        "PhoneAreaCode": F.text(10),
        "PhoneCountryCode": F.text(20),
    },
)
CONTACT_PERSON = Schema(
    "ContactPerson",
    {"FirstName": F.text(), "LastName": F.text(), "EmailAddress": F.text(), "IncludeInEmails": F.flag()},
)
_TERM = Schema(
    "Bill",
    {
        "Day": F.integer(),
        "Type": F.choice("DAYSAFTERBILLDATE", "DAYSAFTERBILLMONTH", "OFCURRENTMONTH", "OFFOLLOWINGMONTH"),
    },
)
_TRACKING_PAIR = Schema("SalesTrackingCategory", {"TrackingCategoryName": F.text(), "TrackingOptionName": F.text()})
_BALANCE = Schema("AccountsReceivable", {"Outstanding": F.money(), "Overdue": F.money()})
CONTACT = Schema(
    "Contact",
    {
        "ContactID": F.guid(),
        "MergedToContactID": F.guid(read_only=True),
        "ContactNumber": F.text(50),
        "AccountNumber": F.text(50),
        "ContactStatus": F.choice("ACTIVE", "ARCHIVED", "GDPRREQUEST"),
        # Length checked in validate(): Xero does not hold Name to the spec's 255 (see config).
        "Name": F.text(),
        "FirstName": F.text(255),
        "LastName": F.text(255),
        "CompanyNumber": F.text(50),
        "EmailAddress": F.text(255),
        "ContactPersons": F.objs(CONTACT_PERSON),
        "BankAccountDetails": F.text(),
        "TaxNumber": F.text(50),
        "TaxNumberType": F.choice("SSN", "EIN", "ITIN", "ATIN"),
        "AccountsReceivableTaxType": F.text(),
        "AccountsPayableTaxType": F.text(),
        "Addresses": F.objs(ADDRESS),
        "Phones": F.objs(PHONE),
        "IsSupplier": F.flag(read_only=True),
        "IsCustomer": F.flag(read_only=True),
        "SalesDefaultLineAmountType": F.choice("INCLUSIVE", "EXCLUSIVE", "NONE"),
        "PurchasesDefaultLineAmountType": F.choice("INCLUSIVE", "EXCLUSIVE", "NONE"),
        "DefaultCurrency": F.text(3),
        "XeroNetworkKey": F.text(),
        "SalesDefaultAccountCode": F.text(),
        "PurchasesDefaultAccountCode": F.text(),
        "SalesTrackingCategories": F.objs(_TRACKING_PAIR),
        "PurchasesTrackingCategories": F.objs(_TRACKING_PAIR),
        "TrackingCategoryName": F.text(),
        "TrackingCategoryOption": F.text(),
        "PaymentTerms": F.obj(Schema("PaymentTerm", {"Bills": F.obj(_TERM), "Sales": F.obj(_TERM)})),
        "UpdatedDateUTC": F.stamp(read_only=True),
        "ContactGroups": F.objs(
            Schema("ContactGroup", {"Name": F.text(), "Status": F.text(), "ContactGroupID": F.guid()}), read_only=True
        ),
        "Website": F.text(read_only=True),
        "BatchPayments": F.obj(
            Schema(
                "BatchPaymentDetails",
                {"BankAccountNumber": F.text(), "BankAccountName": F.text(), "Details": F.text(),
                 "Code": F.text(12), "Reference": F.text(12)},
            )
        ),
        "Discount": F.money(read_only=True),
        "Balances": F.obj(
            Schema("Balances", {"AccountsReceivable": F.obj(_BALANCE), "AccountsPayable": F.obj(_BALANCE)}),
            read_only=True,
        ),
        "HasAttachments": F.flag(read_only=True),
        "HasValidationErrors": F.flag(read_only=True),
        "StatusAttributeString": F.text(read_only=True),
    },
)

NAME_MAX = 255
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _active(other: dict, mine: dict, config) -> bool:
    return config.contact_names_unique_among_archived or other.get("ContactStatus") == "ACTIVE"


class Contacts(Resource):
    plural = "Contacts"
    singular = "Contact"
    id_field = "ContactID"
    schema = CONTACT
    operations = frozenset({LIST, GET, PUT, POST, POST_ONE})
    summarize_errors_on = frozenset({PUT, POST})
    alt_key = "ContactNumber"
    paged = True
    status_field = "ContactStatus"
    hidden_unless_archived = ("ARCHIVED",)
    list_filters = {"IDs": "ContactID"}
    search_fields = ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress")
    # UNKNOWN (xero-api.md §1.3): which fields summaryOnly leaves out; these are the nested ones.
    summary_omits = (
        "Addresses", "Phones", "ContactPersons", "ContactGroups", "Balances", "PaymentTerms", "BatchPayments",
        "SalesTrackingCategories", "PurchasesTrackingCategories",
    )
    # "Contact Name cannot be empty." [S: xeroizer PR #380, a captured Xero answer]
    required = {"Name": "Contact Name cannot be empty."}
    unique = (
        Unique(
            "Name",
            "The contact name {value} is already assigned to another contact. "
            "The contact name must be unique across all active contacts.",
            _active,
        ),
        # [S: a third-party list of Xero API messages]
        Unique("ContactNumber", "Another contact has this contact number. Please enter a different contact number."),
    )
    error_flag = "HasValidationErrors"

    def defaults(self, call: Call) -> dict:
        return {
            "ContactStatus": "ACTIVE",
            "EmailAddress": "",
            "BankAccountDetails": "",
            "Addresses": [_blank_address(t) for t in ("STREET", "POBOX")],
            "Phones": [_blank_phone(t) for t in ("DEFAULT", "DDI", "FAX", "MOBILE")],
            "ContactGroups": [],
            "IsSupplier": False,
            "IsCustomer": False,
            "ContactPersons": [],
            "SalesTrackingCategories": [],
            "PurchasesTrackingCategories": [],
            "HasAttachments": False,
            "HasValidationErrors": False,
        }

    def match(self, call: Call, values: dict, create_only: bool) -> dict | None:
        table = call.table(self.plural)
        # UNKNOWN ([Inf]): a PUT naming an existing ContactID updates it (PUT matches by id only).
        if values.get("ContactID") or create_only:
            return table.get(values.get("ContactID"))
        found = table.find("ContactNumber", values.get("ContactNumber"))
        if found is None and call.config.post_matches_contact_by_name:
            found = table.find("Name", values.get("Name"))
        return found

    def validate(self, call: Call, values: dict, existing: dict | None) -> list[str]:
        messages = []
        name = values.get("Name") or ""
        if call.config.enforce_contact_name_length and len(name) > NAME_MAX:
            messages.append(F.too_long("Name", NAME_MAX))
        email = values.get("EmailAddress")
        if email and not _EMAIL.match(email):
            messages.append("Email address must be valid.")  # [S: Xero-OpenAPI#461]
        for key in ("AccountsReceivableTaxType", "AccountsPayableTaxType"):
            messages += filter(None, [tax_type_error(call.org, values.get(key))])
        for key in ("SalesDefaultAccountCode", "PurchasesDefaultAccountCode"):
            messages += filter(None, [account_code_error(call.org, values.get(key))])
        return messages

    def render(self, call: Call, record: dict) -> dict:
        # Computed on every read: balance changes never bump UpdatedDateUTC (xero-api.md §1.3 [S]).
        return {**record, "Balances": contact_balances(call.org, record["ContactID"])}

    def build(self, call: Call, values: dict, existing: dict | None) -> dict:
        """Addresses and Phones update by type; everything else as submitted."""
        base = dict(existing) if existing is not None else self.defaults(call)
        record = super().build(call, {k: v for k, v in values.items() if k not in ("Addresses", "Phones")}, base)
        # UNKNOWN ([Inf]): an address or phone replaces the stored one of its type, others stay.
        for key, kind, blank in (("Addresses", "AddressType", _blank_address), ("Phones", "PhoneType", _blank_phone)):
            if key in values:
                merged = {item.get(kind): item for item in base.get(key, [])}
                for item in values[key]:
                    merged[item.get(kind)] = {**blank(item.get(kind)), **item}
                record[key] = list(merged.values())
        return record


def _blank_address(kind: str) -> dict:
    return {"AddressType": kind, "City": "", "Region": "", "PostalCode": "", "Country": ""}


def _blank_phone(kind: str) -> dict:
    return {"PhoneType": kind, "PhoneNumber": "", "PhoneAreaCode": "", "PhoneCountryCode": ""}


CONTACT_RESOURCES: tuple[Resource, ...] = (Contacts(),)
