"""sd_notify over a real AF_UNIX datagram socket, and the watchdog period."""

from __future__ import annotations

import os
import socket
import time
import uuid
from pathlib import Path

import pytest
from syncro_xero import sdnotify


@pytest.fixture
def systemd_socket(tmp_path: Path, monkeypatch):
    """A bound datagram socket standing in for systemd's, named by ``$NOTIFY_SOCKET``."""
    path = tmp_path / "notify"
    assert len(str(path)) < 100, "AF_UNIX paths are limited to 108 bytes"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(2)
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        yield sock


def received(sock: socket.socket) -> str:
    return sock.recv(4096).decode()


def test_outside_systemd_every_call_is_a_no_op(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert sdnotify.ready() is False
    assert sdnotify.notify("READY=1") is False


@pytest.mark.parametrize(
    ("send", "message"),
    [
        (sdnotify.ready, "READY=1"),
        (sdnotify.stopping, "STOPPING=1"),
        (sdnotify.watchdog, "WATCHDOG=1"),
    ],
)
def test_helpers_send_their_message(systemd_socket, send, message):
    assert send() is True
    assert received(systemd_socket) == message


def test_status_is_flattened_to_one_line(systemd_socket):
    assert sdnotify.status("Last sync 12:03:10\n14 invoices")
    assert received(systemd_socket) == "STATUS=Last sync 12:03:10 14 invoices"


def test_reloading_carries_the_monotonic_clock(systemd_socket):
    before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    assert sdnotify.reloading()
    after = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    first, second = received(systemd_socket).split("\n")
    assert first == "RELOADING=1"
    name, usec = second.split("=")
    assert name == "MONOTONIC_USEC" and before <= int(usec) <= after


def test_abstract_socket_name(monkeypatch):
    name = f"syncro-xero-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert sdnotify.ready()
        assert received(sock) == "READY=1"


def test_a_vanished_socket_is_reported_not_raised(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone"))
    monkeypatch.setattr(sdnotify, "_failed_before", False)
    assert sdnotify.watchdog() is False
    assert sdnotify.watchdog() is False
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "WATCHDOG=1" in warnings[0].getMessage()


def test_unsupported_socket_kinds_are_ignored(monkeypatch):
    monkeypatch.setenv("NOTIFY_SOCKET", "vsock:2:1234")
    assert sdnotify.ready() is False


@pytest.mark.parametrize(
    ("environ", "interval"),
    [
        ({"WATCHDOG_USEC": "60000000"}, 30.0),
        ({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "self"}, 30.0),
        ({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "1"}, None),
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "soon"}, None),
        ({}, None),
    ],
)
def test_watchdog_interval_is_half_of_watchdog_usec_for_this_process(monkeypatch, environ, interval):
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, str(os.getpid()) if value == "self" else value)
    assert sdnotify.watchdog_interval() == interval
