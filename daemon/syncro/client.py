"""The Syncro REST API client: auth, pacing, retries, pagination and error mapping.

Facts and unknowns come from /work/shared/reference/syncro-api.md (cited as §n). Every wait goes
through the injected :class:`~syncro_xero.clock.Clock`, so tests on a ``FakeClock`` never sleep.
JSON numbers are parsed to :class:`~decimal.Decimal` (money is never float, §1.8) and Decimals in
request bodies are sent as exact JSON numbers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
from collections.abc import AsyncIterator
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp

from .. import heartbeat
from ..api.errors import (
    SyncroError,
    SyncroNotFound,
    SyncroUnavailable,
    SyncroValidationError,
    SyncroWriteUncertain,
)
from ..api.syncro_writes import syncro_error_messages as error_messages
from ..api.syncro_writes import syncro_unwrap as unwrap
from ..version import __version__
from ..clock import UTC, Clock
from ..ratelimit import Pacer, SlidingWindow

log = logging.getLogger(__name__)

# Exponential back-off for 5xx, timeouts and connection errors: 2, 4, 8… s (capped), each scaled by a
# random factor in [0.5, 1) so that concurrent requests do not retry in lock-step.
BACKOFF_BASE = 2.0
BACKOFF_CAP = 60.0
_SNIPPET = 200
#: Lists whose operation declares no ``page`` (syncro_swagger.json): one GET answers them whole.
UNPAGED_LISTS = frozenset({"/payment_methods", "/products/categories"})

_TRANSPORT_ERRORS = (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, asyncio.TimeoutError)


class SyncroBadResponse(SyncroError):
    """A success status whose body is not a JSON object (HTML/WAF page, plain text, bad JSON)."""


class SyncroNoRecord(SyncroBadResponse):
    """A success answer to a record's read that does not hold that record (an error body, an empty
    body): a failed read, to be read again, never taken for a record (it would read as all zeros)."""


class SyncroAuthError(SyncroError):
    """401/403: the API token is wrong, expired or lacks a permission for this endpoint."""


def record_in(body: dict, key: str, record_id: str | int, *, endpoint: str) -> dict:
    """The record ``record_id`` in the answer to its read (see :func:`unwrap`), or :class:`SyncroNoRecord`."""
    found = unwrap(body, key)
    if not isinstance(found, dict) or str(found.get("id")) != str(record_id):
        raise SyncroNoRecord(f"{endpoint}: Syncro answered without the {key} record", endpoint=endpoint, status=200)
    return found


def _encode(value: Any) -> str:
    """JSON text for a request body; Decimals become exact JSON numbers (``json`` cannot do that)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot send {value} to Syncro")
        return f"{value:f}"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    return json.dumps(value)


def _query(params: dict | None) -> dict[str, Any]:
    """Query parameters as aiohttp takes them: booleans as ``true``/``false``, ``None`` left out."""
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, Decimal):
            value = f"{value:f}"
        out[key] = value
    return out


