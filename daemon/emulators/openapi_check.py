"""Requests checked against an OpenAPI 3.0 spec: the operation, its path and query parameters, and
its request body under a *closed* schema.

Closed means: no property outside the spec's schema at any depth (``additionalProperties: false``
added to every object schema that lists properties and says nothing else), read-only properties
refused (``OAS30WriteValidator``), and formats asserted where a format checker is given. Both
emulators' strict modes build on :class:`RequestChecker`; what is particular to each API (Xero's
wrapper keys and length overlay, Syncro's later-refresh additions) is in their own ``spec.py``.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
_INTEGER = re.compile(r"^-?\d+$")


@dataclass
class Operation:
    """The spec operation a request resolved to."""

    template: str
    method: str
    spec: dict
    path_values: dict[str, str] = field(default_factory=dict)

    def parameters(self, spec_root: dict, where: str) -> dict[str, dict]:
        """The declared parameters ``in: where`` (path-level and operation-level), by name."""
        declared = [*spec_root["paths"][self.template].get("parameters", []), *self.spec.get("parameters", [])]
        found = {}
        for parameter in declared:
            parameter = resolve(spec_root, parameter)
            if parameter.get("in") == where:
                found[parameter["name"]] = parameter
        return found


def resolve(spec: dict, node: Any) -> Any:
    """``node`` with a top-level ``$ref`` followed (once per level, recursively)."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def closed(node: Any) -> Any:
    """A copy of ``node`` where every object schema with properties allows no other property."""
    if isinstance(node, dict):
        copied = {key: closed(value) for key, value in node.items()}
        if isinstance(copied.get("properties"), dict) and "additionalProperties" not in copied:
            copied["additionalProperties"] = False
        return copied
    if isinstance(node, list):
        return [closed(value) for value in node]
    return node


def value_problem(schema: dict, value: str) -> str | None:
    """Why a query or path ``value`` (text) does not fit its parameter ``schema``, or None."""
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "integer" and not _INTEGER.match(value):
        return f"{value!r} is not an integer"
    if kind == "number":
        try:
            float(value)
        except ValueError:
            return f"{value!r} is not a number"
    if kind == "boolean" and value.lower() not in ("true", "false"):
        return f"{value!r} is not true or false"
    if kind == "array":
        items = schema.get("items", {})
        for item in value.split(","):
            problem = value_problem(items, item)
            if problem:
                return problem
    if kind == "string" and fmt == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            return f"{value!r} is not a uuid"
    if kind == "string" and fmt == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return f"{value!r} is not a date (YYYY-MM-DD)"
    return None


