"""The Xero Accounting API through xero-python: paced, retried, and safe to resend.

How the SDK is used. One ``ApiClient`` per :class:`XeroClient` (one tenant), driven through its
generic ``call_api`` with plain-dict bodies and ``_preload_content=False``, not through the typed
``AccountingApi`` methods:

- the daemon's writers build Xero's JSON (PascalCase) directly; the typed path would round-trip it
  through models that drop fields the SDK's spec lacks, add read-only noise (``"HasErrors": false``
  inside every nested Contact) and send dates as ``/Date(ms)/`` via UTC, which can shift a day;
- one code path covers every resource (collections, ``{id}``, ``{id}/Allocations``) with no table
  of ~40 method names, and results stay dicts with ``Decimal`` numbers (xero-api.md §7);
- the SDK still does the transport (its urllib3 pool), the ``Authorization`` header (its OAuth2
  auth setting, fed by our token getter), header/query/body serialisation (``Decimal`` → float,
  ``date`` → ``YYYY-MM-DD`` in this generic path) and the mapping of HTTP errors to its exception
  types (``translate_status_exception``: ``RateLimitException``, ``AccountingBadRequestException``…).

SDK traps and what is done about each (xero-api.md §7):

- hidden urllib3 retries that resend PUTs and sleep for the whole ``Retry-After``: the pool gets
  ``Retry(total=0, redirect=False, respect_retry_after_header=False)``; all retrying is ours;
- no timeout by default, and a float timeout is silently dropped: every call passes a
  ``(connect, read)`` tuple;
- the ``Configuration`` pseudo-singleton shares one ``OAuth2Token`` between clients: each client
  builds a real instance (bypassing the metaclass) with its own token object;
- the SDK's own unlocked refresh: our getter returns ``expires_at = inf`` and the SDK's token
  object holds no client id or secret, so it can never refresh; :class:`XeroAuth` refreshes under
  a lock and is asked for a token before every attempt;
- it is synchronous: calls run in worker threads (``anyio.to_thread.run_sync``) with at most
  ``max_concurrent`` in flight;
- ``Decimal`` is sent as a float: a value that would not come back exactly raises
  :class:`XeroPayloadError` before anything is sent; ``None``, ``float`` and ``datetime`` too.

Pacing: before each attempt a call waits out any 429 pause (shared by every call of this client),
takes a slot in a ``SlidingWindow(requests_per_minute, 60)``, and is refused with
:class:`XeroDailyLimitReached` when the day's allowance is spent. The default of 55 a minute keeps
clear of Xero's 60 even when requests reach Xero a little after we count them.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Mapping
from urllib.parse import quote

import anyio
import urllib3
from urllib3.exceptions import ConnectTimeoutError
from xero_python.accounting.api.exception_handler import translate_status_exception
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.exceptions import (
    AccountingBadRequestException,
    ApiException,
    ApiSSLException,
    HTTPStatusException,
    RateLimitException,
)

from .. import heartbeat
from ..clock import Clock
from ..ratelimit import SlidingWindow
from .auth import CONNECT_HINT, XeroAuth
from .errors import (
    XeroApiError,
    XeroAuthError,
    XeroDailyLimitReached,
    XeroError,
    XeroForbidden,
    XeroNotFound,
    XeroPayloadError,
    XeroUnavailable,
    XeroUnknownOutcome,
    XeroValidationError,
)

log = logging.getLogger(__name__)

DAY = 86_400.0
# UNKNOWN (xero-api.md §2): when Xero's daily window resets is undocumented (per tenant); after
# X-DayLimit-Remaining: 0 without a Retry-After we wait the longest it can be, a day.
DAY_RESET_GUESS = DAY
# UNKNOWN (xero-api.md §2, §10): X-Rate-Limit-Problem values other than minute/day (concurrency,
# app-wide) and a 429 without Retry-After are undocumented; both pause this long (or Retry-After).
DEFAULT_PAUSE = 60.0
MIN_PAUSE = 1.0
BACKOFF_BASE = 1.0
BACKOFF_CAP = 60.0
# Default page size of Xero's paged GETs (xero-api.md §1.3).
DEFAULT_PAGE_SIZE = 100
# A double keeps 15 significant decimal digits exactly; the SDK sends Decimal as a double.
MAX_DIGITS = 15
MAX_IDEMPOTENCY_KEY = 128
# The request shapes of xero_accounting.yaml (tests/test_xero_client.py proves these tables against
# it), per method and path with each id as "{}":
#: operations whose body is one bare object, not the plural wrapper ({"Invoices": [...]});
BARE_BODIES = frozenset({
    ("PUT", "Accounts"), ("PUT", "Currencies"), ("PUT", "LinkedTransactions"), ("POST", "Setup"),
    ("POST", "BankTransfers"), ("POST", "BankTransfers/{}"), ("POST", "BatchPayments"), ("POST", "BatchPayments/{}"),
    ("POST", "Invoices/{}/Email"), ("POST", "Payments"), ("POST", "Payments/{}"),
    ("PUT", "TrackingCategories"), ("POST", "TrackingCategories/{}"),
    ("PUT", "TrackingCategories/{}/Options"), ("POST", "TrackingCategories/{}/Options/{}"),
})
#: operations that take ``summarizeErrors`` (elsewhere Xero's batch semantics are undeclared);
SUMMARIZED = frozenset({
    ("PUT", "BankTransactions"), ("POST", "BankTransactions"), ("POST", "BankTransfers"), ("PUT", "BatchPayments"),
    ("PUT", "Contacts"), ("POST", "Contacts"), ("PUT", "CreditNotes"), ("POST", "CreditNotes"),
    ("PUT", "CreditNotes/{}/Allocations"), ("PUT", "Invoices"), ("POST", "Invoices"), ("PUT", "Items"),
    ("POST", "Items"), ("PUT", "ManualJournals"), ("POST", "ManualJournals"), ("PUT", "Overpayments/{}/Allocations"),
    ("PUT", "Payments"), ("PUT", "Prepayments/{}/Allocations"), ("PUT", "PurchaseOrders"), ("POST", "PurchaseOrders"),
    ("PUT", "Quotes"), ("POST", "Quotes"), ("PUT", "RepeatingInvoices"), ("POST", "RepeatingInvoices"),
})
#: lists that are paged (their GET takes ``page``); the others answer every record at once.
PAGED = frozenset({
    "BankTransactions", "Contacts", "CreditNotes", "Invoices", "LinkedTransactions", "ManualJournals",
    "Overpayments", "Payments", "Prepayments", "PurchaseOrders", "Quotes",
})
#: How a record is found by its number: a path of the spec's ("path"), else the field its list filters on.
BY_NUMBER = {
    "Contacts": "path", "PurchaseOrders": "path",
    "Invoices": "InvoiceNumber", "CreditNotes": "CreditNoteNumber", "Items": "Code",
}
# How an exchange fails when no HTTP answer came back (retries are off, so urllib3 raises at once).
_TRANSPORT_ERRORS = (urllib3.exceptions.HTTPError, ApiSSLException)


@dataclass
class XeroStats:
    """What this client has sent and what Xero last said about its limits."""

    calls: Counter[str] = field(default_factory=Counter)  # requests sent, per HTTP method
    min_remaining: int | None = None  # X-MinLimit-Remaining
    day_remaining: int | None = None  # X-DayLimit-Remaining
    app_min_remaining: int | None = None  # X-AppMinLimit-Remaining
    rate_limited: int = 0  # 429 answers
    retries: int = 0  # attempts repeated after a 5xx or a transport error


@dataclass
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes
    error: ApiException | None = None  # the SDK's exception for a non-2xx answer


class XeroClient:
    """The Accounting API for one tenant. Payloads and results are dicts in Xero's field names.

    Paths are relative to ``api_url`` and percent-encoded here: pass ids and numbers raw
    (``"Contacts/SY 42"``). Result dates stay Xero's strings (``"/Date(1711843200000+0000)/"``).
    """

    def __init__(
        self,
        *,
        api_url: str,
        auth: XeroAuth,
        clock: Clock,
        requests_per_minute: int = 55,
        max_concurrent: int = 5,
        daily_limit: int = 5000,
        timeout: float = 30,
        max_attempts: int = 5,
        max_pause: float = math.inf,
    ) -> None:
        self._api_url = api_url.rstrip("/")
        self._auth = auth
        self._clock = clock
        self._timeout = (float(timeout), float(timeout))  # (connect, read): a bare float is ignored
        self._max_attempts = max_attempts
        self._max_pause = max_pause  # the longest Retry-After obeyed; beyond it the request fails
        self._window = SlidingWindow(requests_per_minute, 60, clock)
        self._day = SlidingWindow(daily_limit, DAY, clock)
        self._day_blocked_until = 0.0
        self._paused_until = 0.0
        # Held from pacing to answer, so a call is counted when it really goes out.
        self._slots = anyio.CapacityLimiter(max_concurrent)
        # Our own worker threads, so other offloaded work cannot starve Xero calls or vice versa.
        self._threads = anyio.CapacityLimiter(max_concurrent)
        self._access_token = ""
        self._api = self._build_api_client(max_concurrent)
        self.stats = XeroStats()

    def _build_api_client(self, max_concurrent: int) -> ApiClient:
        # Configuration's metaclass hands out copies of the first instance ever made, sharing its
        # OAuth2Token; type.__call__ builds a real, private one.
        config = type.__call__(Configuration, oauth2_token=OAuth2Token())
        config.connection_pool_maxsize = max_concurrent
        api = ApiClient(config, oauth2_token_getter=self._sdk_token)
        pool = api.rest_client.pool_manager
        pool.clear()
        pool.connection_pool_kw["retries"] = urllib3.Retry(
            total=0, redirect=False, respect_retry_after_header=False, raise_on_status=False
        )
        return api

    def _sdk_token(self) -> dict:
        """The SDK's token getter (runs in a worker thread before each request).

        All tokens handed to it belong to this one connection, so a thread that reads a token set
        for a neighbouring call still sends a valid one.
        """
        return {
            "access_token": self._access_token,
            "token_type": "Bearer",
            "scope": None,
            "expires_in": None,
            "expires_at": math.inf,  # never due: the SDK must not refresh on its own
        }

    # -- public API -------------------------------------------------------------------------

    async def get(
        self,
        resource: str,
        *,
        params: dict | None = None,
        if_modified_since: datetime | None = None,
        paged: bool = True,
    ) -> list[dict]:
        """Every record of e.g. ``"Contacts"`` (all pages unless ``paged=False``; a list the spec
        does not page is asked for once, without ``page``)."""
        headers = {}
        if if_modified_since is not None:
            headers["If-Modified-Since"] = _http_instant(if_modified_since)
        query = _query(params)
        name = resource.split("/")[0]
        if not paged or resource not in PAGED:
            return _records(await self._request("GET", resource, query=query, headers=headers), name, resource)
        if params and "page" in params:
            raise ValueError("pass paged=False to ask for one page")
        page_size = int((params or {}).get("pageSize", DEFAULT_PAGE_SIZE))
        records: list[dict] = []
        page = 1
        while True:
            data = await self._request("GET", resource, query=[*query, ("page", str(page))], headers=headers)
            batch = _records(data, name, resource)
            records.extend(batch)
            page_count = (data.get("pagination") or {}).get("pageCount")
            if (page >= page_count) if page_count is not None else len(batch) < page_size:
                return records
            page += 1

    async def get_envelope(self, resource: str, params: dict | None = None) -> dict:
        """One GET's whole answer, records and ``pagination`` (for ``check --probe``)."""
        return await self._request("GET", resource, query=_query(params))

    async def get_one(self, path: str) -> dict | None:
        """The record at e.g. ``"Contacts/ABC-123"``, or None when Xero has no such record."""
        try:
            data = await self._request("GET", path)
        except XeroNotFound:
            return None
        records = _records(data, path.split("/")[0], path)
        return records[0] if records else None

    async def get_by_number(self, resource: str, number: str) -> dict | None:
        """The record of ``resource`` (a key of :data:`BY_NUMBER`) with this number, or None.

        Only Contacts and PurchaseOrders have a path for their numbers; an invoice is asked for with
        ``InvoiceNumbers=`` (``where`` when the number holds the list's comma), the others with ``where``.
        """
        field_name = BY_NUMBER[resource]
        if field_name == "path":
            return await self.get_one(f"{resource}/{number}")
        if resource == "Invoices" and "," not in number:
            params = {"InvoiceNumbers": number}
        else:
            params = {"where": f'{field_name}=="{number.replace(chr(34), chr(34) * 2)}"'}
        return next((r for r in await self.get(resource, params=params) if r.get(field_name) == number), None)

    async def put(
        self, resource: str, records: list[dict], *, idempotency_key: str, params: dict | None = None
    ) -> list[dict]:
        """``PUT {resource}`` (``?summarizeErrors=false`` where the operation takes it): one result
        per element (check each ``StatusAttributeString`` / ``ValidationErrors``; match them by key,
        not by position). The body has the spec's shape: see :func:`body_for`."""
        return await self._write("PUT", resource, records, idempotency_key, params)

    async def post(
        self, resource: str, records: list[dict], *, idempotency_key: str, params: dict | None = None
    ) -> list[dict]:
        """``POST {resource}``: as :meth:`put`, for create-or-update."""
        return await self._write("POST", resource, records, idempotency_key, params)

    async def post_path(self, path: str, record: dict, *, idempotency_key: str, method: str = "POST") -> dict:
        """A single-record write such as ``POST Invoices/{id}`` ``{"Status":"VOIDED"}`` or
        ``PUT CreditNotes/{id}/Allocations``, in the spec's shape: the first record of Xero's answer."""
        if method not in ("POST", "PUT"):
            raise ValueError(f"post_path sends POST or PUT, not {method!r}")
        data = await self._request(method, path, body=body_for(method, path, [record]), idempotency_key=idempotency_key)
        if not data:
            raise _unreadable_write(method, path, idempotency_key, "an empty answer")
        records = _find_records(data, path.split("/")[-1])
        return records[0] if records else data

    async def close(self) -> None:
        """Close the SDK's pooled connections."""
        self._api.rest_client.pool_manager.clear()

    async def _write(
        self, method: str, resource: str, records: list[dict], key: str, params: dict | None
    ) -> list[dict]:
        name = resource.split("/")[-1]  # "Contacts", or "Allocations" for CreditNotes/{id}/Allocations
        summarized = (method, operation_of(resource)) in SUMMARIZED
        query = [*([("summarizeErrors", "false")] if summarized else []), *_query(params)]
        body = body_for(method, resource, records)
        data = await self._request(method, resource, query=query, body=body, idempotency_key=key)
        found = _find_records(data, name)
        if found is None:
            raise _unreadable_write(method, resource, key, f"no {name} list in the answer")
        return found

    # -- one logical request, with its retries ----------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        query: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        body: dict | None = None,
        idempotency_key: str | None = None,
    ) -> dict:
        """Send until Xero gives a definite answer; every resend is byte-identical (same key)."""
        if body is not None:
            check_payload(body, "body")
        headers = {"Accept": "application/json", **(headers or {})}
        if idempotency_key is not None:
            if not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
                raise ValueError(f"an Idempotency-Key has 1 to {MAX_IDEMPOTENCY_KEY} characters")
            headers["Idempotency-Key"] = idempotency_key
        url = f"{self._api_url}/{quote(path, safe='/')}"
        write = method != "GET"
        failures = 0
        reauthorised = False
        maybe_applied = False
        try:
            while True:
                try:
                    token, answer = await self._attempt(method, url, query or [], headers, body)
                except _TRANSPORT_ERRORS as exc:
                    maybe_applied = maybe_applied or not _never_sent(exc)
                    failure, retry_after = type(getattr(exc, "reason", None) or exc).__name__, None
                else:
                    self._note_limits(answer.headers)
                    if answer.error is None:
                        try:
                            return _parse(answer.body, method, path)
                        except XeroApiError as unreadable:
                            if not write:
                                raise
                            raise _unreadable_write(method, path, idempotency_key, str(unreadable)) from None
                    if isinstance(answer.error, RateLimitException):
                        self._throttled(answer.error, answer.headers)  # not processed: wait, resend
                        continue
                    if answer.status == 401 and not reauthorised:
                        reauthorised = True
                        self._auth.invalidate(token)
                        continue
                    if answer.status < 500:
                        raise _refusal(answer, method, path)
                    maybe_applied = True
                    failure, retry_after = f"HTTP {answer.status}", _seconds(answer.headers.get("Retry-After"))
                failures += 1
                if failures >= self._max_attempts:
                    raise XeroUnavailable(f"Xero {method} {path} failed on all {failures} attempts (last: {failure})")
                delay = _backoff(failures, retry_after)
                self.stats.retries += 1
                log.warning("Xero %s %s failed (%s); attempt %d of %d in %.1f s",
                            method, path, failure, failures + 1, self._max_attempts, delay)
                await self._clock.sleep(delay)
        except XeroApiError:
            raise  # a definite answer from Xero to this very request
        except XeroError as exc:
            if write and maybe_applied:
                raise XeroUnknownOutcome(
                    f"Xero {method} {path} may or may not have been applied ({exc}); "
                    "look the record up before sending it again",
                    method=method, path=path, idempotency_key=idempotency_key or "",
                ) from exc
            raise

    async def _attempt(
        self, method: str, url: str, query: list[tuple[str, str]], headers: dict[str, str], body: dict | None
    ) -> tuple[str, _Answer]:
        """One paced exchange: the access token it used and Xero's answer."""
        async with self._slots:
            await self._gate()
            token = await self._auth.access_token()
            tenant = await self._auth.tenant_id()
            self._day.record()
            self.stats.calls[method] += 1
            self._access_token = token
            send = functools.partial(self._send, method, url, query, {**headers, "xero-tenant-id": tenant}, body)
            try:
                return token, await anyio.to_thread.run_sync(send, limiter=self._threads)
            finally:
                heartbeat.beat()

    def _send(
        self, method: str, url: str, query: list[tuple[str, str]], headers: dict[str, str], body: dict | None
    ) -> _Answer:
        """In a worker thread: the SDK sends; non-2xx answers come back as its exception types."""
        try:
            response, status, response_headers = self._api.call_api(
                url,
                method,
                query_params=query,
                header_params=headers,
                body=body,
                auth_settings=["OAuth2"],
                _return_http_data_only=False,
                _preload_content=False,
                _request_timeout=self._timeout,
            )
        except HTTPStatusException as exc:
            error = translate_status_exception(exc, None, method)
            return _Answer(exc.status, exc.headers or {}, exc.body or b"", error)
        return _Answer(status, response_headers, response.data)

    # -- pacing -----------------------------------------------------------------------------

    async def _gate(self) -> None:
        """Wait out a 429 pause and the minute window; refuse when the day's allowance is spent."""
        while True:
            while (wait := self._paused_until - self._clock.time()) > 0:
                await self._clock.sleep(wait)
            now = self._clock.time()
            if now < self._day_blocked_until:
                raise XeroDailyLimitReached(_utc(self._day_blocked_until))
            if (wait := self._day.wait_time()) > 0:
                raise XeroDailyLimitReached(_utc(now + wait))
            await self._window.acquire()
            if self._clock.time() >= self._paused_until:  # no 429 arrived while we waited
                return

    def _note_limits(self, headers: Mapping[str, str]) -> None:
        stats = self.stats
        for attr, name in (
            ("min_remaining", "X-MinLimit-Remaining"),
            ("day_remaining", "X-DayLimit-Remaining"),
            ("app_min_remaining", "X-AppMinLimit-Remaining"),
        ):
            value = _int(headers.get(name))
            if value is not None:
                setattr(stats, attr, value)
                if attr == "day_remaining" and value <= 0:
                    self._day_blocked_until = max(self._day_blocked_until, self._clock.time() + DAY_RESET_GUESS)

    def _throttled(self, error: RateLimitException, headers: Mapping[str, str]) -> None:
        """A 429: pause every call of this client, or stop for the day."""
        problem = (error.rate_limit or "").lower()  # the SDK reads X-Rate-Limit-Problem
        retry_after = _seconds(headers.get("Retry-After"))
        now = self._clock.time()
        self.stats.rate_limited += 1
        if problem == "day":
            self._day_blocked_until = now + (retry_after if retry_after is not None else DAY_RESET_GUESS)
            log.error("Xero's daily API limit is reached; no calls until %s", _utc(self._day_blocked_until))
            raise XeroDailyLimitReached(_utc(self._day_blocked_until))
        pause = max(retry_after, MIN_PAUSE) if retry_after is not None else DEFAULT_PAUSE
        if pause > self._max_pause:
            self._paused_until = max(self._paused_until, now + self._max_pause)
            raise XeroUnavailable(
                f"Xero asked to wait {pause:.0f} s (429, {problem or 'unnamed'} limit), more than "
                f"[sync] max_pause_seconds = {self._max_pause:g}; the next pass tries again"
            )
        self._paused_until = max(self._paused_until, now + pause)
        log.warning("Xero rate limit (%s): pausing all calls for %.0f s", problem or "unnamed", pause)


