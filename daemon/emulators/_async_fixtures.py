"""The async fixtures of :mod:`.pytest_plugin`, imported only where pytest-asyncio is installed."""

from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator

import pytest
import pytest_asyncio

from ..clock import FakeClock


def _specs(request: pytest.FixtureRequest) -> Path | None:
    folder = request.config.getoption("--emulator-specs")
    return Path(folder) if folder else None


async def _served(emulator: Any) -> AsyncIterator[Any]:
    """The emulator running for one test; afterwards, the test fails on any request off the spec."""
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()
    assert not emulator.spec_violations, "requests or answers off the official spec:\n" + "\n".join(
        emulator.spec_violations)


@pytest_asyncio.fixture
async def syncro_emulator(
    request: pytest.FixtureRequest, fake_clock: FakeClock, emulator_extensions: list[Any]
) -> AsyncIterator["SyncroEmulator"]:  # noqa: F821
    from .extensions import extend
    from .syncro import SyncroEmulator

    specs = _specs(request)
    spec = specs / "syncro_swagger.json" if specs else None
    emulator = extend(SyncroEmulator(clock=fake_clock, validate_against_spec=spec), emulator_extensions)
    async for running in _served(emulator):
        yield running


@pytest_asyncio.fixture
async def xero_emulator(
    request: pytest.FixtureRequest, fake_clock: FakeClock, emulator_extensions: list[Any]
) -> AsyncIterator["XeroEmulator"]:  # noqa: F821
    from .extensions import extend
    from .xero import XeroEmulator

    specs = _specs(request)
    emulator = XeroEmulator(
        clock=fake_clock,
        validate_against_spec=specs / "xero_accounting.yaml" if specs else None,
        identity_spec=specs / "xero-identity.yaml" if specs else None,
    )
    extend(emulator, emulator_extensions)
    async for running in _served(emulator):
        yield running


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
