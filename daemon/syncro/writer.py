"""Every write to Syncro: journaled before it is sent, its answer recorded, never sent blindly twice.

Syncro takes no idempotency key. For each write the writer

1. records it in the Syncro journal as ``sent``: what goes where, for which of the feature's keys,
   and the link its answer makes;
2. sends it;
3. in one transaction, records Syncro's answer (``confirmed``; ``rejected`` for a refusal) and saves
   the link, its ``syncro_id`` the id Syncro answered with.

A write whose outcome is unknown (no clear answer to a POST, or a crash between 1 and 3) stays at
``sent`` until the feature's ``find`` settles it: at once when the answer is unclear, before the same
write (entity, key, step) is ever sent again, and when the feature settles its leftovers in
``prepare``. What ``find`` finds is recorded as the write's answer, with its link; nothing found
marks it ``lost``. In a dry run nothing is sent or stored: writes are collected in
:attr:`SyncroWriter.planned`.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

from ..api.errors import PluginMisuse, SyncroError, SyncroUnavailable, SyncroValidationError, SyncroWriteUncertain
from ..api.links import Link
from ..api.syncro_writes import Find, SyncroWrite, syncro_unwrap
from ..state import State
from .client import SyncroClient

log = logging.getLogger(__name__)


def record_key(path: str) -> str:
    """The envelope key of the record a write to ``path`` answers with: ``/invoices/7/line_items`` ->
    ``line_item``, ``/customers`` -> ``customer``."""
    named = [part for part in path.split("/") if part and not part.isdigit()]
    return named[-1].removesuffix("s")


@dataclass
class SyncroWriter:
    client: SyncroClient
    state: State
    dry_run: bool = False
    planned: list[SyncroWrite] = field(default_factory=list)

    async def write(self, write: SyncroWrite, *, find: Find | None, link: Link | None) -> dict[str, Any]:
        """Send one write once; Syncro's answer (or, after an unclear one, the record ``find`` found).

        Raises what the client raises; :class:`SyncroWriteUncertain` only when ``find`` found nothing
        either (the row stays ``sent``, for the next settling).
        """
        if write.method == "POST" and find is None:
            raise PluginMisuse(f"a POST to Syncro needs a find= to be found again after a crash ({write.path})")
        if self.dry_run:
            self.planned.append(dataclasses.replace(write, state="planned"))
            return {**(write.body or {}), "id": f"dry-run-{write.entity}-{write.key}"}
        for leftover in await self.state.syncro_journal.unsettled(write.entity, write.key):
            if leftover.step == write.step and not leftover.is_edit:
                found = await self.settle(leftover, find)
                if found is not None:
                    return found
        sent = await self.state.syncro_journal.record_sent(write, link)
        try:
            answer = await self._send(sent)
        except SyncroWriteUncertain:
            found = await self.settle(sent, find, keep=True)
            if found is None:
                raise
            return found
        except SyncroValidationError as refused:
            await self._record(sent, "rejected", None, {"messages": refused.messages})
            raise
        except SyncroUnavailable:
            await self._record(sent, "lost")  # retried to the end without an answer: sent again when needed
            raise
        except SyncroError as failed:
            await self._record(sent, "rejected", None, {"error": str(failed), "status": failed.status})
            raise
        await self._record(sent, "confirmed", answer, link=link)
        return answer

    async def settle(self, write: SyncroWrite, find: Find | None, *, keep: bool = False) -> dict[str, Any] | None:
        """Look for what ``write`` (left at ``sent``) made; record it as the answer, with its link, or
        mark the write ``lost`` (unless ``keep``). The record found, or None."""
        found = await find(write) if find is not None else None
        if self.dry_run:
            return found
        if found is not None:
            await self._record(write, "confirmed", found, link=await self.state.syncro_journal.link(write.id))
            log.warning("Syncro %s %s (%s %s): found in Syncro after no answer", write.method, write.path,
                        write.entity, write.key)
        elif not keep:
            await self._record(write, "lost")
        return found

    async def begin(self, write: SyncroWrite) -> None:
        """Journal an edit of several writes as open before the first is sent (``write.method`` is EDIT);
        an edit of ``(entity, key)`` open already (being finished) stays the one."""
        open_now = await self.state.syncro_journal.unsettled(write.entity, write.key)
        if not self.dry_run and not any(row.is_edit for row in open_now):
            await self.state.syncro_journal.record_sent(write, None)

    async def end(self, entity: str, key: str, *, given_up: bool) -> None:
        """Close the open edit of ``(entity, key)``; its writes still unanswered are superseded (``lost``):
        the edit re-read the record and wrote what still differed."""
        if self.dry_run:
            return
        leftovers = await self.state.syncro_journal.unsettled(entity, key)
        async with self.state.db.transaction() as conn:
            for row in leftovers:
                state = ("rejected" if given_up else "confirmed") if row.is_edit else "lost"
                await self.state.syncro_journal.settle(conn, row.id, state)

    async def _send(self, write: SyncroWrite) -> dict[str, Any]:
        if write.method == "POST":
            return await self.client.post(write.path, write.body or {})
        if write.method == "PUT":
            return await self.client.put(write.path, write.body or {})
        if write.method == "DELETE":
            return await self.client.delete(write.path)
        raise PluginMisuse(f"no Syncro write is sent with {write.method}")

    async def _record(
        self, write: SyncroWrite, state: str, answer: dict[str, Any] | None = None, response: Any = None,
        *, link: Link | None = None,
    ) -> None:
        record = syncro_unwrap(answer, record_key(write.path)) if answer is not None else {}
        syncro_id = str(record["id"]) if record.get("id") is not None else None
        async with self.state.db.transaction() as conn:
            await self.state.syncro_journal.settle(conn, write.id, state, syncro_id, answer if answer is not None else response)
            if link is not None and syncro_id is not None:
                await self.state.links.save(dataclasses.replace(link, syncro_id=syncro_id), conn)

