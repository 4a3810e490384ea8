"""Organisation settings: Accounts, TaxRates, TrackingCategories (+ Options) and Organisation.

Also the shared checks other resources use on their account codes and tax types:
:func:`account_code_error`, :func:`tax_type_error`.
"""

from __future__ import annotations

from decimal import Decimal

from . import fields as F
from .errors import no_data_processed, not_found, validation_exception, validation_failed
from .fields import Schema
from .resource import (
    DELETE,
    GET,
    LIST,
    POST,
    POST_ONE,
    PUT,
    Call,
    Reply,
    Resource,
    Route,
    Unique,
    envelope,
)
from .store import Org, new_id

ACCOUNT_TYPES = (
    "BANK", "CURRENT", "CURRLIAB", "DEPRECIATN", "DIRECTCOSTS", "EQUITY", "EXPENSE", "FIXED", "INVENTORY",
    "LIABILITY", "NONCURRENT", "OTHERINCOME", "OVERHEADS", "PREPAYMENT", "REVENUE", "SALES", "TERMLIAB", "PAYG",
)
_CLASS_OF_TYPE = {
    **dict.fromkeys(("BANK", "CURRENT", "FIXED", "INVENTORY", "NONCURRENT", "PREPAYMENT"), "ASSET"),
    **dict.fromkeys(("CURRLIAB", "LIABILITY", "TERMLIAB", "PAYG"), "LIABILITY"),
    "EQUITY": "EQUITY",
    **dict.fromkeys(("DEPRECIATN", "DIRECTCOSTS", "EXPENSE", "OVERHEADS"), "EXPENSE"),
    **dict.fromkeys(("OTHERINCOME", "REVENUE", "SALES"), "REVENUE"),
}
_DELETED = "DELETED"


# -- shared checks ----------------------------------------------------------------------------
def account_code_error(org: Org, code: str | None) -> str | None:
    """Xero's message when ``code`` is not an active account of this organisation."""
    if not code:
        return None
    account = org.table("Accounts").find("Code", code)
    if account is None or account.get("Status") != "ACTIVE":
        return f"Account code '{code}' is not a valid code for this document."
    return None


def tax_type_error(org: Org, tax_type: str | None) -> str | None:
    """The message when ``tax_type`` is not an active tax rate of this organisation."""
    if not tax_type:
        return None
    rate = org.table("TaxRates").get(tax_type)
    if rate is None or rate.get("Status") != "ACTIVE":
        # UNKNOWN ([Inf]): wording recalled from Xero answers, not sourced in xero-api.md.
        return f"The TaxType code '{tax_type}' does not exist or cannot be used for this type of transaction."
    return None


# -- Accounts -----------------------------------------------------------------------------------
ACCOUNT = Schema(
    "Account",
    {
        "AccountID": F.guid(),
        "Code": F.text(10),
        "Name": F.text(150),
        "Type": F.choice(*ACCOUNT_TYPES),
        "BankAccountNumber": F.text(),
        "Status": F.choice("ACTIVE", "ARCHIVED", "DELETED"),
        "Description": F.text(4000),
        "BankAccountType": F.choice("BANK", "CREDITCARD", "PAYPAL", "NONE", ""),
        "CurrencyCode": F.text(3),
        "TaxType": F.text(),
        "EnablePaymentsToAccount": F.flag(),
        "ShowInExpenseClaims": F.flag(),
        "Class": F.choice("ASSET", "EQUITY", "EXPENSE", "LIABILITY", "REVENUE", read_only=True),
        "SystemAccount": F.text(read_only=True),
        "ReportingCode": F.text(),
        "ReportingCodeName": F.text(read_only=True),
        "HasAttachments": F.flag(read_only=True),
        "UpdatedDateUTC": F.stamp(read_only=True),
        "AddToWatchlist": F.flag(),
    },
)


def _not_deleted(other: dict, mine: dict, config: object) -> bool:
    return other.get("Status") != _DELETED