# -- helpers --------------------------------------------------------------------------------


#: Natural keys and their maximum length in Xero's spec (xero_accounting.yaml).
MAX_LENGTHS = {"InvoiceNumber": 255, "ContactNumber": 50, "Code": 30}


def check_payload(value: Any, where: str) -> None:
    """Refuse what the SDK would alter or choke on, or Xero cannot read, naming where it is."""
    found = _first_problem(value)
    if found is not None:
        path, message = found
        raise XeroPayloadError(f"{where}{path}: {message}")


def _first_problem(value: Any) -> tuple[str, str] | None:
    """The path within ``value`` of its first unsendable part and what is wrong with it (paths are
    only spelled out when something is wrong: every write is checked)."""
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "", f"holds a character that is not text ({value!r:.40})"
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return "", f"keys must be strings, not {key!r}"
            found = _field_problem(key, item) or _first_problem(item)
            if found is not None:
                return f".{key}{found[0]}", found[1]
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_problem(item)
            if found is not None:
                return f"[{index}]{found[0]}", found[1]
    elif isinstance(value, Decimal):
        significant = "".join(map(str, value.as_tuple().digits)).strip("0")
        if not value.is_finite() or len(significant) > MAX_DIGITS or Decimal(repr(float(value))) != value:
            return "", (f"{value} cannot be sent exactly (the SDK sends numbers as doubles, which keep "
                        f"{MAX_DIGITS} significant digits); round it first")
    elif isinstance(value, datetime):
        return "", "send a datetime.date, not a datetime (it would carry a time and offset)"
    elif isinstance(value, float):
        return "", "use Decimal for numbers, not float"
    elif value is None:
        return "", "None cannot be sent; leave the field out"
    elif not isinstance(value, (int, date)):
        return "", f"cannot send a {type(value).__name__}"
    return None


