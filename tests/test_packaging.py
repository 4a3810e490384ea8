"""What an installed syncro-xero gives an operator and a plugin author, outside this repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from helpers import free_port

IN_THIS_ENV = [sys.executable, "-c", "from syncro_xero.cli import main; main()"]


def serve_emulators(config_dir: Path, command: list[str] = IN_THIS_ENV) -> "subprocess.Popen[str]":
    """``syncro-xero emulators`` in the background, once it has written its config."""
    syncro_port, xero_port = free_port(), free_port()
    server = subprocess.Popen(
        [*command, "emulators", "--syncro-port",
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


ROOT = Path(__file__).parent.parent
#: What a copy of the repository to build from leaves out (local state, never shipped).
NOT_SOURCES = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", "*.db*")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The ``bin`` folder of a fresh venv with the built wheel installed (not editable); the
    dependencies come from this environment's site-packages, less syncro-xero (so nothing is
    downloaded) and less pytest-asyncio (pytest without it is a plugin author's likely setup)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES, symlinks=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(base / "dist"), str(source)], check=True, capture_output=True, timeout=180)
    [wheel] = (base / "dist").glob("syncro_xero-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    deps = base / "deps"
    deps.mkdir()
    for item in Path(sysconfig.get_paths()["purelib"]).iterdir():
        left_out = ("syncro_xero", "__editable__", "_distutils_hack", "pytest_asyncio")
        if not item.name.startswith(left_out) and item.suffix != ".pth":
            (deps / item.name).symlink_to(item)
    (site / "dependencies.pth").write_text(f"{deps}\n")
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                   check=True, capture_output=True, timeout=120)
    return venv / "bin"


def test_the_wheel_ships_the_license_the_example_config_and_the_unit(installed):
    python = installed / "python"
    found = subprocess.run(
        [str(python), "-c", "import syncro_xero, importlib.metadata as m; from syncro_xero.install import example;"
         "d = m.distribution('syncro-xero'); print(syncro_xero.__file__);"
         "print([str(f) for f in d.files if 'LICENSE' in str(f)]); print(m.metadata('syncro-xero')['License-Expression']);"
         "print(len(example('config.toml')), len(example('syncro-xero.service')))"],
        capture_output=True, text=True, check=True, cwd=installed,
    ).stdout.splitlines()
    assert found[0].startswith(str(installed.parent)), "the wheel, not this worktree"
    assert "LICENSE" in found[1] and found[2] == "MIT"
    assert all(int(size) > 1000 for size in found[3].split())


def test_from_the_wheel_init_then_demo_then_a_sync_against_the_emulators_all_work_from_any_folder(
    installed, tmp_path
):
    command = str(installed / "syncro-xero")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    init = subprocess.run([command, "init", str(tmp_path / "etc"), "--unit-dir", str(tmp_path / "units")],
                          cwd=elsewhere, capture_output=True, text=True, timeout=60)
    demo = subprocess.run([command, "demo", "--customers", "4"], cwd=elsewhere, capture_output=True, text=True,
                          timeout=120)
    server = serve_emulators(tmp_path / "emulated", command=[command])
    try:
        sync = subprocess.run([command, "sync", "--once", "--config", str(tmp_path / "emulated" / "config.toml")],
                              cwd=elsewhere, capture_output=True, text=True, timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert init.returncode == 0, init.stderr
    assert (tmp_path / "etc" / "config.toml").read_text().startswith("# syncro-xero example configuration.")
    assert f"ExecStart={command} run --config {tmp_path / 'etc' / 'config.toml'}" in (
        tmp_path / "units" / "syncro-xero.service").read_text()
    assert demo.returncode == 0 and "No parked records" in demo.stdout, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert sync.returncode == 0, sync.stdout[-2000:] + sync.stderr[-2000:]


def test_pytest_without_pytest_asyncio_still_runs_with_the_wheel_installed(installed, tmp_path):
    (tmp_path / "test_plain.py").write_text("def test_clock(fake_clock):\n    assert fake_clock.time() >= 0\n")

    result = subprocess.run([str(installed / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_plain.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr
