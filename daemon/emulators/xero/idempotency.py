"""The ``Idempotency-Key`` header on PUT/POST/PATCH (xero-api.md §3, all [S]).

The first answer to a key is kept per (app, key) for 6 minutes from the first call and replayed
byte for byte, errors included; the same key with another method, URL or body is refused with 400.
Rate limits are checked before this, so replays still count.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Awaitable, Callable

from ...clock import Clock
from .config import XeroConfig
from .errors import bad_request

KEYED_METHODS = frozenset({"PUT", "POST", "PATCH"})


@dataclass(frozen=True)
class Cached:
    """An answer as sent: status, body bytes, content type."""

    status: int
    body: bytes
    content_type: str


@dataclass
class _Entry:
    fingerprint: str
    created: float
    answer: "asyncio.Future[Cached]"


class IdempotencyCache:
    def __init__(self, config: XeroConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self._entries: dict[tuple[str, str], _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def run(
        self, app: str, key: str, fingerprint: str, produce: Callable[[], Awaitable[Cached]]
    ) -> Cached:
        """The cached answer for ``key``, or ``produce()``'s, which is then cached."""
        if len(key) > self.config.idempotency_max_key_length:
            # UNKNOWN (xero-api.md §3): what Xero does with a key over 128 characters.
            raise bad_request(f"Idempotency Key must be at most {self.config.idempotency_max_key_length} characters.")
        now = self.clock.time()
        self._prune(now)
        entry = self._entries.get((app, key))
        if entry is not None and now - entry.created < self.config.idempotency_ttl:
            if entry.fingerprint != fingerprint:
                raise bad_request(f"Idempotency Key: {key} is used with a different request.")
            return await asyncio.shield(entry.answer)
        entry = _Entry(fingerprint, now, asyncio.get_running_loop().create_future())
        self._entries[(app, key)] = entry
        try:
            answer = await produce()
        except BaseException:
            del self._entries[(app, key)]
            entry.answer.cancel()
            raise
        entry.answer.set_result(answer)
        return answer

    def _prune(self, now: float) -> None:
        """Forget expired keys; entries sit in creation order, so stop at the first live one."""
        while self._entries:
            slot, entry = next(iter(self._entries.items()))
            if now - entry.created < self.config.idempotency_ttl or not entry.answer.done():
                break
            del self._entries[slot]


def fingerprint(method: str, path_qs: str, body: bytes) -> str:
    """What makes two requests "the same": method, URL with query, and the exact body."""
    # UNKNOWN (xero-api.md §3, §10): whether Xero compares raw bodies or parsed JSON; raw here.
    digest = hashlib.sha256(body).hexdigest()
    return f"{method} {path_qs} {digest}"
