"""Every write to Xero: journaled, idempotent, batched, one outcome per record.

For each batch the writer

1. records every write in the journal as ``sent``, with the batch's Idempotency-Key (a digest of
   the tenant, endpoint and each write's digest, so a retry of the same batch replays Xero's first
   answer) and how to find the record in Xero by its natural key;
2. sends it in the spec's shape (``summarizeErrors=false`` where the operation takes it: each
   record succeeds or fails on its own);
3. in one transaction, settles each journal row and saves each link (Syncro id -> Xero id, with
   the digest of what was written).

A crash between 1 and 3 leaves rows at ``sent``; :meth:`XeroWriter.recover` resolves them by
natural key before anything else is written, so a rerun never duplicates. In a dry run nothing
is sent or stored: writes are collected in :attr:`XeroWriter.planned`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import signal
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Awaitable, Callable, Hashable, TypeVar

from ..api.errors import PluginMisuse, XeroRejected
from ..api.jsonutil import digest as json_digest
from ..api.lookup import NUMBER_FIELDS, Lookup, natural_key_lookup
from ..state import Link, PlannedWrite, State
from .batcher import Batcher
from .client import XeroClient, check_payload
from .errors import XeroError, XeroUnknownOutcome, XeroValidationError

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The id field of each resource's records: every resource of xero_accounting.yaml with an id path
#: parameter (a test holds this table to the spec), so a plugin may write any of them.
ID_FIELDS = {
    "Accounts": "AccountID",
    "Allocations": "AllocationID",
    "Attachments": "AttachmentID",
    "BankTransactions": "BankTransactionID",
    "BankTransfers": "BankTransferID",
    "BatchPayments": "BatchPaymentID",
    "BrandingThemes": "BrandingThemeID",
    "Budgets": "BudgetID",
    "ContactGroups": "ContactGroupID",
    "Contacts": "ContactID",
    "CreditNotes": "CreditNoteID",
    "ExpenseClaims": "ExpenseClaimID",
    "Invoices": "InvoiceID",
    "Items": "ItemID",
    "Journals": "JournalID",
    "LinkedTransactions": "LinkedTransactionID",
    "ManualJournals": "ManualJournalID",
    "Options": "TrackingOptionID",
    "Organisation": "OrganisationID",
    "Overpayments": "OverpaymentID",
    "Payments": "PaymentID",
    "Prepayments": "PrepaymentID",
    "PurchaseOrders": "PurchaseOrderID",
    "Quotes": "QuoteID",
    "Receipts": "ReceiptID",
    "RepeatingInvoices": "RepeatingInvoiceID",
    "Reports": "ReportID",
    "TaxRates": "TaxType",
    "TrackingCategories": "TrackingCategoryID",
    "Users": "UserID",
}
#: Writes made once per record, ever (see :meth:`XeroWriter.write`).
ONCE_ACTIONS = frozenset({"create", "allocate", "refund"})
#: Collection endpoints that take many records per request.
BATCHABLE = {
    "Contacts", "Invoices", "CreditNotes", "Items", "Payments", "BatchPayments", "PurchaseOrders", "Quotes",
    "BankTransactions", "TaxRates",
}


def resource_of(path: str) -> str:
    """``"CreditNotes/<id>/Allocations"`` -> ``"Allocations"``; ``"Invoices/<id>"`` -> ``"Invoices"``."""
    parts = [p for p in path.split("/") if p]
    named = [p for p in parts if p[:1].isupper() and "-" not in p]
    return named[-1] if named else parts[0]


@dataclass(frozen=True)
class Write:
    """One record to write."""

    feature: str
    entity: str
    syncro_id: str
    action: str
    method: str  # "PUT" (create) or "POST" (create or update)
    path: str  # "Contacts", "Invoices/<id>", "CreditNotes/<id>/Allocations"
    payload: dict[str, Any]
    lookup: Lookup | None = None
    params: tuple[tuple[str, str], ...] = ()
    #: Saved, with the Xero id, in the same transaction as the journal row when the write succeeds.
    link: Link | None = None

    @cached_property
    def digest(self) -> str:
        return json_digest(self.payload)

    @property
    def resource(self) -> str:
        return resource_of(self.path)


@dataclass
class WriteHooks:
    """Test switches: called after a batch is journaled / after Xero answered, before recording."""

    before_send: Callable[[int], None] | None = None
    after_answer: Callable[[int], None] | None = None


@dataclass
class XeroWriter:
    client: XeroClient | None
    state: State
    tenant: str
    dry_run: bool = False
    batch_size: int = 50
    hooks: WriteHooks = field(default_factory=WriteHooks)
    planned: list[Write] = field(default_factory=list)
    calls: int = 0

    def __post_init__(self) -> None:
        self._batcher: Batcher[Write] = Batcher(self._send_batch, self.batch_size)
        crash_after = os.environ.get("SYNCRO_XERO_CRASH_AFTER_WRITES")
        if crash_after and self.hooks.after_answer is None:
            # The "kill after the k-th Xero write" switch for crash tests (SIGKILL: no cleanup).
            limit = int(crash_after)
            self.hooks.after_answer = lambda n: os.kill(os.getpid(), signal.SIGKILL) if n >= limit else None

    async def write(self, write: Write) -> dict[str, Any]:
        """Send one write (batched with others on the same endpoint); Xero's record for it.

        A create or an allocation that Xero already confirmed for this record (a crash came between
        it and whatever the feature saves next) is not sent again: its recorded answer is returned.
        """
        if write.action in ONCE_ACTIONS and write.lookup is None:
            raise PluginMisuse(
                f"a Xero {write.action} of {write.entity} {write.syncro_id} without a way to find it again: give the "
                f"record's number (number=) or a lookup (lookup=), or a crash could make it twice"
            )
        if write.action in ONCE_ACTIONS and not self.dry_run:
            for entry in reversed(await self.state.journal.for_record(write.entity, write.syncro_id)):
                if entry.state == "confirmed" and entry.action == write.action and entry.path == write.path:
                    id_field = ID_FIELDS.get(write.resource, "ID")
                    return {**(entry.response or {}), id_field: entry.xero_id}
        check_payload(write.payload, write.resource)  # refused on its own, before it joins a batch
        if self.dry_run:
            self.planned.append(write)
            id_field = ID_FIELDS.get(write.resource, "ID")
            return {**write.payload, id_field: f"dry-run-{write.entity}-{write.syncro_id}"}
        key: Hashable = (write.method, write.path, write.params)
        if write.resource not in BATCHABLE or "/" in write.path:
            key = (key, write.entity, write.syncro_id, write.action)  # one record per request
        return await self._batcher.submit(key, write)

    # -- which handlers could still add to a batch (a partial batch goes out when none can) ----------
    def handler_started(self) -> None:
        """A handler of the pass starts: it may write, so partial batches wait for it."""
        self._batcher.enter()

    def handler_finished(self) -> None:
        """A handler finished; the batches queued may now be all there is."""
        self._batcher.leave()

    async def waiting_on(self, awaitable: Awaitable[T]) -> T:
        """Await work done elsewhere (another task's ``ensure``): meanwhile this handler adds nothing."""
        return await self._batcher.waiting_on(awaitable)

    async def drain(self) -> None:
        """Wait until every batch sent is answered (a pass ending on an exception leaves none on its way)."""
        await self._batcher.drain()

    async def upsert(
        self,
        *,
        feature: str,
        entity: str,
        syncro_id: str,
        resource: str,
        payload: dict[str, Any],
        number: str | None = None,
        extra: dict[str, Any] | None = None,
        params: tuple[tuple[str, str], ...] = (),
        lookup: Lookup | None = None,
    ) -> tuple[Link, str]:
        """Create or update the record linked to ``(entity, syncro_id)``; skip when nothing changed.

        A create is found again after a crash by ``lookup``, by default its ``number``.
        Returns the link and what happened: ``"created"``, ``"updated"`` or ``"unchanged"``.
        """
        link = await self.state.links.get(entity, syncro_id)
        payload_digest = json_digest(payload)
        if link is not None and link.payload_digest == payload_digest and (extra is None or extra == link.extra):
            return link, "unchanged"
        id_field = ID_FIELDS[resource]
        new_link = Link(
            entity=entity,
            syncro_id=str(syncro_id),
            xero_id="",
            xero_number=number,
            payload_digest=payload_digest,
            feature=feature,
            extra=extra if extra is not None else (link.extra if link else {}),
        )
        if link is None:  # only a create is looked up after a crash; an update is simply sent again
            lookup = lookup or natural_key_lookup(resource, number)
            write = Write(feature, entity, str(syncro_id), "create", "PUT", resource, payload, lookup, params, new_link)
            outcome = "created"
        else:
            body = {**payload, id_field: link.xero_id}
            write = Write(feature, entity, str(syncro_id), "update", "POST", resource, body, None, params, new_link)
            outcome = "updated"
        result = await self.write(write)
        return replace(new_link, xero_id=str(result.get(id_field, link.xero_id if link else ""))), outcome

    # -- sending ----------------------------------------------------------------------------
    async def _send_batch(self, key: Hashable, writes: list[Write]) -> list[Any]:
        assert self.client is not None
        first = writes[0]
        idempotency_key = await self._idempotency_key(first.method, first.path, writes)
        entry_ids = await self.state.journal.record_sent([_planned(w) for w in writes], idempotency_key)
        log.debug("Xero %s %s: %d record(s) journaled, Idempotency-Key %s", first.method, first.path, len(writes),
                  idempotency_key)
        self.calls += 1
        call = self.calls  # this batch's number: others may go out before its answer comes
        if self.hooks.before_send:
            self.hooks.before_send(call)
        params = dict(first.params)
        try:
            if first.path.rstrip("/").split("/")[-1] != first.resource:  # one record
                send_one = self.client.post_path(
                    first.path, first.payload, idempotency_key=idempotency_key, method=first.method
                )
                results = [await send_one]
            else:
                send = self.client.put if first.method == "PUT" else self.client.post
                results = await send(first.path, [w.payload for w in writes], idempotency_key=idempotency_key, params=params)
        except XeroUnknownOutcome:
            raise  # rows stay 'sent': recovery looks them up before anything is resent
        except XeroValidationError as exc:
            if len(writes) > 1 and not all(_own_messages(exc, i) for i in range(len(writes))):
                # Refused as a whole (e.g. one element's value Xero cannot read), nothing applied: the
                # halves go again, so only the records that cause it are rejected.
                await self._settle_lost(entry_ids)
                half = len(writes) // 2
                return [*await self._send_batch(key, writes[:half]), *await self._send_batch(key, writes[half:])]
            outcomes = [XeroRejected(_element_messages(exc, i), {}) for i in range(len(writes))]
            await self._settle(writes, entry_ids, [None] * len(writes), outcomes)
            return outcomes
        except XeroError:
            await self._settle_lost(entry_ids)
            raise
        if self.hooks.after_answer:
            self.hooks.after_answer(call)
        matched = _match(writes, results)
        outcomes: list[Any] = []
        for result in matched:
            errors = _validation_messages(result)
            outcomes.append(XeroRejected(errors, result) if errors else result)
        await self._settle(writes, entry_ids, matched, outcomes)
        return outcomes

    async def _settle(
        self, writes: list[Write], entry_ids: list[int], results: list[Any], outcomes: list[Any]
    ) -> None:
        settled: list[tuple[int, str, str | None, Any]] = []
        links: list[Link] = []
        for write, entry_id, result, outcome in zip(writes, entry_ids, results, outcomes):
            if isinstance(outcome, XeroRejected):
                settled.append((entry_id, "rejected", None, outcome.messages))
                continue
            xero_id = str(result.get(ID_FIELDS.get(write.resource, ""), "")) or None
            settled.append((entry_id, "confirmed", xero_id, _summary(result)))
            if write.link is not None:
                links.append(replace(write.link, xero_id=xero_id or write.link.xero_id or ""))
        async with self.state.db.transaction() as conn:
            await self.state.journal.settle_many(conn, settled)
            for link in links:
                await self.state.links.save(link, conn)

    async def _settle_lost(self, entry_ids: list[int]) -> None:
        async with self.state.db.transaction() as conn:
            await self.state.journal.settle_many(conn, [(entry_id, "lost", None, None) for entry_id in entry_ids])

    async def _idempotency_key(self, method: str, path: str, writes: list[Write]) -> str:
        """The same for a resend of this very batch; new once Xero answered a write of the record.

        Xero caches answers, errors included, for minutes (xero-api.md §3): a retry after the cause
        was fixed must not replay the old refusal, so each answered attempt counts into the key.
        """
        parts = [self.tenant, method, path]
        attempts = await self.state.journal.attempts([(w.entity, str(w.syncro_id)) for w in writes])
        for w in writes:
            attempt = attempts.get((w.entity, str(w.syncro_id)), 0)
            parts.append(f"{w.entity}:{w.syncro_id}:{w.action}:{w.digest}:{attempt}")
        return "sx1-" + hashlib.sha256("|".join(parts).encode()).hexdigest()

    # -- recovery ---------------------------------------------------------------------------
    async def recover(self) -> dict[str, int]:
        """Settle writes a crash left unanswered: found in Xero by natural key, or marked lost.

        A lost create is simply made again by the next pass (its record was never acknowledged);
        a found one gets its link, so the next pass sees nothing to do.
        """
        counts = {"found": 0, "lost": 0}
        if self.client is None:
            return counts
        for entry in await self.state.journal.unsettled():
            found = None
            # An update, void or delete is safe to send again; only what must happen once is looked up.
            if entry.lookup and entry.action in ONCE_ACTIONS:
                lookup = Lookup.from_dict(entry.lookup)
                params = {"where": lookup.where} if lookup.where else None
                found = lookup.first(await self.client.get(lookup.resource, params=params))
            async with self.state.db.transaction() as conn:
                if found is None:
                    await self.state.journal.settle(conn, entry.id, "lost")
                    counts["lost"] += 1
                    continue
                resource = Lookup.from_dict(entry.lookup).record_resource if entry.lookup else resource_of(entry.path)
                xero_id = str(found.get(ID_FIELDS.get(resource, ""), ""))
                await self.state.journal.settle(conn, entry.id, "confirmed", xero_id, {"recovered": True})
                if entry.link is not None:  # the link the write would have saved with its answer
                    await self.state.links.save(replace(Link(**entry.link), xero_id=xero_id), conn)
                counts["found"] += 1
        if counts["found"] or counts["lost"]:
            log.warning("recovered unanswered Xero writes: %(found)d found in Xero, %(lost)d to redo", counts)
        return counts


def _planned(write: Write) -> PlannedWrite:
    return PlannedWrite(
        feature=write.feature,
        entity=write.entity,
        syncro_id=write.syncro_id,
        action=write.action,
        method=write.method,
        path=write.path,
        payload_digest=write.digest,
        payload=write.payload,
        lookup=write.lookup.as_dict() if write.lookup else None,
        link=dataclasses.asdict(write.link) if write.link else None,
    )


def _match(writes: list[Write], results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pair answers with writes by natural key when every write has a distinct one, else by order.

    Xero does not promise to answer in request order (xero-api.md §1.4).
    """
    if len(results) != len(writes):
        raise XeroUnknownOutcome(
            f"Xero answered {len(results)} records for {len(writes)} sent",
            method=writes[0].method,
            path=writes[0].path,
            idempotency_key="",
        )
    field_name = NUMBER_FIELDS.get(writes[0].resource)
    keys = [w.payload.get(field_name) for w in writes] if field_name else []
    if field_name and all(keys) and len(set(keys)) == len(keys):
        by_key = {r.get(field_name): r for r in results}
        if all(k in by_key for k in keys):
            return [by_key[k] for k in keys]
    return results


def _validation_messages(result: dict[str, Any]) -> list[str]:
    if result.get("StatusAttributeString") == "ERROR" or result.get("HasErrors") or result.get("ValidationErrors"):
        messages = [str(e.get("Message", "")) for e in result.get("ValidationErrors") or []]
        return [m for m in messages if m] or ["Xero rejected the record without a message"]
    return []


def _own_messages(exc: XeroValidationError, index: int) -> list[str]:
    """Xero's messages about element ``index`` itself, when its 400 lists one element per record."""
    return list(exc.elements[index]) if index < len(exc.elements) and exc.elements[index] else []


def _element_messages(exc: XeroValidationError, index: int) -> list[str]:
    return _own_messages(exc, index) or [str(exc)]


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    """What the journal keeps of Xero's answer: ids, numbers, status and totals."""
    keep = ("Status", "StatusAttributeString", "Total", "AmountDue", "UpdatedDateUTC")
    return {k: v for k, v in result.items() if k.endswith("ID") or k.endswith("Number") or k in keep}
