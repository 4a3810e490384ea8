"""What both emulators share: serving on loopback, the access log, and switchable faults.

An emulator subclasses :class:`Emulator`, builds its aiohttp application in :meth:`build_app`,
and says how it refuses a request for too many calls in :meth:`too_many_requests`. The base adds
one middleware in front of every route that records the request and applies the faults.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, ClassVar

from aiohttp import web

from ..clock import Clock, SystemClock

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: What ``Faults.garble_next`` can make of a 200 answer.
GARBLES = frozenset({"truncated", "empty", "error_body"})
# Headers worth keeping in the log; credentials are never recorded.
LOGGED_HEADERS = ("idempotency-key", "xero-tenant-id", "if-modified-since", "content-type")


@dataclass
class LoggedRequest:
    """One request the emulator answered."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    at: float
    headers: dict[str, str]
    body: Any = None

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS


class AccessLog:
    """Every request an emulator answered, in order."""

    def __init__(self) -> None:
        self.entries: list[LoggedRequest] = []

    def append(self, entry: LoggedRequest) -> None:
        self.entries.append(entry)

    def clear(self) -> None:
        self.entries.clear()

    def matching(
        self, method: str | None = None, path: str | None = None, status: int | None = None
    ) -> list[LoggedRequest]:
        """Entries with this method, a path starting with ``path`` (case-insensitive), this status."""
        prefix = path.lower() if path else None
        return [
            e
            for e in self.entries
            if (method is None or e.method == method)
            and (prefix is None or e.path.lower().startswith(prefix))
            and (status is None or e.status == status)
        ]

    def count(self, method: str | None = None, path: str | None = None, status: int | None = None) -> int:
        return len(self.matching(method, path, status))

    @property
    def writes(self) -> list[LoggedRequest]:
        return [e for e in self.entries if e.is_write]

    def __len__(self) -> int:
        return len(self.entries)


