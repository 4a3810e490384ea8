"""``syncro-xero new-plugin NAME``: a working plugin package to start from.

It writes a distribution ``syncro-xero-NAME`` with the module ``syncro_xero_NAME`` (a feature on
Syncro customers that notes each change, with the upsert a real feature would make shown in a
comment), its entry point, and a test that runs it against the emulators.
"""

from __future__ import annotations

import re
from pathlib import Path

PYPROJECT = '''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "syncro-xero-{hyphenated}"
version = "0.1.0"
description = "A syncro-xero feature: {name}"
requires-python = ">=3.10"
dependencies = ["syncro-xero"]

[project.optional-dependencies]
test = ["pytest", "pytest-asyncio"]

[project.entry-points."syncro_xero.plugins"]
{name} = "syncro_xero_{name}"

[tool.pytest.ini_options]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "function"
'''

MODULE = '''"""{name}: a syncro-xero feature. Enable it with a [plugins.{name}] table in config.toml."""

from pydantic import BaseModel, ConfigDict

from syncro_xero import Change, Context, Feature, hookimpl


class Settings(BaseModel):
    """[plugins.{name}]"""

    model_config = ConfigDict(extra="forbid")

    #: An example setting.
    greeting: str = "changed"


class {class_name}(Feature[Settings]):
    name = "{name}"
    description = "Notes every changed Syncro customer (a starting point)"
    syncro_resources = ("customers",)
    depends_on = ("contacts",)
    #: The kinds of link this feature writes: ``ctx.upsert("{name}", ...)`` below.
    link_kinds = ("{name}",)
    Settings = Settings

    async def handle(self, change: Change, ctx: Context[Settings]) -> None:
        customer = change.current
        ctx.note(f"customer {{change.record_id}} {{ctx.settings.greeting}} ({{change.op}})")
        # A real feature writes to Xero here, e.g.:
        # contact = await ctx.link("contact", change.record_id)
        # await ctx.upsert("{name}", change.record_id, "Contacts", {{"ContactID": contact.xero_id, ...}})


@hookimpl
def syncro_xero_feature() -> Feature:
    return {class_name}()
'''

TEST = '''"""Runs the feature against syncro-xero's emulators (fixtures come with syncro-xero)."""


async def test_each_changed_customer_is_noted(syncro_emulator, make_config, open_engine):
    syncro_emulator.store.add_customer(business_name="Acme Ltd")
    engine = await open_engine(make_config(plugins={{"contacts": {{}}, "{name}": {{}}}}))

    report = await engine.run_pass()

    assert report.ok
    assert report.counts["{name}"].notes == [
        f"customer {{c}} changed (created)" for c in syncro_emulator.store.customers
    ]
'''


def scaffold(name: str, parent: Path) -> Path:
    """Write the plugin package for ``name`` under ``parent``; returns its folder."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError("a plugin name is lower case letters, digits and underscores, starting with a letter")
    folder = parent / f"syncro-xero-{name.replace('_', '-')}"
    if folder.exists():
        raise FileExistsError(f"{folder} exists")
    class_name = "".join(part.capitalize() for part in name.split("_"))
    values = {"name": name, "hyphenated": name.replace("_", "-"), "class_name": class_name}
    (folder / "tests").mkdir(parents=True)
    (folder / "pyproject.toml").write_text(PYPROJECT.format(**values))
    (folder / f"syncro_xero_{name}.py").write_text(MODULE.format(**values))
    (folder / "tests" / f"test_{name}.py").write_text(TEST.format(**values))
    (folder / "README.md").write_text(
        f"# syncro-xero-{values['hyphenated']}\n\nA syncro-xero feature. `pip install -e '.[test]'`, then `pytest`;"
        f" enable it with `[plugins.{name}]` in config.toml. The hooks: syncro-xero's docs/plugin-hooks.md.\n"
    )
    return folder
