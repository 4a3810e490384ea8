"""The plugin API is a layer of its own, complete and enforced.

- ``syncro_xero.api`` imports nothing of the runtime, and ``import syncro_xero`` loads no runtime;
- no import cycle among the core modules (type-checking and function-level imports included);
- ``syncro_xero.__all__`` is the contract: pinned here, and each name documented;
- built-in plugins, the example plugin and the ``new-plugin`` scaffold import only public names.
"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import syncro_xero
from syncro_xero.api.context import Context
from syncro_xero.emulators import syncro as syncro_emulators
from syncro_xero.emulators import xero as xero_emulators
from syncro_xero.scaffold import scaffold

ROOT = Path(__file__).parent.parent
CORE = ROOT / "daemon"
DOCS = (ROOT / "docs" / "plugin-hooks.md").read_text()
EXAMPLE = ROOT / "examples" / "syncro-xero-estimates" / "src" / "syncro_xero_estimates"
THIRD_PARTY_OK = {"pydantic", "aiohttp", "click"}

#: The public API. Changing it is a deliberate act: add the name here, document it, and keep it
#: through a major release (docs/plugin-hooks.md, "Stability").
CONTRACT = {
    "BulkDetail", "Change", "CheckResult", "Clock", "Context", "Defer", "Drift", "Embed", "Feature",
    "Find", "Link", "Lookup", "Park", "SyncroError", "SyncroNotFound", "SyncroReads", "SyncroResource",
    "SyncroUnavailable", "SyncroValidationError", "SyncroWrite", "SyncroWriteUncertain", "XeroRejected",
    "__version__", "allocated_to", "digest", "from_cents", "hookimpl", "money_str",
    "natural_key_lookup", "one_line", "parse_instant", "round_money", "syncro_error_messages",
    "syncro_unwrap", "to_cents", "to_decimal", "where_literal",
}


def imports(path: Path, package: str) -> Iterator[tuple[str, tuple[str, ...], int]]:
    """Every import in a module, at any depth: (absolute module, names imported, line)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, (), node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield module, tuple(a.name for a in node.names), node.lineno


def module_name(path: Path, root: Path, package: str) -> tuple[str, str]:
    """(the module's dotted name, the package its relative imports start from)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        name = ".".join(filter(None, [package, *parts[:-1]]))
        return name, name
    name = ".".join(filter(None, [package, *parts]))
    return name, name.rsplit(".", 1)[0]


def core_modules() -> dict[str, Path]:
    return {module_name(p, CORE, "syncro_xero")[0]: p for p in CORE.rglob("*.py")}


def is_stdlib(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names or module == "__future__"


# -- the layer -------------------------------------------------------------------------------------
def test_the_api_layer_imports_only_the_standard_library_pydantic_and_itself():
    offences = []
    for path in (CORE / "api").glob("*.py"):
        _, package = module_name(path, CORE, "syncro_xero")
        for module, _, line in imports(path, package):
            if not (is_stdlib(module) or module.split(".")[0] == "pydantic" or module.startswith("syncro_xero.api")):
                offences.append(f"api/{path.name}:{line} imports {module}")
    assert offences == []


def test_importing_syncro_xero_loads_neither_the_runtime_nor_its_libraries():
    probe = "import sys, syncro_xero; print('\\n'.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split())

    ours = {m for m in loaded if m.startswith("syncro_xero.")}
    assert ours <= {m for m in core_modules() if m.startswith("syncro_xero.api")} | {
        "syncro_xero.hookspecs", "syncro_xero.version"
    }
    assert not {"aiohttp", "aiosqlite", "xero_python", "click", "rich"} & loaded


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in graph:
        if node not in index:
            visit(node)
    return components


def import_graph() -> dict[str, set[str]]:
    """Module -> the core modules it imports (a package's ``__init__`` counts as a module)."""
    modules = core_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        _, package = module_name(path, CORE, "syncro_xero")
        for module, names, _ in imports(path, package):
            targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in modules] or [module]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def test_the_core_modules_import_each_other_without_a_cycle():
    # The package roots re-export their modules by design, so each is a leaf's parent, not a peer.
    graph = import_graph()
    for name in graph:
        graph[name] = {t for t in graph[name] if not name.startswith(t + ".")}

    assert strongly_connected(graph) == []


def test_the_cycle_check_finds_a_cycle():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


# -- the contract ----------------------------------------------------------------------------------
def test_all_is_the_pinned_contract_and_every_name_in_it_exists():
    assert set(syncro_xero.__all__) == CONTRACT
    assert len(syncro_xero.__all__) == len(CONTRACT)
    assert all(hasattr(syncro_xero, name) for name in syncro_xero.__all__)


