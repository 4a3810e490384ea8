"""Xero's ``where`` and ``order`` query language (the subset the API documents and clients use).

``where``: comparisons ``== != > < >= <=``; ``AND``/``&&``, ``OR``/``||``, ``NOT``/``!``;
parentheses; literals ``"text"`` (``""`` or ``\\"`` escapes a quote, ``\\\\`` a backslash), numbers,
``true``/``false``/``null``, ``Guid("…")``, ``DateTime(2024, 01, 01[, h, m, s])``, ``DateTime.Parse("2024-01-01T00:00:00")``;
dotted paths such as ``Contact.ContactID``; ``.Contains("x")``, ``.StartsWith``, ``.EndsWith``,
``.ToLower()``, ``.ToUpper()``, ``.ToString()``; a bare boolean path (``IsSold``).
``order``: ``Field [ASC|DESC][, …]``.

Field names resolve case-insensitively against the resource's schema; an unknown field or a type
mismatch is a 400 ``QueryParseException`` like Xero's ([S] pyxero#217, xeroizer#164).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any, Callable

from . import fields as F
from .errors import query_parse
from .fields import Schema
from .wire import parse_datetime

UTC = timezone.utc
Predicate = Callable[[dict], bool]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|""|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op>==|!=|>=|<=|&&|\|\||[<>!(),.=])
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_NET_TYPE = {F.TEXT: "String", F.NUMBER: "Decimal", F.FLAG: "Boolean", F.DATE: "DateTime", "guid": "Guid"}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
}


# UNKNOWN (docs/emulator-unknowns.md): Xero's escapes in string literals are undocumented; these
# are those of System.Linq.Dynamic.Core, whose error messages Xero's resemble.
_ESCAPE = re.compile(r'""|\\(.)', re.DOTALL)


def _unquote(text: str) -> str:
    """A string token's value: ``""`` is a quote, a backslash takes the next character as it is."""
    return _ESCAPE.sub(lambda m: m.group(1) if m.group(1) is not None else '"', text[1:-1])


@dataclass
class _Token:
    kind: str
    text: str


def _tokenize(source: str) -> list[_Token]:
    tokens, pos = [], 0
    source = source.rstrip()
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if not match or match.end() == pos:
            raise query_parse(f"Syntax error at position {pos}")
        pos = match.end()
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind)))
    return tokens


@dataclass
class _Value:
    """A compiled operand: how to read it from a record, and its query type."""

    read: Callable[[dict], Any]
    kind: str  # text, number, flag, date, guid or "null"
    nullable: bool = False

    @property
    def net_name(self) -> str:
        name = _NET_TYPE.get(self.kind, "Object")
        return name + "?" if self.nullable and self.kind in (F.NUMBER, F.FLAG, F.DATE) else name