@dataclass
class Faults:
    """Switchable misbehaviour. All off by default.

    - ``error_rate``: share of requests answered with one of ``error_statuses`` (seeded random);
    - ``fail_next(n, status)``: the next ``n`` requests fail with ``status``;
    - ``rate_limit_next(n, retry_after)``: the next ``n`` requests get the emulator's 429;
    - ``latency``: real seconds added before each answer (for client timeouts);
    - ``drop_after_write(n)``: the next ``n`` writes are applied, then the connection is dropped
      before the answer is sent (the "did it happen?" case); ``drop_rate``: the share of writes
      treated so (seeded random);
    - ``garble_next(n, how, method=, path=)``: the next ``n`` requests with this method and a path
      starting with ``path`` are handled as usual (a write applied), then answered 200 with a body
      that holds no record: ``"truncated"`` (the first half of the real JSON), ``"empty"`` (no
      body) or ``"error_body"`` (an error message, as Syncro sends on some 200s, syncro-api.md §1.7).
    - ``answer_next(n, body, ...)``: the next ``n`` requests (of ``method``, to paths starting with
      ``path``) get this raw answer instead and are not applied: "200 with an HTML body", truncated
      JSON, ``text/plain``, ``null``, a JSON array (the answers a proxy or a broken release gives);
    - ``tamper(path, change)``: every JSON answer to a GET of a path starting with ``path`` goes
      through ``change(data)`` before it is sent: a malformed record on the wire, while the store
      keeps it well-formed (numbers reach ``change`` as floats; money here has few digits).
    """

    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 503)
    latency: float = 0.0
    drop_rate: float = 0.0
    seed: int = 1
    _fail_queue: list[int] = field(default_factory=list)
    _rate_limit_queue: list[int] = field(default_factory=list)
    _drops: int = 0
    _garbles: list[tuple[str, str | None, str]] = field(default_factory=list)
    _answers: list["CannedAnswer"] = field(default_factory=list)
    _tampers: list[tuple[str, Callable[[Any], Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        self._fail_queue.extend([status] * count)

    def rate_limit_next(self, count: int = 1, retry_after: int = 5) -> None:
        self._rate_limit_queue.extend([retry_after] * count)

    def drop_after_write(self, count: int = 1) -> None:
        self._drops += count

    def garble_next(self, count: int = 1, how: str = "truncated", *, method: str | None = None, path: str = "") -> None:
        if how not in GARBLES:
            raise ValueError(f"garble_next: how is one of {sorted(GARBLES)}, not {how!r}")
        self._garbles.extend([(how, method, path.lower())] * count)
    def answer_next(
        self,
        count: int = 1,
        body: str | bytes = "<html><body>Service temporarily unavailable</body></html>",
        *,
        status: int = 200,
        content_type: str = "text/html",
        method: str | None = None,
        path: str = "",
    ) -> None:
        self._answers.extend([CannedAnswer(status, content_type, body, method, path)] * count)

    def tamper(self, path: str, change: Callable[[Any], Any]) -> None:
        self._tampers.append((path, change))

    def reset(self) -> None:
        self.error_rate = 0.0
        self.latency = 0.0
        self.drop_rate = 0.0
        self._fail_queue.clear()
        self._rate_limit_queue.clear()
        self._drops = 0
        self._garbles.clear()
        self._answers.clear()
        self._tampers.clear()

    def pick_answer(self, method: str, path: str) -> "CannedAnswer | None":
        for index, answer in enumerate(self._answers):
            if answer.matches(method, path):
                return self._answers.pop(index)
        return None

    def tampering(self, method: str, path: str) -> list[Callable[[Any], Any]]:
        return [change for prefix, change in self._tampers if method == "GET" and path.startswith(prefix)]

    def pick_failure(self) -> int | None:
        if self._fail_queue:
            return self._fail_queue.pop(0)
        if self.error_rate and self._random.random() < self.error_rate:
            return self._random.choice(self.error_statuses)
        return None

    def pick_rate_limit(self) -> int | None:
        return self._rate_limit_queue.pop(0) if self._rate_limit_queue else None

    def take_garble(self, method: str, path: str) -> str | None:
        """How to garble this answer (see :meth:`garble_next`), or None."""
        for index, (how, wanted, prefix) in enumerate(self._garbles):
            if (wanted is None or wanted == method) and path.lower().startswith(prefix):
                del self._garbles[index]
                return how
        return None

    def take_drop(self) -> bool:
        if self._drops:
            self._drops -= 1
            return True
        return bool(self.drop_rate) and self._random.random() < self.drop_rate


@dataclass(frozen=True)
class CannedAnswer:
    """A raw answer :meth:`Faults.answer_next` sends instead of the emulator's."""

    status: int
    content_type: str
    body: str | bytes
    method: str | None
    path: str

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and path.startswith(self.path)

    def response(self) -> web.Response:
        body = self.body if isinstance(self.body, bytes) else self.body.encode()
        return web.Response(status=self.status, body=body, content_type=self.content_type)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Emulator:
    """An API emulator served by aiohttp on 127.0.0.1."""

    #: Paths (prefixes) the fault switches leave alone, e.g. the emulator's own control routes.
    fault_free_paths: tuple[str, ...] = ()
    #: Strict mode refuses (400) a request that breaks the official spec. Off, such a request is
    #: answered as the emulator would without strict mode, and what was wrong goes to
    #: :attr:`off_spec_seen` instead of :attr:`spec_violations`: for the emulator's own tests of
    #: off-spec input, never for the daemon's traffic.
    refuse_off_spec: ClassVar[bool] = True

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        #: Strict mode: every way requests or answers broke the spec, and the requests let through.
        self.spec_violations: list[str] = []
        self.off_spec_seen: list[str] = []
        self.access_log = AccessLog()
        self.faults = Faults()
        #: What emulator extensions keep (their records), by the extension's name (``extensions.py``).
        self.extensions: dict[str, Any] = {}
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.port = 0

    def lets_through(self, problems: list[str]) -> bool:
        """Strict mode: True when a request with these ``problems`` is answered anyway (they are then
        recorded in :attr:`off_spec_seen`), False when it is refused."""
        if self.refuse_off_spec:
            return False
        self.off_spec_seen += problems
        return True

    # -- subclasses ---------------------------------------------------------------------------
    def build_app(self) -> web.Application:
        raise NotImplementedError

    def too_many_requests(self, request: web.Request, retry_after: int) -> web.Response:
        """The emulator's 429 answer."""
        raise NotImplementedError

    # -- serving ------------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0 picks a free port); returns the base URL."""
        app = self.build_app()
        app.middlewares.insert(0, self._middleware)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://{host}:{self.port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "Emulator":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- the middleware -----------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body = await _read_body(request)
        faults_apply = not (self.fault_free_paths and request.path.startswith(self.fault_free_paths))
        if faults_apply and self.faults.latency:
            await asyncio.sleep(self.faults.latency)
        drop = False
        canned = self.faults.pick_answer(request.method, request.path) if faults_apply else None
        if canned is not None:
            response: web.StreamResponse = canned.response()
        elif faults_apply and (status := self.faults.pick_failure()) is not None:
            response = web.json_response(
                {"Title": "Emulated fault", "Status": status, "Detail": "switchable fault"}, status=status
            )
        elif faults_apply and (retry_after := self.faults.pick_rate_limit()) is not None:
            response = self.too_many_requests(request, retry_after)
        else:
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                self._log(request, exc.status, body)
                raise
            drop = faults_apply and request.method in WRITE_METHODS and self.faults.take_drop()
            how = self.faults.take_garble(request.method, request.path) if faults_apply else None
            if how is not None and isinstance(response, web.Response):
                response = _garbled(response, how)
            if faults_apply:
                _tamper(response, self.faults.tampering(request.method, request.path))
        self._log(request, response.status, body)
        if drop and request.transport is not None:
            request.transport.abort()
        return response

    def _log(self, request: web.Request, status: int, body: Any) -> None:
        self.access_log.append(
            LoggedRequest(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                status=status,
                at=self.clock.time(),
                headers={k: request.headers[k] for k in LOGGED_HEADERS if k in request.headers},
                body=body,
            )
        )


def _garbled(response: web.Response, how: str) -> web.Response:
    """``response``'s 200 twin whose body holds no record (``Faults.garble_next``)."""
    real = response.body if isinstance(response.body, bytes) else b""
    body = {"truncated": real[: len(real) // 2], "empty": b"",
            "error_body": b'{"success":false,"message":["Emulated error body on a 200 answer"]}'}[how]
    return web.Response(status=200, body=body, content_type="application/json")
def _tamper(response: web.StreamResponse, changes: list[Callable[[Any], Any]]) -> None:
    if not changes or not isinstance(response, web.Response) or response.content_type != "application/json":
        return
    data = json.loads(response.body or b"null")  # type: ignore[arg-type]
    for change in changes:
        data = change(data)
    response.body = json.dumps(data).encode()


async def _read_body(request: web.Request) -> Any:
    if not request.can_read_body:
        return None
    raw = await request.read()
    if request.content_type == "application/json":
        try:
            return json.loads(raw or b"null")
        except ValueError:
            return raw.decode("utf-8", "replace")
    if request.content_type == "application/x-www-form-urlencoded":
        # Form bodies carry OAuth secrets; keep only the field names.
        return {"form_fields": sorted((await request.post()).keys())}
    return raw.decode("utf-8", "replace")