@pytest.mark.parametrize("name", sorted(CONTRACT - {"__version__"}))
def test_every_public_name_is_documented_for_plugin_authors(name):
    assert f"`{name}" in DOCS, f"{name} is exported but docs/plugin-hooks.md does not mention it"


def context_members() -> dict[str, object]:
    return {
        name: member
        for name, member in vars(Context).items()
        if not name.startswith("_") and (callable(member) or isinstance(member, property))
    } | {name: None for name in Context.__annotations__}


def call_form(name: str, function: object) -> str:
    """``ctx.upsert(entity, syncro_id, resource, payload, *, number=None, ...)``, as documented."""
    parameters = list(inspect.signature(function).parameters.values())[1:]  # type: ignore[arg-type]
    rendered, keyword_only_marked = [], False
    for p in parameters:
        if p.kind is p.KEYWORD_ONLY and not keyword_only_marked:
            rendered.append("*")
            keyword_only_marked = True
        rendered.append(p.name if p.default is p.empty else f"{p.name}={p.default!r}")
    return f"ctx.{name}({', '.join(rendered)})"


@pytest.mark.parametrize("name", sorted(context_members()))
def test_every_context_member_is_documented_with_its_signature(name):
    member = context_members()[name]
    if callable(member) and not isinstance(member, property):
        assert call_form(name, member) in DOCS
    else:
        assert f"`ctx.{name}`" in DOCS


# -- who imports what ------------------------------------------------------------------------------
def private_imports(folder: Path, package: str, own: tuple[str, ...]) -> list[str]:
    """Imports of ``syncro_xero`` other than its public names, and of anything not on the allowed
    list; ``own`` are the importer's own module prefixes."""
    emulator_api = {
        "syncro_xero.emulators.syncro": set(syncro_emulators.__all__),
        "syncro_xero.emulators.xero": set(xero_emulators.__all__),
    }
    offences = []
    for path in folder.rglob("*.py"):
        _, base = module_name(path, folder, package)
        where = f"{path.relative_to(folder)}"
        for module, names, line in imports(path, base):
            top = module.split(".")[0]
            if module == "syncro_xero":
                offences += [f"{where}:{line} imports syncro_xero.{n}" for n in names if n not in CONTRACT]
            elif module in emulator_api:
                offences += [f"{where}:{line} imports {module}.{n}" for n in names if n not in emulator_api[module]]
            elif top == "syncro_xero" and not module.startswith(own):
                offences.append(f"{where}:{line} imports {module}")
            elif not (is_stdlib(module) or top in THIRD_PARTY_OK or module.startswith(own)):
                offences.append(f"{where}:{line} imports {module}")
    return offences


def test_built_in_plugins_import_only_public_names_and_their_shared_support():
    features = [p.stem for p in (ROOT / "plugins").glob("*.py") if p.stem != "__init__"]
    offences = private_imports(ROOT / "plugins", "syncro_xero.plugins", ("syncro_xero.plugins._shared",))
    # A feature never imports another feature: what two share lives in _shared.
    for name in features:
        for module, names, line in imports(ROOT / "plugins" / f"{name}.py", "syncro_xero.plugins"):
            if module == "syncro_xero.plugins" and set(names) & set(features):
                offences.append(f"{name}.py:{line} imports the feature {names}")
    assert offences == []


def test_the_import_rule_refuses_a_private_import(tmp_path):
    (tmp_path / "feature.py").write_text(
        "from syncro_xero import Park\nfrom syncro_xero import unwrap\n"
        "def f():\n    from syncro_xero.xero.writer import XeroWriter\n"
    )

    assert private_imports(tmp_path, "pkg", ("pkg",)) == [
        "feature.py:2 imports syncro_xero.unwrap",
        "feature.py:4 imports syncro_xero.xero.writer",
    ]


def test_the_example_plugin_imports_only_public_names():
    assert private_imports(EXAMPLE, "syncro_xero_estimates", ("syncro_xero_estimates",)) == []


def test_a_new_plugin_from_the_scaffold_imports_only_public_names(tmp_path):
    folder = scaffold("tickets", tmp_path)

    assert private_imports(folder, "", ("syncro_xero_tickets",)) == []


@pytest.mark.parametrize("name", sorted(context_members()))
def test_the_runtime_context_implements_each_member_with_the_protocols_parameters(name):
    from syncro_xero.context import PassContext

    member = context_members()[name]
    if callable(member) and not isinstance(member, property):
        implemented = getattr(PassContext, name)
        assert inspect.iscoroutinefunction(implemented) == inspect.iscoroutinefunction(member)
        assert call_form(name, implemented) == call_form(name, member)
    else:
        assert name in PassContext.__init__.__code__.co_names or hasattr(PassContext, name)
