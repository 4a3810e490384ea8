"""Emulator extensions: a plugin package teaches both emulators a resource the built-ins do not serve
(``syncro_xero.emulators``), and the strict spec check covers its routes like the built-in ones.

The example package ``examples/syncro-xero-estimates`` (Syncro estimates -> Xero quotes) is the proof:
installed as a third-party package it passes its own tests, and here it runs on the strict emulators.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from helpers import free_port
from syncro_xero.emulators.syncro import SyncroEmulator
from syncro_xero.emulators.xero import Resource, XeroEmulator
from syncro_xero.emulators.xero.testing import XeroTestClient

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "syncro-xero-estimates"
SPECS = Path(__file__).resolve().parent / "specs"
OFF_SPEC_TEST = """
import aiohttp


async def test_a_request_off_the_spec(syncro_emulator):
    headers = {"Authorization": f"Bearer {syncro_emulator.api_key}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        await http.get(f"{syncro_emulator.api_url}/estimates", params={"since_updated_at": "2026-01-01"})
"""


@pytest.fixture
def emulator_extensions(monkeypatch: pytest.MonkeyPatch) -> list:
    """The example's emulator extension, applied to this module's (strict) emulators."""
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))
    from syncro_xero_estimates import emulator

    return [emulator]


def test_the_example_plugin_installs_as_a_package_and_passes_its_tests_on_the_extended_emulators(tmp_path: Path):
    source, target = tmp_path / "example", tmp_path / "site"
    # Built from a copy, so the build leaves nothing in the repository.
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=120,
    )
    assert install.returncode == 0, install.stderr
    assert (target / "syncro_xero_estimates" / "emulator.py").is_file()  # a copy, not a link to the source
    env = {**os.environ, "PYTHONPATH": str(target)}
    # Strict, with one off-spec request of our own beside the example's tests: it alone must fail.
    (source / "tests" / "test_off_spec.py").write_text(OFF_SPEC_TEST)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--emulator-specs", str(SPECS),
         str(source / "tests")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env,
    )
    # The example's 4 tests and ours pass; ours then errors at teardown, the off-spec request named.
    assert "5 passed, 1 error" in run.stdout, run.stdout + run.stderr
    [error] = [line for line in run.stdout.splitlines() if line.startswith("ERROR ")]
    assert "test_off_spec.py::test_a_request_off_the_spec" in error
    assert "query parameter 'since_updated_at' is not a parameter of this operation" in run.stdout
    # The entry points were found: the emulator extension from the installed copy, not the source tree.
    entry = subprocess.run(
        [sys.executable, "-c", "from syncro_xero.emulators.extensions import installed; "
         "print([m.__file__ for m in installed()])"],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert str(target) in entry.stdout, entry.stdout + entry.stderr


def test_syncro_xero_emulators_serves_what_installed_extensions_add(tmp_path: Path):
    target = tmp_path / "site"
    source = tmp_path / "example"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(source)], check=True, capture_output=True, timeout=120)
    syncro_port, xero_port = free_port(), free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "syncro-xero"), "emulators", "--syncro-port", str(syncro_port),
         "--xero-port", str(xero_port), "--customers", "2"],
        env={**os.environ, "PYTHONPATH": str(target)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert server.stdout is not None
        printed = [server.stdout.readline() for _ in range(2)]  # the config it wrote, then Syncro's address
        assert "Syncro:" in printed[-1], printed
        request = urllib.request.Request(f"http://127.0.0.1:{syncro_port}/api/v1/estimates",
                                         headers={"Authorization": "Bearer test-syncro-key"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert json.load(answer) == {"estimates": [], "meta": {"total_pages": 1, "page": 1}}
    finally:
        server.terminate()
        server.wait(10)


async def test_the_example_syncs_an_estimate_to_a_quote_through_the_strict_emulators(
    syncro_emulator, xero_emulator, make_config, open_engine
):
    from syncro_xero_estimates import feature
    from syncro_xero_estimates.emulator import estimates

    customer = syncro_emulator.store.add_customer(business_name="Acme Ltd")
    estimates(syncro_emulator).add(customer.id, "New firewall", "1234.56", "246.91")
    engine = await open_engine(make_config(plugins={"contacts": {}, "estimates": {}}),
                               extra_plugins=[("estimates", feature)])

    assert (await engine.run_pass()).ok, await engine.state.parked.all()

    [quote] = xero_emulator.store.records("Quotes")
    assert quote["Total"] == Decimal("1481.47")
    assert syncro_emulator.requests_checked and xero_emulator.access_log.count("PUT", "/api.xro/2.0/Quotes") == 1


@pytest.mark.off_spec_on_purpose("proves the spec check covers the routes an extension adds")
async def test_the_strict_check_covers_extension_routes(syncro_emulator, xero_emulator):
    headers = {"Authorization": f"Bearer {syncro_emulator.api_key}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        # GET /estimates has no change filter in the spec (syncro-api.md §1.5).
        async with http.get(f"{syncro_emulator.api_url}/estimates", params={"since_updated_at": "2026-01-01"}):
            pass
    async with XeroTestClient(xero_emulator) as xero:
        # GET /Quotes takes `page` but not `pageSize` (xero-api.md §1.3).
        await xero.get("/Quotes", params={"pageSize": "10"})

    assert any("since_updated_at" in problem for problem in syncro_emulator.off_spec_seen)
    assert any("pageSize" in problem for problem in xero_emulator.off_spec_seen)


async def test_an_emulator_is_extended_before_it_serves_and_never_over_a_resource_it_serves(
    syncro_emulator, xero_emulator
):
    from syncro_xero_estimates.emulator import Quotes

    with pytest.raises(RuntimeError, match="before start"):
        syncro_emulator.add_routes([])
    with pytest.raises(RuntimeError, match="before start"):
        xero_emulator.add_resource(Quotes())
    with pytest.raises(ValueError, match="Invoices is already served"):
        XeroEmulator().add_resource(_Invoices())
    taken = SyncroEmulator()
    taken.add_routes([web.get("/customers", _unused)])
    with pytest.raises(ValueError, match="GET /customers is already served"):
        taken.build_app()


async def _unused(request: web.Request) -> web.Response:
    raise AssertionError("never served")


class _Invoices(Resource):
    """A resource named like a built-in one."""

    plural, singular, id_field = "Invoices", "Invoice", "InvoiceID"
