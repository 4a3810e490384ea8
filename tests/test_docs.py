"""The plugin-author docs keep up with the code."""

import inspect
from pathlib import Path

import pluggy
import pytest
from syncro_xero import Context, hookspecs

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


def context_members() -> list[str]:
    """``ctx.name(arg, kw=default, *, only=default)`` of every public member of ``Context``."""
    shown = []
    for name, value in vars(Context).items():
        if name.startswith("_"):
            continue
        if isinstance(value, property):
            shown.append(f"ctx.{name}")
        elif inspect.isfunction(value):
            parts, star = [], False
            for p in list(inspect.signature(value).parameters.values())[1:]:
                if p.kind is p.KEYWORD_ONLY and not star:
                    parts.append("*")
                    star = True
                parts.append(p.name if p.default is p.empty else f"{p.name}={p.default!r}")
            shown.append(f"ctx.{name}({', '.join(parts)})")
    return shown


@pytest.mark.parametrize("member", context_members())
def test_every_context_method_is_documented_with_its_signature(member):
    assert f"| `{member}` |" in DOCS.read_text()
