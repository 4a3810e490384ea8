"""pytest fixtures for anyone testing against the emulators (registered through ``pytest11``).

- ``fake_clock``: a :class:`~syncro_xero.clock.FakeClock` shared by everything in the test;
- ``syncro_emulator`` / ``xero_emulator``: running emulators on loopback, on that clock.
"""

from __future__ import annotations

from typing import AsyncIterator

import pytest
import pytest_asyncio

from ..clock import FakeClock


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture
async def syncro_emulator(fake_clock: FakeClock) -> AsyncIterator["SyncroEmulator"]:  # noqa: F821
    from .syncro import SyncroEmulator

    emulator = SyncroEmulator(clock=fake_clock)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest_asyncio.fixture
async def xero_emulator(fake_clock: FakeClock) -> AsyncIterator["XeroEmulator"]:  # noqa: F821
    from .xero import XeroEmulator

    emulator = XeroEmulator(clock=fake_clock)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()
