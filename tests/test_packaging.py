"""What an installed syncro-xero gives an operator and a plugin author, outside this repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


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
