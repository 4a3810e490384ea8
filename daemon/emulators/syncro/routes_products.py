"""``/products``, their categories, location quantities and barcode look-up."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .api import (
    BadParam,
    Routes,
    as_int,
    fields_from,
    id_list,
    ok,
    paginated,
    params,
    path_id,
    refuses,
    sort_by,
)
from .errors import NotFound, RuleError
from .models import Product

PRODUCT_PARAMS = frozenset({
    "price_cost", "price_retail", "condition", "description", "maintain_stock", "name", "quantity", "warranty",
    "sort_order", "reorder_at", "disabled", "taxable", "upc_code", "discount_percent", "warranty_template_id",
    "qb_item_id", "desired_stock_level", "price_wholesale", "notes", "tax_rate_id", "vendor_ids",
    "physical_location", "serialized", "category_ids",
})
PRODUCT_INTS = frozenset({
    "quantity", "sort_order", "reorder_at", "warranty_template_id", "qb_item_id", "desired_stock_level", "tax_rate_id",
})
PRODUCT_FLAGS = frozenset({"maintain_stock", "disabled", "taxable", "serialized"})
#: What an omitted boolean becomes on PUT when the S4 quirk is on (the model's defaults).
BOOLEAN_DEFAULTS = {"maintain_stock": False, "disabled": False, "taxable": True, "serialized": False}


class ProductRoutes(Routes):
    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/products", self.list_products),
            web.post("/products", self.create_product),
            web.get("/products/categories", self.list_categories),
            web.get("/products/barcode", self.barcode),
            web.get("/products/{id}", self.show_product),
            web.put("/products/{id}", self.update_product),
            web.put("/products/{id}/location_quantities", self.set_location_quantity),
        ]

    async def list_products(self, request: web.Request) -> web.Response:
        """25 a page and, as in the spec, no ``meta``: page until a page comes back empty."""
        # UNKNOWN (syncro-api.md §2.8): whether disabled products are listed; they are; switch: none.
        q = await params(request)
        items = list(self.store.products.values())
        if sku := q.get("sku"):
            items = [p for p in items if any(s.sku == sku for s in p.skus)]
        if name := str(q.get("name") or "").casefold():
            items = [p for p in items if name in p.name.casefold()]
        if upc := q.get("upc_code"):
            items = [p for p in items if p.upc_code == upc]
        if (category_id := as_int(q.get("category_id"), "category_id")) is not None:
            items = [p for p in items if category_id in p.category_ids]
        if wanted := id_list(request, "id"):
            items = [p for p in items if p.id in wanted]
        if unwanted := id_list(request, "id_not"):
            items = [p for p in items if p.id not in unwanted]
        if needle := str(q.get("query") or "").casefold():
            items = [p for p in items if needle in " ".join(filter(None, (p.name, p.description, p.upc_code))).casefold()]
        # UNKNOWN (syncro-api.md §1.5): products show no updated_at, so sort=updated_at is
        # emulated on the internal stamp; switch: Switches.sort_by_updated_at.
        items = sort_by(items, q.get("sort"), self._sortable, allow_updated_at=self.store.switches.sort_by_updated_at)
        return paginated("products", items, self.render.product, q, self.ctx, resource="products", meta=None)

    def _sortable(self, product: Product) -> dict[str, Any]:
        return {**self.render.product(product), "updated_at": self.render.ts(product.updated_at)}

    def _product_fields(self, values: dict[str, Any]) -> dict[str, Any]:
        fields = fields_from(values, PRODUCT_PARAMS, ints=PRODUCT_INTS, flags=PRODUCT_FLAGS)
        for key in ("vendor_ids", "category_ids"):
            if key in fields:
                if not isinstance(fields[key], list):
                    raise BadParam(f"{key} must be a list")
                fields[key] = [as_int(v, key) for v in fields[key]]
        if category_name := values.get("product_category"):
            category = next((c for c in self.store.categories.values() if c.name == category_name), None)
            fields["category_ids"] = [(category or self.store.add_category(category_name)).id]
        return fields

    @refuses("message")
    async def create_product(self, request: web.Request) -> web.Response:
        fields = self._product_fields(await params(request))
        missing = [f"{key.capitalize()} can't be blank" for key in ("name", "description") if not fields.get(key)]
        if missing:
            raise RuleError(*missing)
        product = self.store.add_product(fields.pop("name"), **fields)
        self._add_skus(product, await params(request))
        return ok({"product": self.render.product(product, skus=False)})

    def _add_skus(self, product: Product, values: dict[str, Any]) -> None:
        for row in values.get("product_skus_attributes") or []:
            self.store.add_product_sku(product.id, as_int(row.get("vendor_id"), "vendor_id"), str(row.get("value")))  # type: ignore[arg-type]

    async def show_product(self, request: web.Request) -> web.Response:
        return ok({"product": self.render.product(self.store.product(path_id(request)))})

    @refuses("message")
    async def update_product(self, request: web.Request) -> web.Response:
        fields = self._product_fields(await params(request))
        # UNKNOWN (syncro-api.md §2.8): S4 saw PUT reset an omitted maintain_stock to false; on by
        # default for every boolean; switch: Switches.product_put_resets_booleans.
        if self.store.switches.product_put_resets_booleans:
            fields = {**BOOLEAN_DEFAULTS, **fields}
        product = self.store.update_product(path_id(request), **fields)
        self._add_skus(product, await params(request))
        return ok({"product": self.render.product(product, skus=False)})

    async def list_categories(self, request: web.Request) -> web.Response:
        return ok({"categories": [self.render.category(c) for c in self.store.categories.values()]})

    async def barcode(self, request: web.Request) -> web.Response:
        product = self.store.find_product(upc_code=request.query.get("barcode", "") or None)
        if product is None:
            raise NotFound("product", request.query.get("barcode"))
        return ok({"product": self.render.product(product)})

    async def set_location_quantity(self, request: web.Request) -> web.Response:
        """Answers with the bare location-quantity object (spec)."""
        q = await params(request)
        row_id = as_int(q.get("location_quantity_id"), "location_quantity_id")
        quantity = as_int(q.get("quantity"), "quantity")
        if row_id is None or quantity is None:
            raise BadParam("location_quantity_id and quantity are required")
        product = self.store.set_stock(path_id(request), quantity, location_quantity_id=row_id)
        row = next(r for r in product.location_quantities if r.id == row_id)
        return ok(self.render.location_quantity(row))
