"""The runtime's implementation of :class:`syncro_xero.Context`: one handler's view of a pass."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from pydantic import BaseModel

from .api.errors import PluginMisuse
from .api.links import Link
from .api.lookup import Lookup
from .api.outcomes import Change
from .api.syncro_writes import EDIT, Find, SyncroWrite
from .clock import Clock
from .plugin_loader import Plugins
from .state import State
from .syncro import SyncroClient
from .syncro.writer import SyncroWriter
from .xero.writer import Write, XeroWriter


class PassServices(Protocol):
    """What a context needs of its pass (``sync_pass.PassRun`` provides it)."""

    writer: XeroWriter
    syncro_writer: SyncroWriter
    state: State
    clock: Clock
    syncro: SyncroClient
    dry_run: bool
    dry_links: dict[tuple[str, str], Link]
    memo: dict[str, dict[str, Any]]

    @property
    def plugins(self) -> Plugins: ...
    def forget_xero_list(self, resource: str) -> None: ...
    async def xero_list(self, resource: str, params: dict[str, str] | None) -> list[dict[str, Any]]: ...
    async def xero_record(self, resource: str, xero_id: str) -> dict[str, Any] | None: ...
    async def xero_record_by_number(self, resource: str, number: str) -> dict[str, Any] | None: ...
    async def xero_changed_since_poll(self, resource: str) -> set[str] | None: ...
    async def syncro_record(
        self, resource_name: str, record_id: str, *, needs: tuple[str, ...] = (), fresh: bool = False
    ) -> dict[str, Any]: ...
    async def listed(self, resource_name: str) -> Mapping[str, dict[str, Any]]: ...
    def forget_syncro_record(self, resource_name: str, record_id: str) -> None: ...
    async def ensure(self, feature_name: str, record_id: str) -> None: ...


class PassContext:
    """One handler's view of the pass; the methods' contracts are :class:`syncro_xero.Context`'s.

    Writes go through the pass's writer (journaled, batched, idempotent; collected instead of sent
    in a dry run). Reads of Syncro details and of Xero lists are cached for the pass.
    """

    def __init__(
        self, run: PassServices, feature: str, settings: BaseModel | None, change: Change | None, *, ensured: bool = False
    ) -> None:
        self._run = run
        #: True when another feature asked for this record (``ensure``), not the pass's own scan.
        self.ensured = ensured
        self.feature = feature
        self.settings = settings
        self.change = change
        self.clock: Clock = run.clock
        self.dry_run = run.dry_run
        self.syncro: SyncroClient = run.syncro
        self.outcomes: list[str] = []
        self.notes: list[str] = []
        record = change.record_id if change else "-"
        self.log = logging.LoggerAdapter(
            logging.getLogger(f"syncro_xero.plugins.{feature}"), {"plugin": feature, "record": record}
        )

    def _declared(self, *kinds: str) -> None:
        """Refuse a write of a link kind this feature does not declare in ``link_kinds``."""
        declared = self._run.plugins.feature(self.feature).link_kinds
        undeclared = [kind for kind in kinds if kind not in declared]
        if undeclared:
            raise PluginMisuse(
                f"feature {self.feature} writes link kind {undeclared[0]!r}, which its link_kinds "
                f"{tuple(declared)} do not declare"
            )

    # -- Xero writes --------------------------------------------------------------------------
    async def upsert(
        self,
        entity: str,
        syncro_id: str | int,
        resource: str,
        payload: dict[str, Any],
        *,
        number: str | None = None,
        extra: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        lookup: Lookup | None = None,
    ) -> Link:
        """Create the Xero record linked to ``(entity, syncro_id)``, or update it if it changed; a
        create is found again after a crash by ``lookup`` (by default, by ``number``)."""
        self._declared(entity)
        link, outcome = await self._run.writer.upsert(
            feature=self.feature,
            entity=entity,
            syncro_id=str(syncro_id),
            resource=resource,
            payload=payload,
            number=number,
            extra=extra,
            params=tuple(sorted((params or {}).items())),
            lookup=lookup,
        )
        self._run.forget_xero_list(resource)
        if self.dry_run:
            self._run.dry_links[(entity, str(syncro_id))] = link
        self.outcomes.append(outcome)
        return link

    async def write(
        self,
        entity: str,
        syncro_id: str | int,
        action: str,
        method: str,
        path: str,
        payload: dict[str, Any],
        *,
        lookup: Lookup | None = None,
        link: Link | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """One journaled write that is not a plain upsert (void, allocate, pay, ...); ``payload`` is
        one record, sent in the shape the spec takes for ``method path``."""
        self._declared(entity, *([link.entity] if link else []))
        write = Write(
            feature=self.feature,
            entity=entity,
            syncro_id=str(syncro_id),
            action=action,
            method=method,
            path=path,
            payload=payload,
            lookup=lookup,
            params=tuple(sorted((params or {}).items())),
            link=link,
        )
        result = await self._run.writer.write(write)
        self._run.forget_xero_list(write.resource)
        self.outcomes.append(
            "created" if action in ("create", "refund")
            else "deleted" if action in ("void", "delete", "archive") else "updated"
        )
        return result

    # -- Syncro writes ------------------------------------------------------------------------
    async def syncro_write(
        self,
        entity: str,
        key: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        find: Find | None = None,
        link: Link | None = None,
        step: str = "",
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One journaled Syncro write, found again by ``find`` instead of being sent twice."""
        if link is not None:
            self._declared(link.entity)
        write = SyncroWrite(id=0, feature=self.feature, entity=entity, key=str(key), step=step, method=method,
                            path=path, body=body, state="sent", extra=extra or {})
        return await self._run.syncro_writer.write(write, find=find, link=link)

    async def syncro_unfinished(self, entity: str, key: str | None = None) -> list[SyncroWrite]:
        return await self._run.state.syncro_journal.unsettled(entity, None if key is None else str(key))

    async def syncro_settle(self, write: SyncroWrite, find: Find) -> dict[str, Any] | None:
        return await self._run.syncro_writer.settle(write, find)

    async def syncro_written(self, entity: str, key: str) -> list[SyncroWrite]:
        return await self._run.state.syncro_journal.confirmed(entity, str(key))

    async def syncro_begin(self, entity: str, key: str, path: str, plan: dict[str, Any]) -> None:
        await self._run.syncro_writer.begin(
            SyncroWrite(id=0, feature=self.feature, entity=entity, key=str(key), step="", method=EDIT, path=path,
                        body=None, state="sent", extra=plan)
        )

    async def syncro_end(self, entity: str, key: str, *, given_up: bool = False) -> None:
        await self._run.syncro_writer.end(entity, str(key), given_up=given_up)

    # -- lookups ------------------------------------------------------------------------------
    async def link(self, entity: str, syncro_id: str | int) -> Link | None:
        """The Xero record linked to this Syncro record (in a dry run, also the ones it would make)."""
        planned = self._run.dry_links.get((entity, str(syncro_id)))
        return planned or await self._run.state.links.get(entity, syncro_id)

    async def link_by_xero_id(self, entity: str, xero_id: str) -> Link | None:
        return await self._run.state.links.by_xero_id(entity, xero_id)

    async def links(self, entity: str) -> list[Link]:
        """Every link of one kind of entity."""
        return await self._run.state.links.all(entity)

    async def parked(self, feature: str | None = None) -> list[Any]:
        """Parked records (of ``feature``, by default this one)."""
        return await self._run.state.parked.all(feature or self.feature)

    async def save_link(self, link: Link) -> None:
        """Record a link found rather than written (e.g. an existing Xero contact matched)."""
        self._declared(link.entity)
        if self.dry_run:
            self._run.dry_links[(link.entity, link.syncro_id)] = link
        else:
            await self._run.state.links.save(link)

    async def forget_link(self, entity: str, syncro_id: str | int) -> None:
        self._declared(entity)
        if not self.dry_run:
            await self._run.state.links.delete(entity, syncro_id)

    async def xero_list(self, resource: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Every record of a Xero list (``"Contacts"``, ``"Accounts"``...), fetched once per pass."""
        return await self._run.xero_list(resource, params)

    async def accounts(self) -> dict[str, dict[str, Any]]:
        """The organisation's chart of accounts by Code and by AccountID (read once per pass)."""
        return {key: account for account in await self.xero_list("Accounts")
                for key in (account.get("Code"), account.get("AccountID")) if key}

    async def xero_record(self, resource: str, xero_id: str) -> dict[str, Any] | None:
        """One Xero record as it is now (``"Invoices"``, its id), not cached; None if absent."""
        return await self._run.xero_record(resource, xero_id)

    async def xero_record_by_number(self, resource: str, number: str) -> dict[str, Any] | None:
        """One Xero record by its number (Contacts, CreditNotes, Invoices, Items' code, PurchaseOrders),
        found the way the spec allows; not cached; None if absent."""
        return await self._run.xero_record_by_number(resource, number)

    async def syncro_record(
        self, resource: str, record_id: str | int, *, needs: tuple[str, ...] = (), fresh: bool = False
    ) -> dict[str, Any]:
        """One Syncro record in full (its detail view), read at most once per pass.

        Without a read when the pass knows it already: composed from bulk pages (lacking what only
        the detail view shows: name such keys in ``needs``), or as acknowledged in an earlier pass
        when its list entry has not changed since. ``fresh``: as Syncro has it during this pass.
        """
        return await self._run.syncro_record(resource, str(record_id), needs=needs, fresh=fresh)

    async def syncro_listed(self, resource: str) -> Mapping[str, dict[str, Any]]:
        """Every record of a Syncro list by id, as listed during this pass (listed once if not yet); read-only,
        and a record read from it may be a fresh copy each time."""
        return await self._run.listed(resource)

    async def xero_changed_since_poll(self, resource: str) -> set[str] | None:
        """Ids of ``resource`` records changed in Xero since a reverse feature polled it this pass (one
        read per pass): an update would send over a change nobody has read. None when not polled."""
        return await self._run.xero_changed_since_poll(resource)

    def forget_syncro_record(self, resource: str, record_id: str | int) -> None:
        """This feature wrote to the record: the next ``syncro_record`` reads it anew."""
        self._run.forget_syncro_record(resource, str(record_id))

    async def ensure(self, feature: str, record_id: str | int) -> None:
        """Sync Syncro record ``record_id`` through ``feature`` now, if it has not been (dependencies)."""
        await self._run.ensure(feature, str(record_id))

    def enabled(self, feature: str) -> bool:
        """Whether another feature is enabled and loaded in this daemon."""
        return any(f.name == feature for f in self._run.plugins.features)

    def settings_of(self, feature: str) -> Any:
        """Another enabled feature's settings (a feature this one ``depends_on``)."""
        return self._run.plugins.settings.get(feature)

    @property
    def memo(self) -> dict[str, Any]:
        """A dict this feature shares between its handlers for the length of one pass."""
        return self._run.memo.setdefault(self.feature, {})

    async def get_flag(self, name: str) -> bool:
        """A durable yes/no of this feature's (e.g. "initial_match_done")."""
        return await self._run.state.cursors.get(f"flag:{self.feature}:{name}") == "1"

    async def set_flag(self, name: str) -> None:
        if not self.dry_run:
            await self._run.state.cursors.set(f"flag:{self.feature}:{name}", "1")

    def count(self, outcome: str) -> None:
        """Count a write made elsewhere than Xero (e.g. to Syncro): "created", "updated" or "deleted"."""
        self.outcomes.append(outcome)

    def done(self, did: str, would: str) -> str:
        """``did`` in a real pass, ``would`` in a dry run, so a note never says a dry run made something:
        ``ctx.note(f"bill {n} {ctx.done('made', 'would be made')} in Xero")``."""
        return would if self.dry_run else did

    def note(self, text: str) -> None:
        """Something the admin should read in the pass summary (a match made, a name changed); logged at DEBUG."""
        self.notes.append(text)
        self.log.debug("%s", text)  # at INFO a pass logs one summary line per feature, notes counted
