"""pytest fixtures for anyone testing against the emulators (registered through ``pytest11``).

- ``fake_clock``: a :class:`~syncro_xero.clock.FakeClock` shared by everything in the test;
- ``emulator_extensions``: the emulator extensions applied to both (default: every installed one,
  entry-point group ``syncro_xero.emulators``; override the fixture to choose);
- ``syncro_emulator`` / ``xero_emulator``: running emulators on loopback, on that clock, extended;
- ``make_config`` and ``open_engine``: configs and engines on those emulators.

``pytest --emulator-specs DIR`` makes both strict: every request is checked against the official
specs in DIR (``syncro_swagger.json``, ``xero_accounting.yaml``, ``xero-identity.yaml``), one off the
spec is refused with 400, and the test fails.

All but ``fake_clock`` and ``emulator_extensions`` are async and need pytest-asyncio
(``pip install 'syncro-xero[test]'``); without it they are left out and pytest runs as before.
"""

from __future__ import annotations

from typing import Any

import pytest

from ..clock import FakeClock

try:
    from ._async_fixtures import make_config, open_engine, syncro_emulator, xero_emulator  # noqa: F401
except ModuleNotFoundError as error:
    if error.name != "pytest_asyncio":
        raise


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--emulator-specs", metavar="DIR", default=None,
        help="check every request to the emulator fixtures against the official specs in DIR; "
        "a test fails on any request or answer off the spec",
    )


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator_extensions() -> list[Any]:
    from .extensions import installed

    return installed()
