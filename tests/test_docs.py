"""The plugin-author docs keep up with the code."""

from pathlib import Path

import pluggy
import pytest
from syncro_xero import hookspecs

DOCS = Path(__file__).parent.parent / "docs" / "plugin-hooks.md"


def hook_names() -> list[str]:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    return sorted(name for name in dir(manager.hook) if name.startswith("syncro_xero_"))


@pytest.mark.parametrize("name", hook_names())
def test_every_hook_is_documented_with_its_signature(name):
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    argnames = getattr(manager.hook, name).spec.argnames
    text = DOCS.read_text()
    assert f"## {name}\n" in text
    assert f"`{name}({', '.join(argnames)})`" in text


@pytest.mark.parametrize("name", hook_names())
def test_every_hookspec_has_a_docstring(name):
    assert (getattr(hookspecs, name).__doc__ or "").strip()
