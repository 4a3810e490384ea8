"""``plugins/`` shows the architecture: one module per feature (its entry-point name), shared support
in ``plugins/_shared/``, and nothing else."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).parent.parent
PLUGINS = ROOT / "plugins"


def declared_features() -> dict[str, str]:
    """The built-in entry points, as pyproject.toml declares them."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["entry-points"]["syncro_xero.plugins"]


def hook_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any(ast.unparse(d) == "hookimpl" for d in node.decorator_list)
    }


def test_each_module_in_plugins_is_a_feature_declared_as_an_entry_point_of_its_name():
    modules = {p.stem for p in PLUGINS.glob("*.py") if p.stem != "__init__"}

    assert modules == set(declared_features())
    assert all(target == f"syncro_xero.plugins.{name}" for name, target in declared_features().items())


def test_each_feature_module_provides_its_feature_and_the_shared_modules_provide_none():
    for name in declared_features():
        assert "syncro_xero_feature" in hook_functions(PLUGINS / f"{name}.py"), name
        feature = __import__(f"syncro_xero.plugins.{name}", fromlist=["syncro_xero_feature"]).syncro_xero_feature()
        assert feature.name == name

    for shared in (PLUGINS / "_shared").glob("*.py"):
        assert hook_functions(shared) == set(), shared.name
