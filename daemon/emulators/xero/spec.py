"""Strict mode: check each JSON exchange against the official OpenAPI schemas of its operation.

The accounting spec (~900 KB) is parsed once per process with ``yaml.CLoader`` and cached. Its
boolean schemas carry string defaults (``default: 'false'``) that are patched to real booleans
first (xero-api.md §8). Date fields are plain strings in the spec, so ``/Date(…)/`` passes.
Formats are not asserted: Xero's own timestamps (``2019-12-07T18:46:19.5165400``) are not RFC 3339.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Exchange:
    """One JSON call as the emulator saw it."""

    api: str  # "accounting" or "identity"
    method: str
    template: str  # the spec path, e.g. /Contacts/{ContactID}; "#token" for the token endpoint
    status: int
    request: Any  # parsed JSON body or None
    response: Any  # parsed JSON body or None


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


class SpecChecker:
    """Validates exchanges against ``xero_accounting.yaml`` and ``xero-identity.yaml``."""

    def __init__(self, accounting: str | Path, identity: str | Path | None = None) -> None:
        self.specs = {"accounting": load_spec(str(accounting))}
        if identity is not None:
            self.specs["identity"] = load_spec(str(identity))

    def check(self, exchange: Exchange) -> list[str]:
        """Human-readable violations (empty when the exchange matches the spec)."""
        spec = self.specs.get(exchange.api)
        if spec is None:
            return []
        where = f"{exchange.method} {exchange.template} -> {exchange.status}"
        if exchange.template == "#token":
            schema = {"$ref": "#/components/schemas/AccessToken"} if exchange.status == 200 else None
            return self._validate(exchange.api, schema, exchange.response, f"{where} response")
        operation = spec["paths"].get(exchange.template, {}).get(exchange.method.lower())
        if operation is None:
            return [f"{where}: no such operation in the {exchange.api} spec"]
        problems = []
        if exchange.request is not None:
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            if "schema" not in body:
                problems.append(f"{where}: the spec takes no JSON body here")
            else:
                problems += self._validate(exchange.api, body["schema"], exchange.request, f"{where} request")
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
