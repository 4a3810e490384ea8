"""What a brand-new Xero organisation holds: the Organisation record, tax rates, chart of accounts.

Two regions: "UK" (the default) and "AU". Codes follow reference/README.md (common to the UK, US
and AU charts); 090 "Business Bank Account" is the demo company's bank account.
"""

from __future__ import annotations

import random
import string
from decimal import Decimal

from .resource import Call
from .store import Org, new_id

# UNKNOWN (reference/README.md [Inf]): the tax-rate sets and account names are recalled from
# new UK and AU organisations, not sourced; switch: XeroConfig.region.
REGIONS: dict[str, dict] = {
    "UK": {
        "country": "GB", "currency": "GBP", "timezone": "GMTSTANDARDTIME", "tax": "VAT",
        "year_end": (31, 3), "basis": "ACCRUALS", "period": "QUARTERLY1",
        "roles": {"sales": "OUTPUT2", "purchases": "INPUT2", "none": "NONE",
                  "exempt_income": "EXEMPTOUTPUT", "exempt_expense": "EXEMPTINPUT"},
        # (Name, TaxType, ReportTaxType, rate %)
        "rates": [
            ("20% (VAT on Income)", "OUTPUT2", "OUTPUT", "20"),
            ("20% (VAT on Expenses)", "INPUT2", "INPUT", "20"),
            ("5% (VAT on Income)", "RROUTPUT", "OUTPUT", "5"),
            ("5% (VAT on Expenses)", "RRINPUT", "INPUT", "5"),
            ("Zero Rated Income", "ZERORATEDOUTPUT", "ZERORATEDOUTPUT", "0"),
            ("Zero Rated Expenses", "ZERORATEDINPUT", "ZERORATEDINPUT", "0"),
            ("Exempt Income", "EXEMPTOUTPUT", "EXEMPTOUTPUT", "0"),
            ("Exempt Expenses", "EXEMPTINPUT", "EXEMPTINPUT", "0"),
            ("20% (VAT on Capital Purchases)", "CAPEXINPUT2", "CAPEXINPUT", "20"),
            ("20% (VAT on Capital Sales)", "CAPEXOUTPUT2", "CAPEXOUTPUT", "20"),
            ("Reverse Charge Expenses (20%)", "REVERSECHARGES", "REVERSECHARGES", "20"),
            ("No VAT", "NONE", "NONE", "0"),
        ],
    },
    "AU": {
        "country": "AU", "currency": "AUD", "timezone": "AUSEASTERNSTANDARDTIME", "tax": "GST",
        "year_end": (30, 6), "basis": "ACCRUALS", "period": "QUARTERLY",
        "roles": {"sales": "OUTPUT", "purchases": "INPUT", "none": "BASEXCLUDED",
                  "exempt_income": "EXEMPTOUTPUT", "exempt_expense": "EXEMPTEXPENSES"},
        "rates": [
            ("GST on Income", "OUTPUT", "OUTPUT", "10"),
            ("GST on Expenses", "INPUT", "INPUT", "10"),
            ("GST Free Income", "EXEMPTOUTPUT", "EXEMPTOUTPUT", "0"),
            ("GST Free Expenses", "EXEMPTEXPENSES", "EXEMPTEXPENSES", "0"),
            ("GST on Capital", "CAPEXINPUT", "CAPITALEXPENSESINPUT", "10"),
            ("GST Free Capital", "EXEMPTCAPITAL", "EXEMPTCAPITAL", "0"),
            ("GST Free Exports", "EXEMPTEXPORT", "EXEMPTEXPORT", "0"),
            ("GST on Imports", "GSTONIMPORTS", "GSTONIMPORTS", "0"),
            ("Input Taxed", "INPUTTAXED", "INPUTTAXED", "0"),
            ("BAS Excluded", "BASEXCLUDED", "BASEXCLUDED", "0"),
        ],
    },
}

