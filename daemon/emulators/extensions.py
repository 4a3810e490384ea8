"""Teaching the emulators resources the built-ins do not serve (docs/plugin-hooks.md).

An *emulator extension* is any object with ``extend_syncro(emulator)`` and/or
``extend_xero(emulator)``; each adds its routes (``SyncroEmulator.add_routes``) or resources
(``XeroEmulator.add_resource``) before the emulator starts. A package offers one through the
entry-point group :data:`GROUP`; the pytest fixtures ``syncro_emulator`` and ``xero_emulator`` apply
every installed one. Strict mode checks an extension's requests like any other: against the spec.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any, Iterable

from .base import Emulator

GROUP = "syncro_xero.emulators"


def installed() -> list[Any]:
    """The emulator extensions installed packages offer, in entry-point name order."""
    return [entry.load() for entry in sorted(metadata.entry_points(group=GROUP), key=lambda e: e.name)]


def extend(emulator: Emulator, extensions: Iterable[Any]) -> Emulator:
    """Apply each extension's hook for this kind of emulator (Syncro or Xero) to ``emulator``."""
    from .syncro import SyncroEmulator

    hook = "extend_syncro" if isinstance(emulator, SyncroEmulator) else "extend_xero"
    for extension in extensions:
        if hasattr(extension, hook):
            getattr(extension, hook)(emulator)
    return emulator
