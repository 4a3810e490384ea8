"""Tax: Syncro tax rates and taxable flags -> Xero tax types, and tax groups -> Xero tax rates.

Syncro's API exposes no tax rates (syncro-api.md §2.11): a line says only whether it is taxable and
maybe which ``tax_rate_id``. So the mapping is configuration: a default tax type for taxable and
for non-taxable lines, an explicit type per Syncro tax rate, and tax groups (a Syncro rate made of
several components, e.g. state + county + city), each one Xero tax rate with those components: found
in Xero by name, or created there before any invoice uses it when ``create_groups`` is on. Xero
advises against creating tax rates through the API in AU, NZ and UK organisations (they do not
work for tax filing there, xero-api.md), so creating is opt-in and ``syncro-xero check`` warns
where the organisation's country makes it risky. Syncro's own integration has no tax groups.
``syncro-xero check`` proves every mapped tax type exists in Xero.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from syncro_xero import (
    CheckResult,
    Context,
    Feature,
    Link,
    Lookup,
    Park,
    digest,
    hookimpl,
    where_literal,
)

from ._shared.tax_map import ENTITY, TaxGroup, TaxSettings

#: Organisation countries where Xero says API-created tax rates do not work for tax filing.
RISKY_COUNTRIES = {"AU": "Australia", "NZ": "New Zealand", "GB": "the UK"}


def tax_group_payload(group: TaxGroup) -> dict[str, Any]:
    return {
        "Name": group.name,
        "ReportTaxType": group.report_tax_type,
        "Status": "ACTIVE",
        "TaxComponents": [{"Name": c.name, "Rate": c.rate, "IsCompound": False} for c in group.components],
    }


class Tax(Feature[TaxSettings]):
    name = "tax"
    link_kinds = ("tax_rate",)
    description = "Syncro tax rates and groups -> Xero tax types (used by invoices, products, POs)"
    Settings = TaxSettings

    async def prepare(self, ctx: Context[TaxSettings]) -> None:
        """Every configured tax group exists in Xero as one tax rate with its components."""
        settings = ctx.settings
        if not settings.groups:
            return
        existing = {r["Name"].casefold(): r for r in await ctx.xero_list("TaxRates")}
        creates = []
        for rate_id, group in settings.groups.items():
            link = await ctx.link(ENTITY, rate_id)
            found = existing.get(group.name.casefold())
            if link is None and found is not None:
                if not _same_components(found, group):
                    raise Park(
                        f"Xero already has a tax rate called '{group.name}' with other components; rename "
                        f"one of them or set [plugins.tax.groups.{rate_id}] name to another name."
                    )
                await ctx.save_link(_link(rate_id, found["TaxType"], tax_group_payload(group)))
                continue
            if link is None and not settings.create_groups:
                continue  # lines on it park, saying so (TaxMap)
            creates.append(ctx.upsert(
                ENTITY, rate_id, "TaxRates", tax_group_payload(group), extra={"name": group.name},
                lookup=Lookup("TaxRates", f"Name=={where_literal(group.name)}", {"Name": group.name}),
            ))
        # side by side, so those queued together share a request (createTaxRates takes an array)
        for outcome in await asyncio.gather(*creates, return_exceptions=True):
            if isinstance(outcome, BaseException):
                raise outcome

    async def check(self, ctx: Context[TaxSettings]) -> list[CheckResult]:
        settings = ctx.settings
        rates = {r["TaxType"]: r for r in await ctx.xero_list("TaxRates")}
        results = []
        wanted = {
            "plugins.tax.sales_taxable": settings.sales_taxable,
            "plugins.tax.sales_exempt": settings.sales_exempt,
            "plugins.tax.purchases_taxable": settings.purchases_taxable,
            "plugins.tax.purchases_exempt": settings.purchases_exempt,
            **{f"plugins.tax.rates.{k}": v for k, v in settings.rates.items()},
        }
        for key, tax_type in wanted.items():
            rate = rates.get(tax_type)
            ok = rate is not None and rate.get("Status", "ACTIVE") == "ACTIVE"
            detail = f"{rate['Name']}" if ok else f"no active tax rate '{tax_type}' in Xero"
            results.append(CheckResult(ok, f"{key} = {tax_type}", detail))
        names = {r["Name"].casefold() for r in rates.values()}
        for rate_id, group in settings.groups.items():
            link = await ctx.link(ENTITY, rate_id)
            found = link is not None or group.name.casefold() in names
            state = (f"in Xero as {link.xero_id}" if link else "in Xero, linked at the next pass" if found
                     else "will be created at the next pass" if settings.create_groups
                     else "not in Xero: create it there with its components, or set create_groups = true")
            results.append(CheckResult(found or settings.create_groups, f"plugins.tax.groups.{rate_id} ({group.name})",
                                       state))
        if settings.groups and settings.create_groups:
            results.append(await _creation_risk(ctx))
        return results


async def _creation_risk(ctx: Context) -> CheckResult:
    """A warning where the organisation's country makes API-created tax rates unfit for filing."""
    [organisation] = await ctx.xero_list("Organisation")
    country = organisation.get("CountryCode", "")
    what = "plugins.tax.create_groups = true"
    if country in RISKY_COUNTRIES:
        return CheckResult(True, what, f"risky: this Xero organisation is in {RISKY_COUNTRIES[country]}, where tax "
                           "rates created through the API do not work for tax filing; create the groups in Xero by "
                           "hand under the same names and set create_groups = false", warning=True)
    return CheckResult(True, what, f"organisation country {country or 'unknown'}: creating tax rates is allowed")


def _same_components(rate: dict[str, Any], group: TaxGroup) -> bool:
    have = sorted((c.get("Name"), Decimal(str(c.get("Rate")))) for c in rate.get("TaxComponents") or [])
    return have == sorted((c.name, c.rate) for c in group.components)


def _link(rate_id: str, tax_type: str, payload: dict[str, Any]) -> Link:
    return Link(
        entity=ENTITY,
        syncro_id=rate_id,
        xero_id=tax_type,
        xero_number=tax_type,
        payload_digest=digest(payload),
        feature="tax",
        extra={"name": payload["Name"]},
    )


@hookimpl
def syncro_xero_feature() -> Feature:
    return Tax()
