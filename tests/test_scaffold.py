"""`new-plugin`: the package it writes is a working feature."""

import importlib.util
import sys

import pytest
from click.testing import CliRunner
from syncro_xero.cli import cli


def test_new_plugin_writes_a_package_with_its_entry_point_module_and_test(tmp_path):
    result = CliRunner().invoke(cli, ["new-plugin", "ticket_notes", "--dir", str(tmp_path)])

    folder = tmp_path / "syncro-xero-ticket-notes"
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "README.md", "pyproject.toml", "syncro_xero_ticket_notes.py", "tests/test_ticket_notes.py"]
    assert 'ticket_notes = "syncro_xero_ticket_notes"' in (folder / "pyproject.toml").read_text()
    compile((folder / "tests" / "test_ticket_notes.py").read_text(), "test", "exec")


def test_a_bad_name_is_refused(tmp_path):
    result = CliRunner().invoke(cli, ["new-plugin", "Bad-Name", "--dir", str(tmp_path)])
    assert result.exit_code == 2 and "lower case letters" in result.output


async def test_the_written_feature_runs_against_the_emulators(tmp_path, syncro_emulator, make_config, open_engine):
    from syncro_xero.scaffold import scaffold

    folder = scaffold("ticket_notes", tmp_path)
    spec = importlib.util.spec_from_file_location("syncro_xero_ticket_notes", folder / "syncro_xero_ticket_notes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules.pop("syncro_xero_ticket_notes", None)
    customer = syncro_emulator.store.add_customer(business_name="Acme Ltd")
    config = make_config(plugins={"contacts": {}, "ticket_notes": {}})
    engine = await open_engine(config, extra_plugins=[("ticket_notes", module)])

    report = await engine.run_pass()

    assert report.ok
    assert report.counts["ticket_notes"].notes == [f"customer {customer.id} changed (created)"]


@pytest.mark.parametrize("name", ["x", "a_b_c"])
def test_names_become_distribution_and_module_names(name, tmp_path):
    from syncro_xero.scaffold import scaffold

    folder = scaffold(name, tmp_path)
    assert folder.name == f"syncro-xero-{name.replace('_', '-')}"
    assert (folder / f"syncro_xero_{name}.py").exists()
