"""What the route modules share: request parameters, pagination, and Syncro's response shapes."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeVar

from aiohttp import web

from .errors import NotFound, RuleError
from .render import Json, Renderer
from .store import SyncroStore
from .switches import INVOICES_PER_PAGE_MAX

T = TypeVar("T")
RouteMethod = Callable[[Any, web.Request], Awaitable[web.StreamResponse]]
_TRUE = frozenset({"true", "1", "yes", "t"})
_FALSE = frozenset({"false", "0", "no", "f"})


class BadParam(ValueError):
    """A parameter of the wrong type (answered 422 ``{"error": ...}``)."""


@dataclass
class Context:
    """The store and its renderer, handed to every route module."""

    store: SyncroStore
    render: Renderer


class Routes:
    """Base of the route modules: the store and renderer they answer from."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.render = ctx.render

    def routes(self) -> list[web.RouteDef]:
        raise NotImplementedError


def ok(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=_dumps)


def _dumps(body: Any) -> str:
    return json.dumps(body, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):  # request params echoed back in 422 bodies
        return float(value)
    raise TypeError(f"not JSON: {value!r}")


def not_found() -> web.Response:
    return ok({"message": "Not found"}, status=404)


# -- parameters ---------------------------------------------------------------------------------
async def params(request: web.Request) -> dict[str, Any]:
    """Query and body parameters merged, body winning, as Rails merges ``params``.

    JSON numbers arrive as ``int``/``Decimal`` (never float); ``api_key`` is dropped. The body is
    read once by aiohttp and cached, so calling this again is cheap.
    """
    merged: dict[str, Any] = {k: v for k, v in request.query.items() if k != "api_key"}
    if request.body_exists:
        if request.content_type == "application/x-www-form-urlencoded":
            merged.update((await request.post()).items())
        else:
            text = await request.text()
            if text.strip():
                try:
                    body = json.loads(text, parse_float=Decimal)
                except ValueError:
                    raise BadParam("body is not valid JSON") from None
                if not isinstance(body, dict):
                    raise BadParam("body must be a JSON object")
                merged.update(body)
    return merged


def as_int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError:
        raise BadParam(f"{name} must be an integer") from None


def as_flag(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadParam(f"not a boolean: {value!r}")


def fields_from(values: Mapping[str, Any], allowed: frozenset[str], *, ints: frozenset[str] = frozenset(),
                flags: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The permitted keys (Rails strong parameters drop the rest silently), typed."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in allowed:
            continue
        if key in ints:
            value = as_int(value, key)
        elif key in flags:
            value = bool(as_flag(value))
        elif key == "properties" and not isinstance(value, dict):
            raise BadParam("properties must be an object")
        out[key] = value
    return out


def id_list(request: web.Request, name: str) -> list[int]:
    """``name=1,2``, ``name=1&name=2`` or ``name[]=1&name[]=2``."""
    raw = request.query.getall(name, []) + request.query.getall(f"{name}[]", [])
    return [as_int(part, name) for value in raw for part in str(value).split(",") if part.strip()]  # type: ignore[misc]


def path_id(request: web.Request, name: str = "id") -> int:
    value = request.match_info[name]
    if not value.isdigit():
        raise NotFound(name, value)
    return int(value)


# -- pagination -----------------------------------------------------------------------------------
def paginated(
    key: str,
    items: Sequence[T],
    render: Callable[[T], Json],
    query: Mapping[str, Any],
    ctx: Context,
    *,
    resource: str,
    meta: Literal["full", "short"] | None,
) -> web.Response:
    """One page of ``items`` under ``key``; ``meta`` as the spec shows it for this endpoint:
    ``full`` (total_pages, total_entries, per_page, page), ``short`` (total_pages, page) or none."""
    switches = ctx.store.switches
    size = switches.page_size(resource)
    requested = as_int(query.get("per_page"), "per_page")
    if requested and requested > 0:
        if resource == "invoices":
            size = min(requested, INVOICES_PER_PAGE_MAX)
        elif switches.honour_per_page:
            # UNKNOWN (syncro-api.md §1.4): per_page is documented only on invoices; honoured here
            # up to per_page_max (S16: 100); switch: Switches.honour_per_page / per_page_max.
            size = min(requested, switches.per_page_max)
    page = max(1, as_int(query.get("page"), "page") or 1)
    # UNKNOWN (syncro-api.md §1.4): total_pages of an empty list; 1, as will_paginate (whose
    # total_entries/per_page meta Syncro shows) computes it; switch: none.
    total_pages = max(1, math.ceil(len(items) / size))
    body: Json = {key: [render(item) for item in items[(page - 1) * size : page * size]]}
    if meta == "full":
        body["meta"] = {"total_pages": total_pages, "total_entries": len(items), "per_page": size, "page": page}
    elif meta == "short":
        body["meta"] = {"total_pages": total_pages, "page": page}
    return ok(body)


def sort_by(items: list[T], spec: str | None, fields: Callable[[T], Json], *, allow_updated_at: bool) -> list[T]:
    """Order by ``"field ASC|DESC"`` on a rendered field; unknown fields leave the order alone.
    (Rendered timestamps compare as text: exact except inside a DST fall-back hour.)"""
    if not spec:
        return items
    name, _, direction = spec.strip().partition(" ")
    if not items or name not in fields(items[0]) or (name == "updated_at" and not allow_updated_at):
        return items
    keyed = [(fields(item)[name], item) for item in items]
    present = [(v.casefold() if isinstance(v, str) else v, item) for v, item in keyed if v is not None]
    present.sort(key=lambda pair: pair[0], reverse=direction.strip().upper() == "DESC")
    return [item for _, item in present] + [item for v, item in keyed if v is None]


# -- refusals ---------------------------------------------------------------------------------------
Shape = Literal["message", "record", "errors", "error"]


def refusal(shape: Shape, exc: RuleError, sent: Mapping[str, Any]) -> web.Response:
    """A 422 in one of Syncro's shapes (§1.7): ``message`` {"success", "message", "params"};
    ``record`` {"record", "errors"}; ``errors`` {"errors": text}; ``error`` {"error": "Validation failed: …"}."""
    # UNKNOWN (syncro-api.md §1.7): invoices, line items, payments and PO PUT/receive show no 422
    # body; each borrows the shape of its nearest documented sibling; switch: none.
    text = ", ".join(exc.messages)
    bodies: dict[str, Json] = {
        "message": {"success": False, "message": exc.messages, "params": dict(sent)},
        "record": {"record": dict(sent), "errors": text},
        "errors": {"errors": text},
        "error": {"error": f"Validation failed: {text}"},
    }
    return ok(bodies[shape], status=422)


def refuses(shape: Shape) -> Callable[[RouteMethod], RouteMethod]:
    """Answer a handler's :class:`RuleError` with a 422 of that shape."""

    def decorate(handler: RouteMethod) -> RouteMethod:
        @functools.wraps(handler)
        async def wrapper(self: Any, request: web.Request) -> web.StreamResponse:
            try:
                return await handler(self, request)
            except RuleError as exc:
                return refusal(shape, exc, await params(request))

        return wrapper

    return decorate
