"""Declared fields of Xero objects: what an element may carry, and how input is coerced.

A resource declares a :class:`Schema` of :class:`Field`s (helpers below: ``text(50)``, ``money()``,
``flag()``, ``day()``, ``stamp()``, ``guid()``, ``choice(...)``, ``obj(schema)``, ``objs(schema)``,
any of them ``read_only=True``). :meth:`Schema.parse` turns one submitted element into stored
values — Decimal numbers, ``date``/``datetime``, canonical key and enum spelling — and drops what
the API ignores: unknown keys, read-only keys, nulls (xero-api.md §7: the SDK sends read-only
noise). Values of the wrong type fail the whole request (``PostDataInvalidException``); overlong
text is a per-element validation error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from .errors import post_data_invalid
from .wire import parse_date, parse_datetime, truncate_ms

TEXT, NUMBER, INTEGER, FLAG, DATE, STAMP, GUID, OBJECT, LIST = (
    "text", "number", "integer", "flag", "date", "stamp", "guid", "object", "list",
)


@dataclass(frozen=True)
class Field:
    kind: str
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    read_only: bool = False
    schema: "Schema | None" = None


class Schema:
    """The fields of one Xero object type, e.g. ``Contact``."""

    def __init__(self, name: str, fields: dict[str, Field]) -> None:
        self.name = name
        self.fields = fields
        self._by_lower = {key.lower(): key for key in fields}

    def canonical(self, key: str) -> str | None:
        """The declared spelling of ``key`` (input keys match case-insensitively, as .NET does)."""
        return self._by_lower.get(key.lower())

    def lookup(self, path: Iterable[str]) -> Field | None:
        """The field at a dotted path such as ``Contact.ContactID``; None if undeclared."""
        schema: Schema | None = self
        found: Field | None = None
        for part in path:
            if schema is None or (key := schema.canonical(part)) is None:
                return None
            found = schema.fields[key]
            schema = found.schema
        return found

    def parse(self, raw: Any, where: str = "") -> tuple[dict, list[str]]:
        """Coerce one element: ``(values, problems)``; raises on values of the wrong type."""
        if not isinstance(raw, dict):
            raise _wrong(raw, self.name, where)
        values: dict[str, Any] = {}
        problems: list[str] = []
        for key, value in raw.items():
            name = self.canonical(str(key))
            if name is None or value is None:
                continue
            spec = self.fields[name]
            if spec.read_only:
                continue
            values[name] = _coerce(spec, value, f"{where}.{name}" if where else name, problems, name)
        return values, problems


def _coerce(spec: Field, value: Any, path: str, problems: list[str], label: str) -> Any:
    kind = spec.kind
    if kind == OBJECT:
        assert spec.schema is not None
        values, inner = spec.schema.parse(value, path)
        problems.extend(inner)
        return values
    if kind == LIST:
        assert spec.schema is not None
        if not isinstance(value, list):
            raise _wrong(value, f"List<{spec.schema.name}>", path)
        items = []
        for i, item in enumerate(value):
            values, inner = spec.schema.parse(item, f"{path}[{i}]")
            problems.extend(inner)
            items.append(values)
        return items
    if kind == FLAG:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _wrong(value, "Boolean", path)
    if kind in (NUMBER, INTEGER):
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
            raise _wrong(value, "Decimal", path)
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise _wrong(value, "Decimal", path) from None
        if kind == INTEGER:
            if number != number.to_integral_value():
                raise _wrong(value, "Int32", path)
            return int(number)
        return number
    if kind in (DATE, STAMP):
        if not isinstance(value, str):
            raise _wrong(value, "DateTime", path)
        try:
            return parse_date(value) if kind == DATE else truncate_ms(parse_datetime(value))
        except ValueError:
            raise _wrong(value, "DateTime", path) from None
    if isinstance(value, (dict, list)):
        raise _wrong(value, "String", path)
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if spec.choices:
        for choice in spec.choices:
            if choice.lower() == text.lower():
                return choice
        raise _wrong(value, label, path)
    if spec.max_length is not None and len(text) > spec.max_length:
        problems.append(too_long(label, spec.max_length))
    return text


def too_long(label: str, limit: int) -> str:
    # UNKNOWN (xero-api.md: lengths are C-spec, the message wording is not sourced).
    return f"{label} must not be more than {limit} characters long."


def _wrong(value: Any, target: str, path: str):
    shown = value if isinstance(value, str) else repr(value)
    return post_data_invalid(
        f"JSON for post data was invalid,Error converting value \"{shown}\" to type '{target}'. Path '{path}'."
    )


# -- declaration helpers ----------------------------------------------------------------------
def text(max_length: int | None = None, *, read_only: bool = False) -> Field:
    return Field(TEXT, max_length=max_length, read_only=read_only)


def choice(*choices: str, read_only: bool = False) -> Field:
    return Field(TEXT, choices=choices, read_only=read_only)


def money(*, read_only: bool = False) -> Field:
    return Field(NUMBER, read_only=read_only)


def integer(*, read_only: bool = False) -> Field:
    return Field(INTEGER, read_only=read_only)


def flag(*, read_only: bool = False) -> Field:
    return Field(FLAG, read_only=read_only)


def day(*, read_only: bool = False) -> Field:
    return Field(DATE, read_only=read_only)


def stamp(*, read_only: bool = False) -> Field:
    return Field(STAMP, read_only=read_only)


def guid(*, read_only: bool = False) -> Field:
    return Field(GUID, read_only=read_only)


def obj(schema: Schema, *, read_only: bool = False) -> Field:
    return Field(OBJECT, schema=schema, read_only=read_only)


def objs(schema: Schema, *, read_only: bool = False) -> Field:
    return Field(LIST, schema=schema, read_only=read_only)

