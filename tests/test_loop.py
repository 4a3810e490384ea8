"""``syncro-xero run`` under a systemd-like supervisor: notify, reload, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from helpers import free_port


def wait_for(sock: socket.socket, wanted: str, timeout: float = 30) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            message = sock.recv(4096).decode()
        except socket.timeout:
            break
        seen.append(message)
        if wanted in message:
            return seen
    raise AssertionError(f"never got {wanted!r}; got {seen}")


def test_run_notifies_systemd_refuses_a_bad_reload_and_stops_cleanly_on_sigterm(tmp_path, live_emulators, live_config):
    live_emulators.call(lambda: live_emulators.syncro.store.add_customer(business_name="Looped Ltd"))
    config = live_config()
    notify_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify_path))
    env = {**os.environ, "NOTIFY_SOCKET": str(notify_path)}
    daemon = subprocess.Popen(
        [sys.executable, "-c", "from syncro_xero.cli import main; main()", "run", "--config", str(config)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(sock, "READY=1")
        wait_for(sock, "STATUS=last pass: 1 written")

        config.write_text(config.read_text() + "\n[sync]\nbogus = 1\n")
        daemon.send_signal(signal.SIGHUP)
        wait_for(sock, "STATUS=reload refused")
        assert daemon.poll() is None

        daemon.send_signal(signal.SIGTERM)
        wait_for(sock, "STOPPING=1")
        _, stderr = daemon.communicate(timeout=30)
    finally:
        if daemon.poll() is None:
            daemon.kill()
        sock.close()
    assert daemon.returncode == 0
    assert "reload refused" in stderr and "unknown key 'bogus'" in stderr
    assert [c["Name"] for c in live_emulators.call(lambda: live_emulators.xero.store.records("Contacts"))] == ["Looped Ltd"]


def test_a_syncro_webhook_hint_runs_a_pass_now_instead_of_at_the_interval(tmp_path, live_emulators, live_config):
    import urllib.error
    import urllib.request

    port, token = free_port(), "hint-token-0123456789"
    config = live_config(sections={"sync": {"interval_seconds": 3600, "webhook_port": port, "webhook_token": token,
                                            "webhook_debounce_seconds": 0}})
    notify_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify_path))
    daemon = subprocess.Popen(
        [sys.executable, "-c", "from syncro_xero.cli import main; main()", "run", "--config", str(config)],
        env={**os.environ, "NOTIFY_SOCKET": str(notify_path)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        wait_for(sock, "STATUS=last pass: 0 written")
        live_emulators.call(lambda: live_emulators.syncro.store.add_customer(business_name="Hinted Ltd"))
        try:
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/syncro/wrong-token", data=b"{}"))
            raise AssertionError("a wrong token was accepted")
        except urllib.error.HTTPError as refused:
            assert refused.code == 404
        answer = urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/syncro/{token}", data=b"{}"))
        assert answer.status == 202

        wait_for(sock, "STATUS=last pass: 1 written", timeout=20)
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        sock.close()
    assert [c["Name"] for c in live_emulators.call(lambda: live_emulators.xero.store.records("Contacts"))] == ["Hinted Ltd"]


def test_run_serves_prometheus_metrics_liveness_and_a_status_page(tmp_path, live_emulators, live_config):
    import json
    import urllib.request

    port = free_port()
    live_emulators.call(lambda: live_emulators.syncro.store.add_customer(business_name="Measured Ltd"))
    config = live_config(sections={"metrics": {"port": port}})
    notify_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify_path))
    daemon = subprocess.Popen(
        [sys.executable, "-c", "from syncro_xero.cli import main; main()", "run", "--config", str(config)],
        env={**os.environ, "NOTIFY_SOCKET": str(notify_path)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        wait_for(sock, "STATUS=last pass: 1 written")
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        health = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).status
        status = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/status.json", timeout=5).read())
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        sock.close()
    assert 'syncro_xero_records_total{outcome="created",plugin="contacts"} 1.0' in metrics
    assert 'syncro_xero_passes_total{result="ok"} 1.0' in metrics
    assert health == 200
    assert [p["name"] for p in status["plugins"] if p["enabled"]] == ["contacts"]
