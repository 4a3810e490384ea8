"""Strict mode: check each JSON exchange against the official OpenAPI schemas of its operation.

Requests are checked closed (:mod:`..openapi_check`): the operation must exist, with path values of
the declared format (a uuid where the spec has a uuid), only declared query parameters of their
declared types, and a body with no property outside the schema at any depth, no read-only property,
dates that exist (``x-is-msdate`` fields: ``YYYY-MM-DD``, optionally with a time, or ``/Date(ms)/``),
and the plural wrapper (``{"Invoices": [...]}``) exactly where the spec's request schema is one,
a bare object where it is one object. :data:`LENGTH_OVERLAY` adds the limits the spec states only
in descriptions.

Responses are checked against the spec's (open) schemas as before. The accounting spec (~900 KB)
is parsed once per process with ``yaml.CLoader`` and cached. Its boolean schemas carry string
defaults (``default: 'false'``) that are patched to real booleans first (xero-api.md §8). Response
formats are not asserted: Xero's own timestamps (``2019-12-07T18:46:19.5165400``) are not RFC 3339.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..openapi_check import Operation, RequestChecker, with_overlay

#: Limits the accounting spec states only in a property's description, as schema keywords.
LENGTH_OVERLAY: dict[str, dict[str, dict]] = {
    "Account": {"Code": {"maxLength": 10}, "Description": {"maxLength": 4000}},  # "(max length = 10)", "= 4000"
    "BatchPayment": {"Details": {"maxLength": 18}},  # "Maximum field length = 18"
    "BatchPaymentDetails": {"Details": {"maxLength": 18}},
    "PurchaseOrder": {"DeliveryInstructions": {"maxLength": 500}},  # "(500 characters max)"
}
_MS_DATE = re.compile(r"^/Date\(-?\d+([+-]\d{4})?\)/$")


@dataclass
class Exchange:
    """One JSON call as the emulator saw it."""

    api: str  # "accounting" or "identity"
    method: str
    template: str  # the spec path, e.g. /Contacts/{ContactID}; "#token" for the token endpoint
    status: int
    request: Any  # parsed JSON body or None
    response: Any  # parsed JSON body or None
    #: The path as sent, relative to the API's base (resolves the template when given).
    path: str | None = None
    query: list[tuple[str, str]] = field(default_factory=list)


@functools.lru_cache(maxsize=None)
def load_spec(path: str) -> dict:
    """The spec at ``path``, parsed and patched, once per process."""
    with open(path, "rb") as handle:
        import yaml  # a test dependency: strict mode is for tests, the emulator runs without it

        spec = yaml.load(handle, Loader=getattr(yaml, "CLoader", yaml.SafeLoader))
    _patch_booleans(spec)
    return spec


def _patch_booleans(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "boolean":
            for key in ("default", "example"):
                if node.get(key) in ("true", "false"):
                    node[key] = node[key] == "true"
        for value in node.values():
            _patch_booleans(value)
    elif isinstance(node, list):
        for value in node:
            _patch_booleans(value)


def _mark_dates(node: Any) -> None:
    """Give every ``x-is-msdate`` string without a format the ``xero-date`` format."""
    if isinstance(node, dict):
        if node.get("x-is-msdate") and node.get("type") == "string" and "format" not in node:
            node["format"] = "xero-date"
        for value in node.values():
            _mark_dates(value)
    elif isinstance(node, list):
        for value in node:
            _mark_dates(value)


def is_xero_date(value: object) -> bool:
    """A date Xero reads: ``YYYY-MM-DD`` (optionally ``THH:MM:SS``) or ``/Date(ms±hhmm)/``, that exists."""
    if not isinstance(value, str):
        return True
    if _MS_DATE.match(value):
        return True
    try:
        if "T" in value:
            datetime.fromisoformat(value)
        else:
            date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _format_checker() -> Any:
    from jsonschema import FormatChecker  # a test dependency, with openapi-schema-validator

    checker = FormatChecker(formats=("uuid", "date"))
    checker.checks("xero-date")(is_xero_date)
    return checker


class XeroRequestChecker(RequestChecker):
    """The closed request check with Xero's wrapper rule."""

    def request_schema(self, operation: Operation) -> dict | None:
        schema = super().request_schema(operation)
        if schema is None or "$ref" not in schema:
            return schema
        name = schema["$ref"].rsplit("/", 1)[-1]
        wrapped = self.spec["components"]["schemas"][name].get("properties", {}).get(name)
        if wrapped is None:
            return schema  # one object, sent bare
        return {"type": "object", "required": [name], "properties": {name: wrapped}, "additionalProperties": False}


