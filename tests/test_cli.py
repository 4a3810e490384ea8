"""The command line, against emulators on the real clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from click.testing import CliRunner
from helpers import free_port
from syncro_xero.cli import cli

SECRETS = ("test-syncro-key", "test-client-secret")


def run_cli(*args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [sys.executable, "-c", "from syncro_xero.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SYNCRO_XERO_CONFIG": "/nonexistent"},
    )


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_bad_config_exits_78_naming_every_problem_before_any_network_call(tmp_path, live_emulators):
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[syncro]
base_url = "{live_emulators.syncro.url}/api/v1"
api_key = "k"
requests_per_minute = 500

[xero]
client_id = "x"
client_secret = "s"
base_url = "{live_emulators.xero.url}"

[sync]
intreval_seconds = 30

[plugins.contacts]
name_clash = "rename-it"
"""
    )
    config.chmod(0o600)

    result = run_cli("sync", "--once", "--config", str(config))

    assert result.returncode == 78
    for key in ("syncro.requests_per_minute", "xero.grant", "intreval_seconds", "plugins.contacts.name_clash"):
        assert key in result.stderr
    assert len(live_emulators.syncro.access_log) == 0 and len(live_emulators.xero.access_log) == 0


def test_sync_once_exits_0_when_all_synced_and_1_when_a_record_is_parked(live_emulators, live_config):
    config = str(live_config())
    live_emulators.call(lambda: live_emulators.syncro.store.add_customer(business_name="Fine Ltd"))
    assert run_cli("sync", "--once", "--config", config).returncode == 0

    live_emulators.call(lambda: live_emulators.syncro.store.add_customer(business_name="Bad Ltd", email="x@localhost"))
    result = run_cli("sync", "--once", "--config", config)

    assert result.returncode == 1
    assert "parked records: 1" in result.stdout


def test_no_secret_reaches_any_log_line_even_at_debug(live_emulators, live_config):
    config = live_config(sections={"logging": {"level": "debug"}})
    live_emulators.call(lambda: live_emulators.syncro.store.add_customer(business_name="Quiet Ltd", email="q@localhost"))

    result = run_cli("sync", "--once", "--config", str(config))

    access_tokens = live_emulators.call(lambda: list(live_emulators.xero.auth.access))
    output = result.stdout + result.stderr
    assert "DEBUG" in output and "parked" in output  # the test read debug output of a pass with a failure
    assert access_tokens
    for secret in (*SECRETS, *access_tokens):
        assert secret not in output


def test_failures_and_retry_show_and_replay_parked_records(live_emulators, live_config):
    config = str(live_config())
    bad = live_emulators.call(lambda: live_emulators.syncro.store.add_customer(business_name="Bad Ltd", email="x@localhost"))
    invoke_result = CliRunner().invoke(cli, ["sync", "--once", "--config", config])
    assert invoke_result.exit_code == 1

    listed = json.loads(invoke("failures", "--json", "--config", config).output)
    assert [(row["record_id"], row["reason"]) for row in listed] == [
        (str(bad.id), "Xero refused this record: Email address must be valid.")
    ]
    live_emulators.call(lambda: live_emulators.syncro.store.update_customer(bad.id, email="ok@example.com"))
    retried = CliRunner().invoke(cli, ["retry", "--all", "--config", config])
    assert retried.exit_code == 1  # the replay uses the record as parked: still refused
    assert "parked records: 1" in retried.output


def test_status_reports_each_plugin_with_its_last_pass(live_emulators, live_config):
    config = str(live_config())
    live_emulators.call(lambda: live_emulators.syncro.store.add_customer(business_name="Counted Ltd"))
    CliRunner().invoke(cli, ["sync", "--once", "--config", config])

    data = json.loads(invoke("status", "--json", "--config", config).output)

    [contacts] = [p for p in data["plugins"] if p["name"] == "contacts"]
    assert contacts["enabled"] and contacts["last_outcome"] == "ok" and contacts["last_counts"] == {"created": 1}
    assert data["polling"] == {"customers": {"strategy": "full_scan", "cost": "every page of the list, every pass"}}
    assert "test-syncro-key" not in json.dumps(data)


def test_plugins_lists_name_version_and_enabled(live_config):
    config = str(live_config(plugins={"contacts": {}}))

    rows = json.loads(invoke("plugins", "--json", "--config", config).output)

    [contacts] = [r for r in rows if r["name"] == "contacts"]
    assert (contacts["enabled"], contacts["loaded"], contacts["version"]) == (True, True, "0.1.0")


def test_sync_dry_run_prints_payloads_and_writes_nothing(live_emulators, live_config):
    config = str(live_config())
    live_emulators.call(lambda: live_emulators.syncro.store.add_customer(business_name="Preview Ltd"))

    result = invoke("sync", "--once", "--dry-run", "--config", config)

    assert "PUT Contacts" in result.output and "Preview Ltd" in result.output
    assert live_emulators.call(lambda: live_emulators.xero.store.records("Contacts")) == []