class Accounts(Resource):
    """The chart of accounts. PUT takes one Account; deleting a system account is refused."""

    plural = "Accounts"
    singular = "Account"
    id_field = "AccountID"
    schema = ACCOUNT
    operations = frozenset({LIST, GET, PUT, POST_ONE, DELETE})
    # UNKNOWN ([Inf]): the wording of these three messages is the emulator's own.
    required = {"Name": "Please enter a Name.", "Type": "Please select an account Type."}
    unique = (
        # UNKNOWN ([Inf]): "Please enter a unique …" is recalled from Xero, not sourced.
        Unique("Code", "Please enter a unique Code.", _not_deleted),
        Unique("Name", "Please enter a unique Name.", _not_deleted),
    )

    def defaults(self, call: Call) -> dict:
        return {
            "Status": "ACTIVE",
            "EnablePaymentsToAccount": False,
            "ShowInExpenseClaims": False,
            "HasAttachments": False,
            "AddToWatchlist": False,
        }

    def validate(self, call: Call, values: dict, existing: dict | None) -> list[str]:
        merged = {**(existing or {}), **values}
        messages = [m for m in [tax_type_error(call.org, values.get("TaxType"))] if m]
        if merged.get("Type") == "BANK" and not merged.get("BankAccountNumber"):
            messages.append("Please enter a Bank Account Number.")
        if existing and existing.get("SystemAccount") and values.get("Type", existing["Type"]) != existing["Type"]:
            messages.append("The Type of a system account cannot be changed.")
        return messages

    def derive(self, call: Call, record: dict) -> None:
        record["Class"] = _CLASS_OF_TYPE[record["Type"]]
        if record["Type"] == "BANK":
            record.setdefault("BankAccountType", "BANK")
            record.setdefault("CurrencyCode", call.org.organisation.get("BaseCurrency", "GBP"))

    def remove(self, call: Call, record: dict) -> Reply:
        if record.get("SystemAccount"):
            raise validation_failed("System accounts cannot be deleted.")
        call.table(self.plural).remove(record["AccountID"])
        return Reply(200, envelope(call, {self.plural: [self.present(call, {**record, "Status": _DELETED})]}))


# -- TaxRates -----------------------------------------------------------------------------------
TAX_COMPONENT = Schema(
    "TaxComponent",
    {"Name": F.text(), "Rate": F.money(), "IsCompound": F.flag(), "IsNonRecoverable": F.flag()},
)
TAX_RATE = Schema(
    "TaxRate",
    {
        "Name": F.text(),
        "TaxType": F.text(),
        "TaxComponents": F.objs(TAX_COMPONENT),
        "Status": F.choice("ACTIVE", "DELETED", "ARCHIVED", "PENDING"),
        "ReportTaxType": F.text(),
        "CanApplyToAssets": F.flag(read_only=True),
        "CanApplyToEquity": F.flag(read_only=True),
        "CanApplyToExpenses": F.flag(read_only=True),
        "CanApplyToLiabilities": F.flag(read_only=True),
        "CanApplyToRevenue": F.flag(read_only=True),
        "DisplayTaxRate": F.money(read_only=True),
        "EffectiveRate": F.money(read_only=True),
    },
)
_SALES_REPORT_TYPES = (
    "OUTPUT", "OUTPUT2", "SALESOUTPUT", "CAPEXOUTPUT", "EXEMPTOUTPUT", "ZERORATEDOUTPUT", "EXEMPTEXPORT",
)
_PURCHASE_REPORT_TYPES = (
    "INPUT", "INPUT2", "PURCHASESINPUT", "CAPEXINPUT", "EXEMPTINPUT", "ZERORATEDINPUT", "EXEMPTEXPENSES",
    "CAPITALEXPENSESINPUT", "EXEMPTCAPITAL", "INPUTTAXED", "REVERSECHARGES",
)


