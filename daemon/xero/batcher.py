"""Coalescing writes from many concurrent handlers into Xero batches of up to 50.

Handlers are written one record at a time (``await ctx.xero.upsert(...)``); the core runs many at
once. Each write waits in a queue per endpoint. A full queue goes out at once; a partial one goes
out when no handler could add to it any more: every active handler is queued or waiting on a
batch in flight, and nothing is in flight (its answers may let handlers queue their next step).
The rule is deterministic, so tests can count calls: N creates cost ceil(N / 50) requests.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Generic, Hashable, TypeVar

T = TypeVar("T")

Sender = Callable[[Hashable, list[T]], Awaitable[list[Any]]]


@dataclass
class _Queue(Generic[T]):
    items: list[T] = field(default_factory=list)
    futures: list[asyncio.Future[Any]] = field(default_factory=list)


class Batcher(Generic[T]):
    """Queues per key; ``send(key, items)`` returns one result (or exception) per item."""

    def __init__(self, send: Sender[T], max_batch: int = 50) -> None:
        self._send = send
        self.max_batch = max_batch
        self._queues: dict[Hashable, _Queue[T]] = {}
        self._active = 0  # handlers running
        self._queued = 0  # of them, waiting in a queue
        self._in_flight_waiters = 0  # of them, waiting on a batch that has gone out
        self._in_flight = 0  # batches sent, not yet answered
        self._tasks: set[asyncio.Task[None]] = set()

    # -- handler accounting -----------------------------------------------------------------
    def enter(self) -> None:
        """A handler starts."""
        self._active += 1

    def leave(self) -> None:
        """A handler finished; the queues may now be all there is."""
        self._active -= 1
        self._maybe_flush()

    async def waiting_on(self, awaitable: Awaitable[T]) -> T:
        """Await work done elsewhere (another task's ``ensure``): meanwhile this handler is idle, so
        it neither blocks a flush nor counts as able to add to a queue."""
        self._active -= 1
        self._maybe_flush()
        try:
            return await awaitable
        finally:
            self._active += 1

    async def drain(self) -> None:
        """Wait until the batches already sent are answered: when a pass ends on an exception, none
        of its writes may still be on its way (a rerun's reads must not be overtaken by them). A
        batch not yet sent is not sent; its handler is gone."""
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- writes -----------------------------------------------------------------------------
    async def submit(self, key: Hashable, item: T) -> Any:
        """Queue ``item`` under ``key`` and wait for its result."""
        queue = self._queues.setdefault(key, _Queue())
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        queue.items.append(item)
        queue.futures.append(future)
        self._queued += 1
        if len(queue.items) >= self.max_batch:
            self._flush(key)
        else:
            self._maybe_flush()
        return await future

    def _maybe_flush(self) -> None:
        idle = self._queued + self._in_flight_waiters >= self._active
        if self._queued and idle and not self._in_flight:
            for key in list(self._queues):
                self._flush(key)

    def _flush(self, key: Hashable) -> None:
        queue = self._queues.pop(key)
        self._queued -= len(queue.items)
        self._in_flight_waiters += len(queue.items)
        self._in_flight += 1
        task = asyncio.get_running_loop().create_task(self._run(key, queue))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, key: Hashable, queue: _Queue[T]) -> None:
        try:
            outcomes: list[Any] = list(await self._send(key, queue.items))
            if len(outcomes) != len(queue.items):
                raise RuntimeError(f"batch of {len(queue.items)} got {len(outcomes)} results")
        except BaseException as exc:  # every waiter learns what happened to its item, crashes included
            outcomes = [exc] * len(queue.items)
        self._finish(queue, outcomes)

    def _finish(self, queue: _Queue[T], outcomes: list[Any]) -> None:
        self._in_flight -= 1
        self._in_flight_waiters -= len(queue.items)
        for future, outcome in zip(queue.futures, outcomes):
            if future.done():
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        self._maybe_flush()
