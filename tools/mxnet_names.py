"""Writes the public names of MXNet 1.9.1 that the compatibility table covers.

Run with a Python where ``mxnet==1.9.1`` imports (MXNet is never a dependency of
mxjax; only regenerating this list needs it)::

    /work/mxnet-venv/bin/python tools/mxnet_names.py

Writes ``docs/compat/mxnet_names.json``: ``{"mxnet_version": ..., "groups": [...]}``
where each group is ``{"name": "mx.gluon.nn", "kind": "module" | "class",
"names": [...]}``. A module's public names are its ``__all__`` when it has one,
otherwise every name not starting with ``_`` that MXNet defines in that module
(imported helpers such as ``ctypes`` or ``math.cos`` are left out); sub-modules
that hold API (``mx.nd.sparse``) are listed as names too. A class's names are its
public methods and properties defined by MXNet classes (not by ``object``).
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import types

import mxnet as mx

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "docs", "compat", "mxnet_names.json")

# (display name, importable module)
MODULES = [
    ("mx", "mxnet"),
    ("mx.nd", "mxnet.ndarray"),
    ("mx.nd.random", "mxnet.ndarray.random"),
    ("mx.nd.linalg", "mxnet.ndarray.linalg"),
    ("mx.autograd", "mxnet.autograd"),
    ("mx.gluon", "mxnet.gluon"),
    ("mx.gluon.nn", "mxnet.gluon.nn"),
    ("mx.gluon.rnn", "mxnet.gluon.rnn"),
    ("mx.gluon.loss", "mxnet.gluon.loss"),
    ("mx.gluon.data", "mxnet.gluon.data"),
    ("mx.gluon.data.vision", "mxnet.gluon.data.vision"),
    ("mx.gluon.data.vision.transforms", "mxnet.gluon.data.vision.transforms"),
    ("mx.gluon.utils", "mxnet.gluon.utils"),
    ("mx.gluon.model_zoo.vision", "mxnet.gluon.model_zoo.vision"),
    ("mx.gluon.contrib.nn", "mxnet.gluon.contrib.nn"),
    ("mx.gluon.contrib.estimator", "mxnet.gluon.contrib.estimator"),
    ("mx.sym", "mxnet.symbol"),
    ("mx.mod", "mxnet.module"),
    ("mx.io", "mxnet.io"),
    ("mx.optimizer", "mxnet.optimizer"),
    ("mx.lr_scheduler", "mxnet.lr_scheduler"),
    ("mx.metric", "mxnet.metric"),
    ("mx.init", "mxnet.initializer"),
    ("mx.recordio", "mxnet.recordio"),
    ("mx.contrib.amp", "mxnet.contrib.amp"),
]

# Top-level ``mx`` names worth a row (the rest of ``mx`` is covered by the groups).
MX_TOP = [
    "cpu",
    "gpu",
    "Context",
    "current_context",
    "context",
    "num_gpus",
    "gpu_memory_info",
    "random",
    "kv",
    "kvstore",
    "model",
    "callback",
    "monitor",
    "profiler",
    "image",
    "test_utils",
    "util",
    "visualization",
    "viz",
    "engine",
    "runtime",
    "np",
    "npx",
    "rnn",
    "contrib",
    "name",
    "attribute",
    "AttrScope",
    "Context",
    "MXNetError",
    "__version__",
]

# Sub-modules of a group that are API namespaces of their own (listed as names).
SUBMODULES = {
    "mx.nd": ["random", "linalg", "contrib", "sparse", "image", "op", "np", "npx"],
    "mx.sym": ["random", "linalg", "contrib", "sparse", "image", "op", "np", "npx"],
    "mx.gluon": ["nn", "rnn", "loss", "data", "utils", "model_zoo", "contrib"],
    "mx.gluon.data": ["vision"],
    "mx.gluon.data.vision": ["transforms"],
}

# Classes whose methods and properties get their own group.
CLASSES = [
    ("mx.nd.NDArray", "mxnet.ndarray", "NDArray"),
    ("mx.autograd.Function", "mxnet.autograd", "Function"),
    ("mx.gluon.Block", "mxnet.gluon", "Block"),
    ("mx.gluon.HybridBlock", "mxnet.gluon", "HybridBlock"),
    ("mx.gluon.SymbolBlock", "mxnet.gluon", "SymbolBlock"),
    ("mx.gluon.Parameter", "mxnet.gluon", "Parameter"),
    ("mx.gluon.ParameterDict", "mxnet.gluon", "ParameterDict"),
    ("mx.gluon.Trainer", "mxnet.gluon", "Trainer"),
    ("mx.gluon.data.DataLoader", "mxnet.gluon.data", "DataLoader"),
    ("mx.gluon.data.Dataset", "mxnet.gluon.data", "Dataset"),
    ("mx.gluon.contrib.estimator.Estimator", "mxnet.gluon.contrib.estimator", "Estimator"),
    ("mx.sym.Symbol", "mxnet.symbol", "Symbol"),
    ("mx.mod.Module", "mxnet.module", "Module"),
    ("mx.io.DataIter", "mxnet.io", "DataIter"),
    ("mx.optimizer.Optimizer", "mxnet.optimizer", "Optimizer"),
    ("mx.metric.EvalMetric", "mxnet.metric", "EvalMetric"),
]


def _defined_here(obj: object, prefix: str) -> bool:
    module = getattr(obj, "__module__", None)
    return isinstance(module, str) and (module == prefix or module.startswith(prefix + "."))


def module_names(display: str, module_name: str) -> list[str]:
    """The public names of one MXNet module."""
    if display == "mx":
        return sorted(n for n in set(MX_TOP) if hasattr(mx, n))
    module = importlib.import_module(module_name)
    if hasattr(module, "__all__"):
        names = set(module.__all__)
    else:
        names = {
            n
            for n in dir(module)
            if not isinstance(getattr(module, n), types.ModuleType)
            and _defined_here(getattr(module, n), module_name)
        }
    names = {
        n
        for n in names
        if not n.startswith("_") and not isinstance(getattr(module, n, None), types.ModuleType)
    }
    names.update(s for s in SUBMODULES.get(display, []) if hasattr(module, s))
    return sorted(names)


def class_names(module_name: str, cls_name: str) -> list[str]:
    """The public methods and properties MXNet defines on one class (inherited ones too)."""
    cls = getattr(importlib.import_module(module_name), cls_name)
    names = set()
    for klass in inspect.getmro(cls):
        if not klass.__module__.startswith("mxnet"):
            continue
        names.update(n for n in vars(klass) if not n.startswith("_"))
    return sorted(names)


def main() -> None:
    groups = [
        {"name": display, "kind": "module", "names": module_names(display, module)}
        for display, module in MODULES
    ]
    groups += [
        {"name": display, "kind": "class", "names": class_names(module, cls)}
        for display, module, cls in CLASSES
    ]
    data = {"mxnet_version": mx.__version__, "groups": groups}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    tmp = OUT + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1, sort_keys=False)
        f.write("\n")
    os.replace(tmp, OUT)
    total = sum(len(g["names"]) for g in groups)
    print(f"wrote {os.path.normpath(OUT)}: {len(groups)} groups, {total} names")


if __name__ == "__main__":
    main()