def tax_rates(components: list[dict]) -> tuple[Decimal, Decimal]:
    """``(DisplayTaxRate, EffectiveRate)``: compound components apply on top of the others."""
    # UNKNOWN ([Inf]): how Xero shows compound rates; display is the plain sum here.
    simple = sum((c.get("Rate", Decimal(0)) for c in components if not c.get("IsCompound")), Decimal(0))
    compound = [c.get("Rate", Decimal(0)) for c in components if c.get("IsCompound")]
    display = simple + sum(compound, Decimal(0))
    effective = simple + sum((rate * (1 + simple / 100) for rate in compound), Decimal(0))
    return display, effective


class TaxRates(Resource):
    """Tax rates, keyed by TaxType. New rates get TaxType TAX001, TAX002, …"""

    plural = "TaxRates"
    singular = "TaxRate"
    id_field = "TaxType"
    schema = TAX_RATE
    operations = frozenset({LIST, GET, PUT, POST})
    modified_since = False
    # UNKNOWN ([Inf]): wording of these messages is the emulator's own.
    required = {"Name": "Name is required.", "TaxComponents": "At least one tax component is required."}
    unique = (Unique("Name", "The tax rate name {value} is already in use.", _not_deleted),)

    def match(self, call: Call, values: dict, create_only: bool) -> dict | None:
        if create_only:
            return None
        table = call.table(self.plural)
        return table.get(values.get("TaxType")) or table.find("Name", values.get("Name"))

    def validate(self, call: Call, values: dict, existing: dict | None) -> list[str]:
        messages = []
        # UNKNOWN ([S] N1): AU, NZ and UK organisations need ReportTaxType on new rates.
        version = call.org.organisation.get("Version")
        if existing is None and not values.get("ReportTaxType") and version in ("AU", "NZ", "UK"):
            messages.append("ReportTaxType is mandatory for this organisation.")
        return messages

    def build(self, call: Call, values: dict, existing: dict | None) -> dict:
        record = super().build(call, {k: v for k, v in values.items() if k != "TaxType"}, existing)
        if existing is None:
            used = {r["TaxType"] for r in call.table(self.plural).all()}
            record["TaxType"] = next(f"TAX{n:03d}" for n in range(1, 1000) if f"TAX{n:03d}" not in used)
        return record

    def defaults(self, call: Call) -> dict:
        return {"Status": "ACTIVE"}

    def derive(self, call: Call, record: dict) -> None:
        components = [
            {"Name": c.get("Name", ""), "Rate": c.get("Rate", Decimal(0)), "IsCompound": bool(c.get("IsCompound")),
             "IsNonRecoverable": bool(c.get("IsNonRecoverable"))}
            for c in record.get("TaxComponents", [])
        ]
        record["TaxComponents"] = components
        record["DisplayTaxRate"], record["EffectiveRate"] = tax_rates(components)
        report = record.get("ReportTaxType", "")
        sales, purchases = report in _SALES_REPORT_TYPES, report in _PURCHASE_REPORT_TYPES
        record.update(
            CanApplyToAssets=True,
            CanApplyToEquity=True,
            CanApplyToExpenses=not sales,
            CanApplyToLiabilities=True,
            CanApplyToRevenue=not purchases,
        )


# -- TrackingCategories --------------------------------------------------------------------------
TRACKING_OPTION = Schema(
    "TrackingOption",
    {
        "TrackingOptionID": F.guid(),
        "Name": F.text(100),
        "Status": F.choice("ACTIVE", "ARCHIVED", "DELETED"),
        "TrackingCategoryID": F.guid(read_only=True),
    },
)
TRACKING_CATEGORY = Schema(
    "TrackingCategory",
    {
        "TrackingCategoryID": F.guid(),
        "TrackingOptionID": F.guid(read_only=True),
        "Name": F.text(100),
        "Option": F.text(100, read_only=True),
        "Status": F.choice("ACTIVE", "ARCHIVED", "DELETED"),
        "Options": F.objs(TRACKING_OPTION, read_only=True),
    },
)
# UNKNOWN ([S] N1): at most 2 active and 4 tracking categories in all; the wording is the emulator's.
MAX_ACTIVE_CATEGORIES, MAX_CATEGORIES = 2, 4


