"""The module graph of ``mxjax/``: no import cycles, no cross-module assignments, short modules.

Every module under ``mxjax/`` is parsed with :mod:`ast`; each ``import`` and
``from ... import`` statement, at module level or inside a function, is an
edge to the module it names (``from pkg import sub`` points at ``pkg.sub``
when that is a module). Importing a submodule also runs its package's
``__init__``, but that implicit edge is not counted: the rule is that no
module *names* a module that (transitively) names it back. ``importlib``
calls with a literal module name count as imports too.
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
PKG = ROOT / "mxjax"
MAX_LINES = 800
# Named exceptions to the line limit (none: metric.py was split into mxjax/_src/metric/).
LONG_EXCEPTIONS: set[str] = set()
# Named exceptions to the cycle rule: none (mxjax._src.symbol was untangled: registry <- ops_*
# <- optable <- graph <- loader; serialize/infer/executor never import graph).
CYCLE_EXCEPTIONS: tuple = ()


def _modules() -> dict[str, pathlib.Path]:
    mods = {}
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return mods


def _resolve(mod: str, is_pkg: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    base = mod.split(".")
    if not is_pkg:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _edges(mods: dict[str, pathlib.Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(mod, is_pkg, node.level, node.module)
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    targets.append(sub if sub in mods else base)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                targets = [node.args[0].value]
            for t in targets:
                # the deepest module under mxjax that the name points at
                while t and t not in mods:
                    t = t.rpartition(".")[0]
                if t and t != mod and not _excepted(mod, t):
                    graph[mod].add(t)
    return graph


def _excepted(a: str, b: str) -> bool:
    return any(a.startswith(p) and b.startswith(p) for p in CYCLE_EXCEPTIONS)


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    color: dict[str, int] = {}
    for start in sorted(graph):
        if color.get(start):
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        color[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                color[node] = 2
                stack.pop()
                path.pop()
                continue
            c = color.get(nxt, 0)
            if c == 1:
                return path[path.index(nxt) :] + [nxt]
            if c == 0:
                color[nxt] = 1
                stack.append((nxt, iter(sorted(graph[nxt]))))
                path.append(nxt)
    return None


def test_no_import_cycles():
    graph = _edges(_modules())
    # the edges of a package __init__ to its own submodules are its re-exports; a
    # submodule naming its own package (``from mxjax import nd``) would close a cycle
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_checker_finds_cycles():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
    assert _resolve("mxjax._src.nd.ops", False, 1, "ndarray") == "mxjax._src.nd.ndarray"
    assert _resolve("mxjax._src.nd", True, 2, "autograd") == "mxjax._src.autograd"


def test_no_module_assigns_attributes_onto_another_module():
    offenders = []
    for mod, path in _modules().items():
        tree = ast.parse(path.read_text(), str(path))
        imported: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported |= {a.asname or a.name for a in node.names}
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "setattr"
                and node.args
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id in imported
                and _is_module_name(node.args[0].id, tree)
            ):
                offenders.append(f"{mod}:{node.lineno} setattr({node.args[0].id}, ...)")
            for t in targets:
                for sub in ast.walk(t):
                    if (
                        isinstance(sub, ast.Attribute)
                        and isinstance(sub.ctx, ast.Store)
                        and isinstance(sub.value, ast.Name)
                        and sub.value.id in imported
                        and _is_module_name(sub.value.id, tree)
                    ):
                        offenders.append(f"{mod}:{sub.lineno} {sub.value.id}.{sub.attr} = ...")
    assert not offenders, "cross-module attribute assignments:\n" + "\n".join(offenders)


def _is_module_name(name: str, tree: ast.Module) -> bool:
    """Whether ``name`` is bound by an import to a module (``import m``/``from pkg import m``)."""
    mods = _modules()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if (a.asname or a.name.split(".")[0]) == name:
                    return True
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            for a in node.names:
                if (a.asname or a.name) == name:
                    full = f"{node.module}.{a.name}"
                    if full in mods or not full.startswith("mxjax"):
                        return full in mods or _is_external_module(full)
    return False


def _is_external_module(full: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(full) is not None
    except (ImportError, ValueError):
        return False


def test_no_module_is_longer_than_800_lines():
    long = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        n = len(path.read_text().splitlines())
        if n > MAX_LINES and rel not in LONG_EXCEPTIONS:
            long.append(f"{rel}: {n} lines")
    assert not long, f"modules over {MAX_LINES} lines (split them by concept): {long}"