def _whole_text(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings replaced by U+FFFD (pairs are kept)."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {_whole_text(k): _whole_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_text(v) for v in value]
    return value


def _total_pages(meta: Any) -> int | None:
    if isinstance(meta, dict):
        total = meta.get("total_pages")
        if isinstance(total, int) and not isinstance(total, bool):
            return total
    return None


class SyncroClient:
    """Talks to ``https://{subdomain}.syncromsp.com/api/v1`` (§1.1) with one API token."""

    def __init__(
        self,
        *,
        api_url: str,
        api_key: str,
        clock: Clock,
        requests_per_minute: int = 150,
        timeout: float = 30,
        rate_limit_backoff: float = 60,
        max_attempts: int = 5,
        session: aiohttp.ClientSession | None = None,
        max_pause: float = math.inf,
        window: Pacer | None = None,
    ) -> None:
        key = api_key.strip()
        if not key or not key.isprintable() or any(c.isspace() for c in key):
            raise ValueError("the Syncro API token is empty or has spaces/control characters (not shown)")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.api_url = api_url.rstrip("/")
        self._key = key
        # The header, not the api_key query parameter, keeps the token out of URLs and logs (§1.2).
        self._headers = {
            "Authorization": f"Bearer {key}",
            "Accept": "application/json",
            "User-Agent": f"syncro-xero/{__version__}",
        }
        self._clock = clock
        # 180 requests/min per IP is the documented limit (§1.3); the default 150 leaves room for
        # other tools behind the same IP.
        # ``window``: one shared with other processes on the same account (``budget.SharedWindow``).
        self._window = window or SlidingWindow(requests_per_minute, 60, clock)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._rate_limit_backoff = rate_limit_backoff
        self._max_pause = max_pause  # the longest Retry-After obeyed; beyond it the request fails
        self._max_attempts = max_attempts
        self._session = session
        self._owns_session = session is None
        self._random = random.Random()
        self._trouble: str | None = None  # what the last retry was about; logged once per change
        self.calls = 0
        self.waited = 0.0  # seconds spent waiting for the rate limit (pacing and 429s)
        self.rate_limited = 0  # 429 answers

    def budget_left(self) -> int:
        """Requests this client may still send in the current minute."""
        return self._window.remaining()

    def __repr__(self) -> str:
        return f"SyncroClient(api_url={self.api_url!r}, calls={self.calls})"

    async def __aenter__(self) -> SyncroClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if this client created it, and a shared window's file."""
        if hasattr(self._window, "close"):
            self._window.close()
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def get(self, path: str, params: dict | None = None) -> dict:
        """GET ``path`` (relative to ``api_url``, e.g. ``"/customers"``); the parsed JSON body."""
        return await self._request("GET", path, params=params)

    async def get_record(self, path: str, key: str, record_id: str | int) -> dict:
        """GET one record (``"/invoices/5"``, under ``"invoice"``). An answer without it is read again,
        backing off, up to ``max_attempts`` times, then :class:`SyncroNoRecord`."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return record_in(await self.get(path), key, record_id, endpoint=f"GET {path}")
            except SyncroNoRecord:
                if attempt >= self._max_attempts:
                    raise
                delay = self._backoff(attempt)
                log.warning("GET %s answered without the %s record; reading it again in %.0f s", path, key, delay)
                await self._clock.sleep(delay)

    async def post(self, path: str, body: dict) -> dict:
        """POST ``body`` as JSON; not retried once it may have reached Syncro (see SyncroWriteUncertain)."""
        return await self._request("POST", path, body=body)

    async def put(self, path: str, body: dict) -> dict:
        """PUT ``body`` as JSON."""
        return await self._request("PUT", path, body=body)

    async def delete(self, path: str) -> dict:
        """DELETE ``path``. Note ``DELETE /invoices/{id}`` answers 200 even when it fails (§1.7)."""
        return await self._request("DELETE", path)

    async def pages(
        self, path: str, key: str, params: dict | None = None, *, start_page: int = 1
    ) -> AsyncIterator[list[dict]]:
        """The records under ``key``, one list per page of a list endpoint; empty pages are not yielded.

        Stops after ``meta.total_pages``. Products, vendors and purchase orders show no ``meta`` in
        the spec (§1.4); those stop at the first empty page. :data:`UNPAGED_LISTS` take no ``page``:
        one GET, one list.
        """
        if path in UNPAGED_LISTS:
            items = _list_of(await self.get(path, params), path, key, None)
            if items:
                yield items
            return
        page = start_page
        previous: list | None = None
        while True:
            body = await self.get(path, {**(params or {}), "page": page})
            items = _list_of(body, path, key, page)
            # UNKNOWN (syncro-api.md §1.4): whether endpoints without `meta` paginate at all. We read
            # pages until an empty one, and stop if a page repeats the previous one (`page` ignored).
            if not items or items == previous:
                return
            yield items
            total = _total_pages(body.get("meta"))
            if total is not None and page >= total:
                return
            previous = items
            page += 1

    async def get_all(self, path: str, key: str, params: dict | None = None) -> list[dict]:
        """Every record of a list endpoint, all pages concatenated."""
        return [item async for page in self.pages(path, key, params) for item in page]

    async def _request(
        self, method: str, path: str, *, params: dict | None = None, body: Any = None
    ) -> dict:
        endpoint = f"{method} {path}"
        url = f"{self.api_url}/{path.lstrip('/')}"
        headers = dict(self._headers)
        data = None
        if body is not None:
            data = _encode(body)
            headers["Content-Type"] = "application/json"
        attempt = 0
        while True:
            attempt += 1
            before = self._clock.time()
            await self._window.acquire()
            self.waited += self._clock.time() - before
            self.calls += 1
            cause: BaseException | None = None
            status: int | None = None
            try:
                status, content_type, retry_after, text = await self._send(
                    method, url, _query(params), data, headers
                )
            except _TRANSPORT_ERRORS as exc:
                heartbeat.beat()
                failure = self._redact(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
                # A refused connection never reached Syncro, so even a POST can go again.
                if method == "POST" and not isinstance(exc, aiohttp.ClientConnectorError):
                    raise self._uncertain(endpoint, failure) from exc
                trouble, delay, cause = "unavailable", self._backoff(attempt), exc
            else:
                heartbeat.beat()
                failure = f"HTTP {status}"
                log.debug("Syncro %s -> %s", endpoint, failure)
                if status == 429:
                    self.rate_limited += 1
                    trouble, delay = "rate limited", self._retry_after(retry_after)
                    if delay > self._max_pause:
                        raise SyncroUnavailable(
                            f"{endpoint}: Syncro asked to wait {delay:.0f} s (HTTP 429), more than "
                            f"[sync] max_pause_seconds = {self._max_pause:g}; the next pass tries again",
                            endpoint=endpoint,
                            status=status,
                        )
                    self._window.pause(delay)  # every request of this account waits, not just this one
                elif status >= 500:
                    if method == "POST":
                        raise self._uncertain(endpoint, failure, status)
                    trouble, delay = "unavailable", self._backoff(attempt)
                else:
                    self._recovered()
                    return self._interpret(endpoint, status, content_type, text)
            log.debug("%s attempt %d/%d failed (%s)", endpoint, attempt, self._max_attempts, failure)
            if attempt >= self._max_attempts:
                raise SyncroUnavailable(
                    f"{endpoint}: Syncro still {trouble} after {attempt} attempts (last: {failure})",
                    endpoint=endpoint,
                    status=status,
                ) from cause
            if trouble != self._trouble:
                self._trouble = trouble
                log.warning("Syncro %s (%s on %s); retrying in %.0f s", trouble, failure, endpoint, delay)
            await self._clock.sleep(delay)
            if status == 429:
                self.waited += delay

    async def _send(
        self, method: str, url: str, params: dict, data: str | None, headers: dict
    ) -> tuple[int, str, str | None, str]:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.request(
            method, url, params=params, data=data, headers=headers, timeout=self._timeout
        ) as response:
            raw = await response.read()
            text = raw.decode(response.charset or "utf-8", errors="replace")
            return response.status, response.content_type, response.headers.get("Retry-After"), text

    def _interpret(self, endpoint: str, status: int, content_type: str, text: str) -> dict:
        """The parsed body of a 2xx answer, or the matching :class:`SyncroError`."""
        if 200 <= status < 300:
            if not text.strip():
                return {}
            if content_type != "application/json" and not content_type.endswith("+json"):
                # Non-JSON answers exist (GET /callerid → "Disabled"; HTML/WAF pages) (§1.7).
                raise SyncroBadResponse(
                    f"{endpoint}: expected JSON, got {content_type or 'no content type'} "
                    f"(HTTP {status}): {self._snippet(text)}",
                    endpoint=endpoint,
                    status=status,
                )
            try:
                parsed = json.loads(text, parse_float=Decimal)
            except json.JSONDecodeError:
                raise SyncroBadResponse(
                    f"{endpoint}: invalid JSON (HTTP {status}): {self._snippet(text)}",
                    endpoint=endpoint,
                    status=status,
                ) from None
            if "\\ud" in text.lower():  # an escaped surrogate: a lone one is no text (SQLite, Xero refuse it)
                parsed = _whole_text(parsed)
            if parsed is None:  # e.g. soft-deleted contracts answer `null` (§5, quirk 8)
                return {}
            if not isinstance(parsed, dict):
                raise SyncroBadResponse(
                    f"{endpoint}: expected a JSON object, got {type(parsed).__name__} (HTTP {status})",
                    endpoint=endpoint,
                    status=status,
                )
            return parsed
        try:
            parsed = json.loads(text, parse_float=Decimal) if text.strip() else None
        except json.JSONDecodeError:
            parsed = self._snippet(text)
        messages = [self._redact(m) for m in error_messages(parsed)]
        details = "; ".join(messages) or "no details"
        if status in (401, 403):
            raise SyncroAuthError(
                f"{endpoint}: Syncro refused the API token (HTTP {status}: {details}). Check the "
                "token's permissions for this endpoint and that it has not expired "
                "(Syncro: Admin → API → API Tokens).",
                endpoint=endpoint,
                status=status,
            )
        if status == 404:
            raise SyncroNotFound(
                f"{endpoint}: not found (HTTP 404: {details})", endpoint=endpoint, status=status
            )
        if status == 422:
            raise SyncroValidationError(
                f"{endpoint}: Syncro rejected the data (HTTP 422): {details}",
                endpoint=endpoint,
                status=status,
                messages=messages,
            )
        raise SyncroError(f"{endpoint}: HTTP {status}: {details}", endpoint=endpoint, status=status)

    def _retry_after(self, value: str | None) -> float:
        """Seconds to wait after a 429: ``Retry-After`` (seconds or a date), else ``rate_limit_backoff``."""
        # UNKNOWN (syncro-api.md §1.3): the 429 body and Retry-After are undocumented (one source says no
        # Retry-After is sent); without one we wait `rate_limit_backoff` (default 60 s, configurable).
        if value:
            try:
                seconds = float(value)
            except ValueError:
                try:
                    when = parsedate_to_datetime(value)
                except (TypeError, ValueError):
                    return self._rate_limit_backoff
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                seconds = (when - self._clock.now()).total_seconds()
            if math.isfinite(seconds):
                return max(0.0, seconds)
        return self._rate_limit_backoff

    def _backoff(self, attempt: int) -> float:
        return min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1)) * self._random.uniform(0.5, 1.0)

    def _recovered(self) -> None:
        if self._trouble is not None:
            log.info("Syncro answering again (was %s)", self._trouble)
            self._trouble = None

    def _uncertain(self, endpoint: str, failure: str, status: int | None = None) -> SyncroWriteUncertain:
        return SyncroWriteUncertain(
            f"{endpoint}: no clear answer from Syncro ({failure}); the write may or may not have "
            "been applied, so it was not retried",
            endpoint=endpoint,
            status=status,
        )

    def _redact(self, text: str) -> str:
        return text.replace(self._key, "[redacted]")

    def _snippet(self, text: str) -> str:
        return self._redact(" ".join(text.split()))[:_SNIPPET]


def _list_of(body: dict, path: str, key: str, page: int | None) -> list:
    """The list under ``key`` of a list answer; :class:`SyncroBadResponse` when there is none."""
    items = body.get(key)
    if not isinstance(items, list):
        where = f"GET {path}" + (f" page {page}" if page is not None else "")
        raise SyncroBadResponse(f"{where}: the answer has no {key!r} list", endpoint=f"GET {path}", status=200)
    return items
