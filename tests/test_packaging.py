"""What an installed syncro-xero gives an operator and a plugin author, outside this repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import free_port


def test_pytest_without_pytest_asyncio_still_runs_with_syncro_xero_installed(tmp_path):
    shadow = tmp_path / "shadow" / "pytest_asyncio"  # stands for an environment without pytest-asyncio
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text(
        'raise ModuleNotFoundError("No module named \'pytest_asyncio\'", name="pytest_asyncio")\n')
    (tmp_path / "test_plain.py").write_text("def test_clock(fake_clock):\n    assert fake_clock.time() >= 0\n")

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "syncro_xero.emulators.pytest_plugin", "-p", "no:cacheprovider",
         "test_plain.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(shadow.parent), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def serve_emulators(config_dir: Path) -> "subprocess.Popen[str]":
    """``syncro-xero emulators`` in the background, once it has written its config."""
    syncro_port, xero_port = free_port(), free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from syncro_xero.cli import main; main()", "emulators", "--syncro-port",
         str(syncro_port), "--xero-port", str(xero_port), "--customers", "4", "--invoices", "12", "--payments", "8", "--config-dir", str(config_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    for line in server.stdout:  # type: ignore[union-attr]
        if line.startswith("Config: "):
            return server
    raise AssertionError(server.stderr.read())  # type: ignore[union-attr]


def test_a_sync_with_the_config_the_emulators_command_writes_reaches_exit_0(tmp_path):
    server = serve_emulators(tmp_path)
    try:
        result = subprocess.run(
            [sys.executable, "-c", "from syncro_xero.cli import main; main()", "sync", "--once",
             "--config", str(tmp_path / "config.toml")],
            capture_output=True, text=True, timeout=120,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
