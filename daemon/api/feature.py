"""What a feature plugin implements: a :class:`Feature` subclass, handed to the core by its hook.

A feature turns changes of source records into writes. The core finds the changes, orders the
features by their dependencies, and for each change awaits ``handle(change, ctx)``. A handler
returns normally when the record is in sync, raises :class:`~syncro_xero.Park` when it cannot be
synced until a person acts, or :class:`~syncro_xero.Defer` when it must wait for something the
daemon will do itself. Any other exception parks the record too, blamed on the plugin; no other
record is affected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from pydantic import BaseModel

from .outcomes import Change
from .results import CheckResult, Drift

if TYPE_CHECKING:
    from .context import Context

#: The feature's settings model (``[plugins.NAME]``), or ``Any`` for a feature without settings.
S = TypeVar("S")


class Feature(Generic[S]):
    """Base class of a sync feature. Subclass it, set the class attributes, implement ``handle``.

    ``class Tickets(Feature[TicketSettings])`` types ``ctx.settings`` as ``TicketSettings`` in every
    method that takes ``ctx: Context[TicketSettings]``.
    """

    #: Equal to the plugin's entry-point name and its ``[plugins.NAME]`` table.
    name: ClassVar[str] = ""
    #: One line for ``syncro-xero plugins``.
    description: ClassVar[str] = ""
    #: Syncro resources whose changes this feature handles (see ``syncro_xero_resources``).
    syncro_resources: ClassVar[tuple[str, ...]] = ()
    #: Xero resources whose changes flow back through :meth:`reverse` (polled with If-Modified-Since).
    xero_resources: ClassVar[tuple[str, ...]] = ()
    #: Query parameters of that poll, by resource, e.g. ``{"Contacts": {"includeArchived": "true"}}``.
    xero_params: ClassVar[dict[str, dict[str, str]]] = {}
    #: The kinds of link this feature writes (the ``entity`` of ``ctx.upsert``, ``ctx.write``,
    #: ``ctx.save_link``, ``ctx.forget_link``, the ``link`` of ``ctx.syncro_write``; e.g.
    #: ``("quote",)``): writing another kind raises, and parks the record as the plugin's bug.
    #: Any feature may read any kind; two features may declare one kind (one writes the Xero record,
    #: the other links an existing one to a new Syncro record, as contacts and xero_contacts do).
    link_kinds: ClassVar[tuple[str, ...]] = ()
    #: Handle Xero's changes before any feature handles Syncro's (from the second pass on): for a
    #: feature whose Xero records a Syncro feature would otherwise overwrite before it reads them.
    reverse_first: ClassVar[bool] = False
    #: Hand ``reverse`` the Xero records exactly as the daemon's own last write left them, too (by
    #: default they are acknowledged unread: nobody changed them in Xero).
    sees_own_writes: ClassVar[bool] = False
    #: Features that must be enabled and run before this one in every pass.
    depends_on: ClassVar[tuple[str, ...]] = ()
    #: Features that, when enabled, run before this one (an order, not a requirement).
    runs_after: ClassVar[tuple[str, ...]] = ()
    #: The pydantic model of this feature's ``[plugins.NAME]`` keys (besides ``enabled``).
    Settings: ClassVar[type[BaseModel] | None] = None

    def wants(self, change: Change, ctx: "Context[S]") -> bool:
        """Whether this change concerns the feature at all; others are acknowledged silently."""
        return True

    async def handle(self, change: Change, ctx: "Context[S]") -> None:
        """Bring Xero in line with a changed Syncro record."""
        raise NotImplementedError(f"{type(self).__name__} handles no Syncro changes")

    async def reverse(self, change: Change, ctx: "Context[S]") -> None:
        """Bring Syncro in line with a changed Xero record (for features with ``xero_resources``)."""
        raise NotImplementedError(f"{type(self).__name__} handles no Xero changes")

    async def prepare(self, ctx: "Context[S]") -> None:
        """Called once at the start of every pass, dependencies first (e.g. create what others use)."""

    async def pass_finished(self, ctx: "Context[S]") -> None:
        """Called once after every change of a pass was handled (not after a pass that ended early)."""

    async def check(self, ctx: "Context[S]") -> list[CheckResult]:
        """Prove the feature's settings fit the Xero organisation (for ``syncro-xero check``)."""
        return []

    async def reconcile(self, ctx: "Context[S]") -> list[Drift]:
        """Compare what this feature keeps in step, both sides as they are now (``syncro-xero reconcile``)."""
        return []