def operation_of(path: str) -> str:
    """``"TrackingCategories/<id>/Options"`` -> ``"TrackingCategories/{}/Options"``: ids as ``{}``."""
    return "/".join(part if part.isalpha() and part[:1].isupper() else "{}" for part in path.strip("/").split("/"))


def body_for(method: str, path: str, records: list[dict]) -> dict:
    """The body the spec takes: one bare record where its schema is one object, else the wrapper."""
    if (method, operation_of(path)) in BARE_BODIES:
        if len(records) != 1:
            raise ValueError(f"{method} {path} takes one record, not {len(records)}")
        return records[0]
    name = [part for part in operation_of(path).split("/") if part != "{}"][-1]  # Invoices/{id} -> Invoices
    return {name: records}


def _field_problem(key: str, value: Any) -> tuple[str, str] | None:
    """A date field holds a date; a natural key fits its length."""
    if key.endswith("Date") and not isinstance(value, date):
        try:
            date.fromisoformat(value if isinstance(value, str) else "")
        except ValueError:
            return "", f"{value!r:.40} is not a date (YYYY-MM-DD)"
    limit = MAX_LENGTHS.get(key)
    if limit and isinstance(value, str) and len(value) > limit:
        return "", f"'{value[:20]}…' is longer than the {limit} characters Xero takes"
    return None


