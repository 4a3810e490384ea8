"""The async fixtures of :mod:`.pytest_plugin`, imported only where pytest-asyncio is installed."""

from __future__ import annotations

from typing import AsyncIterator

import pytest
import pytest_asyncio

from ..clock import FakeClock


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


@pytest.fixture
def make_config(tmp_path, syncro_emulator, xero_emulator):  # noqa: ANN001, ANN201
    """``make_config(plugins={"contacts": {...}}, sections={"sync": {...}})`` -> a Config on the emulators."""
    from ..testing import emulator_config

    def make(plugins=None, sections=None, name="pair"):  # noqa: ANN001, ANN202
        directory = tmp_path / name
        directory.mkdir(exist_ok=True)
        return emulator_config(
            directory,
            syncro_url=syncro_emulator.url,
            xero_url=xero_emulator.url,
            plugins=plugins,
            sections=sections,
        )

    return make


@pytest_asyncio.fixture
async def open_engine(make_config, fake_clock):  # noqa: ANN001, ANN201
    """``await open_engine(config=None, extra_plugins=())`` -> an Engine on the fake clock, closed after."""
    from ..engine import Engine

    engines = []

    async def make(config=None, extra_plugins=()):  # noqa: ANN001, ANN202
        engine = await Engine.open(config or make_config(), clock=fake_clock, extra_plugins=extra_plugins)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.close()