def test_dismiss_stops_reporting_a_record_settled_by_hand(live_emulators, live_config):
    config = str(live_config())
    live_emulators.call(lambda: live_emulators.syncro.store.add_customer(business_name="Bad Ltd", email="x@localhost"))
    CliRunner().invoke(cli, ["sync", "--once", "--config", config])
    [row] = json.loads(invoke("failures", "--json", "--config", config).output)

    result = CliRunner().invoke(cli, ["dismiss", row["id"], "no:such:parked:id", "--config", config])

    assert result.exit_code == 1 and "dismissed 1" in result.output
    assert json.loads(invoke("failures", "--json", "--config", config).output) == []


def test_check_proves_credentials_connectivity_and_mapped_tax_types(live_config):
    good = CliRunner().invoke(cli, ["check", "--config", str(live_config(plugins={"contacts": {}, "tax": {}}))])
    bad = CliRunner().invoke(
        cli, ["check", "--json", "--config", str(live_config(plugins={"contacts": {}, "tax": {"rates": {"3": "NOPE"}}}))]
    )

    assert good.exit_code == 0, good.output
    assert "✓ Syncro API" in good.output and "✓ Xero API" in good.output
    assert "✓ plugins.tax.sales_taxable = OUTPUT2" in good.output
    assert bad.exit_code == 1
    failed = [row for row in json.loads(bad.output) if not row["ok"]]
    assert [row["what"] for row in failed] == ["plugins.tax.rates.3 = NOPE"]


def test_check_probe_prints_each_unknown_with_what_was_found_and_what_to_set(live_config):
    result = CliRunner().invoke(cli, ["check", "--probe", "--config", str(live_config(plugins={"contacts": {}}))])

    assert result.exit_code == 0, result.output  # an unsettled probe warns, it does not fail check
    probes = [line for line in result.output.splitlines() if "probe: " in line]
    assert len(probes) == 8 and all(" → " in line for line in probes)
    assert "! probe: GET /payments list order (syncro-api.md §2.5): fewer than two payments" in result.output
    assert "✓ probe: Xero lists without ?page= (xero-api.md §1.3): paged anyway (100 a page)" in result.output


def test_emulators_command_serves_both_with_sample_data_for_curl():
    import time
    import urllib.request

    syncro_port, xero_port = free_port(), free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from syncro_xero.cli import main; main()", "emulators",
         "--syncro-port", str(syncro_port), "--xero-port", str(xero_port), "--customers", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{syncro_port}/api/v1/customers",
                                                 headers={"Authorization": "Bearer test-syncro-key"})
                customers = json.loads(urllib.request.urlopen(request, timeout=2).read())["customers"]
                break
            except OSError:
                assert time.monotonic() < deadline, server.stderr.read() if server.poll() is not None else "no answer"
                time.sleep(0.2)
        token = json.loads(urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{xero_port}/connect/token", data=b"grant_type=client_credentials",
            headers={"Authorization": "Basic dGVzdC1jbGllbnQtaWQ6dGVzdC1jbGllbnQtc2VjcmV0"}), timeout=5).read())
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert len(customers) == 5
    assert token["token_type"] == "Bearer" and token["expires_in"] == 1800


def test_retry_of_an_unknown_id_and_failures_of_an_unknown_plugin_are_usage_errors(live_emulators, live_config):
    config = str(live_config())

    retried = CliRunner().invoke(cli, ["retry", "contacts:syncro:customers:999", "--config", config])
    listed = CliRunner().invoke(cli, ["failures", "--plugin", "contactz", "--config", config])

    assert retried.exit_code == 2 and "no parked record contacts:syncro:customers:999" in retried.output
    assert listed.exit_code == 2 and "no plugin 'contactz'" in listed.output
    assert len(live_emulators.syncro.access_log) == 0 and len(live_emulators.xero.access_log) == 0


def test_retry_without_the_api_secrets_queues_the_records_for_the_next_pass(live_emulators, live_config):
    config = live_config()
    live_emulators.call(lambda: live_emulators.syncro.store.add_customer(business_name="Bad Ltd", email="x@localhost"))
    CliRunner().invoke(cli, ["sync", "--once", "--config", str(config)])
    [parked] = json.loads(invoke("failures", "--json", "--config", str(config)).output)
    secretless = config.with_name("secretless.toml")
    secretless.write_text(
        "\n".join(line for line in config.read_text().splitlines() if not line.startswith(("api_key", "client_secret")))
    )
    secretless.chmod(0o600)

    queued = CliRunner().invoke(cli, ["retry", parked["id"], "--config", str(secretless)])
    assert queued.exit_code == 0 and "queued for the next pass" in queued.output, queued.output
    assert json.loads(invoke("failures", "--json", "--config", str(config)).output)[0]["attempts"] == 1

    CliRunner().invoke(cli, ["sync", "--once", "--config", str(config)])

    [after] = json.loads(invoke("failures", "--json", "--config", str(config)).output)
    assert after["attempts"] == 2  # unchanged in Syncro, so only the queued replay tried it again