def _query(params: dict | None) -> list[tuple[str, str]]:
    """Query pairs: booleans as true/false, lists comma-joined, dates as YYYY-MM-DD."""
    pairs = []
    for key, value in (params or {}).items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            value = ",".join(str(item) for item in value)
        pairs.append((key, str(value)))
    return pairs


def _http_instant(moment: datetime) -> str:
    # UNKNOWN (xero-api.md §10): whether Xero takes the SDK's "+00:00" and microseconds is not
    # verified; we send the documented form, UTC to the second without an offset.
    if moment.tzinfo is None:
        raise ValueError("if_modified_since must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _parse(body: bytes, method: str, path: str) -> dict:
    if not body.strip():
        return {}
    try:
        data = json.loads(body, parse_float=Decimal)
    except ValueError:
        raise XeroApiError(f"Xero's answer to {method} {path} is not JSON", status=200) from None
    if not isinstance(data, dict):
        raise XeroApiError(f"Xero's answer to {method} {path} is not a JSON object", status=200)
    return data


def _unreadable_write(method: str, path: str, idempotency_key: str | None, why: str) -> XeroUnknownOutcome:
    """A success answer to a write that cannot be read: Xero may have applied it, so it is looked up,
    never taken for a refusal (a refusal would be resent, and a payment made twice)."""
    return XeroUnknownOutcome(
        f"Xero answered {method} {path} with success but it cannot be read ({why}); the write may have been "
        "applied: look the record up before sending it again",
        method=method, path=path, idempotency_key=idempotency_key or "",
    )


def _find_records(data: dict, name: str) -> list[dict] | None:
    """The list named ``name`` in Xero's envelope, else its only list besides ``Warnings``."""
    if isinstance(data.get(name), list):
        return data[name]
    lists = [value for key, value in data.items() if isinstance(value, list) and key != "Warnings"]
    return lists[0] if len(lists) == 1 else None


def _records(data: dict, name: str, path: str) -> list[dict]:
    records = _find_records(data, name)
    if records is None:
        raise XeroApiError(f"Xero's answer to {path} holds no {name} list", status=200)
    return records


def _refusal(answer: _Answer, method: str, path: str) -> XeroError:
    """The exception for a definite 4xx answer (other than 429)."""
    status = answer.status
    if status == 401:
        return XeroAuthError(
            f"Xero refused a freshly issued access token for {method} {path} (401 Unauthorized: the "
            f"app may have been disconnected from the organisation); {CONNECT_HINT}"
        )
    if status == 403:
        return XeroForbidden(
            f"Xero refused {method} {path} (403 Forbidden: missing scope, no permission, or the "
            "tenant is not connected)",
            status=403,
        )
    if status == 404:
        return XeroNotFound(f"Xero has nothing at {method} {path} (404)", status=404)
    if status == 400:
        return _validation_error(answer, method, path)
    return XeroApiError(f"Xero answered {status} to {method} {path}", status=status)


def _validation_error(answer: _Answer, method: str, path: str) -> XeroValidationError:
    data: Any = None
    if isinstance(answer.error, AccountingBadRequestException):
        try:
            data = answer.error.error_data  # the SDK's parse of the body, with Decimals
        except ValueError:
            data = None
    if not isinstance(data, dict):
        return XeroValidationError(f"Xero rejected {method} {path} (400)", error_type=None, elements=[])
    elements = [
        [str(error.get("Message", "")) for error in element.get("ValidationErrors") or []]
        for element in data.get("Elements") or []
        if isinstance(element, dict)
    ]
    details = "; ".join(
        f"element {index}: {', '.join(messages)}" for index, messages in enumerate(elements, 1) if messages
    )
    summary = details or str(data.get("Message") or data.get("Detail") or "no detail")
    error_type = data.get("Type")
    return XeroValidationError(
        f"Xero rejected {method} {path} ({error_type or 400}): {summary}", error_type=error_type, elements=elements
    )


def _never_sent(exc: Exception) -> bool:
    """True when urllib3 failed while connecting, before any byte of the request left."""
    return isinstance(getattr(exc, "reason", exc), ConnectTimeoutError)


def _backoff(failures: int, retry_after: float | None) -> float:
    """Exponential with jitter, at least the server's Retry-After (both capped)."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (failures - 1))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, BACKOFF_CAP))
    return delay


def _seconds(value: str | None) -> float | None:
    """A ``Retry-After`` in seconds (Xero sends seconds, not HTTP dates)."""
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, timezone.utc)
