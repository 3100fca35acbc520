"""Rules about the code itself, checked on its syntax tree (no build).

- Only plugins/resonanz_fastbuild/compat.py touches Pelican's private API: no other
  module of ours imports a Pelican name starting with `_` or reads or sets an attribute
  whose name is one of Pelican's private names (`writer._written_files`, which a grep
  for imports would miss).
- Our modules import each other without a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pelican
import pytest
from conftest import ROOT

COMPAT = ROOT / "plugins" / "resonanz_fastbuild" / "compat.py"
# Private names Pelican shares with other libraries, used here on those libraries' objects.
NOT_PELICANS = {
    "resonanz/receiver/fetch.py": {"._context"},  # http.client.HTTPSConnection's
}


def our_modules() -> dict[str, Path]:
    """Dotted name -> file, for plugins/* (importable from plugins/) and resonanz/."""
    found = {}
    for base, prefix in ((ROOT / "plugins", ""), (ROOT, "resonanz")):
        folder = base / prefix if prefix else base
        for path in sorted(folder.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = list(path.relative_to(base).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if parts:
                found[".".join(parts)] = path
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and len(name) > 1


def pelican_private_names() -> frozenset[str]:
    """Every private name Pelican's own code defines or uses on an object."""
    names = set()
    package = Path(pelican.__file__).parent
    for path in package.rglob("*.py"):
        if "tests" in path.relative_to(package).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                candidates = [node.name]
            elif isinstance(node, ast.Attribute):
                candidates = [node.attr]
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                candidates = [node.id]
            else:
                continue
            names.update(name for name in candidates if _private(name))
    return frozenset(names)


def private_uses(source: str, private: frozenset[str]) -> list[str]:
    """Where `source` imports a private Pelican name or uses one as an attribute."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pelican":
            found += [f"line {node.lineno}: from {node.module} import {alias.name}"
                      for alias in node.names if _private(alias.name)]
            if any(_private(part) for part in node.module.split(".")):
                found.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {alias.name}" for alias in node.names
                      if alias.name.split(".")[0] == "pelican"
                      and any(_private(part) for part in alias.name.split("."))]
        elif isinstance(node, ast.Attribute) and node.attr in private:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
              and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)
              and node.args[1].value in private):
            found.append(f"line {node.lineno}: {node.func.id}(..., {node.args[1].value!r})")
    return found


@pytest.fixture(scope="module")
def private() -> frozenset[str]:
    return pelican_private_names()


def test_the_check_finds_private_access_the_way_it_is_written(private):
    # what the fast build did before compat.py, in the forms a grep would miss
    source = (
        "from pelican.readers import _filter_discardable_metadata\n"
        "def f(writer, readers, item):\n"
        "    readers.get_cached_data(1)\n"
        "    writer._written_files |= set()\n"
        "    x = getattr(item, '_context', None)\n"
        "    return readers._get_file_stamp\n"
    )
    uses = private_uses(source, private)
    assert len(uses) == 4, uses
    assert private_uses("def f(self):\n    return self.written_files\n", private) == []
    # and the compatibility module is where those uses are now
    assert len(private_uses(COMPAT.read_text(encoding="utf-8"), private)) >= 8


def test_only_the_compat_module_touches_pelicans_private_api(private):
    problems = []
    for path in our_modules().values():
        if path == COMPAT:
            continue
        relative = str(path.relative_to(ROOT))
        for use in private_uses(path.read_text(encoding="utf-8"), private):
            if use.rpartition(": ")[2] not in NOT_PELICANS.get(relative, ()):
                problems.append(f"{relative}: {use}")
    assert problems == [], (
        "Pelican's private API used outside plugins/resonanz_fastbuild/compat.py "
        "(move the access into compat.py):\n" + "\n".join(problems))


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Our modules that importing `name` imports (at any level of the file), with the
    package of a module in another package (its __init__ runs first)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()

    def add(target: str) -> None:
        # a package this module is in runs already (its __init__ imports the module)
        if target in modules and target != name and not name.startswith(target + "."):
            found.add(target)
            top = target.split(".")[0]
            if top in modules and top != name and not name.startswith(top + "."):
                found.add(top)  # another package: its __init__ runs

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1] if node.level > 1 else base
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            submodules = [f"{module}.{alias.name}" for alias in node.names]
            for submodule in submodules:
                add(submodule)
            if not all(m in modules for m in submodules):  # a name from the module itself
                add(module)
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target):], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_cycle_check_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_our_modules_import_each_other_without_a_cycle():
    modules = our_modules()
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    # the edges the fast build and the core plugin are known by, so that this test
    # cannot pass by finding nothing
    assert "resonanz_fastbuild.compat" in graph["resonanz_core.core"]
    assert "resonanz_fastbuild.parallel" in graph["resonanz_fastbuild.writer"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)
