"""What a feature's handler is given for one change: ``ctx``, the services of the pass.

The core implements this protocol; a feature only calls it. Every write goes through ``ctx``, which
journals it, sends it once (Idempotency-Key on Xero; found again before any resend), batches Xero
writes up to 50 a request, and in a dry run collects it instead of sending it. Syncro writes too:
journaled before they are sent, and found again by the feature's ``find`` (Syncro has no
idempotency key) instead of being sent again whenever their outcome is unknown.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Generic, Protocol, TypeVar

from .links import Link
from .lookup import Lookup
from .outcomes import Change
from .services import Clock, SyncroReads
from .syncro_writes import Find, SyncroWrite

S = TypeVar("S", covariant=True)


class Context(Protocol, Generic[S]):
    """One handler's view of the pass (``Context[MySettings]`` types ``ctx.settings``)."""

    #: This feature's name.
    feature: str
    #: This feature's validated ``[plugins.NAME]`` settings (``None`` for a feature without any).
    @property
    def settings(self) -> S: ...
    #: The change being handled (``None`` in ``prepare``, ``pass_finished``, ``check``, ``reconcile``).
    change: Change | None
    #: True when another feature asked for this record (``ensure``), not the pass's own scan.
    ensured: bool
    #: True in ``sync --dry-run``, ``check`` and ``reconcile``: writes are collected, never sent.
    dry_run: bool
    clock: Clock

    @property
    def syncro(self) -> SyncroReads:
        """Syncro reads (``get``, ``get_all``, ``get_record``), paced with every other Syncro call."""

    #: The feature's logger; records carry the plugin and record id.
    log: logging.LoggerAdapter  # type: ignore[type-arg]

    # -- Xero writes ----------------------------------------------------------------------------
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
        """Create the Xero record linked to ``(entity, syncro_id)``, or update it when ``payload``
        changed since the last write (an unchanged payload sends nothing); returns the link.

        ``resource`` is the Xero collection (``"Invoices"``), ``payload`` one record in the spec's
        shape. Exactly once: a create that may have reached Xero before a crash is looked up before
        it is sent again, by ``number`` (the record's natural key: ContactNumber, InvoiceNumber,
        Code...) or, for a record without one, by ``lookup``. A create with neither is refused.
        ``extra`` is kept on the link; ``params`` are query parameters of the request.
        Raises :class:`~syncro_xero.XeroRejected` when Xero refuses the record.
        """

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
        """One journaled Xero write that is not a plain upsert (``action``: "create", "allocate",
        "refund", "void", "delete", "archive", "update"...); returns Xero's record.

        ``payload`` is one record, sent in the shape the spec takes for ``method path``. "create",
        "allocate" and "refund" happen once per ``(entity, syncro_id, action)`` ever: they need a
        ``lookup`` that finds the record if a crash hid Xero's answer. ``link``, if given, is saved
        with the answer's id in the same transaction as the journal row.
        """

    # -- Syncro writes --------------------------------------------------------------------------
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
        """One journaled Syncro write (``"POST"``, ``"PUT"``, ``"DELETE"``); returns Syncro's answer.

        ``entity`` and ``key`` say what it is for in the feature's terms (``"xero_contact"`` and the
        ContactID), ``step`` which part of it when it takes several writes. The write is journaled
        durably before it is sent and its answer recorded after; ``link``, if given, is saved with the
        answer in the same transaction, its ``syncro_id`` the id Syncro answered with; ``extra`` is
        kept with the journal row (see :meth:`syncro_written`).

        Crash safety: Syncro takes no idempotency key, so a write whose outcome is unknown (no clear
        answer to a POST, or the daemon stopped before recording it) is never sent blindly again.
        ``find(write)`` looks for the record it may have made: at once after an unclear answer (when
        it finds nothing, :class:`~syncro_xero.SyncroWriteUncertain` is raised and the write stays
        unsettled), before the same ``(entity, key, step)`` is sent again, and in
        :meth:`syncro_settle`. A POST without ``find`` is refused; so ``find`` must recognise what
        the write makes (a marker in the body it sends, its content) and only read. In a dry run
        nothing is sent: the write is listed in the report and a copy of ``body`` with a made-up
        ``id`` returned. Raises :class:`~syncro_xero.SyncroValidationError` when Syncro refuses it.
        """

    async def syncro_unfinished(self, entity: str, key: str | None = None) -> list[SyncroWrite]:
        """Writes of ``entity`` (for ``key``) whose outcome is unknown, and open edits
        (``SyncroWrite.is_edit``), oldest first: what ``prepare`` settles before other features run."""

    async def syncro_settle(self, write: SyncroWrite, find: Find) -> dict[str, Any] | None:
        """Settle an unfinished write: the record ``find`` finds is recorded as its answer (its link
        saved), else the write is marked lost (it may be sent again). Returns the record found."""

    async def syncro_written(self, entity: str, key: str) -> list[SyncroWrite]:
        """The writes for ``(entity, key)`` that Syncro answered, or that ``find`` found, oldest first."""

    async def syncro_begin(self, entity: str, key: str, path: str, plan: dict[str, Any]) -> None:
        """Journal an edit of several writes to Syncro record ``path`` as open, before its first write;
        ``plan`` (JSON) is kept as the edit's ``extra``. Until :meth:`syncro_end`, it is among
        :meth:`syncro_unfinished`, for ``prepare`` to finish after a crash. Nothing in a dry run."""

    async def syncro_end(self, entity: str, key: str, *, given_up: bool = False) -> None:
        """Close the open edit of ``(entity, key)`` (written through, or ``given_up``); its writes
        still without an answer are settled as superseded (the edit re-read what it wrote)."""

    # -- links ----------------------------------------------------------------------------------
    async def link(self, entity: str, syncro_id: str | int) -> Link | None:
        """The Xero record linked to this Syncro record (in a dry run, also the ones it would make)."""

    async def link_by_xero_id(self, entity: str, xero_id: str) -> Link | None:
        """The link of this kind to Xero record ``xero_id``, if any."""

    async def links(self, entity: str) -> list[Link]:
        """Every link of one kind."""

    async def save_link(self, link: Link) -> None:
        """Record a link found rather than written (e.g. an existing Xero contact matched)."""

    async def forget_link(self, entity: str, syncro_id: str | int) -> None:
        """Drop a link (its Xero record is gone, or belongs to another Syncro record now)."""

    # -- reads ----------------------------------------------------------------------------------
    async def xero_list(self, resource: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Every record of a Xero list (``"Contacts"``, ``"TaxRates"``...), read once per pass."""

    async def accounts(self) -> dict[str, dict[str, Any]]:
        """The organisation's chart of accounts by Code and by AccountID (read once per pass)."""

    async def xero_record(self, resource: str, xero_id: str) -> dict[str, Any] | None:
        """One Xero record as it is now (``"Invoices"``, its id), not cached; None if absent."""

    async def xero_record_by_number(self, resource: str, number: str) -> dict[str, Any] | None:
        """One Xero record by its number (Contacts, CreditNotes, Invoices, Items' code,
        PurchaseOrders), found the way the spec allows; not cached; None if absent."""

    async def xero_changed_since_poll(self, resource: str) -> set[str] | None:
        """Ids of ``resource`` records changed in Xero since a reverse feature polled it this pass (one
        read per pass): an update would send over a change nobody has read. None when not polled."""

    async def syncro_record(
        self, resource: str, record_id: str | int, *, needs: tuple[str, ...] = (), fresh: bool = False
    ) -> dict[str, Any]:
        """One Syncro record in full (its detail view), read at most once per pass.

        Without a read when the pass knows it already: composed from bulk pages (lacking what only
        the detail view shows: name such keys in ``needs``), or as acknowledged in an earlier pass
        when its list entry has not changed since. ``fresh``: as Syncro has it during this pass.
        """

    async def syncro_listed(self, resource: str) -> Mapping[str, dict[str, Any]]:
        """Every record of a Syncro list by id, as listed during this pass (listed once if not yet); read-only,
        and a record read from it may be a fresh copy each time."""

    def forget_syncro_record(self, resource: str, record_id: str | int) -> None:
        """This feature wrote to the record: the next ``syncro_record`` reads it anew."""

    # -- other features, the pass, the state ----------------------------------------------------
    async def ensure(self, feature: str, record_id: str | int) -> None:
        """Sync Syncro record ``record_id`` through ``feature`` now, if it has not been (a dependency:
        the invoice's customer before the invoice)."""

    def enabled(self, feature: str) -> bool:
        """Whether another feature is enabled and loaded in this daemon."""

    def settings_of(self, feature: str) -> Any:
        """Another enabled feature's settings (a feature this one ``depends_on``)."""

    async def parked(self, feature: str | None = None) -> list[Any]:
        """Parked records (of ``feature``, by default this one)."""

    @property
    def memo(self) -> dict[str, Any]:
        """A dict this feature shares between its handlers for the length of one pass."""

    async def get_flag(self, name: str) -> bool:
        """A durable yes/no of this feature's (e.g. "initial_match_done")."""

    async def set_flag(self, name: str) -> None:
        """Set that flag (not in a dry run)."""

    # -- what the pass reports ------------------------------------------------------------------
    def count(self, outcome: str) -> None:
        """Count a write made elsewhere than Xero: "created", "updated" or "deleted"."""

    def done(self, did: str, would: str) -> str:
        """``did`` in a real pass, ``would`` in a dry run, so a note never says a dry run made
        something: ``ctx.note(f"bill {n} {ctx.done('made', 'would be made')} in Xero")``."""

    def note(self, text: str) -> None:
        """Something the admin should read in the pass summary (a match made, a name changed)."""