class TrackingCategories(Resource):
    """Tracking categories and their options; deleted ones disappear from every answer."""

    plural = "TrackingCategories"
    singular = "TrackingCategory"
    id_field = "TrackingCategoryID"
    schema = TRACKING_CATEGORY
    operations = frozenset({LIST, GET, PUT, POST_ONE, DELETE})
    modified_since = False
    status_field = "Status"
    hidden_unless_archived = ("ARCHIVED",)
    required = {"Name": "Tracking Category name is required."}
    unique = (Unique("Name", "The tracking category name {value} is already in use.", _not_deleted),)

    def defaults(self, call: Call) -> dict:
        return {"Status": "ACTIVE", "Options": []}

    def validate(self, call: Call, values: dict, existing: dict | None) -> list[str]:
        live = [r for r in call.table(self.plural).all() if r["Status"] != _DELETED and r is not existing]
        becomes_active = values.get("Status", existing["Status"] if existing else "ACTIVE") == "ACTIVE"
        if becomes_active and sum(r["Status"] == "ACTIVE" for r in live) >= MAX_ACTIVE_CATEGORIES:
            return [f"You can only have {MAX_ACTIVE_CATEGORIES} active tracking categories."]
        if existing is None and len(live) >= MAX_CATEGORIES:
            return [f"You can only have {MAX_CATEGORIES} tracking categories."]
        return []

    def select(self, call: Call, records: list[dict]) -> list[dict]:
        return super().select(call, [r for r in records if r["Status"] != _DELETED])

    def lookup(self, call: Call, key: str) -> dict | None:
        found = super().lookup(call, key)
        return None if found is None or found["Status"] == _DELETED else found

    def render(self, call: Call, record: dict) -> dict:
        shown = ("ACTIVE", "ARCHIVED") if call.flag("includeArchived", False) else ("ACTIVE",)
        return {**record, "Options": [_option_view(o) for o in record["Options"] if o["Status"] in shown]}

    def remove(self, call: Call, record: dict) -> Reply:
        deleted = call.table(self.plural).put({**record, "Status": _DELETED})
        return Reply(200, envelope(call, {self.plural: [self.present(call, deleted)]}))

    def extra_routes(self) -> list[Route]:
        base = "/TrackingCategories/{TrackingCategoryID}/Options"
        return [
            Route("PUT", base, self.create_options),
            Route("POST", base + "/{TrackingOptionID}", self.update_option),
            Route("DELETE", base + "/{TrackingOptionID}", self.delete_option),
        ]

    # -- options --------------------------------------------------------------------------------
    def _category(self, call: Call) -> dict:
        category = self.lookup(call, call.params["TrackingCategoryID"])
        if category is None:
            raise not_found()
        return category

    def create_records(self, call: Call) -> Reply:
        return super().create_records(self._bare(call))

    def update_record(self, call: Call) -> Reply:
        return super().update_record(self._bare(call))

    def _bare(self, call: Call) -> Call:
        """The spec's request body here is one bare TrackingCategory: a plural wrapper is read as
        such an object, whose only field is unknown (nothing to process: 400)."""
        if isinstance(call.body, dict):
            call.body = {k: v for k, v in call.body.items() if k.lower() != self.plural.lower()}
        return call

    def _option_elements(self, call: Call) -> list:
        """The one bare object the spec takes (a wrapper is an object without a Name: refused)."""
        if not isinstance(call.body, dict) or not call.body:
            raise no_data_processed(self.singular)
        return [call.body]

    def create_options(self, call: Call) -> Reply:
        category = self._category(call)
        options = list(category["Options"])
        created, failed = [], []
        for i, raw in enumerate(self._option_elements(call)):
            values, problems = TRACKING_OPTION.parse(raw, f"Options[{i}]")
            messages = problems + _option_name_errors(values.get("Name"), options, None)
            if messages:
                failed.append({**values, "ValidationErrors": [{"Message": m} for m in messages]})
                continue
            option = {"TrackingOptionID": new_id(), "Name": values["Name"], "Status": "ACTIVE",
                      "TrackingCategoryID": category["TrackingCategoryID"]}
            options.append(option)
            created.append(option)
        if failed:
            raise validation_exception(failed)
        call.table(self.plural).put({**category, "Options": options})
        return Reply(200, envelope(call, {"Options": [_option_view(o) for o in created]}))

    def update_option(self, call: Call) -> Reply:
        category = self._category(call)
        option = _find_option(category, call.params["TrackingOptionID"])
        values, problems = TRACKING_OPTION.parse(self._option_elements(call)[0], "Option")
        messages = problems + _option_name_errors(values.get("Name"), category["Options"], option)
        if messages:
            raise validation_failed(*messages)
        changed = {**option, **{k: v for k, v in values.items() if k in ("Name", "Status")}}
        self._replace_option(call, category, changed)
        return Reply(200, envelope(call, {"Options": [_option_view(changed)]}))

    def delete_option(self, call: Call) -> Reply:
        category = self._category(call)
        option = {**_find_option(category, call.params["TrackingOptionID"]), "Status": _DELETED}
        self._replace_option(call, category, option)
        return Reply(200, envelope(call, {"Options": [_option_view(option)]}))

    def _replace_option(self, call: Call, category: dict, option: dict) -> None:
        options = [option if o["TrackingOptionID"] == option["TrackingOptionID"] else o for o in category["Options"]]
        call.table(self.plural).put({**category, "Options": options})


