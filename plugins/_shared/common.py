"""What several built-in features need: the customer's Xero contact, Syncro dates, payment markers."""

from __future__ import annotations

from typing import Any

from syncro_xero import Context, Link, Park


def day(value: Any) -> Any:
    """A calendar date as Syncro meant it: ``2026-03-02`` or the older ``2026-03-02T00:00:00-05:00``."""
    return value[:10] if isinstance(value, str) else value


async def contact_for(customer_id: Any, ctx: Context, what: str) -> Link:
    """The Xero contact of a Syncro customer, synced now if it was not; parks ``what`` if impossible."""
    if customer_id is None or customer_id == "":
        raise Park(f"Syncro gives {what} no customer, so there is no Xero contact to put it on. Set its customer "
                   "in Syncro, then retry.")
    link = await ctx.link("contact", customer_id)
    if link is None:
        await ctx.ensure("contacts", customer_id)
        link = await ctx.link("contact", customer_id)
    if link is None:
        raise Park(
            f"The customer of {what} (Syncro customer {customer_id}) is not in Xero; see that customer's own "
            "entry in `syncro-xero failures`, fix it, then retry this one."
        )
    return link


def customer_id_of(record: dict[str, Any]) -> Any:
    """A payment carries its customer embedded; an invoice by id."""
    return record.get("customer_id") or (record.get("customer") or {}).get("id")


def reference(payment: dict[str, Any], suffix: str = "") -> str:
    """Stable and unique per Xero record: recovery after a crash finds it by this text."""
    own = f"Syncro payment {payment['id']}{suffix}"
    ref = (payment.get("ref_num") or "").strip()
    return f"{ref} · {own}" if ref else own


def in_categories(product: dict[str, Any], categories: list[str]) -> bool:
    """Whether the product's category (name or display path) is listed; ``"*"`` lists every one."""
    wanted = {c.strip().casefold() for c in categories}
    if "*" in wanted:
        return True
    return any((product.get(key) or "").strip().casefold() in wanted for key in ("product_category", "category_path"))


#: The inventory feature's link to the Xero contact its stock adjustments are made out to.
ADJUSTMENT_CONTACT = "adjustment_contact"

#: The ref_num prefix of Syncro payments the xero_payments feature records (never sent back to Xero).
FROM_XERO = "Xero "

#: Marks the batch payments the payments feature writes (their Details, or Reference in NZ): the
#: crash-recovery lookup finds a batch by it and xero_payments leaves such batches out.
BATCH_MARK = "Syncro#"
