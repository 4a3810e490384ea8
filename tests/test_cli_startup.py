"""Starting a command: an unusable state file, commands that need no secrets, journald priorities."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

CONFIG = """
[syncro]
base_url = "http://127.0.0.1:9/api/v1"
{syncro_secret}
[xero]
grant = "client_credentials"
client_id = "x"
{xero_secret}
[state]
path = "{state}"

[plugins.contacts]
"""


def write_config(tmp_path: Path, state: Path, secrets: bool = True) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.format(
        state=state,
        syncro_secret='api_key = "k"' if secrets else "",
        xero_secret='client_secret = "s"' if secrets else "",
    ))
    path.chmod(0o600)
    return path


def syncro_xero(*args: str, env: dict[str, str] | None = None) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [sys.executable, "-c", "from syncro_xero.cli import main; main()", *args],
        capture_output=True, text=True, timeout=30, env={**os.environ, **(env or {})},
    )


def not_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "state.db"
    path.write_text("this is not a SQLite file\n" * 200)
    return path


def a_directory(tmp_path: Path) -> Path:
    return tmp_path


def under_a_file(tmp_path: Path) -> Path:
    (tmp_path / "plain").write_text("x")
    return tmp_path / "plain" / "state.db"


@pytest.mark.parametrize("command", ["run", "check", "status", "failures", "sync --once"])
@pytest.mark.parametrize("unusable", [not_sqlite, a_directory, under_a_file])
def test_an_unusable_state_file_is_one_line_naming_state_path_and_exit_78_within_seconds(tmp_path, command, unusable):
    config = write_config(tmp_path, unusable(tmp_path))
    started = time.monotonic()

    result = syncro_xero(*command.split(), "--config", str(config))

    assert (result.returncode, result.stdout) == (78, "")
    [line] = result.stderr.splitlines()
    assert line.startswith("state.path: ") and "Traceback" not in result.stderr
    assert time.monotonic() - started < 15


@pytest.mark.parametrize("unusable", ["config", "state"])
def test_a_startup_error_under_journald_carries_priority_err_on_every_line(tmp_path, unusable):
    config = write_config(tmp_path, not_sqlite(tmp_path))
    if unusable == "config":
        config.write_text(config.read_text() + "\n[sync]\nintreval_seconds = 30\n")
    stderr = tmp_path / "journal"
    with stderr.open("w") as journal:
        stat = os.fstat(journal.fileno())
        result = subprocess.run(
            [sys.executable, "-c", "from syncro_xero.cli import main; main()", "run", "--config", str(config)],
            stdout=subprocess.DEVNULL, stderr=journal, timeout=30,
            env={**os.environ, "JOURNAL_STREAM": f"{stat.st_dev}:{stat.st_ino}"},
        )

    lines = stderr.read_text().splitlines()
    assert result.returncode == 78 and lines
    assert all(line.startswith("<3>") for line in lines), lines


@pytest.mark.parametrize("command", ["status", "failures", "dismiss contacts:syncro:customers:1", "plugins"])
def test_local_commands_run_without_the_api_secrets(tmp_path, command):
    config = write_config(tmp_path, tmp_path / "state.db", secrets=False)

    result = syncro_xero(*command.split(), "--config", str(config))

    assert "required" not in result.stderr and result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr


def test_commands_that_call_the_apis_still_name_each_missing_secret(tmp_path):
    config = write_config(tmp_path, tmp_path / "state.db", secrets=False)

    result = syncro_xero("sync", "--once", "--config", str(config))

    assert result.returncode == 78
    assert "syncro.api_key: required" in result.stderr and "xero.client_secret: required" in result.stderr


@pytest.mark.parametrize("form", ["--config PATH", "--config=PATH"])
def test_a_plugins_commands_take_config_like_the_built_in_ones(tmp_path, monkeypatch, capsys, form):
    from syncro_xero import cli as cli_module
    from test_plugins import with_entry_points

    with_entry_points(monkeypatch, with_command="with_command")
    config = write_config(tmp_path, tmp_path / "state.db")
    config.write_text(config.read_text() + "\n[plugins.with_command]\n")
    outputs = []
    for command in (["where-is-syncro"], ["say-hello", "you"]):
        argv = [*command, *form.replace("PATH", str(config)).split()]
        monkeypatch.setattr(sys, "argv", ["syncro-xero", *argv])
        try:
            with pytest.raises(SystemExit) as ended:
                cli_module.main()
        finally:  # each process registers them once
            for name in ("where-is-syncro", "say-hello"):
                cli_module.cli.commands.pop(name, None)
        outputs.append((ended.value.code, capsys.readouterr().out))

    assert outputs == [(0, "http://127.0.0.1:9/api/v1\n"), (0, "hello you\n")]


def test_run_stopped_by_an_unexpected_error_logs_it_at_priority_crit_under_journald(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        config = write_config(tmp_path, tmp_path / "state.db")
        config.write_text(config.read_text().replace("[plugins.contacts]", f"[metrics]\nport = {taken.getsockname()[1]}\n\n[plugins.contacts]"))
        stderr = tmp_path / "journal"
        with stderr.open("w") as journal:
            stat = os.fstat(journal.fileno())
            result = subprocess.run(
                [sys.executable, "-c", "from syncro_xero.cli import main; main()", "run", "--config", str(config)],
                stdout=subprocess.DEVNULL, stderr=journal, timeout=30,
                env={**os.environ, "JOURNAL_STREAM": f"{stat.st_dev}:{stat.st_ino}"},
            )

    lines = stderr.read_text().splitlines()
    assert result.returncode == 1
    assert [line for line in lines if line.startswith("<2>")] and all(line[:3] in ("<2>", "<6>") for line in lines), lines
