"""The tracking of invoice lines by Syncro product category: what ``categories`` maintains and
``invoices`` reads (the settings, and how a line's category finds its option)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from syncro_xero import Context, Defer, one_line

#: Xero's longest tracking option or category name.
MAX_NAME = 100


class CategoriesSettings(BaseModel):
    """``[plugins.categories]``"""

    model_config = ConfigDict(extra="forbid")

    #: The Xero tracking category whose options follow Syncro's product categories (found by
    #: name, created when missing); "" switches tagging lines by product category off.
    tracking_category: str = Field("Product Category", max_length=MAX_NAME, pattern=r'^[^"]*$')
    #: What separates a parent from its child in Syncro's display path, to find the option of a
    #: line that names only its category.
    # UNKNOWN (syncro-api.md §2.8): no example shows the separator of names_depth_cache.
    path_separator: str = " > "


def option_name(category: dict[str, Any]) -> str:
    """The option of a Syncro category: its display path, else its name; the end kept within 100."""
    name = one_line(category.get("names_depth_cache")) or one_line(category.get("name"))
    name = name or f"Category {category['id']}"
    return name if len(name) <= MAX_NAME else "…" + name[-(MAX_NAME - 1):]


def option_for(options: list[dict[str, Any]], category: str, separator: str) -> str | None:
    """The option name for ``category`` (a display path or a bare name); None when absent or ambiguous."""
    wanted = category.strip().casefold()
    names = [o["Name"] for o in options]
    exact = [n for n in names if n.casefold() == wanted]
    if exact:
        return exact[0]
    leaf = [n for n in names if n.casefold().endswith((separator + category.strip()).casefold())]
    return leaf[0] if len(leaf) == 1 else None


async def tracking_for(ctx: Context, category_name: str | None) -> list[dict[str, str]] | None:
    """The ``Tracking`` of an invoice line in Syncro product category ``category_name``, or None.

    Reads the active tracking categories once per pass (after this feature ran, so options created
    in this pass are there).
    """
    settings: CategoriesSettings | None = ctx.settings_of("categories")
    if settings is None or not settings.tracking_category or not (category_name or "").strip():
        return None
    wanted = settings.tracking_category.casefold()
    tracking = next((c for c in await ctx.xero_list("TrackingCategories") if c["Name"].casefold() == wanted), None)
    if tracking is None:
        return None
    option = option_for(tracking.get("Options") or [], category_name or "", settings.path_separator)
    if option is None and await _in_syncro(ctx, category_name or "", settings.path_separator):
        # The categories feature has not made its option yet (it failed for now, or waits): never
        # write the line untagged to tag it later, when the invoice may be paid and locked in Xero.
        raise Defer(f"its product category '{category_name}' has no option in Xero's '{tracking['Name']}' tracking "
                    "category yet (the categories feature makes it)")
    return [{"Name": tracking["Name"], "Option": option}] if option else None


async def _in_syncro(ctx: Context, category_name: str, separator: str) -> bool:
    """Whether Syncro lists the category (by display path, or by a unique name)."""
    listed = await ctx.syncro_listed("product_categories")
    return option_for([{"Name": option_name(c)} for c in listed.values()], category_name, separator) is not None
