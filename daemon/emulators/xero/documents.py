"""What invoices, credit notes, purchase orders and bank transactions share.

A :class:`Document` has a Contact, LineItems (:mod:`.lines`) and totals, and a Status that moves by
its ``moves`` table. It may have a number, unique and auto-generated per :class:`Kind`. While it
posts (AUTHORISED or PAID) it is held to the organisation's lock dates, and once money has been
applied to it only a few dates may change, without bumping UpdatedDateUTC (xero-api.md §1.2, §1.3).

``compose`` computes the record an element would become without side effects, so ``validate`` can
judge the result; ``build`` composes again and then acts: creates a new contact, numbers the
document, gives lines their ids and moves stock.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Mapping

from . import fields as F
from . import inventory
from .fields import Schema
from .ledger import LEDGER, ZERO, lock_error
from .lines import COMPUTED, LineRules, compose_lines, show_lines, totals
from .resource import Call, Resource
from .store import Org, new_id

CONTACT_REF = Schema("Contact", {"ContactID": F.guid(), "ContactNumber": F.text(50), "Name": F.text()})
ACCOUNT_REF = Schema("Account", {"AccountID": F.guid(), "Code": F.text(), "Name": F.text()})
# [C-spec: example answer of PUT /BankTransactions]
CONTACT_REQUIRED = (
    "The Contact must contain at least 1 of the following elements to identify the contact: "
    "Name, ContactID, ContactNumber"
)
# [S: Xero-NetStandard#84, xeroizer#211, WorkGuru's list of Xero API messages]
EDIT_LOCKED = "This document cannot be edited as it has a payment or credit note allocated to it."
# [S: WorkGuru's list, "Credit Note - Invoice, etc."]
DOCUMENT_STATUS = "Document not of valid status for modification"
DOCUMENT_STATUSES = ("DRAFT", "SUBMITTED", "DELETED", "AUTHORISED", "PAID", "VOIDED")
EDITABLE = {"DRAFT": frozenset({"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"}),
            "SUBMITTED": frozenset({"SUBMITTED", "AUTHORISED", "DRAFT", "DELETED"})}
# Status transitions of invoices and credit notes (xero-api.md §1.2 [S] N2); None: a new document.
INVOICE_MOVES: Mapping[str | None, frozenset[str]] = {
    None: frozenset({"DRAFT", "SUBMITTED", "AUTHORISED"}),
    **EDITABLE,
    "AUTHORISED": frozenset({"AUTHORISED", "VOIDED"}),
    "PAID": frozenset({"PAID"}),
}


def listed(name: str) -> F.Field:
    """A read-only list the API computes (payments, allocations, …)."""
    return F.objs(Schema(name, {}), read_only=True)


@dataclass(frozen=True)
class Kind:
    """One document Type, e.g. ACCREC."""

    sales: bool  # lines take items' SalesDetails (else PurchaseDetails)
    prefix: str | None = None  # auto-numbering prefix (INV-); None: no number when omitted
    unique: bool = False  # numbers unique among documents of this Type
    discounts: bool = False  # DiscountRate/DiscountAmount allowed


def contact_ref(contact: dict) -> dict:
    """What a document stores of its contact (enough for ``where`` on Contact.*)."""
    ref = {"ContactID": contact["ContactID"], "Name": contact.get("Name", "")}
    if contact.get("ContactNumber"):
        ref["ContactNumber"] = contact["ContactNumber"]
    return ref


def account_ref(account: dict) -> dict:
    return {"AccountID": account["AccountID"], "Code": account.get("Code", ""), "Name": account.get("Name", "")}


def find_account(org: Org, ref: dict | None, code: str | None = None) -> dict | None:
    """An account named by ``{AccountID}`` or ``{Code}`` (or a bare ``code``)."""
    ref = ref or {}
    accounts = org.table("Accounts")
    return accounts.get(ref.get("AccountID")) or accounts.find("Code", ref.get("Code") or code)


def contact_view(org: Org, ref: dict) -> dict:
    """A document's contact as the API shows it: current name and number."""
    contact = org.table("Contacts").get(ref.get("ContactID"))
    return {**(contact_ref(contact) if contact else ref), "HasValidationErrors": False}


