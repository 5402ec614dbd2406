"""Writes ``docs/compatibility.rst``: MXNet 1.9.1's public names and their status in mxjax.

Inputs (both committed):

* ``docs/compat/mxnet_names.json`` — MXNet 1.9.1's names, written by
  ``tools/mxnet_names.py`` with real MXNet;
* ``docs/compat/notes.txt`` — hand-written notes: which names mxjax has only in part
  and why, and why a missing name is missing (shown only while it is missing).

A name's status comes from mxjax's own modules: **supported** when the name resolves
in mxjax (``mx.gluon.nn.Dense`` -> ``mxjax.gluon.nn.Dense``; a class member on the
class or on a small instance), **partial** when it resolves and ``notes.txt`` marks it
partial, **not yet** when it does not resolve. Run from the repository root::

    python tools/compat_table.py          # rewrite docs/compatibility.rst
    python tools/compat_table.py --check  # exit 1 if the committed page is stale

``tests/test_compat_table.py`` runs the check, so the page cannot drift from the code.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib
import json
import os
import sys
from collections.abc import Callable
from typing import Any

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
NAMES = os.path.join(ROOT, "docs", "compat", "mxnet_names.json")
NOTES = os.path.join(ROOT, "docs", "compat", "notes.txt")
PAGE = os.path.join(ROOT, "docs", "compatibility.rst")

SUPPORTED, PARTIAL, NOT_YET = "supported", "partial", "not yet"

# MXNet group -> the mxjax modules tried in order (the first that imports is used).
MODULES = {
    "mx": ["mxjax"],
    "mx.sym": ["mxjax.sym", "mxjax.symbol"],
    "mx.mod": ["mxjax.mod", "mxjax.module"],
    "mx.contrib.amp": ["mxjax.amp", "mxjax.contrib.amp"],
}


def _mxjax_modules(group: str) -> list[str]:
    if group in MODULES:
        return MODULES[group]
    return ["mxjax" + group[len("mx") :]]


def _import(candidates: list[str]) -> Any:
    for name in candidates:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


def _sample_instances() -> dict[str, Callable[[], Any]]:
    """Small instances whose attributes count as class members (set in ``__init__``)."""
    import mxjax as mx
    from mxjax import gluon

    def trainer():
        p = gluon.Parameter("w", shape=(2,))
        p.initialize()
        return gluon.Trainer([p], "sgd")

    return {
        "mx.nd.NDArray": lambda: mx.nd.ones((2,)),
        "mx.gluon.Block": lambda: gluon.Block(),
        "mx.gluon.HybridBlock": lambda: gluon.HybridBlock(),
        "mx.gluon.Parameter": lambda: gluon.Parameter("w", shape=(2,)),
        "mx.gluon.ParameterDict": lambda: gluon.ParameterDict(),
        "mx.gluon.Trainer": trainer,
        "mx.gluon.data.Dataset": lambda: gluon.data.ArrayDataset([1, 2]),
        "mx.gluon.data.DataLoader": lambda: gluon.data.DataLoader(
            gluon.data.ArrayDataset([1, 2]), batch_size=1
        ),
        "mx.optimizer.Optimizer": lambda: mx.optimizer.SGD(),
        "mx.metric.EvalMetric": lambda: mx.metric.Accuracy(),
    }


def _resolve_class(group: str) -> tuple[Any, Any]:
    """The mxjax class for a class group (``mx.gluon.Block``) and a sample instance."""
    parent, _, cls_name = group.rpartition(".")
    module = _import(_mxjax_modules(parent))
    cls = getattr(module, cls_name, None) if module is not None else None
    instance = None
    factory = _sample_instances().get(group)
    if cls is not None and factory is not None:
        try:
            instance = factory()
        except Exception:  # a sample that cannot be built only loses instance attributes
            instance = None
    return cls, instance


def read_notes(path: str = NOTES) -> list[tuple[str, str, str]]:
    """Parses ``notes.txt``: ``pattern | partial | note`` or ``pattern | note`` lines."""
    notes = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 2:
                notes.append((parts[0], "", parts[1]))
            elif len(parts) == 3 and parts[1] == PARTIAL:
                notes.append((parts[0], PARTIAL, parts[2]))
            else:
                raise ValueError(
                    f"{path}:{lineno}: expected 'name | partial | note' or 'name | note', "
                    f"got {line!r}"
                )
    return notes


def _note_for(full: str, notes: list[tuple[str, str, str]]) -> tuple[str, str]:
    for pattern, status, note in notes:  # exact names first, then patterns in file order
        if pattern == full:
            return status, note
    for pattern, status, note in notes:
        if any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(full, pattern):
            return status, note
    return "", ""


def statuses(names_path: str = NAMES, notes_path: str = NOTES) -> list[dict[str, Any]]:
    """Every group with ``rows``: ``(name, status, note)`` for each MXNet name."""
    with open(names_path) as f:
        data = json.load(f)
    notes = read_notes(notes_path)
    groups = []
    for group in data["groups"]:
        if group["kind"] == "class":
            cls, instance = _resolve_class(group["name"])

            def has(n, cls=cls, instance=instance):
                return cls is not None and (
                    hasattr(cls, n) or (instance is not None and hasattr(instance, n))
                )
        else:
            module = _import(_mxjax_modules(group["name"]))

            def has(n, module=module):
                return module is not None and hasattr(module, n)

        rows = []
        for name in group["names"]:
            full = f"{group['name']}.{name}"
            marked, note = _note_for(full, notes)
            if has(name):
                status = PARTIAL if marked == PARTIAL else SUPPORTED
                if status == SUPPORTED:
                    note = ""  # a plain note says why a name is missing: moot once it exists
            else:
                status = NOT_YET
            rows.append((name, status, note))
        groups.append({"name": group["name"], "kind": group["kind"], "rows": rows})
    return groups


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace("_", "\\_")
        .replace("*", "\\*")
        .replace("`", "\\`")
        .replace("|", "\\|")
    )


def render(groups: list[dict[str, Any]], mxnet_version: str = "1.9.1") -> str:
    """The reStructuredText page."""
    out = [
        ".. This page is generated by tools/compat_table.py from docs/compat/mxnet_names.json",
        "   and docs/compat/notes.txt. Do not edit it by hand: run",
        "   ``python tools/compat_table.py`` (tests/test_compat_table.py checks it).",
        "",
        "Compatibility with MXNet " + mxnet_version,
        "=" * (len("Compatibility with MXNet ") + len(mxnet_version)),
        "",
        f"Every public name of MXNet {mxnet_version}'s Python API in the namespaces below, with",
        "its status in mxjax. The list of names comes from MXNet itself; the status from",
        "mxjax's own modules, so this page is regenerated whenever the code changes.",
        "",
        "* **supported** — ``mx.<name>`` exists in mxjax (``import mxjax as mx``) with",
        "  MXNet's meaning;",
        "* **partial** — it exists, with the difference the note gives;",
        "* **not yet** — it does not exist; the note, if any, says why or what to use.",
        "",
        "Class rows (``mx.gluon.Block.hybridize``) are methods and properties.",
        "The :doc:`migration` guide explains the larger differences.",
        "",
        "Summary",
        "-------",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - namespace",
        "     - supported",
        "     - partial",
        "     - not yet",
    ]
    for g in groups:
        counts = {s: sum(r[1] == s for r in g["rows"]) for s in (SUPPORTED, PARTIAL, NOT_YET)}
        out += [
            f"   * - `{g['name']}`_",
            f"     - {counts[SUPPORTED]}",
            f"     - {counts[PARTIAL]}",
            f"     - {counts[NOT_YET]}",
        ]
    total = {s: sum(r[1] == s for g in groups for r in g["rows"]) for s in (SUPPORTED, PARTIAL)}
    n = sum(len(g["rows"]) for g in groups)
    out += [
        "   * - total",
        f"     - {total[SUPPORTED]}",
        f"     - {total[PARTIAL]}",
        f"     - {n - total[SUPPORTED] - total[PARTIAL]}",
        "",
    ]
    for g in groups:
        title = g["name"] + (" (class)" if g["kind"] == "class" else "")
        out += [
            f".. _{g['name']}:",
            "",
            title,
            "-" * len(title),
            "",
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 30 12 58",
            "",
            "   * - name",
            "     - status",
            "     - note",
        ]
        for name, status, note in g["rows"]:
            out += [
                f"   * - ``{name}``",
                f"     - {status}",
                f"     - {_escape(note)}" if note else "     -",
            ]
        out.append("")
    return "\n".join(out)


def generate() -> str:
    with open(NAMES) as f:
        version = json.load(f)["mxnet_version"]
    return render(statuses(), version)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        with open(PAGE) as f:
            if f.read() != text:
                print(f"{PAGE} is stale: run python tools/compat_table.py", file=sys.stderr)
                return 1
        return 0
    tmp = PAGE + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, PAGE)
    print(f"wrote {os.path.relpath(PAGE, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    sys.exit(main())
