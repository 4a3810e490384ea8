"""Log format under journald and at a terminal, and secret redaction."""

from __future__ import annotations

import io
import logging
import os
import re
from pathlib import Path

import pytest
from syncro_xero import logs
from syncro_xero.logs import redact, register_secret, setup_logging

SECRET = "sk-live-0123456789abcdef"


@pytest.fixture(autouse=True)
def isolated_logging(monkeypatch):
    """A fresh secret registry and no handler of ours; the root logger restored afterwards."""
    monkeypatch.setattr(logs, "_registry", logs._SecretRegistry())
    monkeypatch.setattr(logs, "_handler", None)
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def journal_file(tmp_path: Path, monkeypatch):
    """A file standing in for the journal socket, named by ``$JOURNAL_STREAM``."""
    with open(tmp_path / "journal", "w+") as stream:
        stat = os.fstat(stream.fileno())
        monkeypatch.setenv("JOURNAL_STREAM", f"{stat.st_dev}:{stat.st_ino}")
        yield stream


def captured(level: str = "debug") -> io.StringIO:
    stream = io.StringIO()
    setup_logging(level, stream)
    return stream


def test_terminal_lines_carry_time_level_and_logger():
    stream = captured("info")
    logging.getLogger("syncro_xero.loop").info("cycle done")
    logging.getLogger("syncro_xero.loop").debug("not shown")
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO syncro_xero\.loop: cycle done\n", stream.getvalue()
    )


def test_journald_lines_carry_priority_prefix_and_no_time(journal_file):
    setup_logging("debug", journal_file)
    log = logging.getLogger("syncro_xero.loop")
    log.critical("c")
    log.error("e")
    log.warning("w")
    log.info("i")
    log.debug("d")
    journal_file.seek(0)
    assert journal_file.read().splitlines() == [
        "<2>syncro_xero.loop: c",
        "<3>syncro_xero.loop: e",
        "<4>syncro_xero.loop: w",
        "<6>syncro_xero.loop: i",
        "<7>syncro_xero.loop: d",
    ]


def test_journald_prefixes_every_line_of_a_traceback(journal_file):
    setup_logging("info", journal_file)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("syncro_xero.loop").exception("cycle failed\nsecond line")
    journal_file.seek(0)
    lines = journal_file.read().splitlines()
    assert lines[:3] == [
        "<3>syncro_xero.loop: cycle failed",
        "<3>second line",
        "<3>Traceback (most recent call last):",
    ]
    assert lines[-1] == "<3>RuntimeError: boom"
    assert all(line.startswith("<3>") for line in lines)


def test_journal_stream_of_another_file_means_terminal_format(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNAL_STREAM", "1:2")
    with open(tmp_path / "log", "w+") as stream:
        setup_logging("info", stream)
        logging.getLogger("x").warning("hello")
        stream.seek(0)
        assert stream.read().endswith(" WARNING x: hello\n")


def test_setup_again_replaces_our_handler_and_changes_the_level():
    captured("info")
    stream = captured("warning")
    root = logging.getLogger()
    assert sum(isinstance(h.formatter, logs.DaemonFormatter) for h in root.handlers) == 1
    assert root.level == logging.WARNING
    logging.getLogger("x").info("quiet")
    assert stream.getvalue() == ""


def test_registered_secret_is_redacted_in_message_and_arguments():
    stream = captured()
    register_secret(SECRET)
    log = logging.getLogger("syncro_xero.syncro")
    log.info(f"inline {SECRET}")
    log.info("as argument %s", SECRET)
    output = stream.getvalue()
    assert SECRET not in output
    assert "inline ***" in output and "as argument ***" in output


def test_registered_secret_is_redacted_in_tracebacks():
    stream = captured()
    register_secret(SECRET)
    try:
        raise ValueError(f"rejected key {SECRET}")
    except ValueError:
        logging.getLogger("syncro_xero.syncro").exception("request failed")
    output = stream.getvalue()
    assert SECRET not in output and "ValueError: rejected key ***" in output


def test_a_plugins_own_logger_cannot_bypass_redaction():
    stream = captured()
    register_secret(SECRET)
    plugin_log = logging.getLogger("syncro_xero_foo.client")
    plugin_log.setLevel(logging.DEBUG)
    plugin_log.addFilter(lambda record: True)
    plugin_log.debug("calling with %r", {"key": SECRET})
    assert SECRET not in stream.getvalue() and "'key': '***'" in stream.getvalue()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer eyJhbGciOi.J9x-y_z", "Authorization: Bearer ***"),
        ("Authorization: Basic Y2xpZW50OnNlY3JldHZhbHVl", "Authorization: Basic ***"),
        ("Basic settings loaded", "Basic settings loaded"),
        ("GET /api/v1/invoices?api_key=abc123&page=2", "GET /api/v1/invoices?api_key=***&page=2"),
        ("grant_type=refresh_token&refresh_token=r-1", "grant_type=refresh_token&refresh_token=***"),
        ('{"access_token": "eyJ", "expires_in": 1800}', '{"access_token": "***", "expires_in": 1800}'),
        ("xero.client_secret: required", "xero.client_secret: required"),
    ],
)
def test_token_shaped_values_are_redacted_without_registration(text, expected):
    assert redact(text) == expected


def test_only_the_latest_rotating_tokens_are_kept_but_permanent_secrets_stay():
    register_secret(SECRET)
    tokens = [f"access-token-{n:03d}" for n in range(logs.ROTATING_SECRETS_KEPT + 1)]
    for token in tokens:
        register_secret(token, rotating=True)
    assert redact(tokens[0]) == tokens[0]
    assert redact(f"{tokens[-1]} {SECRET}") == "*** ***"


def test_a_secret_containing_another_is_replaced_whole():
    register_secret("abcd")
    register_secret("abcd-efgh")
    assert redact("x abcd-efgh y") == "x *** y"


def test_too_short_values_are_not_registered():
    register_secret("")
    register_secret("abc")
    assert redact("abc") == "abc"
