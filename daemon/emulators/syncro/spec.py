"""Strict mode: every request checked against Syncro's official OpenAPI spec (``syncro_swagger.json``).

The copy in ``tests/specs`` is S1a (syncro-api.md §0); the later refresh S1b documents a few
operations, parameters and fields it lacks, and those (listed in :data:`S1B_QUERY`,
:data:`S1B_OPERATIONS`, :data:`S1B_BODY_FIELDS`, :data:`S1B_OPTIONAL`, :data:`LINE_ITEM_FIELDS`) are
allowed too. Anything else the spec does not list is refused, unless it is one of
:data:`UNDOCUMENTED` and named in ``allow``.

Checked: the operation exists, path values fit their types (``integer`` ids), every query parameter
is declared (with its type), and a body with a schema has no property outside it at any depth and
its values are of the declared JSON types. Formats are not asserted: the spec's own are unreliable
(``"format": "number"``; date-only fields typed ``date-time`` that S1b renders ``YYYY-MM-DD``, §1.6).
Bodies of operations whose spec shows no schema (customers, vendors, invoice line items) cannot be
checked and are taken as they are.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any, Iterable

from ..openapi_check import Operation, RequestChecker

_STRING, _INTEGER, _BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
_ARRAY = {"type": "array", "items": {}}

#: Query parameters S1b adds: on every operation (its ``api_key`` security scheme, §1.2), and per operation.
S1B_QUERY: dict[tuple[str, str], dict[str, dict]] = {
    ("*", "*"): {"api_key": _STRING},
    ("get", "/invoices"): {"per_page": _INTEGER},  # "default and max 25" (§1.4)
    ("get", "/customers"): {"id_not": _ARRAY},  # S1b renames S1a's not_id (§1.5)
    # "Returns a paginated list", meta per_page 100; `page` is how every list pages (§1.4), though
    # this operation's parameters leave it out.
    ("get", "/line_items"): {"page": _INTEGER},
}
#: Operations S1b adds, with their JSON body schema (None: no JSON body).
S1B_OPERATIONS: dict[tuple[str, str], dict | None] = {
    # Only these fields may change (§2.9).
    ("put", "/purchase_orders/{id}"): {"type": "object", "properties": {
        "status": _STRING, "general_notes": _STRING, "shipping_cents": _INTEGER,
        "delivery_tracking": _STRING, "vendor_id": _INTEGER}},
    ("post", "/invoices/{id}/publish"): None,  # draft invoices (§2.3)
    ("post", "/invoices/{id}/convert_to_draft"): None,
    ("delete", "/products/{product_id}/product_skus/{id}"): None,  # §2.8
}
#: Body fields S1b adds to S1a operations.
S1B_BODY_FIELDS: dict[tuple[str, str], dict[str, dict]] = {
    ("post", "/invoices"): {"paid": _BOOLEAN},  # "take payment … only when line_items are sent" (§2.3)
    ("post", "/purchase_orders/{id}/receive"): {"received_quantity": _INTEGER, "serial_numbers": _ARRAY},  # §2.9
}
#: The fields of an invoice line item on POST /invoices (S1a's own line-item schema) that its
#: line-item endpoints' schema (``LineItem2``) leaves out, though §2.4 documents them there: S1b's
#: product-resolution rules for POST line items (``product_id``, ``upc_code``), quantities, and
#: ``location_id`` on multi-location accounts.
LINE_ITEM_FIELDS = ("product_id", "quantity", "upc_code", "tax_rate_id", "tax_note", "wholesale", "position")
LINE_ITEM_EXTRA = {"location_id": _INTEGER}
#: Path parameters whose description says more than their schema: GET /invoices/{id} takes "ID or
#: Number" (§2.3), typed integer.
DESCRIBED_PATH_PARAMETERS: dict[tuple[str, str], dict[str, dict]] = {("get", "/invoices/{id}"): {"id": _STRING}}
#: Body fields S1a requires that S1b makes optional.
S1B_OPTIONAL: dict[tuple[str, str], frozenset[str]] = {
    ("post", "/invoices"): frozenset({"number"}),  # "Defaults to your account's next invoice number" (§2.3)
}
#: What the notes mark unknown, allowed only when named in ``allow``.
UNDOCUMENTED: dict[str, str] = {
    # UNKNOWN (syncro-api.md §1.4): real sync code sends per_page to every list; only invoices document it.
    "per_page": "per_page on lists other than GET /invoices",
    # UNKNOWN (syncro-api.md §2.5): POST /payments documents no date; the record's date is applied_at,
    # which the xero_payments feature sends by default (its date_field setting).
    "payment_applied_at": "applied_at in the body of POST /payments",
}
#: The body fields each undocumented name lets through.
UNDOCUMENTED_BODY_FIELDS: dict[str, tuple[tuple[str, str], dict[str, dict]]] = {
    "payment_applied_at": (("post", "/payments"), {"applied_at": _STRING}),
}


def with_s1b(spec: dict, allow: frozenset[str] = frozenset()) -> dict:
    """A copy of the S1a spec with what S1b documents added, and the undocumented fields ``allow`` names."""
    spec = copy.deepcopy(spec)
    for name in allow & set(UNDOCUMENTED_BODY_FIELDS):
        (method, template), fields = UNDOCUMENTED_BODY_FIELDS[name]
        schema = spec["paths"][template][method]["requestBody"]["content"]["application/json"]["schema"]
        schema["properties"].update(fields)
    for (method, template), schema in S1B_OPERATIONS.items():
        path = spec["paths"].setdefault(template, {})
        ids = [part[1:-1] for part in template.split("/") if part.startswith("{")]
        operation: dict[str, Any] = {
            "parameters": [{"name": name, "in": "path", "required": True, "schema": _INTEGER} for name in ids],
            "responses": {},
        }
        if schema is not None:
            operation["requestBody"] = {"content": {"application/json": {"schema": schema}}}
        path[method] = operation
    for (method, template), fields in S1B_BODY_FIELDS.items():
        schema = spec["paths"][template][method]["requestBody"]["content"]["application/json"]["schema"]
        schema["properties"].update(fields)
    for (method, template), parameters in DESCRIBED_PATH_PARAMETERS.items():
        for parameter in spec["paths"][template][method]["parameters"]:
            if parameter["name"] in parameters:
                parameter["schema"] = parameters[parameter["name"]]
    invoice_lines = spec["paths"]["/invoices"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    line_fields = invoice_lines["properties"]["line_items"]["items"]["properties"]
    line_item = spec["components"]["requestBodies"]["LineItem2"]["content"]["application/json"]["schema"]
    line_item["properties"].update({name: line_fields[name] for name in LINE_ITEM_FIELDS})
    line_item["properties"].update(LINE_ITEM_EXTRA)
    for (method, template), optional in S1B_OPTIONAL.items():
        schema = spec["paths"][template][method]["requestBody"]["content"]["application/json"]["schema"]
        schema["required"] = [name for name in schema.get("required", []) if name not in optional]
    return spec


class SyncroRequestChecker(RequestChecker):
    """The closed request check for Syncro, with S1b's additions."""

    def __init__(self, spec: dict, allow: Iterable[str] = ()) -> None:
        unknown = set(allow) - set(UNDOCUMENTED)
        if unknown:
            raise ValueError(f"not an undocumented Syncro behaviour: {', '.join(sorted(unknown))}")
        self.allow = frozenset(allow)
        super().__init__(with_s1b(spec, self.allow), extra_query=dict(S1B_QUERY[("*", "*")]))

    def query_extras(self, operation: Operation) -> dict[str, dict]:
        extras = {**self.extra_query, **S1B_QUERY.get((operation.method, operation.template), {})}
        if "per_page" in self.allow:
            extras["per_page"] = _INTEGER
        return extras


@functools.lru_cache(maxsize=None)
def _load(path: str) -> dict:
    return json.loads(Path(path).read_text())


@functools.lru_cache(maxsize=None)
def request_checker(path: str, allow: frozenset[str] = frozenset()) -> SyncroRequestChecker:
    """The checker of the spec at ``path``, built once per process and ``allow`` set."""
    return SyncroRequestChecker(_load(path), allow)
