"""pytest fixtures for anyone testing against the emulators (registered through ``pytest11``).

- ``fake_clock``: a :class:`~syncro_xero.clock.FakeClock` shared by everything in the test;
- ``emulator_extensions``: the emulator extensions applied to both (default: every installed one,
  entry-point group ``syncro_xero.emulators``; override the fixture to choose);
- ``syncro_emulator`` / ``xero_emulator``: running emulators on loopback, on that clock, extended.
"""

from __future__ import annotations

from typing import Any, AsyncIterator

import pytest
import pytest_asyncio

from ..clock import FakeClock


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator_extensions() -> list[Any]:
    from .extensions import installed

    return installed()


@pytest_asyncio.fixture
async def syncro_emulator(fake_clock: FakeClock, emulator_extensions: list[Any]) -> AsyncIterator["SyncroEmulator"]:  # noqa: F821
    from .extensions import extend
    from .syncro import SyncroEmulator

    emulator = extend(SyncroEmulator(clock=fake_clock), emulator_extensions)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest_asyncio.fixture
async def xero_emulator(fake_clock: FakeClock, emulator_extensions: list[Any]) -> AsyncIterator["XeroEmulator"]:  # noqa: F821
    from .extensions import extend
    from .xero import XeroEmulator

    emulator = extend(XeroEmulator(clock=fake_clock), emulator_extensions)
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