@functools.lru_cache(maxsize=None)
def request_checker(accounting: str) -> XeroRequestChecker:
    """The request checker of the accounting spec at ``accounting``, built once per process."""
    spec = with_overlay(load_spec(accounting), LENGTH_OVERLAY)
    _mark_dates(spec)
    return XeroRequestChecker(spec, format_checker=_format_checker())


class SpecChecker:
    """Validates exchanges against ``xero_accounting.yaml`` and ``xero-identity.yaml``."""

    def __init__(self, accounting: str | Path, identity: str | Path | None = None) -> None:
        self.specs = {"accounting": load_spec(str(accounting))}
        self.requests = request_checker(str(accounting))
        if identity is not None:
            self.specs["identity"] = load_spec(str(identity))

    def template(self, method: str, path: str) -> str | None:
        """The spec path an Accounting request resolves to (None: no operation of the spec)."""
        operation, _ = self.requests.operation(method, path)
        return operation.template if operation else None

    def check_request(
        self, method: str, path: str, query: list[tuple[str, str]], body: Any
    ) -> tuple[str | None, list[str]]:
        """The spec template of an Accounting request and how the request breaks the spec."""
        operation, problems = self.requests.check_request(method, path, query, body)
        return (operation.template if operation else None), problems

    def check(self, exchange: Exchange) -> list[str]:
        """Human-readable violations (empty when the exchange matches the spec)."""
        spec = self.specs.get(exchange.api)
        if spec is None:
            return []
        where = f"{exchange.method} {exchange.template} -> {exchange.status}"
        if exchange.template == "#token":
            schema = {"$ref": "#/components/schemas/AccessToken"} if exchange.status == 200 else None
            return self._validate(exchange.api, schema, exchange.response, f"{where} response")
        if exchange.api != "accounting":
            return self.check_response(exchange)
        resolved, problems = self.check_request(
            exchange.method, exchange.path or exchange.template, exchange.query, exchange.request
        )
        if resolved is None:
            return problems
        exchange.template = resolved
        return problems + self.check_response(exchange)

    def check_response(self, exchange: Exchange) -> list[str]:
        """How the answer breaks the schema of its status in ``exchange.template``'s operation."""
        where = f"{exchange.method} {exchange.template} -> {exchange.status}"
        operation = self.specs[exchange.api]["paths"].get(exchange.template, {}).get(exchange.method.lower())
        if operation is None:
            return [f"{where}: no such operation in the {exchange.api} spec"]
        problems: list[str] = []
        answer = operation["responses"].get(str(exchange.status), {})
        schema = answer.get("content", {}).get("application/json", {}).get("schema")
        if schema is not None and exchange.response is not None:
            problems += self._validate(exchange.api, schema, exchange.response, f"{where} response")
        return problems

    def _validate(self, api: str, schema: dict | None, instance: Any, where: str) -> list[str]:
        if schema is None:
            return []
        validator = _validator(self.specs[api], json.dumps(schema, sort_keys=True))
        return [
            f"{where}: {'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator.iter_errors(instance)
        ]


_VALIDATORS: dict[tuple[int, str], Any] = {}


def _validator(spec: dict, schema_json: str) -> Any:
    """One validator per schema per loaded spec, shared by every emulator of the process."""
    from openapi_schema_validator import OAS30Validator  # a test dependency, as yaml

    key = (id(spec), schema_json)
    if key not in _VALIDATORS:
        _VALIDATORS[key] = OAS30Validator({**json.loads(schema_json), "components": spec["components"]})
    return _VALIDATORS[key]