class _Parser:
    def __init__(self, source: str, schema: Schema, case_sensitive: bool) -> None:
        self.tokens = _tokenize(source)
        self.pos = 0
        self.schema = schema
        self.case_sensitive = case_sensitive

    # -- token helpers ------------------------------------------------------------------------
    def peek(self, offset: int = 0) -> _Token | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def at(self, *texts: str) -> bool:
        token = self.peek()
        return token is not None and token.text.upper() in texts

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise query_parse("Expression expected")
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise query_parse(f"'{text}' expected")

    # -- grammar ------------------------------------------------------------------------------
    def parse(self) -> Predicate:
        predicate = self.expr()
        if self.peek() is not None:
            raise query_parse(f"Syntax error '{self.peek().text}'")  # type: ignore[union-attr]
        return predicate

    def expr(self) -> Predicate:
        parts = [self.conjunction()]
        while self.at("OR", "||"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def conjunction(self) -> Predicate:
        parts = [self.negation()]
        while self.at("AND", "&&"):
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def negation(self) -> Predicate:
        if self.at("NOT", "!"):
            self.take()
            inner = self.negation()
            return lambda r: not inner(r)
        return self.primary()

    def primary(self) -> Predicate:
        if self.at("("):
            self.take()
            inner = self.expr()
            self.expect(")")
            return inner
        left = self.operand()
        token = self.peek()
        if token is not None and token.text in _COMPARE:
            self.take()
            return self.comparison(token.text, left, self.operand())
        if token is not None and token.text == "=":
            raise query_parse("Operator '=' is not supported; use '=='")
        if left.kind != F.FLAG:
            raise query_parse("Expression of type 'Boolean' expected")
        return lambda r: left.read(r) is True

    def comparison(self, op: str, left: _Value, right: _Value) -> Predicate:
        kinds = {left.kind, right.kind} - {"null"}
        if len(kinds) > 1 and kinds != {F.TEXT, "guid"}:
            raise query_parse(
                f"Operator '{op}' incompatible with operand types '{left.net_name}' and '{right.net_name}'"
            )
        compare = _COMPARE[op]
        fold = (kinds == {F.TEXT} and not self.case_sensitive) or "guid" in kinds

        def test(record: dict) -> bool:
            a, b = left.read(record), right.read(record)
            if a is None or b is None:
                return compare(a is None, b is None) if op in ("==", "!=") else False
            if fold:
                a, b = str(a).lower(), str(b).lower()
            return compare(_comparable(a), _comparable(b))

        return test

    def operand(self) -> _Value:
        token = self.take()
        if token.kind == "string":
            return _literal(_unquote(token.text), F.TEXT)
        if token.kind == "number":
            return _literal(Decimal(token.text), F.NUMBER)
        if token.kind != "name":
            raise query_parse("Expression expected")
        word = token.text
        if word.lower() in ("true", "false"):
            return _literal(word.lower() == "true", F.FLAG)
        if word.lower() == "null":
            return _Value(lambda r: None, "null")
        if word == "Guid" and self.at("("):
            return _literal(self.call_args(1, str)[0], "guid")
        if word == "DateTime" and self.at("("):
            return _literal(_datetime_from(self.call_args(None, int)), F.DATE)
        if word == "DateTime" and self.at(".") and (nxt := self.peek(1)) is not None and nxt.text == "Parse":
            self.take(), self.take()
            raw = self.call_args(1, str)[0]
            try:
                return _literal(parse_datetime(raw), F.DATE)
            except ValueError:
                raise query_parse(f"String '{raw}' was not recognized as a valid DateTime.") from None
        return self.path(word)

    def call_args(self, count: int | None, kind: type) -> list:
        self.expect("(")
        args: list = []
        while not self.at(")"):
            if args:
                self.expect(",")
            token = self.take()
            if kind is str and token.kind == "string":
                args.append(_unquote(token.text))
            elif kind is int and token.kind == "number":
                args.append(int(Decimal(token.text)))
            else:
                raise query_parse("Expression expected")
        self.take()
        if count is not None and len(args) != count:
            raise query_parse("Incorrect number of arguments")
        return args

    def path(self, first: str) -> _Value:
        parts = [first]
        while self.at(".") and (nxt := self.peek(1)) is not None and nxt.kind == "name":
            if (after := self.peek(2)) is not None and after.text == "(":
                break
            self.take()
            parts.append(self.take().text)
        spec = self.schema.lookup(parts)
        if spec is None or spec.kind in (F.OBJECT, F.LIST):
            missing = next((p for i, p in enumerate(parts) if self.schema.lookup(parts[: i + 1]) is None), parts[-1])
            raise query_parse(f"No property or field '{missing}' exists in type '{self.schema.name}'")
        names = _canonical(self.schema, parts)
        kind = {F.INTEGER: F.NUMBER, F.STAMP: F.DATE, F.GUID: "guid"}.get(spec.kind, spec.kind)
        value = _Value(lambda r: dig(r, names), kind, nullable=True)
        while self.at("."):
            self.take()
            value = self.method(value, self.take().text)
        return value

    def method(self, target: _Value, name: str) -> _Value:
        lowered = name.lower()
        if lowered in ("tolower", "toupper", "tostring"):
            self.call_args(0, str)
            change = {"tolower": str.lower, "toupper": str.upper, "tostring": str}[lowered]
            return _Value(lambda r: None if (v := target.read(r)) is None else change(str(v)), F.TEXT)
        if lowered in ("contains", "startswith", "endswith"):
            if target.kind not in (F.TEXT, "guid"):
                raise query_parse(f"No applicable method '{name}' exists in type '{target.net_name}'")
            needle = self.call_args(1, str)[0]
            fold = not self.case_sensitive

            def test(record: dict) -> bool:
                value = target.read(record)
                if value is None:
                    return False
                hay, pin = (str(value).lower(), needle.lower()) if fold else (str(value), needle)
                if lowered == "contains":
                    return pin in hay
                return hay.startswith(pin) if lowered == "startswith" else hay.endswith(pin)

            return _Value(test, F.FLAG)
        raise query_parse(f"No applicable method '{name}' exists in type '{target.net_name}'")


def _literal(value: Any, kind: str) -> _Value:
    return _Value(lambda r: value, kind)


def _datetime_from(args: list[int]) -> datetime:
    if len(args) not in (3, 6):
        raise query_parse("No matching constructor in type 'DateTime'")
    try:
        return datetime(*args, tzinfo=UTC)  # type: ignore[misc]
    except ValueError as exc:
        raise query_parse(str(exc)) from None


def dig(record: dict, names: list[str]) -> Any:
    """The value at a path of field names (None where a level is missing)."""
    value: Any = record
    for name in names:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def _comparable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(), UTC)
    return value


def compile_where(source: str, schema: Schema, *, case_sensitive: bool = False) -> Predicate:
    """A predicate over stored records; raises the 400 QueryParseException on bad input."""
    return _Parser(source, schema, case_sensitive).parse()


def compile_order(source: str, schema: Schema) -> Callable[[list[dict]], list[dict]]:
    """A sort for ``Field [ASC|DESC], …``; text sorts without regard to case."""
    keys: list[tuple[list[str], bool]] = []
    for clause in filter(None, (c.strip() for c in source.split(","))):
        words = clause.split()
        if len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise query_parse(f"Syntax error in order '{clause}'")
        parts = words[0].split(".")
        spec = schema.lookup(parts)
        if spec is None or spec.kind in (F.OBJECT, F.LIST):
            raise query_parse(f"No property or field '{words[0]}' exists in type '{schema.name}'")
        names = _canonical(schema, parts)
        keys.append((names, len(words) == 2 and words[1].upper() == "DESC"))

    def sort(records: list[dict]) -> list[dict]:
        ordered = list(records)
        for names, descending in reversed(keys):
            ordered.sort(key=lambda r: _sort_key(dig(r, names)), reverse=descending)
        return ordered

    return sort


def _canonical(schema: Schema, parts: list[str]) -> list[str]:
    names: list[str] = []
    current: Schema | None = schema
    for part in parts:
        assert current is not None
        name = current.canonical(part)
        assert name is not None
        names.append(name)
        current = current.fields[name].schema
    return names


def _sort_key(value: Any) -> tuple:
    if value is None:
        return (0, 0)
    if isinstance(value, str):
        return (1, value.lower())
    return (1, _comparable(value))
