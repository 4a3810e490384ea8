"""What a feature plugin implements, and what it is handed: the public types of the plugin API.

A feature turns changes of source records into writes. The core finds the changes, orders the
features by their dependencies, and for each change awaits ``handle(change, ctx)``. A handler
returns normally when the record is in sync, raises :class:`Park` when it cannot be synced until a
person acts, or :class:`Defer` when it must wait for something the daemon will do itself.
Any other exception parks the record too, blamed on the plugin; no other record is affected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel

if TYPE_CHECKING:
    from .context import Context

Op = Literal["created", "updated", "deleted"]
Source = Literal["syncro", "xero"]


@dataclass(frozen=True)
class Change:
    """One source record that differs from what the feature last acknowledged.

    ``record`` is the record now (``None`` when deleted); ``previous`` is the version the feature
    last acknowledged (``None`` when the record is new to it).
    """

    source: Source
    resource: str
    op: Op
    record_id: str
    record: dict[str, Any] | None
    previous: dict[str, Any] | None = None

    @property
    def current(self) -> dict[str, Any]:
        """The record now, or as last seen when it was deleted."""
        return self.record if self.record is not None else (self.previous or {})

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "resource": self.resource,
            "op": self.op,
            "record_id": self.record_id,
            "record": self.record,
            "previous": self.previous,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Change":
        return cls(**data)


class Park(Exception):
    """This record cannot be synced until a person acts.

    ``reason`` is one sentence a bookkeeper understands (what is wrong and what they can do);
    ``detail`` may carry the technical text (Xero's messages).
    """

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


class Defer(Exception):
    """Not yet: the record waits for something the daemon does itself (e.g. its invoice to sync).

    The record is not acknowledged, so the next pass tries again; ``status`` shows it as waiting.
    After ``[sync] wait_passes`` passes or ``wait_seconds`` it is parked with ``reason``, unless
    ``bounded=False``: for a wait the feature bounds itself (and then settles with a note).
    """

    def __init__(self, reason: str, *, bounded: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.bounded = bounded


@dataclass(frozen=True)
class CheckResult:
    """One line of ``syncro-xero check``."""

    ok: bool
    what: str
    detail: str = ""
    #: Works, but risky: shown with "!" and does not fail ``check``.
    warning: bool = False


@dataclass(frozen=True)
class Drift:
    """One difference between Syncro and Xero, for ``syncro-xero reconcile``."""

    what: str  # "invoice 1001"
    syncro: str  # the value in Syncro, as text ("total 110.00"; "absent")
    xero: str
    why: str = ""  # a known cause, if any (parked, waiting, changed in Xero)


class Feature:
    """Base class of a sync feature. Subclass it, set the class attributes, implement ``handle``."""

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

    def wants(self, change: Change, ctx: "Context") -> bool:
        """Whether this change concerns the feature at all; others are acknowledged silently."""
        return True

    async def handle(self, change: Change, ctx: "Context") -> None:
        """Bring Xero in line with a changed Syncro record."""
        raise NotImplementedError(f"{type(self).__name__} handles no Syncro changes")

    async def reverse(self, change: Change, ctx: "Context") -> None:
        """Bring Syncro in line with a changed Xero record (for features with ``xero_resources``)."""
        raise NotImplementedError(f"{type(self).__name__} handles no Xero changes")

    async def prepare(self, ctx: "Context") -> None:
        """Called once at the start of every pass, dependencies first (e.g. create what others use)."""

    async def pass_finished(self, ctx: "Context") -> None:
        """Called once after every change of a pass was handled (not after a pass that ended early)."""

    async def check(self, ctx: "Context") -> list[CheckResult]:
        """Prove the feature's settings fit the Xero organisation (for ``syncro-xero check``)."""
        return []

    async def reconcile(self, ctx: "Context") -> list[Drift]:
        """Compare what this feature keeps in step, both sides as they are now (``syncro-xero reconcile``)."""
        return []


@dataclass
class PassCounts:
    """What one pass of one feature did."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    parked: int = 0
    waiting: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if isinstance(v, int) and v}
