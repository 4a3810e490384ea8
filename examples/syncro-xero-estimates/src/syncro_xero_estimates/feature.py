"""Syncro estimates -> Xero quotes (draft), one line each, totals equal to the cent.

Syncro's estimate shows its ``subtotal``, ``tax`` and ``total`` but not its lines (syncro-api.md
§2.12), so the quote has one line: the subtotal, with the estimate's own tax amount on it (Xero keeps
a submitted TaxAmount). An estimate whose total is not its subtotal plus tax is parked, never guessed.
The quote's customer is the estimate's customer's Xero contact, synced first through ``contacts``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from syncro_xero import (
    Change,
    Context,
    Feature,
    Park,
    SyncroResource,
    hookimpl,
    natural_key_lookup,
)

ENTITY = "quote"


class EstimatesSettings(BaseModel):
    """``[plugins.estimates]``"""

    model_config = ConfigDict(extra="forbid")

    #: The revenue account of the quote's line.
    account_code: str = "200"
    #: The Xero tax type of the line; its amount is the estimate's own tax, not Xero's calculation.
    tax_type: str = "OUTPUT2"
    #: The Xero QuoteNumber; ``{number}`` is the Syncro estimate number (unique in Xero).
    quote_number_format: str = Field("EST-{number}", min_length=1)


def _money(estimate: dict[str, Any], field: str) -> Decimal:
    try:
        return Decimal(str(estimate[field]))
    except (KeyError, InvalidOperation):
        raise Park(f"Estimate {estimate.get('number')} shows no readable {field} ({estimate.get(field)!r}); "
                   "fix it in Syncro, then retry.") from None


def quote_payload(estimate: dict[str, Any], contact_id: str, settings: EstimatesSettings) -> dict[str, Any]:
    """The Xero quote for a Syncro estimate (a pure function: the same estimate, the same payload)."""
    subtotal, tax, total = (_money(estimate, f) for f in ("subtotal", "tax", "total"))
    if subtotal + tax != total:
        raise Park(f"Estimate {estimate['number']}: its total {total} is not its subtotal {subtotal} plus tax {tax}, "
                   "so the quote's amounts cannot be told; correct the estimate in Syncro, then retry.")
    name = (estimate.get("name") or "").strip() or f"Estimate {estimate['number']}"
    return {
        "QuoteNumber": settings.quote_number_format.format(number=estimate["number"])[:255],
        "Contact": {"ContactID": contact_id},
        "Date": str(estimate["date"])[:10],  # the account-zone date of Syncro's timestamp
        "Title": name[:100],
        "Status": "DRAFT",
        "LineAmountTypes": "EXCLUSIVE",
        "LineItems": [{
            "Description": f"Estimate {estimate['number']}: {name}"[:4000],
            "Quantity": Decimal("1"),
            "UnitAmount": subtotal,
            "AccountCode": settings.account_code,
            "TaxType": settings.tax_type,
            "TaxAmount": tax,
        }],
    }


class Estimates(Feature[EstimatesSettings]):
    name = "estimates"
    description = "Syncro estimates -> Xero draft quotes (example third-party plugin)"
    syncro_resources = ("estimates",)
    link_kinds = (ENTITY,)
    depends_on = ("contacts",)
    Settings = EstimatesSettings

    async def handle(self, change: Change, ctx: Context[EstimatesSettings]) -> None:
        if change.op == "deleted":
            ctx.note(f"Estimate {change.record_id} was deleted in Syncro; its Xero quote is left as it is")
            return
        settings = ctx.settings
        estimate = change.current
        contact = await ctx.link("contact", estimate["customer_id"])
        if contact is None:
            await ctx.ensure("contacts", estimate["customer_id"])
            contact = await ctx.link("contact", estimate["customer_id"])
        if contact is None:
            raise Park(f"Estimate {estimate['number']}: its customer is not in Xero (see the contacts failures); "
                       "sync the customer, then retry.")
        payload = quote_payload(estimate, contact.xero_id, settings)
        number = payload["QuoteNumber"]
        await ctx.upsert(ENTITY, change.record_id, "Quotes", payload, number=number,
                         lookup=natural_key_lookup("Quotes", number))


@hookimpl
def syncro_xero_feature() -> Feature:
    return Estimates()


@hookimpl
def syncro_xero_resources() -> list[SyncroResource]:
    # GET /estimates has no change filter and no order (syncro-api.md §1.5): scan it whole.
    return [SyncroResource("estimates", "/estimates", "estimates", "estimate")]