# (Code, Name, Type, tax role, SystemAccount, EnablePaymentsToAccount)
CHART: list[tuple[str, str, str, str, str | None, bool]] = [
    ("090", "Business Bank Account", "BANK", "none", None, False),
    ("200", "Sales", "REVENUE", "sales", None, False),
    ("260", "Other Revenue", "REVENUE", "sales", None, False),
    ("270", "Interest Income", "REVENUE", "exempt_income", None, False),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "purchases", None, False),
    ("400", "Advertising", "OVERHEADS", "purchases", None, False),
    ("404", "Bank Fees", "OVERHEADS", "exempt_expense", None, False),
    ("408", "Cleaning", "OVERHEADS", "purchases", None, False),
    ("412", "Consulting & Accounting", "OVERHEADS", "purchases", None, False),
    ("429", "General Expenses", "OVERHEADS", "purchases", None, False),
    ("433", "Insurance", "OVERHEADS", "exempt_expense", None, False),
    ("453", "Office Expenses", "OVERHEADS", "purchases", None, False),
    ("461", "Printing & Stationery", "OVERHEADS", "purchases", None, False),
    ("469", "Rent", "OVERHEADS", "purchases", None, False),
    ("473", "Repairs and Maintenance", "OVERHEADS", "purchases", None, False),
    ("485", "Subscriptions", "OVERHEADS", "purchases", None, False),
    ("489", "Telephone & Internet", "OVERHEADS", "purchases", None, False),
    ("493", "Travel - National", "OVERHEADS", "purchases", None, False),
    ("610", "Accounts Receivable", "CURRENT", "none", "DEBTORS", False),
    ("620", "Prepayments", "CURRENT", "none", None, False),
    ("630", "Inventory", "INVENTORY", "none", None, False),
    ("710", "Office Equipment", "FIXED", "purchases", None, False),
    ("800", "Accounts Payable", "CURRLIAB", "none", "CREDITORS", False),
    ("820", "{tax}", "CURRLIAB", "none", "GST", False),
    ("840", "Historical Adjustment", "CURRLIAB", "none", "HISTORICAL", False),
    ("850", "Suspense", "CURRLIAB", "none", None, False),
    ("860", "Rounding", "CURRLIAB", "none", "ROUNDING", False),
    ("877", "Tracking Transfers", "CURRLIAB", "none", "TRACKINGTRANSFERS", False),
    ("960", "Retained Earnings", "EQUITY", "none", "RETAINEDEARNINGS", False),
    ("970", "Owner A Funds Introduced", "EQUITY", "none", None, False),
]
# UNKNOWN (reference/README.md): not part of Xero's default chart; liability accounts the sync
# can use for refunds and customer prepayments; switch: XeroConfig.seed_extra_accounts.
EXTRA_ACCOUNTS = [
    ("2100", "Customer Prepayments", "CURRLIAB", "none", None, True),
    ("2150", "Refunds Payable", "CURRLIAB", "none", None, True),
]


def populate(org: Org, version: str) -> None:
    """Give a new organisation its Organisation record, tax rates and chart of accounts."""
    if version not in REGIONS:
        raise ValueError(f"unknown region {version!r}; choose one of {sorted(REGIONS)}")
    region = REGIONS[version]
    config = org.config
    org.organisation = _organisation(org, version, region)
    rates = org.table("TaxRates")
    tax_resource = org.resources["TaxRates"]
    for name, tax_type, report, rate in region["rates"]:
        record = {
            "Name": name,
            "TaxType": tax_type,
            "ReportTaxType": report,
            "Status": "ACTIVE",
            "TaxComponents": [{"Name": region["tax"], "Rate": Decimal(rate)}],
        }
        tax_resource.derive(Call(org, config, "POST"), record)
        rates.put(record)
    chart = CHART + (EXTRA_ACCOUNTS if config.seed_extra_accounts else [])
    for code, name, kind, role, system, payments in chart:
        fields = {
            "Code": code,
            "Name": name.format(tax=region["tax"]),
            "Type": kind,
            "TaxType": region["roles"][role],
            "EnablePaymentsToAccount": payments,
        }
        if kind == "BANK":
            fields["BankAccountNumber"] = "12345678"
        if system:
            fields["SystemAccount"] = system
        org.insert("Accounts", fields)


def _organisation(org: Org, version: str, region: dict) -> dict:
    day, month = region["year_end"]
    short = "!" + "".join(random.Random(org.tenant_id).choices(string.ascii_letters + string.digits, k=5))
    return {
        "OrganisationID": new_id(),
        "APIKey": "".join(random.Random(org.tenant_id).choices(string.ascii_uppercase + string.digits, k=30)),
        "Name": org.name,
        "LegalName": org.name,
        "PaysTax": True,
        "Version": version,
        "OrganisationType": "COMPANY",
        "BaseCurrency": region["currency"],
        "CountryCode": region["country"],
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
        "FinancialYearEndDay": day,
        "FinancialYearEndMonth": month,
        "SalesTaxBasis": region["basis"],
        "SalesTaxPeriod": region["period"],
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": org.now(),
        "Timezone": region["timezone"],
        "OrganisationEntityType": "COMPANY",
        "ShortCode": short,
        "Class": "STANDARD",
        "Edition": "BUSINESS",
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
    }