def _find_option(category: dict, option_id: str) -> dict:
    for option in category["Options"]:
        if option["TrackingOptionID"].lower() == option_id.lower() and option["Status"] != _DELETED:
            return option
    raise not_found()


def _option_name_errors(name: str | None, options: list[dict], own: dict | None) -> list[str]:
    # UNKNOWN ([Inf]): wording of both messages is the emulator's own.
    if not name or not name.strip():
        return ["Tracking Option name is required."]
    for other in options:
        if other is not own and other["Status"] != _DELETED and other["Name"].lower() == name.strip().lower():
            return [f"The tracking option name {name} is already in use."]
    return []


def _option_view(option: dict) -> dict:
    """Options as the API shows them (the spec example adds the Is* flags)."""
    status = option["Status"]
    return {
        **option,
        "HasValidationErrors": False,
        "IsDeleted": status == _DELETED,
        "IsArchived": status == "ARCHIVED",
        "IsActive": status == "ACTIVE",
    }


# -- Organisation -------------------------------------------------------------------------------
_ACTIONS = (
    "CreateApprovedInvoice", "CreateDraftPurchaseOrder", "CreateApprovedBill", "AttachFilesIntoInvoice",
    "UseMulticurrency", "CreateDraftInvoice", "CreateRepeatingInvoice", "CreateRepeatingBill", "CreateSentQuote",
    "CreateInvoicePayment", "CreateApprovedPurchaseOrder", "CreateDraftQuote", "CreateBill",
)


class Organisation(Resource):
    """GET /Organisation and /Organisation/Actions (read-only)."""

    plural = "Organisations"
    singular = "Organisation"
    id_field = "OrganisationID"
    schema = Schema("Organisation", {})
    operations = frozenset()

    def extra_routes(self) -> list[Route]:
        return [Route("GET", "/Organisation", self.show), Route("GET", "/Organisation/Actions", self.actions)]

    def show(self, call: Call) -> Reply:
        return Reply(200, envelope(call, {"Organisations": [call.org.organisation]}))

    def actions(self, call: Call) -> Reply:
        return Reply(200, envelope(call, {"Actions": [{"Name": a, "Status": "ALLOWED"} for a in _ACTIONS]}))


SETTINGS_RESOURCES: tuple[Resource, ...] = (Accounts(), TaxRates(), TrackingCategories(), Organisation())
