"""Syncro product categories -> options of one Xero tracking category, to tag invoice lines.

Each Syncro category becomes an option named by its display path (``names_depth_cache``, e.g.
"Hardware > Docks"; the bare name when Syncro gives no path), at most 100 characters, keeping the
end (the most specific part). A renamed category renames its option; a deleted one archives it
(an archived option with the same name is restored when the category comes back). The tracking
category is found by name in ``prepare`` and created when missing; Xero allows only 2 active
tracking categories, so when both are taken every category is parked with what the bookkeeper
can do about it. The invoices feature tags a line with ``_shared.tracking.tracking_for``; an
invoice whose line's category Syncro lists but whose option is not in Xero yet waits for it (an
untagged invoice tagged later may by then be paid, and locked, in Xero).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from syncro_xero import (
    Change,
    CheckResult,
    Context,
    Feature,
    Link,
    Lookup,
    Park,
    XeroRejected,
    hookimpl,
    where_literal,
)

from ._shared.tracking import CategoriesSettings, option_name

ENTITY = "tracking_option"
CATEGORY_ENTITY = "tracking_category"
MAX_ACTIVE = 2  # xero-api.md §1.2: at most 2 active tracking categories
NAME_TAKEN = ("already in use", "must be unique")


class Categories(Feature[CategoriesSettings]):
    name = "categories"
    link_kinds = ("tracking_option", "tracking_category")
    description = "Syncro product categories -> options of a Xero tracking category (tags invoice lines)"
    syncro_resources = ("product_categories",)
    Settings = CategoriesSettings

    async def prepare(self, ctx: Context[CategoriesSettings]) -> None:
        """The tracking category exists in Xero before any option is written."""
        settings = ctx.settings
        if settings.tracking_category:
            await _tracking_category(ctx, settings.tracking_category)

    async def handle(self, change: Change, ctx: Context[CategoriesSettings]) -> None:
        settings = ctx.settings
        if not settings.tracking_category:
            return
        tracking = await _tracking_category(ctx, settings.tracking_category)
        category_id = tracking["TrackingCategoryID"]
        link = await ctx.link(ENTITY, change.record_id)
        if link is not None and link.extra.get("category") != category_id:
            link = None  # an option of another tracking category (the setting changed)
        if change.op == "deleted":
            if link is not None:
                await self._archive(ctx, change, link, category_id)
            return
        name = option_name(change.current)
        if link is None:
            link = await self._match(ctx, change, tracking, name)
        if link is None:
            await self._write(
                ctx,
                change,
                name,
                "create",
                "PUT",
                f"TrackingCategories/{category_id}/Options",
                {"Name": name},
                Link(
                    entity=ENTITY,
                    syncro_id=change.record_id,
                    xero_id="",
                    feature=self.name,
                    extra={"category": category_id, "name": name, "status": "ACTIVE"},
                ),
                Lookup(f"TrackingCategories/{category_id}", "", {"Name": name}, within="Options"),
            )
            return
        if link.extra.get("name") == name and link.extra.get("status") == "ACTIVE":
            return
        await self._write(
            ctx,
            change,
            name,
            "update",
            "POST",
            f"TrackingCategories/{category_id}/Options/{link.xero_id}",
            {"Name": name, "Status": "ACTIVE"},
            replace(link, extra={**link.extra, "name": name, "status": "ACTIVE"}),
        )
        if link.extra.get("name") != name:
            ctx.note(
                f"category {change.record_id}: option '{link.extra.get('name')}' "
                f"{ctx.done('renamed', 'would be renamed')} '{name}'"
            )

    async def _match(self, ctx: Context[CategoriesSettings], change: Change, tracking: dict[str, Any], name: str) -> Link | None:
        """An existing option of that name (an archived one is restored by the caller's update)."""
        found = next((o for o in tracking.get("Options") or [] if o["Name"].casefold() == name.casefold()), None)
        if found is None or await ctx.link_by_xero_id(ENTITY, found["TrackingOptionID"]):
            return None
        link = Link(
            entity=ENTITY,
            syncro_id=change.record_id,
            xero_id=found["TrackingOptionID"],
            feature=self.name,
            extra={"category": tracking["TrackingCategoryID"], "name": found["Name"], "status": found["Status"]},
        )
        await ctx.save_link(link)
        ctx.note(f"category {change.record_id}: matched existing option '{found['Name']}'")
        return link

    async def _write(
        self,
        ctx: Context[CategoriesSettings],
        change: Change,
        name: str,
        action: str,
        method: str,
        path: str,
        payload: dict[str, Any],
        link: Link,
        lookup: Lookup | None = None,
    ) -> None:
        try:
            await ctx.write(ENTITY, change.record_id, action, method, path, payload, link=link, lookup=lookup)
        except XeroRejected as rejected:
            if any(m in " ".join(rejected.messages) for m in NAME_TAKEN):
                raise Park(
                    f"Another option of the Xero tracking category is already called '{name}' (two Syncro "
                    "categories with the same path, or an option added in Xero). Rename one of them, then retry.",
                    "; ".join(rejected.messages),
                ) from rejected
            raise

    async def _archive(self, ctx: Context[CategoriesSettings], change: Change, link: Link, category_id: str) -> None:
        await ctx.write(
            ENTITY,
            change.record_id,
            "archive",
            "POST",
            f"TrackingCategories/{category_id}/Options/{link.xero_id}",
            {"Name": link.extra["name"], "Status": "ARCHIVED"},
        )
        await ctx.forget_link(ENTITY, change.record_id)
        ctx.note(
            f"category {change.record_id} deleted in Syncro: option '{link.extra['name']}' "
            f"{ctx.done('archived', 'would be archived')}"
        )

    async def check(self, ctx: Context[CategoriesSettings]) -> list[CheckResult]:
        settings = ctx.settings
        what = f"plugins.categories.tracking_category = {settings.tracking_category!r}"
        if not settings.tracking_category:
            return [CheckResult(True, what, "off: invoice lines are not tagged by product category")]
        categories = await ctx.xero_list("TrackingCategories", {"includeArchived": "true"})
        try:
            found = _existing(categories, settings.tracking_category)
        except Park as park:
            return [CheckResult(False, what, park.reason)]
        if found is not None:
            return [CheckResult(True, what, f"in Xero with {len(found.get('Options') or [])} options")]
        return [CheckResult(True, what, "will be created at the next pass")]


async def _tracking_category(ctx: Context, name: str) -> dict[str, Any]:
    """The tracking category, found or created once per pass; :class:`Park` when it cannot be."""
    memo = ctx.memo
    if "tracking" not in memo:
        memo["tracking"] = asyncio.ensure_future(_find_or_create(ctx, name))
    return await memo["tracking"]


async def _find_or_create(ctx: Context, name: str) -> dict[str, Any]:
    categories = await ctx.xero_list("TrackingCategories", {"includeArchived": "true"})
    found = _existing(categories, name)
    if found is not None:
        return found
    # Not a Syncro record: keyed by the moment, so one deleted in Xero is created again.
    key = f"{name}@{ctx.clock.now().isoformat()}"
    try:
        created = await ctx.write(
            CATEGORY_ENTITY,
            key,
            "create",
            "PUT",
            "TrackingCategories",
            {"Name": name},
            lookup=Lookup("TrackingCategories", f"Name=={where_literal(name)}", {"Name": name}),
        )
    except XeroRejected as rejected:
        raise Park(
            f"Xero would not create the tracking category '{name}'. Create it in Xero by hand, then retry.",
            "; ".join(rejected.messages),
        ) from rejected
    ctx.note(f"{ctx.done('created', 'would create')} the Xero tracking category '{name}'")
    return {**created, "Options": []}


def _existing(categories: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The active category called ``name``; None when it can be created; :class:`Park` otherwise."""
    found = next((c for c in categories if c["Name"].casefold() == name.casefold()), None)
    if found is not None and found.get("Status") == "ACTIVE":
        return found
    setting = "[plugins.categories] tracking_category"
    if found is not None:
        raise Park(
            f"The Xero tracking category '{found['Name']}' is archived. Restore it in Xero "
            f"(Accounting > Advanced > Tracking categories), or set {setting} to another name "
            '("" to stop tagging invoice lines); then retry.'
        )
    active = [c["Name"] for c in categories if c.get("Status") == "ACTIVE"]
    if len(active) >= MAX_ACTIVE:
        raise Park(
            f"Xero allows only {MAX_ACTIVE} active tracking categories and this organisation already uses "
            f"{' and '.join(repr(a) for a in active)}, so '{name}' cannot be added. Archive one of them in "
            f'Xero, or set {setting} to one of them to put the product categories there ("" to stop '
            "tagging invoice lines); then retry."
        )
    return None


@hookimpl
def syncro_xero_feature() -> Feature:
    return Categories()
