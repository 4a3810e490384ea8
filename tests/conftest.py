"""Shared fixtures: emulators on the real clock in a background thread, for CLI and subprocess tests."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from helpers import SYNCRO_UNDOCUMENTED_SENT
from syncro_xero.clock import SystemClock
from syncro_xero.emulators.syncro import SyncroEmulator
from syncro_xero.emulators.xero import XeroEmulator
from syncro_xero.testing import emulator_config


@dataclass
class LiveEmulators:
    syncro: SyncroEmulator
    xero: XeroEmulator
    loop: asyncio.AbstractEventLoop

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` on the emulators' loop (their stores are not thread-safe)."""
        future = asyncio.run_coroutine_threadsafe(_as_coroutine(fn), self.loop)
        return future.result(timeout=10)


async def _as_coroutine(fn: Callable[[], Any]) -> Any:
    return fn()


@pytest.fixture
def live_emulators() -> Iterator[LiveEmulators]:
    """Both emulators on the real clock, served from a thread so blocking callers (CLI) can use them."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    thread = threading.Thread(target=lambda: (asyncio.set_event_loop(loop), ready.set(), loop.run_forever()), daemon=True)
    thread.start()
    ready.wait()
    clock = SystemClock()
    syncro, xero = SyncroEmulator(clock=clock), XeroEmulator(clock=clock)
    asyncio.run_coroutine_threadsafe(syncro.start(), loop).result(10)
    asyncio.run_coroutine_threadsafe(xero.start(), loop).result(10)
    try:
        yield LiveEmulators(syncro, xero, loop)
    finally:
        asyncio.run_coroutine_threadsafe(syncro.stop(), loop).result(10)
        asyncio.run_coroutine_threadsafe(xero.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@pytest.fixture
def live_config(tmp_path: Path, live_emulators: LiveEmulators) -> Callable[..., Path]:
    """Write a config.toml for the live emulators; returns its path."""

    def make(plugins: dict | None = None, sections: dict | None = None) -> Path:
        emulator_config(
            tmp_path,
            syncro_url=live_emulators.syncro.url,
            xero_url=live_emulators.xero.url,
            plugins=plugins,
            sections=sections,
        )
        return tmp_path / "config.toml"

    return make


@pytest.fixture(autouse=True)
def _restore_root_logger() -> Iterator[None]:
    """Commands run in-process install the daemon's log handler; take it away after each test."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


SPECS = Path(__file__).parent / "specs"


@pytest.fixture(autouse=True)
def _every_emulator_is_strict(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every emulator a test starts, however it is made, refuses requests that break the official
    spec; the test fails on any request or answer that did.

    An emulator test of off-spec input is marked ``off_spec_on_purpose("why")``: its requests are
    still checked, but answered as without strict mode, and it fails unless one of them was off-spec.
    """
    from syncro_xero.emulators.base import Emulator

    on_purpose = request.node.get_closest_marker("off_spec_on_purpose")
    if on_purpose is not None:
        assert on_purpose.args, "say why the test sends off-spec requests"
        monkeypatch.setattr(Emulator, "refuse_off_spec", False)
    monkeypatch.setattr(XeroEmulator, "default_spec_dir", SPECS)
    monkeypatch.setattr(SyncroEmulator, "default_spec", SPECS / "syncro_swagger.json")
    monkeypatch.setattr(SyncroEmulator, "default_allow_undocumented", SYNCRO_UNDOCUMENTED_SENT)
    started: list[Emulator] = []
    start = Emulator.start

    async def start_and_remember(self: Emulator, *args: Any, **kwargs: Any) -> str:
        started.append(self)
        return await start(self, *args, **kwargs)

    monkeypatch.setattr(Emulator, "start", start_and_remember)
    yield
    violations = [v for emulator in started for v in emulator.spec_violations]
    assert not violations, "requests or answers off the official spec:\n" + "\n".join(violations)
    if on_purpose is not None:
        assert any(emulator.off_spec_seen for emulator in started), "marked off_spec_on_purpose, but sent none"


@pytest.fixture
async def xero_emulator(fake_clock, emulator_extensions):  # noqa: ANN001, ANN201
    """The Xero emulator in strict mode: every request the daemon sends, and every answer, is checked
    against the official OpenAPI spec; a test fails on any violation."""
    from syncro_xero.emulators.xero.testing import strict_emulator

    async with strict_emulator(fake_clock, SPECS, emulator_extensions) as emulator:
        yield emulator


@pytest.fixture
async def session():  # noqa: ANN201
    """An aiohttp client session for the test, closed after it."""
    import aiohttp

    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def xero(xero_emulator):  # noqa: ANN001, ANN201
    """The strict Xero emulator, by its short name in the emulator's own tests."""
    return xero_emulator


@pytest.fixture
async def client(xero):  # noqa: ANN001, ANN201
    """A client of the emulator's default tenant, with a token issued directly."""
    from syncro_xero.emulators.xero.testing import XeroTestClient

    async with XeroTestClient(xero) as test_client:
        yield test_client


@pytest.fixture
def acme(xero):  # noqa: ANN001, ANN201
    return xero.store.insert("Contacts", Name="Acme Ltd")