class Document(Resource):
    """Base of Invoices, CreditNotes, PurchaseOrders and BankTransactions."""

    kinds: ClassVar[Mapping[str, Kind]]
    number_field: ClassVar[str | None] = None
    moves: ClassVar[Mapping[str | None, frozenset[str]]] = INVOICE_MOVES
    status_message: ClassVar[str] = DOCUMENT_STATUS
    missing_message: ClassVar[str]  # an element naming an unknown id
    negative_message: ClassVar[str]  # a negative Total
    creates_contacts: ClassVar[bool] = True  # an unknown contact Name creates the contact
    posts: ClassVar[bool] = True  # AUTHORISED/PAID post to the ledger (lock dates, account codes)
    tracks_stock: ClassVar[bool] = False
    status_field = "Status"
    _MATERIAL: ClassVar[tuple[str, ...]] = ("Type", "Date", "Status", "LineAmountTypes", "Reference", "CurrencyCode")

    # -- hooks ------------------------------------------------------------------------------------
    def kind(self, record: dict) -> Kind | None:
        return self.kinds.get(record.get("Type", ""))

    def line_rules(self, call: Call, record: dict, kind: Kind) -> LineRules:
        return LineRules(kind.sales, self.unit_places(call), record["LineAmountTypes"], kind.discounts)

    def unit_places(self, call: Call) -> int:
        return call.unit_places

    def rules(self, call: Call, record: dict, existing: dict | None) -> list[str]:
        """The subclass's own business rules for a composed record."""
        return []

    def settled(self, org: Org, record: dict) -> bool:
        """Whether money has been applied to the document."""
        return False

    def defaults(self, call: Call) -> dict:
        return {
            "Status": "DRAFT",
            "LineAmountTypes": "Exclusive",
            "LineItems": [],
            "CurrencyCode": call.org.organisation.get("BaseCurrency", "GBP"),
            "CurrencyRate": Decimal("1.000000"),
            "HasAttachments": False,
        }

    # -- the pipeline -------------------------------------------------------------------------------
    def match(self, call: Call, values: dict, create_only: bool) -> dict | None:
        table = call.table(self.plural)
        number = values.get(self.number_field) if self.number_field else None
        if values.get(self.id_field) or create_only or not number:
            return table.get(values.get(self.id_field))
        for record in table.all():
            kind = self.kind(record)
            if (
                kind is not None and kind.unique
                and str(record.get(self.number_field, "")).lower() == number.lower()
                and values.get("Type", record.get("Type")) == record.get("Type")
            ):
                return record
        return None

    def check(self, call: Call, values: dict, existing: dict | None, problems: list[str]) -> list[str]:
        generic = f"{self.singular} with {self.id_field} {values.get(self.id_field)} could not be found."
        messages = super().check(call, values, existing, problems)
        return [self.missing_message] if generic in messages else messages

    def compose(self, call: Call, values: dict, existing: dict | None) -> tuple[dict, list[str], dict | None]:
        """The record an element would be saved as, its problems, and a contact to create."""
        record = dict(existing) if existing is not None else self.defaults(call)
        record.update({k: v for k, v in values.items() if k not in ("Contact", "LineItems")})
        record.setdefault("Date", call.now.date())
        kind = self.kind(record)
        if kind is None:
            return record, [], None
        record["Contact"], messages, new_contact = self.contact(call, values.get("Contact"), existing)
        if "LineItems" in values or "LineAmountTypes" in values:
            stored = record["LineItems"]
            submitted = values.get("LineItems", [{k: v for k, v in line.items() if k not in COMPUTED} for line in stored])
            record["LineItems"], problems = compose_lines(call.org, submitted, stored, self.line_rules(call, record, kind))
            messages += problems
        if not messages:
            record.update(totals(record["LineItems"], record["LineAmountTypes"]))
        return record, messages, new_contact

    def contact(self, call: Call, submitted: dict | None, existing: dict | None) -> tuple[dict, list[str], dict | None]:
        """The contact reference, messages, and the fields of a contact to create (or None)."""
        if submitted is None:
            return (existing["Contact"], [], None) if existing is not None else ({}, [CONTACT_REQUIRED], None)
        table = call.table("Contacts")
        contact_id, number, name = (submitted.get(k) for k in ("ContactID", "ContactNumber", "Name"))
        if contact_id:
            found = table.get(contact_id)
            if found is None:
                # UNKNOWN ([Inf]): the emulator's wording, as for other unknown ids.
                return {"ContactID": contact_id}, [f"Contact with ContactID {contact_id} could not be found."], None
            return contact_ref(found), [], None
        found = table.find("ContactNumber", number) if number else None
        if found is None and name:
            found = next((c for c in table.all()
                          if c["ContactStatus"] == "ACTIVE" and c["Name"].lower() == name.strip().lower()), None)
        if found is not None:
            return contact_ref(found), [], None
        if not (number or name):
            return {}, [CONTACT_REQUIRED], None
        new = {k: v for k, v in submitted.items() if k in ("Name", "ContactNumber")}
        # UNKNOWN (xero-api.md §1.2 [S] N1, N2): a new Name creates the contact; switch:
        # XeroConfig.documents_create_contacts.
        if self.creates_contacts and call.config.documents_create_contacts:
            return new, call.resource("Contacts").check(call, new, None, []), new
        # UNKNOWN ([S] N2 "never creates contacts"): the wording is the emulator's own.
        return new, [f"The contact '{name or number}' could not be found."], None

    def validate(self, call: Call, values: dict, existing: dict | None) -> list[str]:
        before = existing.get("Status") if existing is not None else None
        after = values.get("Status", before or self.defaults(call)["Status"])
        if (existing is not None and before not in self.moves) or (
            after != before and after not in self.moves.get(before, frozenset())
        ):
            # [S: Xero staff on Xero-NetStandard#79] an invalid move, or any edit of a final status.
            return [self.status_message]
        record, messages, _ = self.compose(call, values, existing)
        if messages or self.kind(record) is None:
            return messages
        if existing is not None and self.settled(call.org, existing) and self.material(record) != self.material(existing):
            messages.append(EDIT_LOCKED)
        if self.posts:
            messages += self.posting_errors(call, record, existing)
        if record.get("Total", ZERO) < 0:
            messages.append(self.negative_message)
        # UNKNOWN ([S] N1, SDK `allowBackorders`); switch: XeroConfig.backorders_by_default.
        if self.tracks_stock and not (call.flag("allowBackorders", False) or call.config.backorders_by_default):
            messages += inventory.shortages(call.org, existing, record)
        return messages + self.rules(call, record, existing)

    def posting_errors(self, call: Call, record: dict, existing: dict | None) -> list[str]:
        """Lock dates (for the old and the new date) and account codes of a posting document."""
        messages = []
        days = [d["Date"] for d in (record, existing) if d is not None and d.get("Status") in LEDGER]
        if locked := next(filter(None, (lock_error(call.org, day) for day in days)), None):
            messages.append(locked)
        if record["Status"] in LEDGER and any(not l.get("AccountCode") and l["LineAmount"] for l in record["LineItems"]):
            # UNKNOWN ([Inf]): Xero needs account codes to approve; the wording is the emulator's.
            messages.append("Account code is required on every line of an approved document.")
        return messages

    def material(self, record: dict) -> tuple:
        """What a settled document may no longer change."""
        lines = [{k: v for k, v in line.items() if k != "LineItemID"} for line in record.get("LineItems", [])]
        fields = [record.get(k) for k in (*self._MATERIAL, self.number_field)]
        return fields, record.get("Contact", {}).get("ContactID"), lines, record.get("Total")

    def build(self, call: Call, values: dict, existing: dict | None) -> dict:
        record, _, new_contact = self.compose(call, values, existing)
        if new_contact is not None:
            record["Contact"] = contact_ref(call.resource("Contacts").save(call, new_contact, None))
        kind = self.kind(record)
        if self.number_field and not record.get(self.number_field):
            record[self.number_field] = self.next_number(call, kind) if kind and kind.prefix else ""
        record["LineItems"] = [line if line.get("LineItemID") else {"LineItemID": new_id(), **line}
                               for line in record["LineItems"]]
        if self.tracks_stock:
            record["_Stock"] = inventory.transfer(call.org, existing, record)
        return record

    def save(self, call: Call, values: dict, existing: dict | None, *, touch: bool = True) -> dict:
        # [S] N1, N2: the date edits a settled document allows do not bump UpdatedDateUTC.
        settled = existing is not None and self.settled(call.org, existing)
        return super().save(call, values, existing, touch=touch and not settled)

    def next_number(self, call: Call, kind: Kind) -> str:
        """The next auto number: one past the highest of this kind's prefix (INV-0001, …)."""
        assert kind.prefix and self.number_field
        prefix = kind.prefix.upper()
        suffixes = (str(r.get(self.number_field) or "")[len(prefix):] for r in call.table(self.plural).all()
                    if self.kind(r) is kind and str(r.get(self.number_field) or "").upper().startswith(prefix))
        return f"{kind.prefix}{max((int(s) for s in suffixes if s.isdigit()), default=0) + 1:04d}"

    def render(self, call: Call, record: dict) -> dict:
        shown = {k: v for k, v in record.items() if not k.startswith("_")}
        shown["Contact"] = contact_view(call.org, record.get("Contact", {}))
        shown["LineItems"] = show_lines(record.get("LineItems", []), self.unit_places(call))
        return shown