class RequestChecker:
    """Resolves requests to the operations of one OpenAPI 3.0 ``spec`` and reports what breaks them.

    ``extra_query`` names query parameters every operation takes beyond those it declares (name ->
    schema), e.g. Syncro's ``api_key``; subclasses add API-specific rules.
    """

    def __init__(
        self,
        spec: dict,
        *,
        format_checker: Any = None,
        extra_query: dict[str, dict] | None = None,
    ) -> None:
        self.spec = spec
        self.closed_spec = closed(spec)
        self.format_checker = format_checker
        self.extra_query = extra_query or {}
        self._validators: dict[str, Any] = {}
        self._templates = [
            (template, template.strip("/").split("/"))
            for template in spec["paths"]
            if template.startswith("/")
        ]

    # -- operations -----------------------------------------------------------------------
    def operation(self, method: str, path: str) -> tuple[Operation | None, list[str]]:
        """The operation for ``method path`` (path relative to the API's base), or why there is none.

        When several templates match (``/Contacts/{ContactID}`` and ``/Contacts/{ContactNumber}``),
        the one whose path parameters all fit their schemas wins, literal segments first.
        """
        method = method.lower()
        segments = path.strip("/").split("/")
        candidates: list[tuple[tuple[int, int], Operation, list[str]]] = []
        for template, parts in self._templates:
            if len(parts) != len(segments) or method not in self.spec["paths"][template]:
                continue
            values: dict[str, str] = {}
            for part, segment in zip(parts, segments):
                if part.startswith("{") and part.endswith("}"):
                    values[part[1:-1]] = segment
                elif part != segment:
                    break
            else:
                operation = Operation(template, method, self.spec["paths"][template][method], values)
                declared = operation.parameters(self.spec, "path")
                formatted = sum(1 for name in values if declared.get(name, {}).get("schema", {}).get("format"))
                candidates.append(((len(values), -formatted), operation, self._path_problems(operation)))
        fitting = sorted((c for c in candidates if not c[2]), key=lambda c: c[0])
        if fitting:
            return fitting[0][1], []
        if candidates:
            return None, sorted(candidates, key=lambda c: c[0])[0][2]
        return None, [f"{method.upper()} {path}: no such operation in the spec"]

    def _path_problems(self, operation: Operation) -> list[str]:
        declared = operation.parameters(self.spec, "path")
        problems = []
        for name, value in operation.path_values.items():
            schema = declared.get(name, {}).get("schema", {})
            problem = value_problem(schema, value)
            if problem:
                problems.append(f"{operation.method.upper()} {operation.template}: path {{{name}}}: {problem}")
        return problems

    # -- one request ----------------------------------------------------------------------
    def check_request(
        self, method: str, path: str, query: Iterable[tuple[str, str]], body: Any
    ) -> tuple[Operation | None, list[str]]:
        """The operation and every way this request breaks the spec (empty when it fits)."""
        operation, problems = self.operation(method, path)
        if operation is None:
            return None, problems
        where = f"{method.upper()} {operation.template}"
        problems += self.query_problems(operation, list(query), where)
        problems += self.body_problems(operation, body, where)
        return operation, problems

    def query_problems(self, operation: Operation, query: list[tuple[str, str]], where: str) -> list[str]:
        extras = {name: {"name": name, "schema": schema} for name, schema in self.query_extras(operation).items()}
        declared = {**extras, **operation.parameters(self.spec, "query")}
        problems = []
        for name, value in query:
            parameter = declared.get(name)
            if parameter is None:
                problems.append(f"{where}: query parameter {name!r} is not a parameter of this operation")
                continue
            problem = value_problem(parameter.get("schema", {}), value)
            if problem:
                problems.append(f"{where}: query parameter {name!r}: {problem}")
        return problems

    def query_extras(self, operation: Operation) -> dict[str, dict]:
        """Query parameters (name -> schema) ``operation`` takes beyond those it declares."""
        return self.extra_query

    def body_problems(self, operation: Operation, body: Any, where: str) -> list[str]:
        schema = self.request_schema(operation)
        if body is None:
            return []
        if schema is None:
            return [] if self.takes_unschematised_body(operation) else [f"{where}: the spec takes no JSON body here"]
        if body == {}:
            return [f"{where} request: an empty object writes nothing"]
        return [
            f"{where} request: {'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}"
            for error in self.validator(schema).iter_errors(body)
        ]

    def request_schema(self, operation: Operation) -> dict | None:
        """The schema of the operation's JSON request body (closed when validated), or None."""
        content = operation.spec.get("requestBody", {})
        content = resolve(self.spec, content).get("content", {}).get("application/json", {})
        return content.get("schema")

    def takes_unschematised_body(self, operation: Operation) -> bool:
        """True when the spec declares a body without a schema (nothing to check it against)."""
        return "requestBody" in operation.spec

    def validator(self, schema: dict) -> Any:
        from openapi_schema_validator import OAS30WriteValidator  # a test dependency: strict mode is for tests

        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            closed_schema = {**closed(schema), "components": self.closed_spec.get("components", {})}
            self._validators[key] = OAS30WriteValidator(closed_schema, format_checker=self.format_checker)
        return self._validators[key]


def with_overlay(spec: dict, overlay: dict[str, dict[str, dict]]) -> dict:
    """A copy of ``spec`` whose ``components.schemas[name].properties[prop]`` gain ``overlay``'s keys."""
    patched = copy.deepcopy(spec)
    for name, properties in overlay.items():
        for prop, extra in properties.items():
            patched["components"]["schemas"][name]["properties"][prop].update(extra)
    return patched
