"""The tax mapping every feature that writes lines asks: which Xero tax type, at what rate.

Its settings are the tax feature's ``[plugins.tax]``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from syncro_xero import Context, Park

ENTITY = "tax_rate"


class TaxComponent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=50)
    rate: Decimal = Field(ge=0, le=100)  # percent


class TaxGroup(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=50)  # the Xero tax rate's name
    components: list[TaxComponent] = Field(min_length=1)
    report_tax_type: str = "OUTPUT"


class TaxSettings(BaseModel):
    """``[plugins.tax]``; the defaults fit a new UK Xero organisation."""

    model_config = ConfigDict(extra="forbid")

    #: Xero tax type of taxable sales lines with no rate of their own.
    sales_taxable: str = "OUTPUT2"
    #: Xero tax type of non-taxable sales lines ($0 tax).
    sales_exempt: str = "NONE"
    #: The same for purchases (bills, purchase orders).
    purchases_taxable: str = "INPUT2"
    purchases_exempt: str = "NONE"
    #: The Syncro tax rate your account applies when neither the line nor the customer names one;
    #: its entry in ``rates`` or ``groups`` then applies to such lines (else ``sales_taxable``).
    syncro_default_rate_id: str | None = None
    #: Syncro tax_rate_id -> Xero tax type, for rates other than the default.
    rates: dict[str, str] = {}
    #: Syncro tax_rate_id -> a Xero tax rate with several components (found in Xero by name).
    groups: dict[str, TaxGroup] = {}
    #: Create a group's Xero tax rate when Xero has none by its name. Off by default: rates created
    #: through the API do not work for tax filing in AU, NZ and UK organisations.
    create_groups: bool = False


class TaxMap:
    """What the other features ask: which Xero tax type for this line, and at what rate."""

    def __init__(self, settings: TaxSettings, group_types: dict[str, str]) -> None:
        self.settings = settings
        self.group_types = group_types

    def rates(self, xero_rates: dict[str, Decimal]) -> dict[str, Decimal]:
        """Xero's rates by tax type, with the groups' own (known from config even before Xero has
        them, as in a dry run)."""
        groups = {
            self.group_types[rate_id]: sum((c.rate for c in group.components), Decimal(0))
            for rate_id, group in self.settings.groups.items()
            if rate_id in self.group_types
        }
        return {**xero_rates, **groups}

    def sales(self, taxable: bool, tax_rate_id: Any = None) -> str:
        if not taxable:
            return self.settings.sales_exempt
        return self._specific(tax_rate_id) or self.settings.sales_taxable

    def purchases(self, taxable: bool, tax_rate_id: Any = None) -> str:
        """Only a rate named here: ``syncro_default_rate_id`` is a sales rate, never a purchase's."""
        if not taxable:
            return self.settings.purchases_exempt
        specific = self._specific(tax_rate_id) if tax_rate_id is not None else None
        return specific or self.settings.purchases_taxable

    def _specific(self, tax_rate_id: Any) -> str | None:
        if tax_rate_id is None:
            tax_rate_id = self.settings.syncro_default_rate_id
        if tax_rate_id is None:
            return None
        key = str(tax_rate_id)
        if key in self.settings.groups and key not in self.group_types:
            raise Park(
                f"Syncro tax rate {key} is the tax group '{self.settings.groups[key].name}', which is not in Xero. "
                "Create it in Xero with its components under that name (or set [plugins.tax] create_groups = "
                "true), then retry."
            )
        return self.group_types.get(key) or self.settings.rates.get(key)


async def tax_map(ctx: Context) -> TaxMap:
    """The tax mapping for any feature that ``depends_on = ("tax",)``."""
    settings: TaxSettings = ctx.settings_of("tax")
    group_types = {}
    for rate_id in settings.groups:
        link = await ctx.link(ENTITY, rate_id)
        if link is not None:
            group_types[rate_id] = link.xero_id
    return TaxMap(settings, group_types)
