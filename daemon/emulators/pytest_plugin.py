"""pytest fixtures for anyone testing against the emulators (registered through ``pytest11``).

- ``fake_clock``: a :class:`~syncro_xero.clock.FakeClock` shared by everything in the test;
- ``syncro_emulator`` / ``xero_emulator``: running emulators on loopback, on that clock;
- ``make_config`` and ``open_engine``: configs and engines on those emulators.

All but ``fake_clock`` are async and need pytest-asyncio (``pip install 'syncro-xero[test]'``);
without it they are left out and pytest runs as before.
"""

from __future__ import annotations

import pytest

from ..clock import FakeClock

try:
    from ._async_fixtures import make_config, open_engine, syncro_emulator, xero_emulator  # noqa: F401
except ModuleNotFoundError as error:
    if error.name != "pytest_asyncio":
        raise


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()
